"""The layout's promises, checked so that they stay true (see ARCHITECTURE.md):

- no import cycle between modules, not even through an import inside a function;
- each package imports only what its docstring's `May import:` line names (the data flows one
  way, and the docstring cannot drift from the code);
- at most 8 modules at the top of `citecheck/`, and every package says in its docstring what
  lives there and what it may import.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "citecheck"

TOP_LEVEL_MODULES_AT_MOST = 8

TOP_LEVEL_MAY_IMPORT: dict[str, set[str]] = {
    "model": set(),
    "version": set(),
    "findings": {"model"},
    "rules": {"model", "findings"},
    "results": {"model", "findings"},
    "engine": {"model", "findings", "rules", "results", "documents", "references", "config", "checks",
               "resolve", "fix", "gate"},
    "__init__": {"findings", "results", "version", "engine"},
    "__main__": {"cli"},
}
"""The top-level modules' layer rule; each package states its own in its docstring."""


def _declared(package: str) -> set[str] | None:
    """The areas a package's docstring says it may import (`May import: a, b.`); None: everything."""
    docstring = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    match = re.search(r"May import: ([^.]*)\.", docstring)
    assert match, f"citecheck/{package}: the docstring does not say what it may import (`May import: …`)"
    if match.group(1).strip() == "everything":
        return None
    return {name.strip() for name in match.group(1).split(",")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Every citecheck module `path` imports, wherever the import statement stands."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("citecheck"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("citecheck"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                # `from citecheck.cli import interrupts` imports a module; `from x import f` the module x.
                found.add(candidate if candidate in known else base)
    return {module for module in found if module in known and module != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_module_imports_another_that_imports_it_back() -> None:
    graph = _graph()
    pairs = sorted({tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph.get(b, set())})
    assert pairs == []


def test_no_import_cycle_at_all() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_every_package_imports_only_what_its_layer_may() -> None:
    broken = []
    for module, targets in _graph().items():
        area = _area(module)
        allowed = TOP_LEVEL_MAY_IMPORT[area] if area in TOP_LEVEL_MAY_IMPORT else _declared(area)
        for target in targets:
            other = _area(target)
            if allowed is not None and other != area and other not in allowed:
                broken.append(f"{module} imports {target}")
    assert broken == []


def test_the_top_level_stays_small() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= TOP_LEVEL_MODULES_AT_MOST, modules


@pytest.mark.parametrize("package", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")))
def test_every_package_says_what_lives_there_and_what_it_may_import(package: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8")))
    assert docstring and len(docstring.split()) >= 20, f"citecheck/{package}/__init__.py: say what lives there"
    declared = _declared(package)
    known = {_area(name) for name in _modules()}
    assert declared is None or declared <= known, f"citecheck/{package}: unknown areas {declared - known}"
