"""`citecheck parse`: a reference string (or a file of them) into CSL-JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from citecheck.cli.common import UserError
from citecheck.documents.loading import InputError, load_document


@click.command()
@click.argument("text", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path), help="Parse every line of FILE (one reference per line).")
def parse(text: str | None, file: Path | None) -> None:
    """Parse a reference string into CSL-JSON (one JSON object per reference)."""
    from citecheck.references.parser import parse_reference  # deferred: start-up (loads the CRF model)

    if (text is None) == (file is None):
        raise UserError("give a reference string or --file FILE (one of them)")
    if text is not None:
        lines = [text]
    else:
        assert file is not None
        try:
            lines = [line for line in load_document(file).text.splitlines() if line.strip()]
        except InputError as error:
            raise UserError(str(error)) from None
    indent = 2 if text is not None else None
    for line in lines:
        result = parse_reference(line)
        item = dict(result.csl)
        if not result.ok:
            item["citecheck-problems"] = list(result.problems) or ["could not be parsed"]
        click.echo(json.dumps(item, ensure_ascii=False, indent=indent))


__all__ = ["parse"]
