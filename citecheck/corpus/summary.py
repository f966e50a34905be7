"""The summary of a corpus run: `summary.md` and `summary.html` in the output directory.

Both say what was read and found, and show where a reader would rather look than read:

- findings by rule (a bar per rule: findings, and papers affected);
- the distribution of unresolved references per paper (a histogram);
- the papers with the most references no registry knows (`not-found`: every source answered
  and none holds the work), with their share of the paper's list.

The numbers come from the `documents` dataset and the partitions' markers (never from the
findings table, which can be large). The charts are SVG files in `charts/` (linked from the
Markdown) and inline in the HTML page, which loads nothing from anywhere.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timezone
from html import escape
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from citecheck.corpus.charts import bar_chart, histogram
from citecheck.corpus.output import STATUS_COLUMNS
from citecheck.corpus.plan import DONE
from citecheck.corpus.store import OutputStore
from citecheck.model import ResolutionStatus
from citecheck.rules import RULES
from citecheck.version import __version__

__all__ = ["Summary", "summarize", "write_summary"]

TOP = 20
"""Papers listed as those with the most references no registry knows."""
BINS = ((0, 0), (1, 1), (2, 2), (3, 5), (6, 10), (11, 20), (21, 50), (51, None))
"""Bins of the unresolved-references histogram (inclusive bounds)."""


def _documents(store: OutputStore) -> pa.Table:
    tables = []
    for name in store.listdir("documents"):
        if name.endswith(".parquet"):
            data = store.read(f"documents/{name}")
            if data is not None:
                tables.append(pq.read_table(io.BytesIO(data)))
    return pa.concat_tables(tables, promote_options="default") if tables else pa.table({})


def _markers(store: OutputStore) -> list[dict[str, Any]]:
    import json

    markers = []
    for name in store.listdir(DONE):
        data = store.read(f"{DONE}/{name}")
        if data:
            markers.append(json.loads(data))
    return markers


class Summary:
    """The figures of a run, read back from its output directory."""

    def __init__(self, store: OutputStore, run: Any = None) -> None:
        table = _documents(store)
        rows = table.to_pylist() if table.num_rows else []
        self.run = run
        self.documents = len(rows)
        self.unreadable = [r for r in rows if r["status"] != "ok"]
        readable = [r for r in rows if r["status"] == "ok"]
        self.citations = sum(r["citations"] or 0 for r in readable)
        self.references = sum(r["references"] or 0 for r in readable)
        self.by_status = {status: sum(r.get(column) or 0 for r in readable)
                          for status, column in STATUS_COLUMNS.items()}
        matched = STATUS_COLUMNS[ResolutionStatus.MATCHED]
        self.verified = any(sum(r.get(c) or 0 for c in STATUS_COLUMNS.values()) for r in readable)
        self.unresolved = [(r["document"], (r["references"] or 0) - (r.get(matched) or 0), r["references"] or 0)
                           for r in readable] if self.verified else []
        not_checked = getattr(ResolutionStatus, "NOT_CHECKED", None)  # partial sources' silence
        self.not_checked = self.by_status.get(not_checked, 0) if not_checked is not None else 0
        not_found = STATUS_COLUMNS[ResolutionStatus.NOT_FOUND]
        self.unknown = sorted(((r["document"], r.get(not_found) or 0, r["references"] or 0) for r in readable
                               if r.get(not_found)), key=lambda x: (-x[1], -x[1] / max(1, x[2]), x[0]))[:TOP]
        self.severity = Counter({k: sum(r[k] or 0 for r in readable) for k in ("errors", "warnings", "infos")})
        markers = _markers(store)
        self.by_rule: Counter[str] = Counter()
        self.papers_by_rule: Counter[str] = Counter()
        for marker in markers:
            self.by_rule.update(marker.get("by_rule", {}))
            self.papers_by_rule.update(marker.get("papers_by_rule", {}))
        self.findings = sum(self.by_rule.values())

    def histogram_bins(self) -> list[tuple[str, int]]:
        counts = []
        for low, high in BINS:
            label = str(low) if low == high else f"{low}+" if high is None else f"{low}–{high}"
            counts.append((label, sum(1 for _, n, _ in self.unresolved if n >= low and (high is None or n <= high))))
        return counts

    def rule_items(self) -> list[tuple[str, float]]:
        names = {r.code: r.name for r in RULES}
        return [(f"{code} {names.get(code, '')}", count) for code, count in
                sorted(self.by_rule.items(), key=lambda item: (-item[1], item[0]))]


def summarize(output: str, run: Any = None) -> Summary:
    """Read a run's figures back from its output directory."""
    return Summary(OutputStore(output), run)


def _run_lines(summary: Summary) -> list[str]:
    run = summary.run
    lines = [f"citecheck {__version__}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC."]
    if run is not None:
        lines.append(f"{run.documents:,} documents in {run.partitions:,} partitions ({run.skipped} finished by an "
                     f"earlier run), {run.seconds:,.1f} s on {run.workers} Dask workers.")
    return lines


def _glance(summary: Summary) -> list[tuple[str, str]]:
    rows = [("documents", f"{summary.documents:,}"), ("unreadable documents", f"{len(summary.unreadable):,}"),
            ("citations", f"{summary.citations:,}"), ("references", f"{summary.references:,}")]
    if summary.verified:
        for status, count in summary.by_status.items():
            rows.append((f"references {status.value}", f"{count:,}"))
    rows += [("findings", f"{summary.findings:,}"), ("errors", f"{summary.severity['errors']:,}"),
             ("warnings", f"{summary.severity['warnings']:,}"), ("infos", f"{summary.severity['infos']:,}")]
    return rows


def _charts(summary: Summary) -> dict[str, str]:
    charts = {"findings-by-rule": bar_chart("Findings by rule", summary.rule_items())}
    if summary.verified:
        charts["unresolved-per-paper"] = histogram(
            "Unresolved references per paper", summary.histogram_bins(),
            "references not matched to a record", "papers")
        charts["unknown-references"] = bar_chart(
            "Papers with the most references no registry knows",
            [(name.rsplit("/", 1)[-1], float(n)) for name, n, _ in summary.unknown], label_width=300)
    return charts


_PARTIAL = ("No reference is known to be absent from Crossref: the snapshot holds only part of it, so the "
            "{count:,} references it lacks were not checked (a complete snapshot tells them apart).")


def _partial_only(summary: Summary) -> bool:
    return not summary.unknown and summary.not_checked > 0


def markdown(summary: Summary, charts: dict[str, str]) -> str:
    """The summary as Markdown, the charts linked from `charts/`."""
    out = ["# Corpus audit", "", *_run_lines(summary), "", "| | |", "| --- | ---: |"]
    out += [f"| {label} | {value} |" for label, value in _glance(summary)]
    out += ["", "## Findings by rule", "", "![Findings by rule](charts/findings-by-rule.svg)", "",
            "| rule | findings | papers |", "| --- | ---: | ---: |"]
    names = {r.code: r.name for r in RULES}
    for code, count in sorted(summary.by_rule.items(), key=lambda item: (-item[1], item[0])):
        out.append(f"| `{code}` {names.get(code, '')} | {count:,} | {summary.papers_by_rule.get(code, 0):,} |")
    if summary.verified:
        out += ["", "## Unresolved references per paper", "",
                "![Unresolved references per paper](charts/unresolved-per-paper.svg)", "",
                "| unresolved references | papers |", "| --- | ---: |"]
        out += [f"| {label} | {count:,} |" for label, count in summary.histogram_bins()]
        out += ["", "## Papers with the most references no registry knows", ""]
        if _partial_only(summary):
            out += [_PARTIAL.format(count=summary.not_checked), ""]
        out += ["![Papers with the most references no registry knows](charts/unknown-references.svg)", "",
                "| paper | not found | references | share |", "| --- | ---: | ---: | ---: |"]
        out += [f"| `{name}` | {n:,} | {total:,} | {n / max(1, total):.0%} |" for name, n, total in summary.unknown]
    if summary.unreadable:
        out += ["", "## Documents that could not be read", ""]
        out += [f"- `{r['document']}`: {r['error']}" for r in summary.unreadable[:50]]
        if len(summary.unreadable) > 50:
            out.append(f"- … and {len(summary.unreadable) - 50:,} more (the `documents` dataset lists them all)")
    out += ["", "## Datasets", "",
            "`findings/`, `references/` and `documents/` hold one Parquet file per partition "
            "(`pyarrow.dataset.dataset(\"findings\")` reads a whole dataset)."]
    return "\n".join(out) + "\n"


def html(summary: Summary, charts: dict[str, str]) -> str:
    """The summary as one self-contained HTML page (charts inline)."""
    names = {r.code: r.name for r in RULES}
    glance = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in _glance(summary))
    rules = "".join(f"<tr><td><code>{escape(code)}</code> {escape(names.get(code, ''))}</td><td>{count:,}</td>"
                    f"<td>{summary.papers_by_rule.get(code, 0):,}</td></tr>"
                    for code, count in sorted(summary.by_rule.items(), key=lambda item: (-item[1], item[0])))
    body = ["<h1>Corpus audit</h1>", *(f"<p>{escape(line)}</p>" for line in _run_lines(summary)),
            f"<table class=glance>{glance}</table>",
            "<h2>Findings by rule</h2>", charts["findings-by-rule"],
            f"<table><tr><th>rule</th><th>findings</th><th>papers</th></tr>{rules}</table>"]
    if summary.verified:
        unknown = "".join(f"<tr><td><code>{escape(name)}</code></td><td>{n:,}</td><td>{total:,}</td>"
                          f"<td>{n / max(1, total):.0%}</td></tr>" for name, n, total in summary.unknown)
        partial = f"<p>{escape(_PARTIAL.format(count=summary.not_checked))}</p>" if _partial_only(summary) else ""
        body += ["<h2>Unresolved references per paper</h2>", charts["unresolved-per-paper"],
                 "<h2>Papers with the most references no registry knows</h2>", partial, charts["unknown-references"],
                 f"<table><tr><th>paper</th><th>not found</th><th>references</th><th>share</th></tr>{unknown}</table>"]
    if summary.unreadable:
        items = "".join(f"<li><code>{escape(r['document'])}</code>: {escape(r['error'] or '')}</li>"
                        for r in summary.unreadable[:50])
        body += ["<h2>Documents that could not be read</h2>", f"<ul>{items}</ul>"]
    style = ("body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:60rem;"
             "margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;margin:1rem 0}"
             "td,th{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left}td{text-align:right}"
             "td:first-child{text-align:left}svg{max-width:100%;height:auto;display:block;margin:1rem 0}")
    return (f"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>Corpus audit</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def write_summary(output: str, run: Any = None) -> str:
    """Write `summary.md`, `summary.html` and `charts/*.svg` into the output directory; the
    location of `summary.html`."""
    store = OutputStore(output)
    summary = summarize(output, run)
    charts = _charts(summary)
    for name, svg in charts.items():
        store.write(f"charts/{name}.svg", svg.encode("utf-8"))
    store.write("summary.md", markdown(summary, charts).encode("utf-8"))
    store.write("summary.html", html(summary, charts).encode("utf-8"))
    return store.location("summary.html")

