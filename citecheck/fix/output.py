"""What `citecheck fix` writes, as values: the bibliography files a document uses, the fix plan
of an audit, and the corrected bibliography in each output form.

The command line (`citecheck fix`, `citecheck audit --fix`) and the local web app
(`citecheck serve`) both go through these functions, so a bibliography downloaded from the app
is the one the command writes. Nothing here prints or writes a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from citecheck.documents.readers import read_document, sniff_binary_format
from citecheck.findings import Finding
from citecheck.fix.bib import protections, update_bib
from citecheck.fix.formatting import format_bibliography
from citecheck.fix.plan import (
    FixOptions,
    FixPlan,
    corrected_bibtex,
    corrected_csljson,
    corrected_items,
    plan_fixes,
    protect_names,
)
from citecheck.results import DocumentResult

TARGETS = ("bibtex", "csljson", "text", "markdown", "html")
"""The forms a corrected bibliography takes (`citecheck fix --to`)."""


def binary_format(document: Path, input_format: str | None) -> str | None:
    """`pdf` or `docx` when the document is one (by the forced format, extension or content)."""
    if input_format in ("pdf", "docx"):
        return input_format
    return sniff_binary_format(document) if input_format is None else None


def bibliography_paths(document: Path, extra: Sequence[Path], input_format: str | None) -> list[Path]:
    """The .bib files the document uses (named in it, or given with `--bib`), as the readers
    find them: an existing file, with `.bib` added to a name given without it."""
    # A PDF or Word document names no .bib file: reading it twice would cost time for nothing.
    named = ([] if binary_format(document, input_format) is not None
             else [Path(p) for p in read_document(document, str(document), input_format).bibliography_files])
    paths: list[Path] = []
    for path in named + list(extra):
        if not path.exists() and not path.suffix and path.with_suffix(".bib").exists():
            path = path.with_suffix(".bib")
        if path.suffix.lower() == ".bib" and path.exists() and path not in paths:
            paths.append(path)
    return paths


def fix_plan(document: DocumentResult, findings: Sequence[Finding], bib_texts: Mapping[Path, str],
             unsafe: bool = False, protect: Sequence[str] = ()) -> FixPlan:
    """The fixes an audit's findings make to one document's entries: safe ones, and unsafe ones
    when asked, never to a protected field (`protect`, or an entry's `citecheck-protect` in one
    of the .bib texts)."""
    protected: dict[str, frozenset[str]] = {}
    for text in bib_texts.values():
        protected.update(protections(text))
    return plan_fixes(document, findings,
                      FixOptions(unsafe=unsafe, protect=protect_names(protect), protected=protected))


def updated_bibs(plan: FixPlan, bib_texts: Mapping[Path, str]) -> dict[Path, str]:
    """Each .bib file with the plan's changes made in place (entry order and formatting kept)."""
    return {path: update_bib(plan, text) for path, text in bib_texts.items()}


def generated_bibliography(plan: FixPlan, target: str, style: str = "vancouver") -> str:
    """The corrected bibliography in citation order: BibTeX, CSL-JSON, or formatted in `style`
    as text, Markdown or HTML. Raises `fix.formatting.StyleError` for a style it cannot find."""
    if target == "bibtex":
        return corrected_bibtex(plan)
    if target == "csljson":
        return corrected_csljson(plan)
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r} (expected one of {', '.join(TARGETS)})")
    return format_bibliography(corrected_items(plan), style, target)


def corrected_bibliography(plan: FixPlan, bib_texts: Mapping[Path, str], target: str,
                           style: str = "vancouver") -> str:
    """What `citecheck fix DOCUMENT --to TARGET` prints for a document with at most one .bib
    file: that file with the changes applied (BibTeX, when the document has one), else the
    generated bibliography."""
    if target == "bibtex" and len(bib_texts) == 1:
        return next(iter(updated_bibs(plan, bib_texts).values()))
    if target == "bibtex" and len(bib_texts) > 1:
        raise ValueError("a document with several .bib files has one corrected file per .bib (updated_bibs)")
    return generated_bibliography(plan, target, style)


__all__ = ["TARGETS", "bibliography_paths", "binary_format", "corrected_bibliography", "fix_plan",
           "generated_bibliography", "updated_bibs"]
