"""Labelled reference data in, a CRF model out: shared by `scripts/train_parser.py` and the benchmark.

Two labelled formats are read:

* AnyStyle's parser data (`res/parser/*.xml`, BSD-2-Clause): one `<sequence>` per reference,
  one child element per field; the element texts joined by spaces are the reference string.
* GROBID's citation evaluation sets (TEI `<bibl>`, Apache-2.0): used for evaluation only.

Both become `LabelledReference` values: the string plus its (label, text) segments.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from citecheck.references.parser_tokens import features, tokenize

#: AnyStyle labels that are too rare to learn apart; they become "note".
_RARE = {"director": "note", "producer": "note", "medium": "note", "dataset": "note", "source": "note"}
_TEI = "{http://www.tei-c.org/ns/1.0}"


@dataclass(frozen=True, slots=True)
class LabelledReference:
    """One hand-labelled reference string."""

    text: str
    """The reference string (segments joined by single spaces)."""
    segments: tuple[tuple[str, str], ...]
    """(label, text) pairs in order; labels are AnyStyle's (journal, container-title, ...)."""


def load_anystyle(path: Path) -> list[LabelledReference]:
    """Read an AnyStyle parser XML file into labelled references."""
    root = ET.parse(path).getroot()
    out: list[LabelledReference] = []
    for seq in root.iter("sequence"):
        segments: list[tuple[str, str]] = []
        for child in seq:
            text = " ".join((child.text or "").split())
            if text:
                segments.append((_RARE.get(child.tag, child.tag), text))
        if segments:
            out.append(LabelledReference(" ".join(t for _, t in segments), tuple(segments)))
    return out


def _tei_label(elem: ET.Element, has_article_title: bool) -> str | None:
    """The AnyStyle-style label for one TEI element inside a <bibl>, or None for unlabelled text."""
    tag = elem.tag.replace(_TEI, "")
    if tag == "title":
        level = elem.get("level", "a")
        if level == "a":
            return "title"
        if level == "j":
            return "journal"
        if level == "m":
            return "container-title" if has_article_title else "title"
        return "collection-title"
    if tag == "biblScope":
        return {"volume": "volume", "issue": "issue", "page": "pages"}.get(elem.get("unit", ""), "note")
    if tag == "idno":
        kind = (elem.get("type") or "").lower()
        return "doi" if kind == "doi" else "note"
    if tag == "pubPlace":
        return "location"
    return {"author": "author", "editor": "editor", "date": "date", "publisher": "publisher",
            "orgName": "author", "ptr": "url", "note": "note"}.get(tag)


def load_tei(path: Path) -> list[LabelledReference]:
    """Read a GROBID TEI evaluation file into labelled references (text outside fields: "other").

    Only for evaluation: the string's tokens need not line up with the segments' tokens.
    """
    root = ET.parse(path).getroot()
    out: list[LabelledReference] = []
    for bibl in root.iter(_TEI + "bibl"):
        has_a = any(t.get("level") == "a" for t in bibl.iter(_TEI + "title"))
        # The string is the <bibl>'s text exactly as written (fields and the punctuation between).
        pieces: list[str] = [bibl.text or ""]
        segments: list[tuple[str, str]] = []
        if bibl.text and bibl.text.strip():
            segments.append(("other", " ".join(bibl.text.split())))
        for child in bibl:
            label = _tei_label(child, has_a) or "other"
            raw = "".join(child.itertext())
            if label == "url" and not raw.strip():
                raw = child.get("target", "")
            pieces.append(raw)
            text = " ".join(raw.split())
            if text:
                segments.append((label, text))
            pieces.append(child.tail or "")
            if child.tail and child.tail.strip():
                segments.append(("other", " ".join(child.tail.split())))
        if segments:
            out.append(LabelledReference(" ".join("".join(pieces).split()), tuple(segments)))
    return out


def token_labels(ref: LabelledReference) -> tuple[list[str], list[str]]:
    """Tokens of a labelled reference and one label per token."""
    tokens: list[str] = []
    labels: list[str] = []
    for label, text in ref.segments:
        toks = tokenize(text)
        tokens.extend(toks)
        labels.extend([label] * len(toks))
    return tokens, labels


def train(refs: list[LabelledReference], model_path: Path, max_iterations: int = 150,
          c1: float = 0.05, c2: float = 0.01) -> None:
    """Train a linear-chain CRF (L-BFGS, elastic net) on the references and write it to model_path."""
    import pycrfsuite  # imported here: only training needs the Trainer

    trainer = pycrfsuite.Trainer(verbose=False)
    for ref in refs:
        tokens, labels = token_labels(ref)
        if tokens:
            trainer.append(features(tokens), labels)
    trainer.set_params({
        "c1": c1,
        "c2": c2,
        "max_iterations": max_iterations,
        "feature.possible_transitions": True,
    })
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))


def shared_dir(repo_root: Path) -> Path:
    """The shared data directory next to the repository (`../shared`)."""
    return (repo_root / ".." / "shared").resolve()


