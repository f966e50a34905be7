"""Shared fixtures of the corpus tests: a small snapshot of real records, and its Parquet form.

The records are tests/fixtures/matching_glutton_records.jsonl (biblio-glutton, Apache-2.0);
the records of `HELD_OUT` are left out, so that their references must stay unmatched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
ARTICLES = FIXTURES / "corpus"
RECORDS = FIXTURES / "matching_glutton_records.jsonl"
HELD_OUT = frozenset({"10.1055/s-2007-1018117", "10.1111/j.1572-0241.2004.40358.x", "10.1007/s10620-004-9574-3",
                      "10.1097/mrr.0b013e328013dafb"})
"""DOIs whose records the test snapshot leaves out (chosen among the fixture references)."""


def build_test_snapshot(directory: Path) -> Path:
    """The fixture records but the held-out ones, as a snapshot file."""
    from citecheck.sources.snapshot import build_snapshot

    kept = directory / "records.jsonl"
    lines = [line for line in RECORDS.read_text(encoding="utf-8").splitlines()
             if json.loads(line)["DOI"].lower() not in HELD_OUT]
    kept.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = directory / "glutton.sqlite3"
    build_snapshot([kept], path, workers=0)
    return path


@pytest.fixture(scope="session")
def snapshot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of the fixture records, held-out ones left out."""
    return build_test_snapshot(tmp_path_factory.mktemp("snapshot"))


@pytest.fixture(scope="session")
def prepared(snapshot_file: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - a ParquetSnapshot
    """The snapshot's Parquet form, in parts of 9 records (so that the join meets several parts)."""
    from citecheck.corpus.snapshot_data import prepare_snapshot

    return prepare_snapshot(snapshot_file, str(tmp_path_factory.mktemp("prepared")), rows_per_part=9)
