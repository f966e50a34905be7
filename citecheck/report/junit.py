"""The JUnit XML report, for CI systems that show test results (Jenkins, GitLab, Azure, …).

One `<testsuite>` per document, one `<testcase>` per reference (named by its id and a short
title, classname the document's path), and one more testcase named `document` for findings that
are not about one of the document's references (a citation without an entry, a missing list).
Each error or warning finding is a `<failure>` of its testcase (type = rule code); information
findings do not fail anything and are written to the testcase's `<system-out>`.

No timestamps, host names or durations: the same report gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from citecheck.findings import Finding, Severity
from citecheck.report.markdown import document_of, short_title
from citecheck.report.text import finding_line
from citecheck.results import DocumentResult, Report

DOCUMENT_CASE = "document"
"""Name of the testcase that collects findings about no single reference."""
RUN_SUITE = "citecheck"
"""Name of the suite for findings that belong to no document."""

# XML 1.0 cannot carry most control characters, not even escaped; a report must still parse.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _INVALID_XML.sub("\ufffd", text)


def _fails(finding: Finding) -> bool:
    return finding.severity >= Severity.WARNING


def _testcase(suite: ET.Element, name: str, classname: str, findings: list[Finding]) -> int:
    """Add a testcase with its failures; returns the number of failures."""
    case = ET.SubElement(suite, "testcase", name=xml_text(name), classname=xml_text(classname))
    failures = 0
    for finding in findings:
        if _fails(finding):
            failure = ET.SubElement(
                case, "failure", type=finding.code,
                message=xml_text(f"{finding.severity.label}: {finding.name}: {finding.message}"),
            )
            failure.text = xml_text(finding_line(finding))
            failures += 1
    notes = [xml_text(finding_line(f)) for f in findings if not _fails(f)]
    if notes:
        ET.SubElement(case, "system-out").text = "\n".join(notes)
    return failures


def _suite(parent: ET.Element, name: str, cases: list[tuple[str, list[Finding]]]) -> tuple[int, int]:
    """Add a testsuite of (testcase name, findings) pairs; returns (tests, failures)."""
    suite = ET.SubElement(parent, "testsuite", name=xml_text(name))
    failures = 0
    failed_cases = 0
    for case_name, findings in cases:
        count = _testcase(suite, case_name, name, findings)
        failures += count
        failed_cases += count > 0
    # Counts are of testcases, as JUnit counts tests, not assertions.
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failed_cases))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    return len(cases), failed_cases


def _document_cases(report: Report, document: DocumentResult) -> list[tuple[str, list[Finding]]]:
    mine = [f for f in report.findings if document_of(report, f) is document]
    ids = {r.id for r in document.references}
    cases: list[tuple[str, list[Finding]]] = []
    for reference in document.references:
        label = f"{reference.id} {short_title(reference, 60)}"
        cases.append((label, [f for f in mine if f.reference == reference.id]))
    # Everything else, including findings about an id no entry has (a dangling citation).
    cases.append((DOCUMENT_CASE, [f for f in mine if f.reference not in ids]))
    return cases


def report_to_xml(report: Report) -> ET.Element:
    """The report as a `<testsuites>` element."""
    root = ET.Element("testsuites", name="citecheck")
    tests = failures = 0
    for document in report.documents:
        counts = _suite(root, document.path, _document_cases(report, document))
        tests, failures = tests + counts[0], failures + counts[1]
    orphans = [f for f in report.findings if document_of(report, f) is None]
    if orphans:
        counts = _suite(root, RUN_SUITE, [(DOCUMENT_CASE, orphans)])
        tests, failures = tests + counts[0], failures + counts[1]
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    return root


def render(report: Report) -> str:
    """The JUnit XML document, indented, with an XML declaration, ending with a newline."""
    root = report_to_xml(report)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
