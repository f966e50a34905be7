"""Baselines: today's findings recorded, so that a run fails only on findings that are new.

Teams adopt a checker on a manuscript with a backlog this way: `citecheck baseline DOC -o FILE`
records every finding by a fingerprint, and `citecheck audit --baseline FILE` leaves those out.

The fingerprint is sha256 over the rule code, the file, the entry and the message, each in a
form that survives editing elsewhere in the manuscript:

- the file is named relative to the baseline file's directory (any working directory works);
- the entry is its stable key (`robert2011ribbon`), not its number, so an entry inserted above
  it does not make its findings new;
- the message loses what moves: positions (as for SARIF's `partialFingerprints`), quoted
  passages (the sentences a hint quotes) and every digit (entry numbers, scores).

SARIF's own fingerprint keeps the message's digits and quotes, which suits code scanning (an
alert per distinct message) but not a baseline. A fingerprint recorded n times covers n
findings: a second, identical problem is new.

The file is JSON: `{"version": 1, "tool": "citecheck", "findings": [{"fingerprint", "code",
"path", "reference", "message"}, ...]}`, sorted, one entry per finding, readable in a diff.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from citecheck.version import __version__
from citecheck.findings import Finding
from citecheck.report.markdown import document_of, finding_path
from citecheck.report.sarif import normalised_message
from citecheck.results import Report

VERSION = 1
"""Version of the baseline file's shape; a file of another version is refused."""


@dataclass(frozen=True)
class Baseline:
    """A baseline read from its file (or what was wrong with the file)."""

    counts: Counter[str]
    """Fingerprint → how many findings it covers."""
    error: str | None = None
    """One line saying why the file could not be used (None: it is fine)."""


def _relative(path: str, base: Path) -> str:
    """A finding's file relative to the baseline's directory, with `/` separators."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows: there is no relative path
        return Path(path).resolve().as_posix()


def _finding_file(report: Report, finding: Finding, base: Path) -> str | None:
    """The file a finding concerns (its own, else its document's), relative to `base`."""
    path = finding_path(finding)
    if path is None:
        document = document_of(report, finding)
        path = document.path if document is not None else None
    return _relative(path, base) if path else None


# Quoted passages: typographic and straight double quotes, never across a line.
_QUOTED = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"")


def baseline_message(message: str) -> str:
    """The part of a message that stays put while the manuscript is edited elsewhere."""
    text = _QUOTED.sub("", normalised_message(message))
    return " ".join(re.sub(r"\d+", "", text).split())


def _entry_key(report: Report, finding: Finding) -> str:
    """The stable key of the entry a finding concerns (its id when no entry has that id)."""
    if finding.reference is None:
        return ""
    document = document_of(report, finding)
    for reference in document.references if document is not None else ():
        if reference.id == finding.reference and reference.key:
            return reference.key
    return finding.reference


def finding_fingerprint(report: Report, finding: Finding, base: Path) -> str:
    """The fingerprint of one finding, its file named relative to `base` (the baseline's directory)."""
    parts = (finding.code, _finding_file(report, finding, base) or "", _entry_key(report, finding),
             baseline_message(finding.message))
    # A separator that cannot occur in the parts keeps ("a", "bc") and ("ab", "c") apart.
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def baseline_data(report: Report, base: Path) -> dict[str, Any]:
    """The baseline of a report as JSON-ready data."""
    entries = []
    for finding in report.findings:
        entries.append({
            "fingerprint": finding_fingerprint(report, finding, base),
            "code": finding.code,
            "path": _finding_file(report, finding, base),
            "reference": finding.reference,
            "message": finding.message,
        })
    entries.sort(key=lambda e: (e["path"] or "", e["code"], e["reference"] or "", e["fingerprint"]))
    return {"version": VERSION, "tool": "citecheck", "citecheck_version": __version__, "findings": entries}


def render_baseline(report: Report, base: Path) -> str:
    """The baseline file's text for a report (`base`: the directory the file will be in)."""
    return json.dumps(baseline_data(report, base), indent=2, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; what is wrong with it comes back in `error`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Baseline(Counter(), f"{path}: baseline file not found (make one with `citecheck baseline`)")
    except OSError as error:
        return Baseline(Counter(), f"{path}: cannot read: {error.strerror or error}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return Baseline(Counter(), f"{path}: not a baseline file (invalid JSON: {error})")
    if not isinstance(data, dict) or data.get("tool") != "citecheck" or not isinstance(data.get("findings"), list):
        return Baseline(Counter(), f"{path}: not a citecheck baseline file")
    if data.get("version") != VERSION:
        return Baseline(Counter(), f"{path}: baseline version {data.get('version')!r} is not supported "
                                   f"(this citecheck writes version {VERSION}; run `citecheck baseline` again)")
    prints = [e.get("fingerprint") for e in data["findings"] if isinstance(e, dict)]
    if len(prints) != len(data["findings"]) or not all(isinstance(p, str) for p in prints):
        return Baseline(Counter(), f"{path}: a finding in the baseline has no fingerprint")
    return Baseline(Counter(prints))


def without_baseline(report: Report, baseline: Baseline, base: Path) -> tuple[Report, int]:
    """The report with the findings the baseline covers left out, and how many were left out.

    The summary of the returned report counts only new findings; a note says how many are in
    the baseline, so every report format shows it.
    """
    remaining = Counter(baseline.counts)
    new: list[Finding] = []
    known = 0
    for finding in report.findings:
        key = finding_fingerprint(report, finding, base)
        if remaining[key] > 0:
            remaining[key] -= 1
            known += 1
        else:
            new.append(finding)
    notes = report.notes
    if known:
        noun = "finding" if known == 1 else "findings"
        notes = notes + (f"{known} {noun} in the baseline (not reported)",)
    return replace(report, findings=tuple(new), notes=notes), known


__all__ = ["VERSION", "Baseline", "baseline_data", "baseline_message", "finding_fingerprint", "load_baseline", "render_baseline",
           "without_baseline"]
