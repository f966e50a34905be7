"""Building small .docx files for tests from a JSON-able spec, with python-docx (no binaries
committed).

Spec: `{"body": [item, ...], "footnotes": [text, ...], "endnotes": [text, ...]}` where an item
is a paragraph's text, `{"style": "Heading 1", "text": ...}`, or `{"table": [[cell, ...], ...]}`.
In any text, `^{...}` is a run formatted as superscript (Word's usual citation mark).
python-docx cannot write notes, so `word/footnotes.xml`/`word/endnotes.xml` are added to the
package afterwards with their content-type override and relationship.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import docx

_SUPER = re.compile(r"\^\{([^}]*)\}")
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _fill(paragraph: Any, text: str) -> None:
    position = 0
    for match in _SUPER.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position : match.start()])
        paragraph.add_run(match.group(1)).font.superscript = True
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])


def _notes_xml(kind: str, texts: list[str]) -> str:
    tag = kind[:-1]  # footnote / endnote
    notes = [
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>',
        f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{tag}>',
    ]
    for number, text in enumerate(texts, start=1):
        notes.append(f'<w:{tag} w:id="{number}"><w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:{tag}>')
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{kind} xmlns:w="{_W_NS}">{"".join(notes)}</w:{kind}>'


def build_docx(spec: dict[str, Any], path: Path) -> Path:
    """Write the document `spec` describes to `path` and return it."""
    document = docx.Document()
    for item in spec.get("body", []):
        if isinstance(item, str):
            _fill(document.add_paragraph(), item)
        elif "table" in item:
            rows = item["table"]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for row, cells in zip(table.rows, rows):
                for cell, text in zip(row.cells, cells):
                    _fill(cell.paragraphs[0], text)
        else:
            _fill(document.add_paragraph(style=item.get("style")), item["text"])
    document.save(str(path))
    parts = {kind: spec[kind] for kind in ("footnotes", "endnotes") if spec.get(kind)}
    if parts:
        _add_notes(path, parts)
    return path


def _add_notes(path: Path, parts: dict[str, list[str]]) -> None:
    with zipfile.ZipFile(path) as package:
        files = {name: package.read(name) for name in package.namelist()}
    types = files["[Content_Types].xml"].decode()
    rels = files["word/_rels/document.xml.rels"].decode()
    for number, (kind, texts) in enumerate(parts.items(), start=1):
        files[f"word/{kind}.xml"] = _notes_xml(kind, texts).encode()
        content = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"
        types = types.replace("</Types>", f'<Override PartName="/word/{kind}.xml" ContentType="{content}"/></Types>')
        rel_type = f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind[:-1]}s"
        rels = rels.replace("</Relationships>", f'<Relationship Id="rIdNotes{number}" Type="{rel_type}" Target="{kind}.xml"/></Relationships>')
    files["[Content_Types].xml"] = types.encode()
    files["word/_rels/document.xml.rels"] = rels.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in files.items():
            package.writestr(name, data)
