"""Configuration files: `[tool.citecheck]` in `pyproject.toml`, or top-level keys in `citecheck.toml`.

The file is found by walking up from the first document's directory; in each directory
`citecheck.toml` is preferred to `pyproject.toml`, and a `pyproject.toml` without a
`[tool.citecheck]` table is passed over (as ruff does with `[tool.ruff]`). `--config FILE` names
one; `--isolated` reads none.

Every key is checked: an unknown key, a value of the wrong type or a rule selector that matches
no rule is an error that names the key and, where one is close, the valid spelling
(`fail_on` → "did you mean 'fail-on'?"). Errors are data (`ConfigFile.error`), never
exceptions: the CLI turns them into exit code 2.

Keys (kebab-case, as on the command line): `select`, `extend-select`, `ignore`,
`per-file-ignores`, `fail-on`, `format`, `mailto`, `cache-dir`, `snapshots`, `jobs`, `style`,
`protect`, `sources`. Relative paths (`cache-dir`, `snapshots`) and `per-file-ignores` globs are relative to
the file's directory. The command line wins over the file: `merge_options` leaves alone every
option the user gave as a flag.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from citecheck.config.options import AuditOptions
from citecheck.findings import Severity
from citecheck.report import formats
from citecheck.rules import RULES, matching_rules

CONFIG_FILE = "citecheck.toml"
"""The dedicated configuration file (top-level keys)."""
PYPROJECT = "pyproject.toml"
"""The Python project file (keys under `[tool.citecheck]`)."""

FAIL_ON_VALUES = ("error", "warning", "info", "never")
"""Values of `fail-on`, as for `--fail-on`."""
STYLES = ("numeric", "author-year", "key")
"""Values of `style`: how the documents' citations point at their entries."""
PROTECTABLE = {
    "doi": "DOI", "title": "title", "author": "author", "editor": "editor",
    "container-title": "container-title", "journal": "container-title", "issued": "issued",
    "year": "issued", "volume": "volume", "issue": "issue", "number": "issue", "page": "page",
    "pages": "page", "publisher": "publisher", "url": "URL",
}
"""Field names `protect` accepts (CSL and the BibTeX spellings) → the CSL field they protect."""


class _Invalid(Exception):
    """A bad value; its message names the key. Internal: it never leaves this module."""


@dataclass(frozen=True)
class ConfigFile:
    """A configuration file read and checked (or nothing found, or what was wrong with it)."""

    path: Path | None = None
    """The file the values come from; None when no file applies."""
    values: dict[str, Any] = field(default_factory=dict)
    """Checked values by key (kebab-case), converted: tuples of selectors, Paths, Severity…"""
    error: str | None = None
    """One line saying what is wrong with the file (None: the file is fine)."""

    @property
    def directory(self) -> Path | None:
        """The directory relative paths and globs in the file are relative to."""
        return self.path.parent if self.path is not None else None


def _rule_selectors(key: str, value: Any) -> tuple[str, ...]:
    """A list of codes, prefixes or names (or one comma-separated string), each matching a rule."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"{key!r} must be a list of rule codes, prefixes or names")
    selectors = tuple(v.strip() for v in value if v.strip())
    for selector in selectors:
        if not matching_rules(selector):
            # A mistyped code (`R01`) is nearest a code, a mistyped name nearest a name.
            near = (difflib.get_close_matches(selector.upper(), [r.code for r in RULES], n=1)
                    or difflib.get_close_matches(selector.lower(), [r.name for r in RULES], n=1))
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise _Invalid(f"{key!r}: no rule matches {selector!r}{hint}")
    return selectors


def _choice(key: str, value: Any, choices: Collection[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        near = difflib.get_close_matches(str(value), list(choices), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise _Invalid(f"{key!r} must be one of {', '.join(choices)}, not {value!r}{hint}")
    return value


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{key!r} must be a non-empty string")
    return value.strip()


def _paths(key: str, value: Any, base: Path) -> tuple[Path, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Invalid(f"{key!r} must be a list of file paths")
    return tuple(base / Path(v).expanduser() for v in value)


def _path(key: str, value: Any, base: Path) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{key!r} must be a path")
    return base / Path(value).expanduser()


def _jobs(key: str, value: Any) -> int:
    # bool is an int in Python; `jobs = true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 16:
        raise _Invalid(f"{key!r} must be a whole number from 0 to 16, not {value!r}")
    return value


def _per_file_ignores(key: str, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise _Invalid(f"{key!r} must be a table of glob = [rule codes]")
    return tuple((str(glob), _rule_selectors(f"{key}.{glob}", codes)) for glob, codes in value.items())


def _protect(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"{key!r} must be a list of field names")
    fields: list[str] = []
    for name in (v.strip() for v in value if v.strip()):
        if name.lower() not in PROTECTABLE:
            near = difflib.get_close_matches(name.lower(), list(PROTECTABLE), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise _Invalid(f"{key!r}: unknown field {name!r}{hint}")
        if PROTECTABLE[name.lower()] not in fields:
            fields.append(PROTECTABLE[name.lower()])
    return tuple(fields)


def _sources(key: str, value: Any) -> tuple[str, ...]:
    from citecheck.config.options import SOURCES

    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"{key!r} must be a list of source names ({', '.join(SOURCES)})")
    names = tuple(dict.fromkeys(v.strip().lower() for v in value if v.strip()))
    if not names:
        raise _Invalid(f"{key!r} must name at least one of {', '.join(SOURCES)}")
    for name in names:
        _choice(key, name, SOURCES)
    return names


def _format(key: str, value: Any) -> str:
    return _choice(key, value, sorted(formats()))


_CHECKS: dict[str, Callable[[str, Any, Path], Any]] = {
    "select": lambda k, v, b: _rule_selectors(k, v),
    "extend-select": lambda k, v, b: _rule_selectors(k, v),
    "ignore": lambda k, v, b: _rule_selectors(k, v),
    "per-file-ignores": lambda k, v, b: _per_file_ignores(k, v),
    "fail-on": lambda k, v, b: _choice(k, v, FAIL_ON_VALUES),
    "format": lambda k, v, b: _format(k, v),
    "mailto": lambda k, v, b: _string(k, v),
    "cache-dir": _path,
    "snapshots": lambda k, v, b: _paths(k, v, b),
    "jobs": lambda k, v, b: _jobs(k, v),
    "style": lambda k, v, b: _choice(k, v, STYLES),
    "protect": lambda k, v, b: _protect(k, v),
    "sources": lambda k, v, b: _sources(k, v),
}
KEYS: tuple[str, ...] = tuple(_CHECKS)
"""Every key a configuration file may hold."""


def _unknown_key(key: str) -> str:
    """The message for a key citecheck does not know, with the nearest valid spelling."""
    candidate = key.replace("_", "-").lower()
    near = [candidate] if candidate in _CHECKS else difflib.get_close_matches(candidate, KEYS, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else f" (valid keys: {', '.join(KEYS)})"
    return f"unknown key {key!r}{hint}"


def check_values(table: dict[str, Any], base: Path) -> tuple[dict[str, Any], str | None]:
    """Checked, converted values of a table of settings, or the first problem found."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _CHECKS:
            return {}, _unknown_key(key)
        try:
            values[key] = _CHECKS[key](key, value, base)
        except _Invalid as problem:
            return {}, str(problem)
    return values, None


def load_config(path: Path) -> ConfigFile:
    """Read and check one configuration file; what is wrong comes back in `error`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        return ConfigFile(path, error=f"{path}: cannot read: {error.strerror or error}")
    except UnicodeDecodeError:
        return ConfigFile(path, error=f"{path}: not UTF-8 text")
    except tomllib.TOMLDecodeError as error:
        return ConfigFile(path, error=f"{path}: invalid TOML: {error}")
    where = path.name
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get("citecheck", {})
        where = f"{path.name} [tool.citecheck]"
        if not isinstance(table, dict):
            return ConfigFile(path, error=f"{path}: [tool.citecheck] must be a table")
    else:
        table = data
    values, problem = check_values(table, path.parent)
    if problem is not None:
        return ConfigFile(path, error=f"{path} ({where}): {problem}")
    return ConfigFile(path, values)


def _has_citecheck_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml that is not ours is not our business: keep walking.
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "citecheck" in tool


def find_config(start: Path) -> Path | None:
    """The configuration file that applies to documents in `start` (a directory), or None."""
    directory = start.resolve()
    for folder in (directory, *directory.parents):
        dedicated = folder / CONFIG_FILE
        if dedicated.is_file():
            return dedicated
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_citecheck_table(pyproject):
            return pyproject
    return None


def discover(start: Path) -> ConfigFile:
    """Find and load the configuration for documents in `start`; an empty one when none applies."""
    path = find_config(start)
    return load_config(path) if path is not None else ConfigFile()


def merge_options(options: AuditOptions, config: ConfigFile, given: Collection[str]) -> AuditOptions:
    """`options` with the file's values filled in, except those in `given`.

    `given` names the options the user set on the command line (or through the environment):
    `select`, `ignore`, `fail_on`, `mailto`, `cache_dir`, `snapshots`, `jobs`, `source_names`
    (`--sources`). The file's
    `extend-select` adds to its own `select` (or to the default, every rule) unless `--select`
    was given, which replaces both. `format` is not an audit option: the CLI reads it from
    `config.values`.
    """
    values = config.values
    changes: dict[str, Any] = {}
    if "select" not in given:
        select = values.get("select", options.select)
        changes["select"] = tuple(select) + tuple(values.get("extend-select", ()))
    if "ignore" not in given and "ignore" in values:
        changes["ignore"] = values["ignore"]
    if "fail_on" not in given and "fail-on" in values:
        changes["fail_on"] = None if values["fail-on"] == "never" else Severity.parse(values["fail-on"])
    for key, name in (("mailto", "mailto"), ("cache-dir", "cache_dir"), ("jobs", "jobs")):
        if name not in given and key in values:
            changes[name] = values[key]
    if "snapshots" not in given and "snapshots" in values:
        changes["snapshots"] = values["snapshots"]
    if "source_names" not in given and "sources" in values:
        changes["sources"] = values["sources"]
    if "per-file-ignores" in values:
        changes["per_file_ignores"] = values["per-file-ignores"]
        changes["config_dir"] = config.directory
    if "style" in values:
        changes["style"] = values["style"]
    if "protect" in values:
        changes["protect"] = values["protect"]
    return replace(options, **changes)


__all__ = ["CONFIG_FILE", "KEYS", "PYPROJECT", "ConfigFile", "check_values", "discover", "find_config",
           "load_config", "merge_options"]
