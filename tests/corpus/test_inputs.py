"""What a corpus run reads: directories, globs, bundles read in place, object-store URLs
(fsspec's memory:// and file://), each document once, sorted; bad input in one line."""

from __future__ import annotations

import io
import tarfile
import uuid
from pathlib import Path

import fsspec
import pytest

from citecheck.corpus.inputs import DocumentRef, enumerate_inputs, read_documents
from citecheck.documents.loading import InputError
from tests.corpus.conftest import ARTICLES

ARTICLE = (ARTICLES / "article-00000.xml").read_bytes()
OTHER = (ARTICLES / "article-00001.xml").read_bytes()


def _bundle(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "a.xml").write_bytes(ARTICLE)
    (tmp_path / "sub" / "b.nxml").write_bytes(OTHER)
    (tmp_path / ".hidden" / "c.xml").write_bytes(ARTICLE)
    (tmp_path / "pom.xml").write_text('<?xml version="1.0"?><project/>', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("A note [1].\n\nReferences\n\n1. Someone. A title. 2000.\n", encoding="utf-8")
    _bundle(tmp_path / "sub" / "pmc.tar.gz", {"PMC1/x.nxml": ARTICLE, "PMC1/fig.png": b"\x89PNG", "PMC2/y.xml": OTHER})
    return tmp_path


def _names(refs: list[DocumentRef], root: Path) -> list[str]:
    return [r.name.replace(str(root), "ROOT") for r in refs]


def test_a_directory_gives_its_documents_and_its_bundles_members(corpus: Path) -> None:
    refs = enumerate_inputs([str(corpus)])
    assert _names(refs, corpus) == sorted([
        "ROOT/a.xml", "ROOT/notes.txt", "ROOT/sub/b.nxml", "ROOT/sub/pmc.tar.gz/PMC1/x.nxml",
        "ROOT/sub/pmc.tar.gz/PMC2/y.xml",
    ])


def test_globs_and_bundles_named_alone(corpus: Path) -> None:
    assert _names(enumerate_inputs([str(corpus / "**" / "*.nxml")]), corpus) == ["ROOT/sub/b.nxml"]
    bundle = enumerate_inputs([str(corpus / "sub" / "pmc.tar.gz")])
    assert [(r.member, r.size) for r in bundle] == [("PMC1/x.nxml", len(ARTICLE)), ("PMC2/y.xml", len(OTHER))]


def test_each_document_once_whatever_names_it(corpus: Path) -> None:
    refs = enumerate_inputs([str(corpus / "a.xml"), str(corpus), str(corpus / "*.xml")])
    # The glob names pom.xml, as it would for `citecheck audit`; the run reports it unreadable.
    assert len(refs) == len({r.name for r in refs}) == 6


def test_bundle_members_and_files_are_read_as_written(corpus: Path) -> None:
    refs = enumerate_inputs([str(corpus)])
    read = {ref.name: data for ref, data, _ in read_documents(refs)}
    assert read[str(corpus / "sub" / "pmc.tar.gz") + "/PMC1/x.nxml"] == ARTICLE
    assert read[str(corpus / "sub" / "pmc.tar.gz") + "/PMC2/y.xml"] == OTHER
    assert read[str(corpus / "a.xml")] == ARTICLE


def test_memory_urls_through_fsspec() -> None:
    root = f"memory://corpus-{uuid.uuid4().hex[:8]}"
    fs = fsspec.filesystem("memory")
    fs.pipe(f"{root}/a/one.xml", ARTICLE)
    fs.pipe(f"{root}/a/two.nxml", OTHER)
    fs.pipe(f"{root}/a/data.csv", b"a,b")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("m/three.xml")
        info.size = len(ARTICLE)
        archive.addfile(info, io.BytesIO(ARTICLE))
    fs.pipe(f"{root}/bundles/b.tar.gz", buffer.getvalue())
    refs = enumerate_inputs([f"{root}/a/", f"{root}/bundles/*.tar.gz"])
    def url(path: str) -> str:  # memory://x/a is memory:///x/a, canonically
        return fs.unstrip_protocol(fs._strip_protocol(path))

    assert [r.name for r in refs] == [url(f"{root}/a/one.xml"), url(f"{root}/a/two.nxml"),
                                      url(f"{root}/bundles/b.tar.gz") + "/m/three.xml"]
    assert [data for _, data, _ in read_documents(refs)] == [ARTICLE, OTHER, ARTICLE]


def test_file_urls(corpus: Path) -> None:
    refs = enumerate_inputs([f"file://{corpus}/sub/"])
    assert [r.name for r in refs] == [f"file://{corpus}/sub/b.nxml", f"file://{corpus}/sub/pmc.tar.gz/PMC1/x.nxml",
                                      f"file://{corpus}/sub/pmc.tar.gz/PMC2/y.xml"]


def test_a_document_that_cannot_be_read_is_reported_not_raised(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "b.tar.gz", {"x.xml": ARTICLE})
    missing = str(tmp_path / "no.xml")
    refs = [DocumentRef(f"{bundle}/gone.xml", str(bundle), "gone.xml"), DocumentRef(missing, missing)]
    read = list(read_documents(refs))
    assert [data for _, data, _ in read] == [None, None]
    assert "not found in its bundle" in read[0][2] and "cannot be read" in read[1][2]


BAD = [
    pytest.param(lambda tmp: str(tmp / "missing"), "no such file or directory", id="missing-path"),
    pytest.param(lambda tmp: str(tmp / "*.nothing"), "no file matches", id="glob-matching-nothing"),
    pytest.param(lambda tmp: str((tmp / "empty").mkdir() or tmp / "empty"), "no documents in this directory",
                 id="empty-directory"),
    pytest.param(lambda tmp: str((tmp / "x.tar.gz").write_bytes(b"not gzip") and tmp / "x.tar.gz"),
                 "not a readable tar bundle", id="broken-bundle"),
    pytest.param(lambda tmp: str(_bundle(tmp / "y.tar.gz", {"fig.png": b"x"})), "no documents in this bundle",
                 id="bundle-without-documents"),
    pytest.param(lambda tmp: "memory://nowhere-at-all/x.xml", "no such object", id="missing-object"),
    pytest.param(lambda tmp: "nosuchprotocol://bucket/x.xml", "nosuchprotocol://bucket/x.xml:", id="unknown-protocol"),
]


@pytest.mark.parametrize(("make", "message"), BAD)
def test_bad_inputs_are_one_line(tmp_path: Path, make, message: str) -> None:  # noqa: ANN001 - a case's maker
    with pytest.raises(InputError) as error:
        enumerate_inputs([make(tmp_path)])
    assert message in str(error.value) and "\n" not in str(error.value)
