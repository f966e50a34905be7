"""Suppressions: findings the user has chosen not to see, and suppressions that hide nothing.

Three ways to suppress, besides `--ignore` and `per-file-ignores` (applied here too, since they
are also "not here, not this rule"):

- a comment on the line of the finding or on the line before it:
  `% citecheck: ignore[R001]` (LaTeX, BibTeX) or `<!-- citecheck: ignore[R001,D003] -->`
  (Markdown, HTML, plain text). The brackets take codes, prefixes or names; a comment without
  brackets suppresses every rule there;
- the same with `ignore-file[…]` anywhere in a file: every finding in that file, and when the
  file is the document itself, every finding of the document (its .bib entries too);
- a `citecheck-ignore = {R001}` field on a .bib entry: that entry's findings.

A PDF has no comments, so only `--ignore`, `per-file-ignores` and `.bib` fields apply to it.

A suppression that suppresses nothing is itself reported, as X001 unused-suppression (ruff's
RUF100): left behind after a fix, it would silently hide the next problem at that place. A
suppression of rules that were not selected is not reported: nobody can tell whether it would
have suppressed something.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from citecheck.config.options import AuditOptions
from citecheck.findings import Finding
from citecheck.model import Reference, Span
from citecheck.report.markdown import document_of
from citecheck.results import DocumentResult, Report
from citecheck.rules import matching_rules, rule

UNUSED_CODE = "X001"
"""The rule that reports a suppression that suppresses nothing."""
REGISTRY_FAMILIES = "DMUS"
"""Families checked against the registry: with `--no-verify` they cannot fire, so a suppression
of them is not reported as unused in such a run."""

# `%` must not be LaTeX's escaped `\%`; the brackets are optional (no brackets: every rule).
_DIRECTIVE = re.compile(
    r"(?<!\\)(?:%|<!--)[ \t]*citecheck:[ \t]*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]\n]*)\])?"
)
_BIB_FIELD = re.compile(r"citecheck-ignore\s*=\s*(?:\{(?P<braced>[^{}]*)\}|\"(?P<quoted>[^\"]*)\")", re.I)


@dataclass(eq=False)
class Suppression:
    """One suppression found in a document or a bibliography entry."""

    span: Span
    """Where it is written (the entry's span for a .bib field)."""
    selectors: tuple[str, ...]
    """Codes, prefixes or names as written; empty means every rule."""
    file_wide: bool = False
    """`ignore-file[…]`: the whole file (the whole document when written in the document)."""
    reference: str | None = None
    """For a `citecheck-ignore` field: the id of the entry it is on."""
    used: set[str] = field(default_factory=set)
    """Codes of the findings it suppressed (filled in while suppressing)."""

    @property
    def label(self) -> str:
        """How the user wrote it, for messages."""
        codes = ",".join(self.selectors)
        if self.reference is not None:
            return f"citecheck-ignore = {{{codes}}} on entry {self.reference}"
        kind = "ignore-file" if self.file_wide else "ignore"
        return f"citecheck: {kind}[{codes}]" if codes else f"citecheck: {kind}"

    def codes(self) -> set[str] | None:
        """The rule codes it names (None: every rule)."""
        if not self.selectors:
            return None
        return {r.code for s in self.selectors for r in matching_rules(s)}


def find_suppressions(path: str, text: str) -> list[Suppression]:
    """Every suppression comment in one file's text."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    found: list[Suppression] = []
    for match in _DIRECTIVE.finditer(text):
        line = bisect.bisect_right(line_starts, match.start()) - 1
        span = Span(path, line + 1, match.start() - line_starts[line] + 1, match.start(), match.end())
        codes = match.group("codes")
        selectors = tuple(c.strip() for c in (codes or "").split(",") if c.strip())
        found.append(Suppression(span, selectors, file_wide=match.group("kind") == "ignore-file"))
    return found


def bib_suppressions(references: Iterable[Reference]) -> list[Suppression]:
    """`citecheck-ignore` fields of .bib entries (read from the entry's text as written)."""
    found: list[Suppression] = []
    for reference in references:
        # Only entries read from a .bib file: a reference-list line in a manuscript that
        # happens to contain the words is not a field.
        if reference.span is None or not reference.span.path.lower().endswith(".bib"):
            continue
        match = _BIB_FIELD.search(reference.raw)
        if match:
            value = match.group("braced") if match.group("braced") is not None else match.group("quoted")
            selectors = tuple(c.strip() for c in re.split(r"[,;\s]+", value) if c.strip())
            found.append(Suppression(reference.span, selectors, reference=reference.id))
    return found


def _read(path: str, documents: Sequence[DocumentResult]) -> str:
    for document in documents:
        if document.path == path and document.text:
            return document.text
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""  # a file that cannot be read again has no suppressions to offer


def _files_of(document: DocumentResult) -> list[str]:
    """The document and every file its citations and references come from, in a stable order."""
    files = [document.path]
    spans = [c.span for c in document.citations] + [r.span for r in document.references if r.span]
    for span in spans:
        if span.path not in files:
            files.append(span.path)
    return files


def _path_of(finding: Finding) -> str | None:
    if finding.span is not None:
        return finding.span.path
    path = finding.details.get("path") if finding.details else None
    return str(path) if path else None


def _covers(suppression: Suppression, finding: Finding, document_path: str) -> bool:
    """True when the suppression's place covers the finding (its rules are checked apart)."""
    if suppression.reference is not None:
        return finding.reference == suppression.reference
    where = _path_of(finding)
    if suppression.file_wide:
        return where == suppression.span.path or suppression.span.path == document_path
    span = finding.span
    return span is not None and span.path == suppression.span.path and \
        span.line in (suppression.span.line, suppression.span.line + 1)


def _relative_forms(path: str, base: Path | None) -> list[str]:
    """The forms of a path a glob may be written against: as given, relative to the
    configuration's directory, and the file name alone."""
    forms = [Path(path).as_posix()]
    if base is not None:
        try:
            forms.append(Path(path).resolve().relative_to(base.resolve()).as_posix())
        except ValueError:
            pass  # outside the configuration's tree: only the other forms can match
    return forms


def per_file_ignored(finding: Finding, document_path: str | None, options: AuditOptions) -> bool:
    """True when `per-file-ignores` drops this finding (matched on its file or its document)."""
    if not options.per_file_ignores:
        return False
    paths = [p for p in (_path_of(finding), document_path) if p]
    for glob, selectors in options.per_file_ignores:
        codes = {r.code for s in selectors for r in matching_rules(s)}
        if finding.code not in codes:
            continue
        for path in paths:
            forms = _relative_forms(path, options.config_dir)
            # A glob without a slash matches the file name anywhere, as in ruff and .gitignore.
            if "/" not in glob:
                forms.append(Path(path).name)
            if any(fnmatchcase(form, glob) or fnmatchcase(form, glob.removeprefix("./")) for form in forms):
                return True
    return False


def _unused(suppression: Suppression, is_selected: Callable[[Finding], bool], verify: bool) -> Finding | None:
    """The X001 finding for a suppression that suppressed nothing it could have, or None."""
    unknown = [s for s in suppression.selectors if not matching_rules(s)]
    x001 = rule(UNUSED_CODE)
    if unknown:
        return x001.finding(f"{suppression.label} names no rule: {', '.join(unknown)}",
                            span=suppression.span, reference=suppression.reference)
    codes = suppression.codes()
    if codes is None:
        if suppression.used:
            return None
        return x001.finding(f"{suppression.label} suppresses nothing", span=suppression.span,
                            reference=suppression.reference)

    # Only codes that are selected and checked in this run could have suppressed something;
    # X001 itself is left out so that `ignore-file[X001]` never reports itself.
    def live(code: str) -> bool:
        if code == UNUSED_CODE or (not verify and code[0] in REGISTRY_FAMILIES):
            return False
        return is_selected(rule(code).finding(""))

    idle = sorted(s for s in suppression.selectors
                  if not any(r.code in suppression.used for r in matching_rules(s))
                  and any(live(r.code) for r in matching_rules(s)))
    if not idle:
        return None
    what = "nothing" if not suppression.used else f"nothing for {', '.join(idle)}"
    return x001.finding(f"{suppression.label} suppresses {what}", span=suppression.span,
                        reference=suppression.reference)


def suppress(
    findings: Iterable[Finding],
    documents: Sequence[DocumentResult],
    options: AuditOptions,
    is_selected: Callable[[Finding], bool],
) -> list[Finding]:
    """The findings left after per-file ignores and suppressions, plus X001 for unused ones.

    `findings` are already selected; `is_selected` tells whether a rule is selected at all (so
    that a suppression of an unselected rule is not reported as unused, and X001 itself obeys
    `--select`/`--ignore`).
    """
    index = Report(documents=tuple(documents), findings=())
    position = {id(document): number for number, document in enumerate(documents)}
    by_document: dict[int, list[Suppression]] = {}
    for number, document in enumerate(documents):
        found: list[Suppression] = []
        for path in _files_of(document):
            # A PDF holds no comments: text that reads like one was printed for the reader,
            # and its lines are not the pages' lines the findings point at.
            if path != document.path or document.layout is None:
                found.extend(find_suppressions(path, _read(path, documents)))
        found.extend(bib_suppressions(document.references))
        by_document[number] = found

    kept: list[Finding] = []
    for finding in findings:
        document = document_of(index, finding)
        document_path = document.path if document is not None else None
        if per_file_ignored(finding, document_path, options):
            continue
        hidden = False
        if document is not None:
            for suppression in by_document[position[id(document)]]:
                codes = suppression.codes()
                if (codes is None or finding.code in codes) and _covers(suppression, finding, document.path):
                    suppression.used.add(finding.code)
                    hidden = True  # every covering suppression counts as used, not only the first
        if not hidden:
            kept.append(finding)

    for number, document in enumerate(documents):
        for suppression in by_document[number]:
            unused = _unused(suppression, is_selected, options.verify)
            if unused is None or not is_selected(unused) or per_file_ignored(unused, document.path, options):
                continue
            if any(s.file_wide and (s.codes() is None or UNUSED_CODE in (s.codes() or set()))
                   and _covers(s, unused, document.path) for s in by_document[number] if s is not suppression):
                continue
            kept.append(unused)
    return kept


__all__ = ["UNUSED_CODE", "Suppression", "bib_suppressions", "find_suppressions", "per_file_ignored", "suppress"]
