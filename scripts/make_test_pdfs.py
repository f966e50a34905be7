"""Regenerate the test PDFs under `tests/fixtures/pdf/` from their sources.

    python -m scripts.make_test_pdfs [NAME ...]     # default: every PDF

The PDFs are committed, so neither the tests nor CI need LibreOffice or LaTeX; this script
documents and repeats how each was made. Needs `soffice` (Debian: libreoffice-writer-nogui),
`pdflatex` (texlive-latex-recommended, texlive-latex-extra for fancyhdr and cite) and `qpdf`.

| PDF | made from | by |
| --- | --- | --- |
| review.pdf | examples/metastatic-breast-cancer-review.txt | LibreOffice (text → PDF) |
| numeric.pdf | benchmarks/corpus/linking/numeric.txt | LibreOffice (text → PDF) |
| superscript.pdf | benchmarks/corpus/linking/superscript.md, each line a paragraph, its superscripts (`¹`, `^6^`, `<sup>7</sup>`) set as Word superscript runs | tests/docx_builder.py, then LibreOffice |
| docx-article.pdf | tests/cases/docx-article/document.json (superscript citations in Word) | tests/docx_builder.py, then LibreOffice |
| word-superscripts.pdf | sources/word-superscripts.json (superscripts typed with spaces, brackets, dashes; raised non-citations) | tests/docx_builder.py, then LibreOffice |
| twocolumn.pdf | sources/twocolumn.tex (superscript citations, raised non-citations) | pdflatex |
| authoryear.pdf | sources/authoryear.tex (author-year, hanging-indent list in two columns) | pdflatex |
| long.pdf | sources/long.tex, written by scripts/long_paper.py (30 pages) | pdflatex |
| encrypted.pdf | review.pdf with a user password | qpdf |
| restricted.pdf | review.pdf with an owner password only (printing and copying restricted) | qpdf |

pdflatex runs with SOURCE_DATE_EPOCH fixed, so its PDFs come out the same every time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"
"""Where the PDFs and their golds live."""
SOURCES = FIXTURES / "sources"
"""Their LaTeX sources."""

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_MARKDOWN_SUPERSCRIPT = re.compile(r"([⁰¹²³⁴⁵⁶⁷⁸⁹](?:[⁰¹²³⁴⁵⁶⁷⁸⁹⁻,]*[⁰¹²³⁴⁵⁶⁷⁸⁹])?)|\^([^^\s]+)\^|<sup>([^<]*)</sup>")


def _run(command: list[str], cwd: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1577836800", "FORCE_SOURCE_DATE": "1"}
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def _soffice(source: Path, target: Path) -> None:
    """Convert a .txt or .docx file to PDF with LibreOffice, headless."""
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / source.name
        shutil.copy(source, copy)
        _run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile",
              "--convert-to", "pdf", "--outdir", work, copy.name], Path(work))
        shutil.copy(copy.with_suffix(".pdf"), target)


def _pdflatex(source: Path, target: Path) -> None:
    """Compile a LaTeX file twice (for its references) and keep the PDF."""
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(source, Path(work) / source.name)
        for _ in range(2):
            _run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name], Path(work))
        shutil.copy(Path(work) / source.with_suffix(".pdf").name, target)


def _docx(spec: dict[str, object], target: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.docx_builder import build_docx

    with tempfile.TemporaryDirectory() as work:
        document = build_docx(spec, Path(work) / f"{target.stem}.docx")
        _soffice(document, target)


def markdown_as_word(text: str) -> dict[str, object]:
    """A docx spec printing the Markdown document as written, one paragraph per line, with its
    superscript notations (`¹,²`, `^6^`, `<sup>7</sup>`) turned into superscript runs."""
    def superscript(match: re.Match[str]) -> str:
        """One superscript notation as a docx_builder superscript run."""
        unicode, pandoc, html = match.groups()
        value = unicode.translate(_SUPERSCRIPT_DIGITS) if unicode else (pandoc or html)
        return "^{" + value + "}"

    return {"body": [_MARKDOWN_SUPERSCRIPT.sub(superscript, line) for line in text.splitlines()]}


def make_review() -> None:
    """The example review, printed by LibreOffice."""
    _soffice(ROOT / "examples" / "metastatic-breast-cancer-review.txt", FIXTURES / "review.pdf")


def make_numeric() -> None:
    """The linking corpus's plain-text trap document, printed by LibreOffice."""
    _soffice(ROOT / "benchmarks" / "corpus" / "linking" / "numeric.txt", FIXTURES / "numeric.pdf")


def make_superscript() -> None:
    """The linking corpus's superscript document, as a Word document with real superscripts."""
    text = (ROOT / "benchmarks" / "corpus" / "linking" / "superscript.md").read_text(encoding="utf-8")
    _docx(markdown_as_word(text), FIXTURES / "superscript.pdf")


def make_docx_article() -> None:
    """The Word test case with superscript citations, printed by LibreOffice."""
    spec = json.loads((ROOT / "tests" / "cases" / "docx-article" / "document.json").read_text(encoding="utf-8"))
    _docx(spec, FIXTURES / "docx-article.pdf")


def make_word_superscripts() -> None:
    """A Word manuscript with superscripts typed as Word users type them."""
    spec = json.loads((SOURCES / "word-superscripts.json").read_text(encoding="utf-8"))
    _docx(spec, FIXTURES / "word-superscripts.pdf")


def make_twocolumn() -> None:
    """The two-column LaTeX paper with superscript citations."""
    _pdflatex(SOURCES / "twocolumn.tex", FIXTURES / "twocolumn.pdf")


def make_authoryear() -> None:
    """The two-column author-year LaTeX paper."""
    _pdflatex(SOURCES / "authoryear.tex", FIXTURES / "authoryear.pdf")


def make_long() -> None:
    """The 30-page paper: source and gold written by scripts/long_paper.py, then compiled."""
    from scripts.long_paper import write_long_paper

    write_long_paper(SOURCES / "long.tex", FIXTURES / "long.gold.json")
    _pdflatex(SOURCES / "long.tex", FIXTURES / "long.pdf")


def make_encrypted() -> None:
    """Two protected copies of the review: one needs a password, one only restricts use."""
    review = FIXTURES / "review.pdf"
    _run(["qpdf", "--encrypt", "user-secret", "owner-secret", "256", "--", str(review),
          str(FIXTURES / "encrypted.pdf")], FIXTURES)
    _run(["qpdf", "--encrypt", "", "owner-secret", "256", "--print=none", "--extract=n", "--",
          str(review), str(FIXTURES / "restricted.pdf")], FIXTURES)


MAKERS: dict[str, Callable[[], None]] = {
    "review": make_review,
    "numeric": make_numeric,
    "superscript": make_superscript,
    "docx-article": make_docx_article,
    "word-superscripts": make_word_superscripts,
    "twocolumn": make_twocolumn,
    "authoryear": make_authoryear,
    "long": make_long,
    "encrypted": make_encrypted,
}
"""Every PDF by name, in the order they are made (the protected copies need review.pdf)."""


def main(argv: list[str]) -> int:
    """Make the PDFs named (default: all); exit status 2 for an unknown name."""
    names = argv or list(MAKERS)
    unknown = [n for n in names if n not in MAKERS]
    if unknown:
        print(f"make_test_pdfs: unknown {', '.join(unknown)} (known: {', '.join(MAKERS)})", file=sys.stderr)
        return 2
    for name in names:
        print(f"make_test_pdfs: {name}", file=sys.stderr, flush=True)
        MAKERS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
