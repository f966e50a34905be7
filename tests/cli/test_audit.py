"""The command line: several documents at once (files, directories, globs), one report, the
worst exit code; `rules` and `rule`; `--exit-zero`. Documents are synthetic; no network."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.documents.discovery import expand_documents
from citecheck.rules import RULES
from tests.conftest import ROOT

CLEAN = "A claim [1].\n\nReferences\n\n1. Smith J. A synthetic title. J Test. 2019;1:1-2.\n"
"""Every entry cited: no finding."""
UNCITED = CLEAN + "2. Doe A. Another synthetic title. J Test. 2020;2:3-4.\n"
"""Entry 2 cited nowhere: R001, a warning."""
MISSING = ("\\documentclass{article}\n\\begin{document}\nA claim \\cite{smith2019} and \\cite{nobody2020}.\n"
           "\\bibliography{refs}\n\\end{document}\n")
"""`nobody2020` has no entry: C001, an error."""
BIB = "@article{smith2019,\n  author = {Smith, J.},\n  title = {A synthetic title},\n  year = {2019},\n}\n"
TEX_MAIN = "\\documentclass{article}\n\\begin{document}\n\\input{part}\n\\end{document}\n"
TEX_PART = "A part of the main file.\n"

TREE = {
    "a/clean.md": CLEAN,
    "a/uncited.txt": UNCITED,
    "a/b/missing.tex": MISSING,
    "a/b/refs.bib": BIB,
    "a/empty/notes.csv": UNCITED,
    "a/.hidden/uncited.md": UNCITED,
    "a/.dotfile.md": UNCITED,
    "a/notes.csv": UNCITED,
    "a/venv/pyvenv.cfg": "",
    "a/venv/lib/x.txt": UNCITED,
    "tex/main.tex": TEX_MAIN,
    "tex/part.tex": TEX_PART,
}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in TREE.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        # Files of a directory before its subdirectories, each level sorted (as `ls -R`).
        pytest.param(["a"], ["a/clean.md", "a/uncited.txt", "a/b/missing.tex"], id="directory-recursive"),
        pytest.param(["a/*.md"], ["a/clean.md"], id="glob"),
        pytest.param(["a/**/*.tex"], ["a/b/missing.tex"], id="recursive-glob"),
        pytest.param(["a/notes.csv"], ["a/notes.csv"], id="named-file-any-suffix"),
        pytest.param(["a/clean.md", "a", "./a/clean.md"], ["a/clean.md", "a/uncited.txt", "a/b/missing.tex"],
                     id="each-file-once"),
        pytest.param(["tex"], ["tex/main.tex"], id="latex-fragments-skipped"),
        pytest.param(["nothing.md"], ["nothing.md"], id="missing-file-left-to-the-reader"),
    ],
)
def test_expand_documents(tree: Path, arguments: list[str], expected: list[str]) -> None:
    assert [p.as_posix() for p in expand_documents(tuple(arguments))] == expected


@pytest.mark.parametrize(
    ("arguments", "code", "paths"),
    [
        pytest.param(["a/clean.md"], 0, [], id="clean"),
        pytest.param(["a/clean.md", "a/uncited.txt"], 1, ["a/uncited.txt"], id="warning"),
        pytest.param(["a"], 1, ["a/b/missing.tex", "a/uncited.txt"], id="directory-worst-of-all"),
        pytest.param(["--fail-on", "error", "a/clean.md", "a/uncited.txt"], 0, ["a/uncited.txt"],
                     id="below-fail-on"),
        pytest.param(["--fail-on", "error", "a"], 1, ["a/b/missing.tex", "a/uncited.txt"], id="error-in-one"),
        pytest.param(["--exit-zero", "a"], 0, ["a/b/missing.tex", "a/uncited.txt"], id="exit-zero"),
    ],
)
def test_several_documents_one_report(tree: Path, arguments: list[str], code: int, paths: list[str]) -> None:
    exit_code, stdout, stderr = _run("audit", "--no-verify", "--isolated", "--format", "json", *arguments)
    assert exit_code == code, stderr
    report = json.loads(stdout)
    assert sorted({f["path"] for f in report["findings"]}) == paths


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["a/*.docx"], "a/*.docx: no file matches", id="glob-without-match"),
        pytest.param(["a/empty"], "no documents in this directory", id="no-documents-in-directory"),
        pytest.param(["a/nothing.md"], "a/nothing.md", id="missing-file"),
        pytest.param(["--select", "R0001", "a"], "did you mean 'R001'?", id="unknown-select"),
        pytest.param(["--format", "xml", "a"], "unknown format 'xml'", id="unknown-format"),
    ],
)
def test_usage_errors_exit_2(tree: Path, arguments: list[str], message: str) -> None:
    exit_code, stdout, stderr = _run("audit", "--no-verify", "--isolated", *arguments)
    assert exit_code == 2
    assert message in stderr and stdout == ""


def test_rules_lists_every_rule() -> None:
    exit_code, stdout, _ = _run("rules")
    assert exit_code == 0
    assert [line.split()[0] for line in stdout.splitlines()] == [r.code for r in RULES]


@pytest.mark.parametrize(
    ("name", "needles"),
    [
        pytest.param("X001", ["X001 unused-suppression (warning)", "Why it matters:", "Fixable: no"], id="code"),
        pytest.param("unused-suppression", ["X001 unused-suppression"], id="name"),
        pytest.param("D003", ["Fixable: yes, safe"], id="safe-fix"),
    ],
)
def test_rule_explains(name: str, needles: list[str]) -> None:
    exit_code, stdout, _ = _run("rule", name)
    assert exit_code == 0
    for needle in needles:
        assert needle in stdout


def test_baseline_then_audit_several_documents(tree: Path) -> None:
    exit_code, _, stderr = _run("baseline", "--no-verify", "--isolated", "a", "-o", "b.json")
    assert exit_code == 0 and "recorded 2 findings in b.json" in stderr
    exit_code, stdout, stderr = _run("audit", "--no-verify", "--isolated", "--baseline", "b.json", "a")
    assert exit_code == 0 and stdout == "", stderr


@pytest.mark.parametrize("command", [pytest.param("audit", id="audit"), pytest.param("baseline", id="baseline")])
def test_every_option_is_in_the_readme(command: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    options = [o for p in main.commands[command].params for o in p.opts if o.startswith("--")]
    assert options, command
    # Inside a code span, alone or with its short form and argument (`-o, --output FILE`).
    assert [o for o in options if not re.search(rf"`[^`\n]*{re.escape(o)}(?![\w-])[^`\n]*`", readme)] == []


def _audit_flags() -> set[str]:
    return {o for p in main.commands["audit"].params for o in p.opts}


def test_pre_commit_hooks_run_citecheck_audit() -> None:
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["citecheck", "citecheck-verify"]
    for hook in hooks:
        words = hook["entry"].split()
        assert words[:2] == ["citecheck", "audit"] and hook["language"] == "python"
        assert set(w for w in words[2:] if w.startswith("-")) <= _audit_flags()


def test_action_writes_and_uploads_sarif() -> None:
    yaml = pytest.importorskip("yaml")
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    audit_step = next(s for s in steps if s.get("id") == "audit")
    assert 'citecheck audit --format sarif -o "$CITECHECK_SARIF"' in audit_step["run"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert action["inputs"]["sarif-file"]["default"] == "citecheck.sarif"
    # Every flag the action passes exists.
    flags = {w for s in steps for w in str(s.get("run", "")).split() if w.startswith("--")}
    assert flags <= _audit_flags()
