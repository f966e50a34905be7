"""What the corpus tests compare: findings as the single-machine audit gives them, and as a
corpus run wrote them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.dataset as ds


Row = tuple[Any, ...]


def single_machine(paths: list[str], snapshot: Path, default_snapshot: bool = True) -> list[Row]:
    """The findings of `citecheck audit --offline --no-cache --snapshot SNAP --format json PATHS`."""
    import json

    from click.testing import CliRunner

    from citecheck.cli.app import main

    arguments = ["audit", "--offline", "--no-cache", "--isolated", "--snapshot", str(snapshot), "--format", "json", "-q",
                 *([] if default_snapshot else ["--no-default-snapshot"]), *paths]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code in (0, 1, 2), result.output  # 2: some references not checked (a partial snapshot)
    report = json.loads(result.stdout)
    return sorted(((f["path"], f["line"], f["column"], f["code"], f["message"], f["reference"])
                   for f in report["findings"]), key=_order)


def corpus_findings(output: Path | str) -> list[Row]:
    """The findings a corpus run wrote, in the same shape."""
    rows = ds.dataset(str(Path(output) / "findings")).to_table().to_pylist()
    return sorted(((r["path"], r["line"], r["column"], r["code"], r["message"], r["reference"]) for r in rows),
                  key=_order)


def _order(row: Row) -> tuple[Any, ...]:
    """Rows sorted with their empty fields (a finding without a place) first."""
    return tuple((value is not None, value if value is not None else "") for value in row)


def table(output: Path | str, name: str) -> list[dict[str, Any]]:
    """A dataset of a run, as rows sorted by document (and reference id)."""
    rows = ds.dataset(str(Path(output) / name)).to_table().to_pylist()
    return sorted(rows, key=lambda r: (r["document"], str(r.get("id") or ""), str(r.get("code") or ""),
                                       r.get("line") or 0, r.get("column") or 0, str(r.get("message") or "")))
