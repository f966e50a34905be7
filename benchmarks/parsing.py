"""Field-level accuracy of the reference-string parser on held-out labelled references.

    python -m benchmarks.parsing [--anystyle FILE.xml ...] [--tei FILE.xml ...]

Honesty: the shipped model is trained on all of AnyStyle's data, so it is never scored on it.
Each AnyStyle file is scored with a model trained, here and now, on the *other* AnyStyle files
(with one file only: two-fold cross-validation within it). GROBID's TEI sets were never used
for training, so they are scored with the shipped model.

Gold fields are the hand-labelled segments passed through the same cleaning rules as the
parser's own labels (`parser_fields.build_csl` with `patterns=False`: no pattern overrides, DOIs
only from labelled DOI segments), so the figures measure the labelling of the words and the
pattern rules. Authors are scored per family name (a multiset); the other fields are
single values compared after case folding and removing non-alphanumerics.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from citecheck.references.parser import ReferenceParser
from citecheck.references.parser_fields import build_csl
from citecheck.references.parser_training import LabelledReference, load_anystyle, load_tei, train

_ROOT = Path(__file__).resolve().parents[1]
_SHARED = _ROOT / ".." / "shared" / "datasets"
MICRO_FIELDS = ("author", "title", "container-title", "year", "volume", "issue", "pages")
ALL_FIELDS = MICRO_FIELDS + ("doi", "publisher")
_NON_ALNUM = re.compile(r"\W+")


def _values(csl: dict[str, Any], field: str) -> list[str]:
    """The comparable values of one field of a CSL item (several for authors)."""
    if field == "author":
        return [_NON_ALNUM.sub("", (n.get("family") or n.get("literal") or "").lower())
                for n in csl.get("author", [])]
    raw: Any = {
        "year": (csl.get("issued", {}).get("date-parts") or [[None]])[0][0],
        "pages": csl.get("page"),
        "doi": csl.get("DOI"),
    }.get(field, csl.get(field))
    if raw in (None, ""):
        return []
    value = _NON_ALNUM.sub("", str(raw).lower())
    return [value] if value else []


def _score(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> dict[str, list[int]]:
    """True positives, false positives and false negatives per field."""
    counts = {f: [0, 0, 0] for f in ALL_FIELDS}
    for g, p in zip(gold, pred):
        for field in ALL_FIELDS:
            gv, pv = Counter(_values(g, field)), Counter(_values(p, field))
            tp = sum((gv & pv).values())
            counts[field][0] += tp
            counts[field][1] += sum(pv.values()) - tp
            counts[field][2] += sum(gv.values()) - tp
    return counts


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1, rounded."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _evaluate(refs: list[LabelledReference], parser: ReferenceParser) -> tuple[dict[str, list[int]], int]:
    """Counts per field and the number of references the parser gave up on."""
    gold = [build_csl(list(r.segments), r.text, patterns=False)[0] for r in refs]
    results = parser.parse_many([r.text for r in refs])
    return _score(gold, [r.csl for r in results]), sum(not r.ok for r in results)


def _add(total: dict[str, list[int]], counts: dict[str, list[int]]) -> None:
    """Add one split's counts into a running total."""
    for field, (tp, fp, fn) in counts.items():
        total[field][0] += tp
        total[field][1] += fp
        total[field][2] += fn


def run(args: list[str]) -> dict[str, Any]:
    """Run the benchmark with command-line style arguments; return the JSON-able results."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.parsing", description=__doc__.split("\n")[0])
    ap.add_argument("--anystyle", action="append", type=Path, default=None,
                    help="AnyStyle parser XML (repeatable); scored by cross-training on the others")
    ap.add_argument("--tei", action="append", type=Path, default=None,
                    help="GROBID TEI evaluation file (repeatable); scored with the shipped model")
    ap.add_argument("--anystyle-none", action="store_true", help="score no AnyStyle file (TEI only)")
    ap.add_argument("--iterations", type=int, default=100, help="L-BFGS iterations of held-out models")
    ns = ap.parse_args(args)
    anystyle = ns.anystyle if ns.anystyle is not None else sorted((_SHARED / "anystyle").glob("*.xml"))
    if ns.anystyle_none:
        anystyle = []
    tei = ns.tei if ns.tei is not None else sorted((_SHARED / "grobid").glob("*.tei.xml"))
    total = {f: [0, 0, 0] for f in ALL_FIELDS}
    splits: list[dict[str, Any]] = []
    family_counts: list[tuple[str, dict[str, list[int]]]] = []
    n = unparsed = 0
    started = time.perf_counter()
    sets = {str(p): load_anystyle(p) for p in anystyle}
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, refs) in enumerate(sets.items()):
            if len(sets) > 1:
                folds = [(refs, [r for other, rs in sets.items() if other != name for r in rs])]
                how = "trained on the other AnyStyle files"
            else:
                folds = [(refs[i::2], refs[1 - i::2]) for i in range(2)]
                how = "two-fold cross-validation"
            for fold, (test, training) in enumerate(folds):
                model = Path(tmp) / f"heldout-{index}-{fold}.crfsuite"
                train(training, model, max_iterations=ns.iterations)
                counts, bad = _evaluate(test, ReferenceParser(model))
                _add(total, counts)
                family_counts.append(("anystyle", counts))
                n += len(test)
                unparsed += bad
                splits.append({"file": name, "n": len(test), "held_out": how,
                               "micro_f1": _micro(counts)})
    for path in tei:
        refs = load_tei(path)
        counts, bad = _evaluate(refs, ReferenceParser())
        _add(total, counts)
        family_counts.append(("tei", counts))
        n += len(refs)
        unparsed += bad
        splits.append({"file": str(path), "n": len(refs), "held_out": "shipped model (never trained on TEI)",
                       "micro_f1": _micro(counts)})
    by_family = {"anystyle": {f: [0, 0, 0] for f in ALL_FIELDS}, "tei": {f: [0, 0, 0] for f in ALL_FIELDS}}
    for family, counts in family_counts:
        _add(by_family[family], counts)
    return {
        "micro_f1": _micro(total),
        "micro_f1_anystyle": _micro(by_family["anystyle"]),
        "micro_f1_tei": _micro(by_family["tei"]),
        "micro_fields": list(MICRO_FIELDS),
        "fields": {f: _prf(*total[f]) for f in ALL_FIELDS},
        "n": n,
        "unparsed": unparsed,
        "split": "held-out: " + "; ".join(f"{s['file']}: {s['held_out']}" for s in splits),
        "splits": splits,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _micro(counts: dict[str, list[int]]) -> float:
    """Micro-averaged F1 over the MICRO_FIELDS."""
    tp = sum(counts[f][0] for f in MICRO_FIELDS)
    fp = sum(counts[f][1] for f in MICRO_FIELDS)
    fn = sum(counts[f][2] for f in MICRO_FIELDS)
    return _prf(tp, fp, fn)["f1"]


def main() -> None:
    """Entry point: print the results as JSON."""
    json.dump(run(sys.argv[1:]), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
