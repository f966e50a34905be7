"""Configuration files: where they are found, what they may hold, and that the command line wins."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.config.options import AuditOptions
from citecheck.config.file import ConfigFile, find_config, load_config, merge_options
from citecheck.findings import Severity

# Synthetic: entry 2 is cited nowhere (R001, a warning), so the default run exits 1.
DOCUMENT = (
    "A claim [1].\n\nReferences\n\n"
    "1. Smith J. A synthetic title. J Test. 2019;1:1-2.\n"
    "2. Doe A. Another synthetic title. J Test. 2020;2:3-4.\n"
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("files", "start", "expected"),
    [
        pytest.param({"citecheck.toml": ""}, "a/b", "citecheck.toml", id="walks-up"),
        pytest.param({"citecheck.toml": "", "pyproject.toml": "[tool.citecheck]\n"}, ".", "citecheck.toml",
                     id="dedicated-file-first"),
        pytest.param({"pyproject.toml": "[tool.citecheck]\n"}, "a", "pyproject.toml", id="pyproject"),
        pytest.param({"a/pyproject.toml": "[tool.other]\n", "pyproject.toml": "[tool.citecheck]\n"}, "a",
                     "pyproject.toml", id="pyproject-without-table-passed-over"),
        pytest.param({"a/citecheck.toml": "", "citecheck.toml": ""}, "a", "a/citecheck.toml", id="nearest-wins"),
        pytest.param({"a/pyproject.toml": "not toml ["}, "a", None, id="broken-foreign-pyproject-passed-over"),
    ],
)
def test_find_config(tmp_path: Path, files: dict[str, str], start: str, expected: str | None) -> None:
    root = tmp_path / "project"
    for name, text in files.items():
        _write(root / name, text)
    (root / start).mkdir(parents=True, exist_ok=True)
    found = find_config(root / start)
    if expected is None:
        # Nothing in the project; a file further up (outside tmp_path) would not be ours.
        assert found is None or not str(found).startswith(str(root))
    else:
        assert found == (root / expected).resolve()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        pytest.param("citecheck.toml", 'fail_on = "error"\n', "unknown key 'fail_on'; did you mean 'fail-on'?",
                     id="fail_on"),
        pytest.param("citecheck.toml", 'selct = ["R"]\n', "unknown key 'selct'; did you mean 'select'?", id="selct"),
        pytest.param("pyproject.toml", '[tool.citecheck]\nextend_select = ["R"]\n',
                     "unknown key 'extend_select'; did you mean 'extend-select'?", id="pyproject-key"),
        pytest.param("citecheck.toml", 'select = ["R0001"]\n', "'select': no rule matches 'R0001'; did you mean 'R001'?",
                     id="unknown-code"),
        pytest.param("citecheck.toml", 'ignore = ["uncited-referense"]\n',
                     "'ignore': no rule matches 'uncited-referense'; did you mean 'uncited-reference'?",
                     id="misspelled-name"),
        pytest.param("citecheck.toml", '[per-file-ignores]\n"*.md" = ["Q001"]\n',
                     "'per-file-ignores.*.md': no rule matches 'Q001'", id="per-file-ignores-code"),
        pytest.param("citecheck.toml", 'per-file-ignores = ["R001"]\n', "'per-file-ignores' must be a table",
                     id="per-file-ignores-type"),
        pytest.param("citecheck.toml", 'fail-on = "warn"\n', "did you mean 'warning'?", id="fail-on-value"),
        pytest.param("citecheck.toml", 'jobs = "4"\n', "'jobs' must be a whole number", id="jobs-string"),
        pytest.param("citecheck.toml", "jobs = true\n", "'jobs' must be a whole number", id="jobs-bool"),
        pytest.param("citecheck.toml", "jobs = 99\n", "'jobs' must be a whole number from 0 to 16", id="jobs-range"),
        pytest.param("citecheck.toml", 'style = "harvard"\n', "'style' must be one of", id="style"),
        pytest.param("citecheck.toml", 'protect = ["titel"]\n', "unknown field 'titel'; did you mean 'title'?",
                     id="protect"),
        pytest.param("citecheck.toml", 'format = "xml"\n', "'format' must be one of", id="format"),
        pytest.param("citecheck.toml", "mailto = 3\n", "'mailto' must be a non-empty string", id="mailto"),
        pytest.param("citecheck.toml", 'sources = ["crosref"]\n', "did you mean 'crossref'?", id="sources-misspelled"),
        pytest.param("citecheck.toml", "sources = []\n", "'sources' must name at least one", id="sources-empty"),
        pytest.param("citecheck.toml", "sources = 3\n", "'sources' must be a list of source names", id="sources-type"),
        pytest.param("citecheck.toml", "select = [\n", "invalid TOML", id="invalid-toml"),
        pytest.param("pyproject.toml", '[tool]\ncitecheck = "x"\n', "[tool.citecheck] must be a table",
                     id="not-a-table"),
    ],
)
def test_invalid_configuration(tmp_path: Path, name: str, text: str, message: str) -> None:
    config = load_config(_write(tmp_path / name, text))
    assert config.error is not None and message in config.error
    assert str(tmp_path / name) in config.error


def test_valid_configuration_is_converted(tmp_path: Path) -> None:
    path = _write(tmp_path / "citecheck.toml", (
        'select = ["R", "C001"]\nextend-select = ["X"]\nignore = "R004,R005"\nfail-on = "never"\n'
        'format = "json"\nmailto = "someone@example.org"\ncache-dir = "cache"\nsnapshots = ["s.sqlite"]\n'
        'jobs = 2\nstyle = "numeric"\nprotect = ["title", "pages", "DOI"]\nsources = ["PubMed", "crossref"]\n'
        '[per-file-ignores]\n"drafts/*.md" = ["R001"]\n'))
    config = load_config(path)
    assert config.error is None
    options = merge_options(AuditOptions(), config, given=())
    assert options.select == ("R", "C001", "X")
    assert options.ignore == ("R004", "R005")
    assert options.fail_on is None
    assert options.mailto == "someone@example.org"
    assert options.cache_dir == tmp_path / "cache"
    assert options.snapshots == (tmp_path / "s.sqlite",)
    assert options.jobs == 2
    assert options.style == "numeric"
    assert options.protect == ("title", "page", "DOI")
    assert options.per_file_ignores == (("drafts/*.md", ("R001",)),)
    assert options.sources == ("pubmed", "crossref")  # in the order given
    assert options.config_dir == tmp_path
    assert config.values["format"] == "json"


@pytest.mark.parametrize(
    ("given", "field", "expected"),
    [
        pytest.param((), "fail_on", Severity.ERROR, id="file-fills-in"),
        pytest.param(("fail_on",), "fail_on", Severity.WARNING, id="command-line-wins-fail-on"),
        pytest.param(("select",), "select", ("D",), id="command-line-select-replaces-select-and-extend"),
        pytest.param((), "select", ("M", "X"), id="extend-select-adds"),
        pytest.param(("jobs",), "jobs", 3, id="command-line-wins-jobs"),
        pytest.param((), "sources", ("datacite",), id="file-chooses-sources"),
        pytest.param(("source_names",), "sources", ("crossref",), id="command-line-wins-sources"),
    ],
)
def test_command_line_wins(given: tuple[str, ...], field: str, expected: object) -> None:
    config = ConfigFile(Path("citecheck.toml"), {"fail-on": "error", "select": ("M",), "extend-select": ("X",),
                                                  "jobs": 5, "sources": ("datacite",)})
    options = AuditOptions(select=("D",), fail_on=Severity.WARNING, jobs=3, sources=("crossref",))
    assert getattr(merge_options(options, config, given), field) == expected


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("config", "extra", "code", "needle"),
    [
        pytest.param('fail_on = "error"\n', [], 2, "did you mean 'fail-on'?", id="misspelled-key-exits-2"),
        pytest.param('selct = ["R"]\n', [], 2, "did you mean 'select'?", id="selct-exits-2"),
        pytest.param('fail-on = "error"\n', [], 0, "1 finding", id="fail-on-from-file"),
        pytest.param('fail-on = "error"\n', ["--fail-on", "warning"], 1, "1 finding", id="flag-beats-file"),
        pytest.param('ignore = ["R001"]\n', [], 0, "0 findings", id="ignore-from-file"),
        pytest.param('fail_on = "error"\n', ["--isolated"], 1, "1 finding", id="isolated-ignores-file"),
        pytest.param('[per-file-ignores]\n"*.txt" = ["uncited-reference"]\n', [], 0, "0 findings",
                     id="per-file-ignores"),
    ],
)
def test_cli_reads_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str, extra: list[str],
                                 code: int, needle: str) -> None:
    _write(tmp_path / "citecheck.toml", config)
    document = _write(tmp_path / "docs" / "paper.txt", DOCUMENT)
    monkeypatch.chdir(tmp_path)
    exit_code, _, stderr = _run(["audit", "--no-verify", *extra, str(document.relative_to(tmp_path))])
    assert exit_code == code, stderr
    assert needle in stderr


def test_cli_config_option_and_format(tmp_path: Path) -> None:
    config = _write(tmp_path / "elsewhere" / "mine.toml", 'format = "json"\nfail-on = "never"\n')
    document = _write(tmp_path / "paper.txt", DOCUMENT)
    exit_code, stdout, stderr = _run(["audit", "--no-verify", "--config", str(config), str(document)])
    assert exit_code == 0, stderr
    assert stdout.startswith("{") and '"R001"' in stdout
    exit_code, stdout, _ = _run(["audit", "--no-verify", "--config", str(config), "--format", "text", str(document)])
    assert exit_code == 0 and "R001 uncited-reference" in stdout
