"""Corpus runs end to end: the same findings as the single-machine audit over the same
snapshot (generated articles with known truth, and real articles), on a Dask LocalCluster and
in process; bundles and URLs read like directories; a rerun skips finished partitions.

The LocalClusters are small (2 worker processes, one thread each) and nothing waits on a
timer: each run goes to its end, however slow the machine.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pytest

from citecheck.config.options import AuditOptions
from citecheck.corpus.run import CorpusOptions, run_corpus
from tests.conftest import SHARED
from tests.corpus.conftest import ARTICLES, HELD_OUT
from tests.corpus.helpers import corpus_findings, single_machine, table

GENERATED = sorted(str(p) for p in ARTICLES.glob("*.xml"))


def _run(inputs: list[str], output: Path, snapshot: Path | str, workers: int = 0, **options: object):
    return run_corpus(CorpusOptions(inputs=tuple(inputs), output=str(output), snapshot=str(snapshot),
                                    workers=workers, partition_size=2, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def in_process(snapshot_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated articles audited in process (no cluster)."""
    output = tmp_path_factory.mktemp("in-process")
    _run(GENERATED, output, snapshot_file)
    return output


def test_on_a_local_cluster_the_findings_are_the_single_machine_audits(snapshot_file: Path, in_process: Path,
                                                                        tmp_path: Path) -> None:
    result = _run(GENERATED, tmp_path / "out", snapshot_file, workers=2)
    assert result.workers == 2 and result.partitions == 3 and result.dashboard.startswith("http")
    findings = corpus_findings(tmp_path / "out")
    assert findings == single_machine(GENERATED, snapshot_file)
    assert findings == corpus_findings(in_process)
    for name in ("references", "documents"):
        assert [{k: v for k, v in row.items() if k != "partition"} for row in table(tmp_path / "out", name)] == \
            [{k: v for k, v in row.items() if k != "partition"} for row in table(in_process, name)]


def test_the_planted_truth_is_found(in_process: Path) -> None:
    """Every planted uncited entry and dangling xref is reported, and nothing else of the kind;
    every reference matched is matched to its true DOI, and no held-out one is matched."""
    findings = table(in_process, "findings")
    references = table(in_process, "references")
    for article in GENERATED:
        truth = json.loads(Path(article).with_suffix(".truth.json").read_text(encoding="utf-8"))
        mine = [f for f in findings if f["document"] == article]
        assert sorted(f["reference"] for f in mine if f["code"] == "R001") == sorted(truth["uncited"])
        assert sorted((f["line"], f["reference"]) for f in mine if f["code"] == "C001") == \
            sorted((d["line"], d["rid"]) for d in truth["dangling"])
        dois = {r["id"]: r["doi"] for r in truth["references"]}
        for row in (r for r in references if r["document"] == article):
            if row["status"] == "matched":
                assert row["doi"] == dois[row["id"]] and dois[row["id"]] not in HELD_OUT
            if dois[row["id"]] in HELD_OUT:
                assert row["status"] != "matched"
    assert sum(1 for r in references if r["status"] == "matched") >= 30


def test_bundles_and_urls_give_the_same_findings(snapshot_file: Path, in_process: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "articles.tar.gz"
    with tarfile.open(bundle, "w:gz") as archive:
        for article in GENERATED:
            archive.add(article, arcname=f"pmc/{Path(article).name}")
    _run([str(bundle)], tmp_path / "bundle", snapshot_file)
    copy = tmp_path / "copy"
    copy.mkdir()
    for article in GENERATED:
        shutil.copy(article, copy)
    _run([f"file://{copy}/"], tmp_path / "url", snapshot_file)

    def shape(rows: list[tuple], prefix: str) -> list[tuple]:
        return sorted((Path(r[0]).name, *r[1:]) for r in rows if str(r[0]).startswith(prefix))

    expected = shape(corpus_findings(in_process), str(ARTICLES))
    assert shape(corpus_findings(tmp_path / "bundle"), f"{bundle}/pmc/") == expected
    assert shape(corpus_findings(tmp_path / "url"), f"file://{copy}/") == expected
    assert len(expected) >= 20


def test_a_rerun_redoes_only_the_unfinished_partitions(snapshot_file: Path, in_process: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    shutil.copytree(in_process, output)
    markers = sorted((output / "_done").glob("*.json"))
    assert len(markers) == 3
    before = {m.name: m.stat().st_mtime_ns for m in markers}
    markers[1].unlink()  # as if the run had died before that partition was written
    (output / "findings" / "part-00002.parquet").unlink()  # and that one half-written
    result = _run(GENERATED, output, snapshot_file)
    assert result.skipped == 1
    after = {m.name: m.stat().st_mtime_ns for m in sorted((output / "_done").glob("*.json"))}
    assert after["part-00000.json"] == before["part-00000.json"]
    assert after.keys() == before.keys()
    assert corpus_findings(output) == corpus_findings(in_process)


def test_another_run_into_the_same_directory_is_refused(snapshot_file: Path, in_process: Path, tmp_path: Path) -> None:
    from citecheck.documents.loading import InputError

    output = tmp_path / "out"
    shutil.copytree(in_process, output)
    with pytest.raises(InputError, match="holds a run over other inputs"):
        _run(GENERATED[:2], output, snapshot_file)
    _run(GENERATED[:2], output, snapshot_file, overwrite=True)
    assert len(list((output / "_done").glob("*.json"))) == 1


def test_linking_only_without_a_snapshot(tmp_path: Path) -> None:
    run_corpus(CorpusOptions(inputs=tuple(GENERATED), output=str(tmp_path / "out"), workers=0,
                             audit=AuditOptions(verify=False)))
    codes = {row[3] for row in corpus_findings(tmp_path / "out")}
    assert codes == {"R001", "C001"}
    assert {r["status"] for r in table(tmp_path / "out", "references")} == {None}


REALDOCS = SHARED / "corpus" / "realdocs"
SAMPLE = ("journal.pone.0046041", "journal.pmed.0030205", "journal.pone.0067380", "elife09853", "elife-14093-v1",
          "journal.pcbi.1000204", "journal.pntd.0002570")
"""Real articles of every kind the reader meets: PLOS numeric (mixed and element citations, a
mis-tagged xref, DOIs in comments), eLife author-year with mis-tags and a sub-article."""


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="needs ../shared/corpus/realdocs (the shared data)")
def test_real_articles_give_the_single_machine_findings(snapshot_file: Path, tmp_path: Path) -> None:
    articles = [str(REALDOCS / f"{name}.xml") for name in SAMPLE]
    _run(articles, tmp_path / "out", snapshot_file, workers=2)
    findings = corpus_findings(tmp_path / "out")
    assert findings == single_machine(articles, snapshot_file)
    assert {"R001", "C008", "S002"} <= {row[3] for row in findings}



def test_an_object_store_output_and_an_unreadable_document(prepared, in_process: Path,  # noqa: ANN001
                                                            tmp_path: Path) -> None:
    """OUTDIR may be an object-store URL (fsspec's memory:// here, so in process) with a
    prepared snapshot; a document that cannot be read is a row of `documents`, not the end of
    the run."""
    import io
    import uuid

    import fsspec
    import pyarrow.parquet as pq

    from citecheck.corpus.summary import write_summary

    broken = tmp_path / "not-an-article.xml"
    broken.write_text('<?xml version="1.0"?><TEI><text/></TEI>', encoding="utf-8")
    output = f"memory://corpus-out-{uuid.uuid4().hex[:8]}"
    result = _run([*GENERATED, str(broken)], output, prepared.root)  # type: ignore[arg-type]
    write_summary(output, result)
    fs = fsspec.filesystem("memory")
    documents = [row for name in sorted(fs.ls(f"{output}/documents", detail=False))
                 for row in pq.read_table(io.BytesIO(fs.cat_file(name))).to_pylist()]
    unreadable = [r for r in documents if r["status"] != "ok"]
    assert [(r["document"], r["status"]) for r in unreadable] == [(str(broken), "unreadable")]
    assert "not a JATS article" in unreadable[0]["error"]
    findings = sum(pq.read_table(io.BytesIO(fs.cat_file(name))).num_rows
                   for name in fs.ls(f"{output}/findings", detail=False))
    assert findings == len(corpus_findings(in_process))
    assert "## Documents that could not be read" in fs.cat_file(f"{output}/summary.md").decode("utf-8")


def test_a_run_opens_no_network_connection(snapshot_file: Path, in_process: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection refused, a whole run (in process: the workers' code, no cluster) still
    gives its findings: no registry is ever asked."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a network connection was attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    _run(GENERATED, tmp_path / "out", snapshot_file)
    assert corpus_findings(tmp_path / "out") == corpus_findings(in_process)
