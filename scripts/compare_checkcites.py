"""Compare citecheck's unused and undefined keys with checkcites's on the LaTeX cases.

`python -m scripts.compare_checkcites [CASE_DIR ...]` (default: every tests/cases/latex-*/ and tex-*/)
copies each case to a temporary directory, runs `pdflatex` there once (draft mode) so that
LaTeX writes the `.aux` (or, with biblatex, the `.bcf`), runs `checkcites --unused` and
`checkcites --undefined` on it, runs `citecheck`'s offline audit on the same copy, and prints,
per case, both tools' sets and whether they agree. citecheck's unused keys are its
`uncited-reference` (R001) findings, its undefined keys its `citation-without-entry` (C001)
findings on keys. Exit status 0 when every case agrees, 1 otherwise, 2 when a tool is missing.

Needs `pdflatex` and `checkcites` (Debian: `apt-get install texlive-latex-base
texlive-extra-utils`; biblatex cases also need `texlive-bibtex-extra`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from citecheck.config.options import AuditOptions
from citecheck.engine import audit

ROOT = Path(__file__).resolve().parents[1]
_ITEM = re.compile(r"^=> (\S+)$")


def _checkcites(record: Path, what: str) -> set[str] | None:
    """Keys checkcites lists for `--unused` or `--undefined`; None when it failed."""
    command = ["checkcites", f"--{what}", record.name]
    if record.suffix == ".bcf":
        command[1:1] = ["--backend", "biber"]
    done = subprocess.run(command, cwd=record.parent, capture_output=True, text=True, timeout=60)
    if done.returncode not in (0, 1):
        return None
    return {m.group(1) for line in done.stdout.splitlines() if (m := _ITEM.match(line.strip()))}


def compare(case: Path) -> dict[str, Any]:
    """Both tools' unused and undefined keys for one case directory (main.tex)."""
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory) / case.name
        shutil.copytree(case, work)
        for stale in list(work.glob("*.aux")) + list(work.glob("*.bcf")):
            stale.unlink()  # the run below writes the record checkcites reads
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-draftmode", "main.tex"],
                       cwd=work, capture_output=True, timeout=120)
        bcf, aux = work / "main.bcf", work / "main.aux"
        record = bcf if bcf.exists() else aux
        if not record.exists():
            return {"case": case.name, "error": "pdflatex wrote no .aux/.bcf (a package missing?): not compared"}
        if record.suffix == ".aux" and "\\bibdata" not in record.read_text(encoding="utf-8", errors="replace"):
            # LaTeX stopped before \bibliography (a missing \input is fatal in nonstopmode,
            # an include cycle exhausts TeX): checkcites would see no database at all.
            return {"case": case.name, "error": "LaTeX did not reach \\bibliography (broken document): not compared"}
        theirs_unused = _checkcites(record, "unused")
        theirs_undefined = _checkcites(record, "undefined")
        report = audit([work / "main.tex"], AuditOptions(verify=False))
        ours_unused = {f.reference for f in report.findings if f.code == "R001" and f.reference}
        ours_undefined = {f.reference for f in report.findings if f.code == "C001" and f.reference}
    if theirs_unused is None or theirs_undefined is None:
        return {"case": case.name, "error": "checkcites failed"}
    return {
        "case": case.name,
        "record": record.name,
        "unused": {"citecheck": sorted(ours_unused), "checkcites": sorted(theirs_unused)},
        "undefined": {"citecheck": sorted(ours_undefined), "checkcites": sorted(theirs_undefined)},
        "agree": ours_unused == theirs_unused and ours_undefined == theirs_undefined,
    }


def main(argv: list[str] | None = None) -> int:
    """Compare on the given case directories (default: tests/cases/latex-* and tex-*); print one block each."""
    for tool in ("pdflatex", "checkcites"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: cannot compare", file=sys.stderr)
            return 2
    args = sys.argv[1:] if argv is None else argv
    cases = [Path(a) for a in args] or sorted(p.parent for p in (ROOT / "tests" / "cases").glob("*tex-*/main.tex"))
    agreed = True
    for case in cases:
        result = compare(case)
        if "error" in result:
            print(f"{result['case']}: {result['error']}")
            agreed = False
            continue
        mark = "agree" if result["agree"] else "DIFFER"
        print(f"{result['case']} ({result['record']}): {mark}")
        for what in ("unused", "undefined"):
            print(f"  {what:9} citecheck {result[what]['citecheck']}  checkcites {result[what]['checkcites']}")
        agreed = agreed and result["agree"]
    return 0 if agreed else 1


if __name__ == "__main__":
    sys.exit(main())
