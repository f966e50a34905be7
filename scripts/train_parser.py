"""Train the shipped reference-parser CRF on all of AnyStyle's labelled references.

    python scripts/train_parser.py [--data ../shared/datasets/anystyle]
                                   [--out citecheck/data/parser-model.crfsuite] [--iterations 100]

Reads every `*.xml` under the AnyStyle directory (inukshuk/anystyle `res/parser`, BSD-2-Clause).
Held-out figures come from `python -m benchmarks.parsing`, never from this model.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))  # run as a plain script from anywhere in the checkout

from citecheck.references.parser_training import load_anystyle, train  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Train and write the model; return the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=_ROOT / ".." / "shared" / "datasets" / "anystyle")
    ap.add_argument("--out", type=Path, default=_ROOT / "citecheck" / "data" / "parser-model.crfsuite")
    ap.add_argument("--iterations", type=int, default=100)
    ns = ap.parse_args(argv)
    files = sorted(ns.data.glob("*.xml"))
    if not files:
        print(f"no AnyStyle XML files under {ns.data}", file=sys.stderr)
        return 2
    refs = [ref for path in files for ref in load_anystyle(path)]
    started = time.perf_counter()
    train(refs, ns.out, max_iterations=ns.iterations)
    print(f"trained on {len(refs)} references from {len(files)} files in "
          f"{time.perf_counter() - started:.0f} s -> {ns.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
