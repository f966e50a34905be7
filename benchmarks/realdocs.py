"""Linking on real published articles, scored against the publishers' own links.

    python -m benchmarks realdocs [--corpus DIR] [--articles NAME,...] [--variants N] [--seed S]

The corpus is `../shared/corpus/realdocs/` (or under `$CITECHECK_SHARED`) (PLOS and eLife articles as plain-text manuscripts;
its README says how the text and the gold were made). Each article goes through the same path
as `citecheck audit --no-verify ARTICLE.txt` (`citecheck.engine.audit`, the format guessed as
for any user), and what the report holds is compared with `NAME.gold.json`, per style
(numeric, author-year):

* **citations**: a found citation is right when its span overlaps a gold citation on the same
  line (`[1], [5]` is one gold citation that a reader may report as two markers); recall counts
  the gold citations overlapped;
* **links** (citation → entry): a link is right when the entry it names is the gold entry of
  the overlapped gold citation. Entries are matched to the gold by the line they start on;
  a link to an entry the gold does not have never counts;
* **segmentation**: a gold entry is found when exactly one entry citecheck built starts on its
  line; `entries_extra` counts entries starting on no gold entry's line (a body paragraph read
  as an entry, or an entry split in two);
* **findings**: every `citation-without-entry` (C001) on an unchanged article is false (all
  these articles' citations have their entry), counted by severity; `uncited-reference`
  (R001) is false when the gold does not list the entry as uncited, missed when it does and
  neither R001 nor an `uncertain-citation` (C007, which says the entry has no other
  citation) names it; C007s are counted apart, by whether the gold cites their entries;
* **variants** (`benchmarks.realdocs_variants`): one entry deleted (each of its citations must
  become C001, at error severity) or every citation of one entry deleted (R001, or C007, for
  it), with
  no new false finding: a finding the variant has and the unchanged article has not, other
  than the expected ones, is counted against it.

Output keys: per style `by_style[STYLE]` with `citations_precision`, `citations_recall`,
`links_precision`, `links_recall`, `segmentation_recall`, `false_c001_error`,
`false_c001_lower`, `false_r001`, `missed_r001`, `uncited_as_c007`, `c007_on_cited`, and every
finding by code and severity; `variants[KIND][STYLE]` with `expected`, `found`,
`found_as_c007`, `recall`, `new_false`; a few figures per article, and with `--errors N` the first N errors of each.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.__main__ import SHARED_ROOT
from benchmarks.realdocs_variants import Variant, variants_of
from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.results import Report

CORPUS = SHARED_ROOT / "corpus" / "realdocs"
"""The articles and their gold, beside the repository."""

STYLES = ("numeric", "author-year")
_ARTICLE_KEYS = ("links_precision", "links_recall", "segmentation_recall", "false_c001_error", "false_c001_lower",
                 "false_r001", "missed_r001")
"""The figures kept for each article (the report stays small; `--errors N` adds what went wrong)."""


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 1.0


def _audit_text(text: str, workdir: Path, name: str) -> Report:
    """The report `citecheck audit --no-verify` gives on this text, saved as NAME.txt."""
    path = workdir / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return audit([path], AuditOptions(verify=False, use_cache=False))


def _overlaps(gold: dict[str, Any], line: int, start: int, end: int) -> bool:
    g_start = gold["col"]
    return gold["line"] == line and start < g_start + len(gold["text"]) and g_start < end


class _Scored:
    """One report compared with one gold: counts, errors and keys of its findings."""

    def __init__(self, report: Report, gold: dict[str, Any], extra_ids: dict[str, str] | None = None) -> None:
        self.gold = gold
        document = report.documents[0]
        gold_by_line = {r["line"]: r["id"] for r in gold["references"]}
        self.list_line = min(gold_by_line) if gold_by_line else 10**9
        starts = Counter(r.span.line for r in document.references if r.span is not None)
        # citecheck's entry id → gold id, by the line the entry starts on.
        self.ref_map = {
            r.id: gold_by_line[r.span.line]
            for r in document.references
            if r.span is not None and r.span.line in gold_by_line and starts[r.span.line] == 1
        }
        for ident, gold_id in (extra_ids or {}).items():
            self.ref_map.setdefault(ident, gold_id)
        self.entries_gold = len(gold["references"])
        self.entries_found = len(set(self.ref_map.values()))
        self.entries_built = len(document.references)
        self.entries_extra = sum(1 for r in document.references if r.span is None or r.span.line not in gold_by_line)
        self.errors: list[dict[str, Any]] = []
        self._score_citations(document.citations)
        self._score_findings(report)

    def _hits(self, line: int, start: int, end: int) -> list[int]:
        return [i for i, g in enumerate(self.gold["citations"]) if _overlaps(g, line, start, end)]

    def _score_citations(self, citations: Any) -> None:
        gold = self.gold["citations"]
        self.by_line: dict[int, list[int]] = {}
        for i, g in enumerate(gold):
            self.by_line.setdefault(g["line"], []).append(i)
        found_gold: set[int] = set()
        self.found = len(citations)
        self.found_correct = 0
        predicted: set[tuple[int, str]] = set()
        self.links_correct = 0
        for citation in citations:
            line, start = citation.span.line, citation.span.column - 1
            end = start + len(citation.text.split("\n")[0])
            hits = [i for i in self.by_line.get(line, ()) if _overlaps(gold[i], line, start, end)]
            if hits:
                self.found_correct += 1
                found_gold.update(hits)
            else:
                self.errors.append({"kind": "false-citation", "line": line, "text": citation.text[:60]})
            for target in citation.targets:
                mapped = self.ref_map.get(target, f"?{target}")
                owner = next((i for i in hits if mapped in gold[i]["refs"]), hits[0] if hits else -1)
                if (owner, mapped) in predicted:
                    continue
                predicted.add((owner, mapped))
                if owner >= 0 and mapped in gold[owner]["refs"]:
                    self.links_correct += 1
                elif hits:
                    self.errors.append({"kind": "wrong-link", "line": line, "text": citation.text[:60],
                                        "target": target, "gold": gold[hits[0]]["refs"]})
        self.links_predicted = len(predicted)
        self.links_gold = sum(len(g["refs"]) for g in gold)
        self.gold_found = len(found_gold)
        for i, g in enumerate(gold):
            if i not in found_gold:
                self.errors.append({"kind": "missed-citation", "line": g["line"], "text": g["text"][:60]})
            else:
                unlinked = [ref for ref in g["refs"] if (i, ref) not in predicted]
                if unlinked:
                    self.errors.append({"kind": "missed-link", "line": g["line"], "text": g["text"][:60],
                                        "refs": unlinked[:5]})
        self.predicted = predicted

    def _score_findings(self, report: Report) -> None:
        uncited = set(self.gold["uncited"])
        self.c001: list[tuple[str, int | None, int | None, str | None]] = []  # (severity, line, col, reference)
        self.r001: set[str] = set()
        self.c007: set[str] = set()
        self.c007_on_cited = 0
        self.false_r001 = 0
        self.codes: Counter[str] = Counter()
        self.keys: Counter[tuple[str, str, int]] = Counter()
        for finding in report.findings:
            self.codes[f"{finding.code} {finding.severity.label}"] += 1
            span = finding.span
            line = span.line if span is not None and span.line < self.list_line else 0
            ref = self.ref_map.get(finding.reference or "", finding.reference or "")
            self.keys[(finding.code, ref, line)] += 1
            if finding.code == "C001":
                self.c001.append((finding.severity.label, span.line if span else None,
                                  span.column - 1 if span else None, finding.reference))
            if finding.code == "R001":
                mapped = self.ref_map.get(finding.reference or "")
                if mapped is not None:
                    self.r001.add(mapped)
                if mapped is None or mapped not in uncited:
                    self.false_r001 += 1
                    self.errors.append({"kind": "false-R001", "reference": finding.reference,
                                        "message": finding.message[:100]})
            if finding.code == "C007":
                entries = [self.ref_map.get(e, e) for e in finding.details.get("entries", [])]
                self.c007.update(entries)
                self.c007_on_cited += sum(1 for e in entries if e not in uncited)
                self.errors.append({"kind": "C007", "line": span.line if span else None,
                                    "message": finding.message[:100]})
        # An uncertain-citation says its entry has no other citation: the entry is reported.
        self.missed_r001 = len(uncited - self.r001 - self.c007)
        self.uncited_as_c007 = len((uncited & self.c007) - self.r001)
        for ref in sorted(uncited - self.r001 - self.c007):
            self.errors.append({"kind": "missed-R001", "reference": ref})
        for severity, line, col, reference in self.c001:
            self.errors.append({"kind": "false-C001", "severity": severity, "line": line, "reference": reference})

    def counts(self) -> dict[str, Any]:
        """The additive counts of this article."""
        c001 = Counter(s for s, *_ in self.c001)
        return {
            "citations_gold": len(self.gold["citations"]), "citations_found": self.found,
            "citations_found_correct": self.found_correct, "citations_gold_found": self.gold_found,
            "links_gold": self.links_gold, "links_predicted": self.links_predicted,
            "links_correct": self.links_correct,
            "entries_gold": self.entries_gold, "entries_found": self.entries_found,
            "entries_extra": self.entries_extra,
            "uncited_gold": len(self.gold["uncited"]), "false_r001": self.false_r001,
            "missed_r001": self.missed_r001, "uncited_as_c007": self.uncited_as_c007,
            "c007_on_cited": self.c007_on_cited,
            "false_c001_error": c001.get("error", 0), "false_c001_lower": sum(c001.values()) - c001.get("error", 0),
        }


def _figures(counts: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision/recall figures over some articles' counts."""
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    return {
        "articles": len(counts),
        "citations_precision": _ratio(total["citations_found_correct"], total["citations_found"]),
        "citations_recall": _ratio(total["citations_gold_found"], total["citations_gold"]),
        "links_precision": _ratio(total["links_correct"], total["links_predicted"]),
        "links_recall": _ratio(total["links_correct"], total["links_gold"]),
        "segmentation_recall": _ratio(total["entries_found"], total["entries_gold"]),
        **{k: total[k] for k in ("citations_gold", "links_gold", "entries_gold", "entries_extra", "uncited_gold",
                                 "false_r001", "missed_r001", "uncited_as_c007", "c007_on_cited",
                                 "false_c001_error", "false_c001_lower")},
    }


def _score_variant(variant: Variant, report: Report, original: _Scored) -> dict[str, Any]:
    """Expected findings found, and findings that are new and not expected."""
    scored = _Scored(report, variant.gold, extra_ids=_deleted_number(variant, original))
    expected_keys: Counter[tuple[str, str, int]] = Counter()
    found = expected = 0
    misses: list[dict[str, Any]] = []
    numbers = {r["id"]: r["number"] for r in original.gold["references"]}
    if variant.kind == "delete-entry":
        number = numbers.get(variant.ref_id)
        for index in variant.expected_c001:
            gold = variant.gold["citations"][index]
            expected += 1
            hit = next((c for c in scored.c001 if c[0] == "error" and c[1] == gold["line"] and c[2] is not None
                        and _overlaps(gold, gold["line"], c[2], c[2] + 1)
                        and (number is None or c[3] == str(number))), None)
            if hit is None:
                hit = next((c for c in scored.c001 if c[0] == "error" and c[1] == gold["line"]
                            and (number is None or c[3] == str(number))), None)
            if hit is not None:
                found += 1
            else:
                misses.append({"line": gold["line"], "text": gold["text"][:60]})
        for key in list(scored.keys):
            if key[0] == "C001" or (key[0] == "R003" and number is not None):
                expected_keys[key] = scored.keys[key]
    else:
        expected = 1
        found = int(variant.ref_id in scored.r001 or variant.ref_id in scored.c007)
        as_c007 = int(variant.ref_id in scored.c007 and variant.ref_id not in scored.r001)
        if not found:
            misses.append({"reference": variant.ref_id})
        for key in scored.keys:
            if key[0] in ("R001", "C007") and key[1] == variant.ref_id:
                expected_keys[key] = scored.keys[key]
    new = scored.keys - original.keys - expected_keys
    # An uncited entry the gold lists as uncited is a right finding, new or not (it was linked
    # before only through a citation that fitted two entries).
    for key in [k for k in new if k[0] == "R001" and k[1] in variant.gold["uncited"]]:
        del new[key]
    # A delete-entry C001 that is not at one of the deleted entry's citations is false.
    if variant.kind == "delete-entry":
        extra_c001 = len(scored.c001) - len(original.c001) - found
        if extra_c001 > 0:
            new[("C001", "unexpected", 0)] += extra_c001
    return {"expected": expected, "found": found, "found_as_c007": as_c007 if variant.kind != "delete-entry" else 0,
            "new_false": sum(new.values()),
            "new": [list(k) for k in new][:5], "misses": misses[:5]}


def _deleted_number(variant: Variant, original: _Scored) -> dict[str, str]:
    """A deleted numbered entry's number → its gold id: findings about the number (a citation
    order, say) are the same findings as before the deletion, not new ones."""
    if variant.kind != "delete-entry":
        return {}
    number = next((r["number"] for r in original.gold["references"] if r["id"] == variant.ref_id), None)
    return {str(number): variant.ref_id} if number is not None else {}


def run(argv: list[str]) -> dict[str, Any]:
    """Score every article of the corpus and its variants."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks realdocs", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="directory of NAME.txt and NAME.gold.json")
    parser.add_argument("--articles", default="", help="comma-separated article names (default: all)")
    parser.add_argument("--variants", type=int, default=3, help="variants of each kind per article (0: none)")
    parser.add_argument("--seed", type=int, default=11, help="seed for choosing the variants' entries")
    parser.add_argument("--errors", type=int, default=0, help="list up to N errors of each article (default 0)")
    options = parser.parse_args(argv)
    golds = sorted(options.corpus.glob("*.gold.json"))
    wanted = {a.strip() for a in options.articles.split(",") if a.strip()}
    started = time.perf_counter()
    per_style: dict[str, list[dict[str, Any]]] = {s: [] for s in STYLES}
    variant_results: dict[str, dict[str, list[dict[str, Any]]]] = {
        "delete-entry": {s: [] for s in STYLES}, "delete-citations": {s: [] for s in STYLES}}
    articles: dict[str, Any] = {}
    codes: dict[str, Counter[str]] = {s: Counter() for s in STYLES}
    with tempfile.TemporaryDirectory(prefix="citecheck-realdocs-") as tmp:
        workdir = Path(tmp)
        for gold_path in golds:
            name = gold_path.name.removesuffix(".gold.json")
            if wanted and name not in wanted:
                continue
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            text = (options.corpus / f"{name}.txt").read_text(encoding="utf-8")
            style = gold["style"]
            scored = _Scored(_audit_text(text, workdir, name), gold)
            counts = scored.counts()
            per_style[style].append(counts)
            codes[style].update(scored.codes)
            variants = []
            for variant in variants_of(name, text, gold, options.variants, options.seed):
                result = _score_variant(variant, _audit_text(variant.text, workdir, name), scored)
                variant_results[variant.kind][style].append(result)
                if result["found"] < result["expected"] or result["new_false"]:
                    variants.append({"kind": variant.kind, "ref": variant.ref_id, **result})
            figures = _figures([counts])
            articles[name] = {"style": style, **{k: figures[k] for k in _ARTICLE_KEYS}}
            if options.errors:
                articles[name].update(errors=scored.errors[: options.errors], failed_variants=variants)
    by_style = {s: {**_figures(c), "findings": dict(sorted(codes[s].items()))} for s, c in per_style.items() if c}
    return {
        "articles": len(articles),
        "by_style": by_style,
        "variants": {kind: {s: _variant_figures(r) for s, r in styles.items() if r}
                     for kind, styles in variant_results.items()},
        "per_article": articles,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _variant_figures(results: list[dict[str, Any]]) -> dict[str, Any]:
    expected = sum(r["expected"] for r in results)
    found = sum(r["found"] for r in results)
    return {
        "variants": len(results),
        "expected": expected,
        "found": found,
        "found_as_c007": sum(r["found_as_c007"] for r in results),
        "recall": _ratio(found, expected),
        "variants_fully_found": sum(1 for r in results if r["found"] == r["expected"]),
        "new_false": sum(r["new_false"] for r in results),
        "variants_with_new_false": sum(1 for r in results if r["new_false"]),
    }
