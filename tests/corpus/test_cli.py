"""`citecheck corpus` on the command line: a run writes the datasets and a summary with charts
that load nothing from anywhere; bad input is one line and exit code 2 (tables of cases)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from tests.corpus.conftest import ARTICLES

GENERATED = sorted(str(p) for p in ARTICLES.glob("*.xml"))


@pytest.fixture(scope="module")
def finished_run(snapshot_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    output = tmp_path_factory.mktemp("cli") / "out"
    result = CliRunner().invoke(main, ["corpus", *GENERATED, "-o", str(output), "--snapshot", str(snapshot_file),
                                       "--workers", "0", "--partition-size", "2"])
    assert result.exit_code == 0, result.output
    return output, result.output


def test_a_run_writes_datasets_summary_and_charts(finished_run: tuple[Path, str]) -> None:
    output, said = finished_run
    assert "6 documents in 3 partitions" in said and "summary.html" in said
    for dataset in ("findings", "references", "documents"):
        assert sorted(p.name for p in (output / dataset).iterdir()) == [f"part-0000{i}.parquet" for i in range(3)]
    markdown = (output / "summary.md").read_text(encoding="utf-8")
    for heading in ("## Findings by rule", "## Unresolved references per paper",
                    "## Papers with the most references no registry knows"):
        assert heading in markdown
    assert "| `C001` citation-without-entry |" in markdown and "| `R001` uncited-reference |" in markdown


def test_the_charts_are_self_contained_svg(finished_run: tuple[Path, str]) -> None:
    output, _ = finished_run
    charts = sorted((output / "charts").glob("*.svg"))
    assert [c.stem for c in charts] == ["findings-by-rule", "unknown-references", "unresolved-per-paper"]
    for chart in charts:
        root = ET.fromstring(chart.read_text(encoding="utf-8"))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        bars = root.findall(".//{http://www.w3.org/2000/svg}rect")
        # With a partial snapshot no reference is known absent: that chart may say so instead.
        assert bars or (chart.stem == "unknown-references" and "nothing to show" in chart.read_text(encoding="utf-8"))
    page = (output / "summary.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 3
    for fetch in ("<script", "src=", "href=", "@import", "url("):
        assert fetch not in page


def test_the_documents_dataset_counts_statuses(finished_run: tuple[Path, str]) -> None:
    import pyarrow.dataset as ds

    output, _ = finished_run
    rows = ds.dataset(str(output / "documents")).to_table().to_pylist()
    assert len(rows) == 6 and all(r["status"] == "ok" for r in rows)
    for row in rows:
        statuses = sum(v for k, v in row.items() if k.startswith("refs_"))
        assert statuses == row["references"]
    truth = json.loads((ARTICLES / "article-00001.truth.json").read_text(encoding="utf-8"))
    row = next(r for r in rows if r["document"].endswith("article-00001.xml"))
    assert row["references"] == len(truth["references"])


def test_a_snapshot_exported_once_serves_later_runs(snapshot_file: Path, finished_run: tuple[Path, str],
                                                      tmp_path: Path) -> None:
    from tests.corpus.helpers import corpus_findings

    exported = CliRunner().invoke(main, ["corpus", "--snapshot", str(snapshot_file), "--export-snapshot",
                                         str(tmp_path / "prepared"), "--workers", "0"])
    assert exported.exit_code == 0, exported.output
    assert (tmp_path / "prepared" / "corpus-snapshot.json").is_file()
    result = CliRunner().invoke(main, ["corpus", *GENERATED, "-o", str(tmp_path / "out"), "--snapshot",
                                       f"file://{tmp_path / 'prepared'}", "--workers", "0", "--partition-size", "2"])
    assert result.exit_code == 0, result.output
    assert corpus_findings(tmp_path / "out") == corpus_findings(finished_run[0])


BAD = [
    pytest.param([], "name the documents to audit", id="no-inputs"),
    pytest.param(["{article}"], "-o OUTDIR is needed", id="no-output"),
    pytest.param(["{article}", "-o", "{tmp}/o", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
                 "give one of them", id="workers-and-scheduler"),
    pytest.param(["{tmp}/nothing-here", "-o", "{tmp}/o"], "no such file or directory", id="missing-input"),
    pytest.param(["{article}", "-o", "{tmp}/o", "--snapshot", "{tmp}/none.sqlite3", "--workers", "0"],
                 "no such snapshot file", id="missing-snapshot"),
    pytest.param(["{article}", "-o", "{tmp}/o", "--snapshot", "{article}", "--workers", "0"],
                 "not a citecheck snapshot", id="not-a-snapshot"),
    pytest.param(["{article}", "-o", "{article}", "--workers", "0"], "not a directory", id="output-is-a-file"),
    pytest.param(["{article}", "-o", "{tmp}/o", "--snapshot", "{tmp}", "--workers", "0"],
                 "not a snapshot prepared for corpus runs", id="directory-not-prepared"),
    pytest.param(["--export-snapshot", "{tmp}/p"], "needs --snapshot", id="export-without-snapshot"),
]


@pytest.mark.parametrize(("arguments", "message"), BAD)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, arguments: list[str], message: str) -> None:
    filled = [a.format(article=GENERATED[0], tmp=tmp_path) for a in arguments]
    result = CliRunner().invoke(main, ["corpus", *filled])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("citecheck: error:")]
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output
