"""Reporters: one module per output format (text, JSON, Markdown, SARIF, GitHub annotations,
JUnit, HTML), each rendering a `Report` to a string.

`formats()` maps a `--format` name to its renderer. Reporters never print and never decide the
exit code; the CLI does both.

May import: model, findings, rules, results, version, references.
"""

from __future__ import annotations

from collections.abc import Callable

from citecheck.results import Report

Renderer = Callable[[Report], str]


def formats() -> dict[str, Renderer]:
    """Every output format by name. Imported lazily so a run pays only for the one it uses."""
    # Deferred: each reporter is imported when the formats are listed, never at start-up.
    from citecheck.report import json as json_report
    from citecheck.report import text as text_report

    found: dict[str, Renderer] = {
        "text": text_report.render,
        "json": json_report.render,
    }
    # Formats added by later modules register here when present.
    for name, module_name in (
        ("markdown", "markdown"),
        ("sarif", "sarif"),
        ("github", "github"),
        ("junit", "junit"),
        ("html", "html"),
    ):
        try:
            module = __import__(f"citecheck.report.{module_name}", fromlist=["render"])
        except ImportError:
            continue
        found[name] = module.render
    return found
