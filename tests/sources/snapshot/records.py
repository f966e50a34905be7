"""Records and input files for the snapshot tests, in every shape Crossref ships.

Synthetic records use Crossref's test prefix 10.5555 (no real work is registered there);
real ones come from tests/fixtures/matching_glutton_records.jsonl (biblio-glutton,
Apache-2.0, see tests/fixtures/matching_README.md).
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GLUTTON = [json.loads(line) for line in (FIXTURES / "matching_glutton_records.jsonl").read_text(encoding="utf-8").splitlines()]
"""40 real records (title, first author, journal, volume, first page)."""


def synthetic(n: int, title: str, family: str, journal: str = "J Test", volume: str = "1", page: str = "1-2",
              bulk: int = 0) -> dict[str, Any]:
    """An invented journal article (DOI 10.5555/synthetic.N); `bulk` adds a reference list of
    that many entries, as real records carry (citecheck never reads it)."""
    record: dict[str, Any] = {
        "DOI": f"10.5555/synthetic.{n}",
        "type": "journal-article",
        "title": [title],
        "author": [{"family": family, "given": "A.", "affiliation": []}],
        "container-title": [journal],
        "short-container-title": [journal],
        "issued": {"date-parts": [[2019]]},
        "volume": volume,
        "page": page,
    }
    if bulk:
        record["reference"] = [{"key": f"ref{i}", "DOI": f"10.5555/cited.{i}", "year": "2001"} for i in range(bulk)]
    return record


SYNTHETIC = [
    synthetic(1, "A synthetic title about glass frogs", "Smith", volume="11", page="101-110"),
    synthetic(2, "Another synthetic study of tree frogs", "Jones", volume="12", page="201-210"),
    synthetic(3, "Synthetic measurements of German rivers", "Müller", volume="13", page="301-310"),
]


def many(count: int, start: int = 0) -> list[dict[str, Any]]:
    """`count` distinct synthetic records (numbered from `start`), with reference lists."""
    return [synthetic(n, f"Synthetic survey number {n} of invented marsh amphibians", f"Inventa{n % 97}",
                      volume=str(n % 300 + 1), page=f"{n}-{n + 9}", bulk=20) for n in range(start, start + count)]


def jsonl(records: list[Any]) -> bytes:
    """JSON Lines, as the 2025 public data file has them (before gzip)."""
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def items(records: list[Any]) -> bytes:
    """One `{"items": [...]}` document, as the public data file up to 2024 has them."""
    return json.dumps({"items": records}).encode()


def gz(data: bytes) -> bytes:
    """`data` gzipped."""
    return gzip.compress(data)


def write(path: Path, data: bytes, compress: bool = True) -> Path:
    """Write `data` (gzipped when `compress`) to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def tar(path: Path, members: dict[str, bytes], compress: bool = False) -> Path:
    """A tar (gzipped when `compress`) with these members, as a Metadata Plus snapshot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz" if compress else "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
