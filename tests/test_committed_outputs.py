"""The committed example outputs (reports/, references.bib) are what the code writes now.

When one fails, run `python -m scripts.regenerate_reports` and review the diff before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.regenerate_reports import outputs
from tests.conftest import ROOT


@pytest.mark.parametrize(("path", "produce"), list(outputs().items()), ids=lambda v: str(v) if isinstance(v, Path) else "")
def test_committed_output_is_current(path: Path, produce, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    committed = (ROOT / path).read_text(encoding="utf-8")
    assert committed == produce(), f"{path} is stale: run `python -m scripts.regenerate_reports`"


def test_extract_command_writes_references_bib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from citecheck.cli.app import main

    monkeypatch.chdir(ROOT)
    out = tmp_path / "refs.bib"
    result = CliRunner().invoke(main, ["extract", "examples/metastatic-breast-cancer-review.txt", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == (ROOT / "references.bib").read_text(encoding="utf-8")
