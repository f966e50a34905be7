"""`citecheck snapshot build | update | info | export` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from tests.sources.snapshot.records import SYNTHETIC, items, jsonl, synthetic, write


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_info_update_round_trip(tmp_path: Path) -> None:
    data = write(tmp_path / "2024" / "0.json.gz", items(SYNTHETIC))
    snapshot = tmp_path / "crossref.sqlite"
    code, _, stderr = run("snapshot", "build", str(data.parent), "-o", str(snapshot), "--complete-as-of", "2026-03-01",
                          "--description", "Crossref public data file (test)")
    assert code == 0, stderr
    assert "wrote 3 records" in stderr
    code, stdout, _ = run("snapshot", "info", str(snapshot))
    assert code == 0
    assert "records:   3" in stdout
    assert "complete: Crossref public data file (test) (absence means not in Crossref as of 2026-03-01)" in stdout
    assert "format:    citecheck-snapshot version 3" in stdout and "bytes per record" in stdout
    changes = write(tmp_path / "changes.jsonl", jsonl([synthetic(1, "A corrected synthetic title on frogs", "Smith")]),
                    compress=False)
    code, _, stderr = run("snapshot", "update", str(snapshot), str(changes), "--as-of", "2026-04-01")
    assert code == 0, stderr
    assert "1 records replaced, 0 added" in stderr
    code, stdout, _ = run("snapshot", "info", "--format", "json", str(snapshot))
    facts = json.loads(stdout)
    assert (facts["records"], facts["complete"], facts["as_of"]) == (3, True, "2026-04-01")
    assert facts["updated"] and facts["built_from"].startswith("1 input file")


def test_build_reports_skipped_records_and_broken_files(tmp_path: Path) -> None:
    good = write(tmp_path / "good.jsonl", jsonl(SYNTHETIC) + b"{broken\n", compress=False)
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(write(tmp_path / "x.jsonl.gz", jsonl(SYNTHETIC * 30)).read_bytes()[:200])
    code, _, stderr = run("snapshot", "build", str(good), str(broken), "-o", str(tmp_path / "s.sqlite"), "--workers", "0")
    assert code == 0, stderr
    assert f"{good}:4: skipped: not a JSON work record with a DOI" in stderr
    assert f"{broken}: breaks off" in stderr
    assert "wrote 3 records" in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["snapshot", "build", "missing.jsonl", "-o", "x.sqlite"], "no such file", id="missing-input"),
        pytest.param(["snapshot", "build", "{empty}", "-o", "x.sqlite"], "no records stored", id="nothing-stored"),
        pytest.param(["snapshot", "build", "{empty}", "-o", "x.sqlite", "--complete-as-of", "March"], "YYYY-MM-DD",
                     id="bad-date"),
        pytest.param(["snapshot", "info", "missing.sqlite"], "no such snapshot file", id="info-missing"),
        pytest.param(["snapshot", "update", "missing.sqlite", "{empty}"], "no such snapshot file", id="update-missing"),
    ],
)
def test_snapshot_errors_are_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str],
                                             message: str) -> None:
    monkeypatch.chdir(tmp_path)
    empty = write(tmp_path / "empty.jsonl", b"", compress=False)
    code, _, stderr = run(*[a.replace("{empty}", str(empty)) for a in args])
    assert code == 2
    assert message in stderr and stderr.count("\n") == 1 and stderr.startswith("citecheck: error:")


def test_export_writes_records_and_keys_as_parquet(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    snapshot = tmp_path / "s.sqlite"
    assert run("snapshot", "build", str(write(tmp_path / "a.jsonl", jsonl(SYNTHETIC), compress=False)), "-o",
               str(snapshot))[0] == 0
    code, _, stderr = run("snapshot", "export", str(snapshot), "-o", str(tmp_path / "out"))
    assert code == 0, stderr
    records = pq.read_table(tmp_path / "out" / "records").to_pylist()
    keys = pq.read_table(tmp_path / "out" / "keys").to_pylist()
    assert sorted(r["doi"] for r in records) == sorted(r["DOI"] for r in SYNTHETIC)
    from citecheck.references.blocking import reference_keys

    # A reference joins its record on the same hashes, with no SQLite involved.
    wanted = {k.hash for k in reference_keys({}, "Jones A. Another synthetic study of tree frogs. J Test. 2019;12:201-10.")}
    ids = {k["id"] for k in keys if k["key"] in wanted}
    assert {r["doi"] for r in records if r["id"] in ids} == {"10.5555/synthetic.2"}
