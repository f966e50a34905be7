"""Every rule is documented, listed in README.md, and produced by at least one test case.

"Produced" is checked by reading the tests, not by running them: a rule counts when its code or
name appears in a string inside an `assert` or a `pytest.param(...)` of a test module (outside
the reporter tests and fixtures, which build findings by hand to render them), or in a golden
case's `expected.json`. A rule nobody produces makes the test fail; rules whose feature is still
being built are listed in PENDING, printed by the test, never skipped silently.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator

import pytest

from citecheck.rules import RULES, Rule, matching_rules, rule
from scripts.rules_table import README, rules_table, with_table
from tests.conftest import ROOT

TESTS = ROOT / "tests"

# Rules whose check another engineer is still building: their tests arrive with the feature.
# Add a code here only for such a feature, and remove it as soon as a test produces it;
# `test_pending_is_still_pending` fails when one is left here after that. (C003-C006, the
# author-year rules, were pending until tests/checks/test_authoryear.py arrived.)
PENDING: set[str] = set()

# Where findings are built by hand to be rendered, not produced by a check.
_NOT_PRODUCING = ("report", "conftest.py", "test_rules.py")


@pytest.mark.parametrize("item", [pytest.param(r, id=r.code) for r in RULES])
def test_rule_is_documented(item: Rule) -> None:
    assert re.fullmatch(r"[A-Z]\d{3}", item.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", item.name)
    assert item.summary.strip() and item.why.strip() and item.example.strip()
    assert item.summary != item.why, "why must say more than what"
    assert item.fix in ("", "safe", "unsafe")


@pytest.mark.parametrize(
    "attribute", [pytest.param("code", id="codes"), pytest.param("name", id="names")]
)
def test_rule_identifiers_are_unique(attribute: str) -> None:
    values = [getattr(r, attribute) for r in RULES]
    assert sorted(v for v in set(values) if values.count(v) > 1) == []


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param("X001", ["X001"], id="code"),
        pytest.param("unused-suppression", ["X001"], id="name"),
        pytest.param("x", ["X001"], id="family-prefix-lower-case"),
        pytest.param("Z", [], id="no-such-family"),
    ],
)
def test_matching_rules(selector: str, expected: list[str]) -> None:
    found = [r.code for r in matching_rules(selector)]
    assert [c for c in found if c.startswith("X")] == expected


def test_readme_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, "run `python -m scripts.rules_table`"


@pytest.mark.parametrize("item", [pytest.param(r, id=r.code) for r in RULES])
def test_rule_in_readme_table(item: Rule) -> None:
    assert f"| `{item.code}` | `{item.name}` | {item.severity.label} |" in rules_table()
    assert f"| `{item.code}` | `{item.name}` |" in README.read_text(encoding="utf-8")


def _rule_arguments(tree: ast.AST) -> set[int]:
    """ids of the string constants that are `rule(...)`'s argument."""
    return {id(arg) for call in ast.walk(tree) if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id == "rule" for arg in call.args}


def expectation_strings() -> list[str]:
    """Every string in an expectation context of the test suite (see the module docstring)."""
    found: list[str] = []
    for path in sorted(TESTS.rglob("*.py")):
        if any(part in _NOT_PRODUCING for part in path.relative_to(TESTS).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        building = _rule_arguments(tree)
        for node in ast.walk(tree):
            is_param = (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "param")
            if isinstance(node, ast.Assert) or is_param:
                found.extend(c.value for c in ast.walk(node) if isinstance(c, ast.Constant)
                             and isinstance(c.value, str) and id(c) not in building)
    for path in sorted((TESTS / "cases").rglob("expected*.json")):
        found.extend(_json_strings(json.loads(path.read_text(encoding="utf-8"))))
    return found


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def produced_codes() -> set[str]:
    """Codes of the rules some test expects to be produced."""
    text = "\n".join(expectation_strings())
    return {r.code for r in RULES
            if re.search(rf"\b{r.code}\b", text) or re.search(rf"(?<![\w-]){re.escape(r.name)}(?![\w-])", text)}


def test_every_rule_is_produced_by_a_test() -> None:
    produced = produced_codes()
    pending = sorted(PENDING - produced)
    if pending:
        print(f"rules pending a producing test (feature in progress): {', '.join(pending)}")
    missing = sorted(r.code for r in RULES if r.code not in produced and r.code not in PENDING)
    assert missing == [], f"no test produces {', '.join(f'{c} {rule(c).name}' for c in missing)}"


def test_pending_is_still_pending() -> None:
    assert sorted(PENDING & produced_codes()) == [], "a test produces these now: remove them from PENDING"
    assert sorted(PENDING - {r.code for r in RULES}) == [], "PENDING names rules that do not exist"
