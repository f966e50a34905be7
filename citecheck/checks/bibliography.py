"""Problems met while reading become findings: bibliography files (R006–R012) and the files a
document includes (R009).

The readers never raise on content: `read_bibtex`/`read_csl_json` return `BibProblem`s with a
span in the .bib file, and the LaTeX and Pandoc readers return one line per problem in
`ReadDocument.problems`, written `path:line: what`. This module turns both into findings that
point at the same file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from citecheck.findings import Finding
from citecheck.model import Span
from citecheck.references.bibtex import BibProblem
from citecheck.rules import rule

__all__ = ["bibliography_findings", "reader_findings", "PROBLEM_RULES"]

PROBLEM_RULES: dict[str, str] = {
    "duplicate-key": "R006",
    "case-conflict": "R007",
    "failed-block": "R008",
    "unreadable": "R009",
    "unknown-crossref": "R010",
    "duplicate-field": "R011",
    "unknown-macro": "R012",
}
"""`BibProblem.kind` → the rule that reports it."""

_LOCATED = re.compile(r"(?P<path>.+?):(?P<line>\d+): (?P<what>.*)", re.S)


def bibliography_findings(problems: Iterable[BibProblem], path: str) -> Iterator[Finding]:
    """One finding per problem of the bibliography file `path`, at the problem's span.

    A duplicate key whose first entry is a `@string` is still a duplicate key; problems of a
    kind no rule covers are reported as unreadable input rather than dropped.
    """
    for problem in problems:
        code = PROBLEM_RULES.get(problem.kind, "R009")
        span = problem.span or Span(path, 1, 1)
        yield rule(code).finding(
            problem.message,
            span=span,
            reference=problem.key or None,
            details={"file": path, "kind": problem.kind},
        )


def reader_findings(problems: Iterable[str], document: str) -> Iterator[Finding]:
    """R009 for each problem a document reader reported (`path:line: what`).

    A problem without a location is placed at the document's first line.
    """
    for problem in problems:
        located = _LOCATED.fullmatch(problem)
        if located:
            span = Span(located.group("path"), int(located.group("line")), 1)
            message = located.group("what")  # the span says where; the message says what
        else:
            span, message = Span(document, 1, 1), problem
        yield rule("R009").finding(message, span=span, details={"problem": problem})
