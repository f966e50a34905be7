"""`citecheck extract`: a document's own reference list written out as BibTeX."""

from __future__ import annotations

from pathlib import Path

import click

from citecheck.cli.common import UserError, emit
from citecheck.config.options import AuditOptions
from citecheck.documents.loading import InputError


@click.command()
@click.argument("document", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the BibTeX here (atomically) instead of stdout.")
def extract(document: Path, output: Path | None) -> None:
    """Write DOCUMENT's reference list as BibTeX, with stable readable keys."""
    # Deferred: start-up (the engine loads the parser; the writer, the LaTeX encoder).
    from citecheck.engine import read
    from citecheck.references.bibtex_write import write_bibtex

    try:
        result = read(document, AuditOptions(verify=False))
    except InputError as error:
        raise UserError(str(error)) from None
    text = write_bibtex([(r.key, r.csl) for r in result.references], et_al={r.key for r in result.references if r.et_al})
    emit(text, output, protect=(document,))


__all__ = ["extract"]
