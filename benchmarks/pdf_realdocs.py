"""Real articles as PDFs: the PDF reader against citations that real authors wrote.

The realdocs corpus (`../shared/corpus/realdocs`: 77 PLOS and eLife articles as plain-text
manuscripts, with gold links from the publishers' own XML) is turned into PDFs here, never
committed: each article's text becomes a Word document set in two justified columns (title on
line 1, one paragraph per line, as the corpus renders them; python-docx), which LibreOffice
prints to PDF under `benchmarks/out/pdf-realdocs/` (kept between runs). Both the .txt and the
PDF are then read by citecheck and scored against the same gold: each gold citation is placed
by its own text as printed, in order, as `benchmarks.pdf` does, so the PDF's figures can be read
beside the text's: what the PDF loses is the difference.

Needs `soffice` (LibreOffice); without it, or without the corpus, the measure is skipped with a
note.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.linking import _figures
from benchmarks.pdf import score_pdf
from citecheck.config.options import AuditOptions
from citecheck.engine import read

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "realdocs"
"""The realdocs corpus."""
OUT = Path(__file__).resolve().parent / "out" / "pdf-realdocs"
"""Where the PDFs are made (ignored by git)."""


def _gold_items(gold: dict[str, Any]) -> list[dict[str, Any]]:
    """The corpus's gold citations as `benchmarks.pdf` gold items, each placed by its own text
    as printed (`[1],[2]`, `Smith et al., 2004`); targets are entry positions."""
    positions = {ref["id"]: str(index + 1) for index, ref in enumerate(gold["references"])}
    return [{"at": citation["text"], "targets": [positions[r] for r in citation["refs"] if r in positions]}
            for citation in gold["citations"]]


def _docx(text: str, target: Path) -> None:
    """The manuscript as a Word document in two justified columns."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    document.styles["Normal"].font.size = Pt(9.5)
    columns = document.sections[0]._sectPr.makeelement(qn("w:cols"), {qn("w:num"): "2", qn("w:space"): "340"})
    document.sections[0]._sectPr.append(columns)
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if number == 0:
            document.add_paragraph(line, style="Title")
            continue
        paragraph = document.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    document.save(str(target))


def make_pdf(txt: Path) -> Path:
    """The article's PDF, made once (see the module docs)."""
    pdf = OUT / f"{txt.stem}.pdf"
    if pdf.exists():
        return pdf
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"{txt.stem}.docx"
        _docx(txt.read_text(encoding="utf-8"), source)
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile", "--convert-to",
                        "pdf", "--outdir", work, source.name], cwd=work, capture_output=True, timeout=300, check=True)
        shutil.copy(source.with_suffix(".pdf"), pdf)
    return pdf


def measure(limit: int | None = None) -> dict[str, Any]:
    """Citations and links over the corpus, read from the PDFs and from the texts."""
    if not CORPUS.is_dir():
        return {"skipped": f"corpus absent: {CORPUS.resolve()}"}
    if shutil.which("soffice") is None:
        return {"skipped": "soffice (LibreOffice) not installed: the PDFs cannot be made"}
    texts = sorted(CORPUS.glob("*.txt"))[:limit]
    pdf_counts, text_counts = [], []
    with tempfile.TemporaryDirectory() as work:
        for txt in texts:
            gold = json.loads((CORPUS / f"{txt.stem}.gold.json").read_text(encoding="utf-8"))
            items = _gold_items(gold)
            pdf = make_pdf(txt)
            for source, counts in ((pdf, pdf_counts), (txt, text_counts)):
                sidecar = Path(work) / f"{source.name}.gold.json"
                sidecar.write_text(json.dumps({"pdf": source.name, "citations": items, "traps": [],
                                               "entries": len(gold["references"])}), encoding="utf-8")
                counts.append(score_pdf(sidecar, read(source, AuditOptions())))
    pdf_figures, text_figures = _figures(pdf_counts), _figures(text_counts)
    return {
        "articles": len(texts),
        "pdf": {**pdf_figures, "entries_read": sum(c["entries_read"] for c in pdf_counts)},
        "text": {**text_figures, "entries_read": sum(c["entries_read"] for c in text_counts)},
        "entries_expected": sum(c["entries_expected"] or 0 for c in pdf_counts),
        "gold_not_placed": sum(c["gold_missing_from_text"] for c in text_counts),
        "worst_pdf": sorted(({"document": c["document"], "gold": c["gold"], "found_correct": c["found_correct"],
                              "found": c["found"], "entries": f"{c['entries_read']}/{c['entries_expected']}"}
                             for c in pdf_counts), key=lambda c: c["found_correct"] - c["gold"])[:5],
    }
