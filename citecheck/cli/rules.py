"""`citecheck rules` lists every rule; `citecheck rule CODE` explains one."""

from __future__ import annotations

import click

from citecheck.cli.common import UserError
from citecheck.rules import RULES, rule


@click.command(name="rules")
def list_rules() -> None:
    """List every rule: code, name, default severity, fixable."""
    for item in RULES:
        click.echo(f"{item.code}  {item.name:<26} {item.severity.label:<8} {item.fix or '-':<7} {item.summary}")


@click.command(name="rule")
@click.argument("code_or_name")
def explain_rule(code_or_name: str) -> None:
    """Explain one rule: what it does, why it matters, an example, whether its fix is safe."""
    try:
        item = rule(code_or_name)
    except KeyError:
        raise UserError(f"no rule {code_or_name!r} (see `citecheck rules`)") from None
    fix = {"safe": "yes, safe", "unsafe": "yes, unsafe (applied with --unsafe-fixes)"}.get(item.fix, "no")
    click.echo(
        f"{item.code} {item.name} ({item.severity.label})\n\n{item.summary}\n\n"
        f"Why it matters: {item.why}\n\nExample: {item.example}\n\nFixable: {fix}"
    )


__all__ = ["explain_rule", "list_rules"]
