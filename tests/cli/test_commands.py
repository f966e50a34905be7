"""The smaller commands and the progress display, through the command line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.cli.progress import Progress
from tests.conftest import EXAMPLE, ROOT

TRIALS = ROOT / "citecheck" / "data" / "trial-papers.jsonl"


@pytest.mark.parametrize("compressed", [pytest.param(False, id="jsonl"), pytest.param(True, id="jsonl-gz")])
def test_snapshot_build_then_audit_with_it(tmp_path: Path, compressed: bool) -> None:
    records = tmp_path / ("records.jsonl.gz" if compressed else "records.jsonl")
    data = TRIALS.read_bytes()
    records.write_bytes(gzip.compress(data) if compressed else data)
    snapshot = tmp_path / "trials.sqlite"
    built = CliRunner().invoke(main, ["snapshot", "build", str(records), "-o", str(snapshot)])
    assert built.exit_code == 0, built.stderr
    assert "wrote 3 records" in built.stderr
    audited = CliRunner().invoke(main, ["audit", "--offline", "--no-cache", "--no-default-snapshot",
                                        "--snapshot", str(snapshot), "--format", "json", str(EXAMPLE)])
    dois = {r["id"]: (r["resolution"] or {}).get("doi") for r in json.loads(audited.stdout)["references"]}
    assert dois == {"1": None, "2": "10.1200/jco.2010.28.0982", "3": "10.1056/nejmoa072113",
                    "4": "10.1200/jco.2007.14.4659"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["snapshot", "build", "missing.jsonl", "-o", "x.sqlite"], "no such file", id="missing-records"),
        pytest.param(["rule", "R999"], "no rule", id="unknown-rule"),
        pytest.param(["parse"], "give a reference string or --file", id="parse-without-input"),
    ],
)
def test_command_errors_are_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("name", ["R001", "uncited-reference"])
def test_rule_explains_by_code_or_name(name: str) -> None:
    result = CliRunner().invoke(main, ["rule", name])
    assert result.exit_code == 0
    assert result.stdout.startswith("R001 uncited-reference (warning)")
    assert "Why it matters:" in result.stdout and "Example:" in result.stdout


def test_parse_file_prints_one_object_per_line(tmp_path: Path) -> None:
    lines = ["Smith J. A synthetic title. J Test. 2019;1(2):3-4.", "Jones K. Another synthetic title. J Test. 2020;5:6-7."]
    source = tmp_path / "refs.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["parse", "--file", str(source)])
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert [i["author"][0]["family"] for i in items] == ["Smith", "Jones"]


@pytest.mark.parametrize(
    ("quiet", "total", "expected_lines"),
    [
        pytest.param(False, 100, 11, id="a-line-per-tenth-off-a-terminal"),
        pytest.param(True, 100, 0, id="quiet"),
        pytest.param(False, 5, 0, id="short-runs-say-nothing"),
    ],
)
def test_progress_off_a_terminal(capsys: pytest.CaptureFixture[str], quiet: bool, total: int, expected_lines: int) -> None:
    progress = Progress(quiet)
    progress.tty = False
    for done in range(1, total + 1):
        progress(done, total)
    err = capsys.readouterr().err
    assert len(err.splitlines()) == expected_lines
    if expected_lines:
        assert err.splitlines()[-1] == f"verifying: {total}/{total} references"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        pytest.param("10,3,3", True, id="polite"),
        pytest.param("0.5,0.2,1", True, id="slower"),
        pytest.param("10,3", False, id="two-numbers"),
        pytest.param("10,0,3", False, id="zero-rate"),
        pytest.param("fast", False, id="words"),
    ],
)
def test_rate_limits_option(value: str, ok: bool) -> None:
    result = CliRunner().invoke(main, ["audit", "--no-verify", "--rate-limits", value, str(EXAMPLE)])
    if ok:
        assert result.exit_code == 1  # the review's two uncited entries
    else:
        assert result.exit_code == 2 and "--rate-limits" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("pubmed,crossref", ("pubmed", "crossref"), id="order-kept"),
        pytest.param(" DataCite ", ("datacite",), id="case-and-spaces"),
        pytest.param("crossref,crossref", ("crossref",), id="repeat-once"),
        pytest.param("crosref", "did you mean 'crossref'?", id="misspelled"),
        pytest.param("openalex", "unknown source 'openalex'", id="unknown"),
        pytest.param(",", "name at least one", id="empty"),
    ],
)
def test_sources_option(value: str, expected: object) -> None:
    from citecheck.cli.common import UserError
    from citecheck.cli.options import parse_sources

    if isinstance(expected, tuple):
        assert parse_sources(value) == expected
    else:
        with pytest.raises(UserError, match=expected):  # type: ignore[arg-type]
            parse_sources(value)
        result = CliRunner().invoke(main, ["audit", "--no-verify", "--sources", value, str(EXAMPLE)])
        assert result.exit_code == 2 and "--sources" in result.stderr and "Traceback" not in result.stderr


def test_sources_choose_and_order_the_registries(tmp_path: Path) -> None:
    from citecheck.config.options import AuditOptions
    from citecheck.resolve.setup import build_sources

    chosen = build_sources(AuditOptions(sources=("datacite", "crossref"), default_snapshot=False,
                                        cache_dir=tmp_path), lambda note: None)
    assert [s.name for s in chosen] == ["datacite", "crossref"]
    offline = build_sources(AuditOptions(sources=("pubmed",), network=False, default_snapshot=False,
                                         cache_dir=tmp_path), lambda note: None)
    assert [s.name for s in offline] == ["pubmed"]


def test_rate_limits_set_the_pacer() -> None:
    from citecheck.config.options import AuditOptions
    from citecheck.resolve.setup import pool_limits

    limits = pool_limits(AuditOptions(rate_limits=(20.0, 5.0, 4)))
    assert (limits.lookups_per_second, limits.searches_per_second, limits.concurrency) == (20.0, 5.0, 4)
    assert pool_limits(AuditOptions()).searches_per_second == 1  # no e-mail: the public pool
    assert pool_limits(AuditOptions(mailto="a@example.org")).searches_per_second == 3
