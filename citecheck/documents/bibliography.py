"""Reading a bibliography file of any kind a document may name: BibTeX/BibLaTeX, CSL-JSON or
CSL-YAML, into references and the problems found in it."""

from __future__ import annotations

import json
from pathlib import Path

from citecheck.documents.loading import InputError
from citecheck.model import Span
from citecheck.references.bibtex import Bibliography, BibProblem, read_bibtex
from citecheck.references.csljson import read_csl_json


def read_bibliography_file(path: Path) -> Bibliography:
    """A .bib, CSL-JSON or CSL-YAML file read into references and problems; a missing file is an
    input error (the run cannot say anything true about citations without it)."""
    if not path.exists():
        candidate = path.with_suffix(".bib") if not path.suffix else path
        if not candidate.exists():
            raise InputError(f"{path}: bibliography file not found")
        path = candidate
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_csl_json(path)
    if suffix in {".yaml", ".yml"}:
        return _read_csl_yaml(path)
    return read_bibtex(path)


def _read_csl_yaml(path: Path) -> Bibliography:
    """CSL-YAML (Pandoc's `references:` list) through the CSL-JSON reader."""
    try:
        import yaml  # deferred: PyYAML is needed only for CSL-YAML bibliographies
    except ImportError:
        raise InputError(f"{path}: reading CSL-YAML needs PyYAML (pip install pyyaml)") from None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problem = BibProblem("failed-block", f"not valid YAML: {str(error).splitlines()[0]}", Span(str(path), 1, 1))
        return Bibliography((), (problem,))
    items = data.get("references", []) if isinstance(data, dict) else data
    return read_csl_json(path, json.dumps(items if isinstance(items, list) else [], default=str))


__all__ = ["read_bibliography_file"]
