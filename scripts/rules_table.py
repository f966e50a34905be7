"""Write README.md's table of rules from `citecheck.rules.RULES`, so the two never disagree.

Run from anywhere: `python -m scripts.rules_table` rewrites the table between
`<!-- rules-table:start -->` and `<!-- rules-table:end -->`; `--check` only says whether it is
current (exit 1 when not). `tests/test_rules.py` runs the check.
"""

from __future__ import annotations

import sys
from pathlib import Path

from citecheck.rules import RULES, Rule

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"
FAMILIES = "CRDMUSX"
"""Family order in the table: as the README introduces them (citations first, citecheck last)."""


def _cell(text: str) -> str:
    # A `|` would end the cell, a newline the row; `<digits>` would be taken for an HTML tag
    # (outside code spans, which keep their text as written).
    parts = " ".join(text.split()).replace("|", "\\|").split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;").replace(">", "&gt;") for i, p in enumerate(parts))


def _order(item: Rule) -> tuple[int, str]:
    family = FAMILIES.find(item.code[0])
    return (family if family >= 0 else len(FAMILIES), item.code)


def rules_table() -> str:
    """The Markdown table: code, name, default severity, fix, what it reports."""
    lines = ["| code | name | severity | fix | what it reports |", "| --- | --- | --- | --- | --- |"]
    for item in sorted(RULES, key=_order):
        lines.append(f"| `{item.code}` | `{item.name}` | {item.severity.label} | {item.fix or '-'} | "
                     f"{_cell(item.summary)} |")
    return "\n".join(lines)


def with_table(readme: str) -> str:
    """README text with the table between the markers replaced; ValueError without the markers."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README.md lacks the markers {START} … {END}")
    return readme[: start + len(START)] + "\n" + rules_table() + "\n" + readme[end:]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the table (or, with `--check`, exit 1 when it is out of date)."""
    args = sys.argv[1:] if argv is None else argv
    text = README.read_text(encoding="utf-8")
    try:
        updated = with_table(text)
    except ValueError as error:
        print(f"rules_table: {error}", file=sys.stderr)
        return 2
    if updated == text:
        return 0
    if "--check" in args:
        print("rules_table: README.md's rules table is out of date; run `python -m scripts.rules_table`",
              file=sys.stderr)
        return 1
    README.write_text(updated, encoding="utf-8")
    print("rules_table: wrote README.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
