"""Speed of the offline audit of a generated LaTeX thesis: 40 chapter files, 2,000 citations,
800 BibTeX entries, about 300 pages of prose.

`python -m benchmarks.thesis [--files 40] [--citations 2000] [--entries 800] [--repeat 3]`
prints JSON with the best wall time of `audit(..., AuditOptions(verify=False))` and the counts
found. Every entry is synthetic (`Author0001`, "A synthetic title 1"), with no DOI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from citecheck.config.options import AuditOptions
from citecheck.engine import audit

_WORDS = ("the results of the trial were consistent with earlier reports and the analysis "
          "of the cohort showed that the effect persisted over time in every subgroup").split()
_COMMANDS = ("cite", "citep", "citet", "parencite", "textcite", "autocite")


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def write_thesis(directory: Path, files: int, citations: int, entries: int, seed: int = 7) -> Path:
    """Write main.tex, chapters/chNN.tex and refs.bib under `directory`; return main.tex.

    Citations are spread evenly over the chapters; ~1 in 40 names a key missing from the
    bibliography and the last 5% of entries are never cited, so the audit has findings to make.
    """
    rng = random.Random(seed)
    keys = [f"author{i:04d}synthetic" for i in range(entries)]
    citable = keys[: int(entries * 0.95)]
    (directory / "chapters").mkdir(parents=True, exist_ok=True)
    per_file = citations // files
    # ~300 pages at ~500 words a page: 150,000 words over the chapters.
    words_per_file = 150_000 // files
    for number in range(files):
        lines: list[str] = [f"\\chapter{{Synthetic chapter {number + 1}}}"]
        words = 0
        for index in range(per_file):
            key = rng.choice(citable) if rng.random() > 0.025 else f"missing{number:02d}x{index:03d}"
            extra = f",{rng.choice(citable)}" if rng.random() < 0.2 else ""
            command = rng.choice(_COMMANDS)
            size = max(20, words_per_file // per_file)
            lines.append(f"{_paragraph(rng, size)} \\{command}[p.~{index + 1}]{{{key}{extra}}}")
            words += size
            if index % 10 == 0:
                lines.append("% a comment with \\cite{commented} that must be ignored")
        (directory / "chapters" / f"ch{number:02d}.tex").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    main = ["\\documentclass{report}", "\\usepackage{natbib}", "\\begin{document}"]
    main += [f"\\include{{chapters/ch{n:02d}}}" for n in range(files)]
    main += ["\\bibliographystyle{plainnat}", "\\bibliography{refs}", "\\end{document}"]
    (directory / "main.tex").write_text("\n".join(main) + "\n", encoding="utf-8")
    bib = [
        f"@article{{{key},\n  author = {{Author{i:04d}, Ann and Other, Bob}},\n"
        f"  title = {{A synthetic title {i}}},\n  journal = {{Journal of Tests}},\n"
        f"  year = {{{1990 + i % 30}}},\n  volume = {{{1 + i % 40}}},\n  pages = {{{i}--{i + 9}}},\n}}\n"
        for i, key in enumerate(keys)
    ]
    (directory / "refs.bib").write_text("\n".join(bib), encoding="utf-8")
    return directory / "main.tex"


def run(args: list[str]) -> dict[str, Any]:
    """Generate the thesis, audit it `--repeat` times offline, report the best time and counts."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.thesis")
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--citations", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=800)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(args)
    with tempfile.TemporaryDirectory() as directory:
        main = write_thesis(Path(directory), options.files, options.citations, options.entries)
        best = float("inf")
        report = None
        for _ in range(options.repeat):
            started = time.perf_counter()
            report = audit([main], AuditOptions(verify=False))
            best = min(best, time.perf_counter() - started)
        assert report is not None
        (document,) = report.documents
        codes: dict[str, int] = {}
        for finding in report.findings:
            codes[finding.code] = codes.get(finding.code, 0) + 1
        return {
            "files": options.files + 1,
            "citations": len(document.citations),
            "entries": len(document.references),
            "findings": codes,
            "seconds": round(best, 3),
            "cpu_count": os.cpu_count(),
        }


def main() -> None:
    """Command-line entry: print the results as JSON."""
    import sys

    print(json.dumps(run(sys.argv[1:]), indent=2))


if __name__ == "__main__":
    main()
