"""citecheck's version: the single source that packaging (pyproject.toml), `citecheck --version`
and every report read."""

__version__ = "0.2.0.dev0"
