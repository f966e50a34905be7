"""`citecheck snapshot …`: local snapshots of Crossref records for offline, fast verification."""

from __future__ import annotations

from pathlib import Path

import click

from citecheck.cli.common import UserError


@click.group()
def snapshot() -> None:
    """Local snapshots of Crossref records, for offline and fast verification."""


@snapshot.command(name="build")
@click.argument("records", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The snapshot file to write.")
def snapshot_build(records: tuple[Path, ...], output: Path) -> None:
    """Build a snapshot from JSON Lines (gzip or not) of Crossref work records."""
    from citecheck.sources.snapshot import build_snapshot  # deferred: start-up

    for path in records:
        if not path.is_file():
            raise UserError(f"{path}: no such file")
    try:
        count = build_snapshot(records, output)
    except (OSError, ValueError) as error:
        raise UserError(f"{output}: {error}") from None
    click.echo(f"citecheck: wrote {count} records to {output}", err=True)


__all__ = ["snapshot"]
