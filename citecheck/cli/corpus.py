"""`citecheck corpus`: audit a whole literature on a Dask cluster, into Parquet and a summary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from citecheck.cli.common import UserError, split_values, stderr_notes
from citecheck.documents.loading import InputError
from citecheck.documents.readers import INPUT_FORMATS
from citecheck.gate.exit_codes import EXIT_OK


def _missing_extra() -> str:
    return "citecheck corpus needs the corpus extra: pip install 'citecheck-audit[corpus]'"


@click.command()
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", "output", metavar="OUTDIR",
              help="Where the Parquet datasets and the summary go: a directory every worker can reach "
                   "(a shared file system on a cluster) or an object-store URL.")
@click.option("--snapshot", metavar="SNAP",
              help="A snapshot file (citecheck snapshot build), or its Parquet form prepared earlier "
                   "(a directory or URL). Without it only the linking checks run.")
@click.option("--workers", type=click.IntRange(0, 512), default=None,
              help="Worker processes of the local Dask cluster started for the run (default 2; 0: no "
                   "cluster, everything in this process).")
@click.option("--scheduler", metavar="ADDRESS", help="Join a running Dask cluster (tcp://host:8786) instead.")
@click.option("--partition-size", type=click.IntRange(1, 100_000), default=25, show_default=True,
              help="Documents per partition: the unit written, and skipped by a rerun.")
@click.option("--wave", "wave_documents", type=click.IntRange(1, 100_000_000), default=None,
              help="Documents joined with the snapshot at a time (default: 500 per worker, at least 1,000; "
                   "larger: fewer passes over the snapshot, more memory).")
@click.option("--overwrite", is_flag=True, help="OUTDIR holds another run: remove its results and start over.")
@click.option("--export-snapshot", metavar="DIR",
              help="Only prepare SNAP's Parquet form in DIR (to copy to an object store for later runs).")
@click.option("--select", multiple=True, help="Rule codes, prefixes or names to report (default: all).")
@click.option("--ignore", multiple=True, help="Rule codes, prefixes or names not to report.")
@click.option("--no-verify", is_flag=True, help="Linking checks only: no snapshot join.")
@click.option("--no-default-snapshot", is_flag=True, help="Do not consult the snapshot shipped with citecheck.")
@click.option("--input-format", type=click.Choice(list(INPUT_FORMATS)), help="Reader to use instead of guessing.")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
def corpus(inputs: tuple[str, ...], output: str | None, snapshot: str | None, workers: int | None,
           scheduler: str | None, partition_size: int, wave_documents: int | None, overwrite: bool,
           export_snapshot: str | None, select: tuple[str, ...], ignore: tuple[str, ...], no_verify: bool,
           no_default_snapshot: bool, input_format: str | None, quiet: bool) -> NoReturn:
    """Audit every document of INPUTS (files, directories, globs, .tar.gz bundles, object-store
    URLs) on a Dask cluster; write findings/, references/ and documents/ as Parquet datasets
    and summary.md and summary.html to OUTDIR. A rerun of the same command skips the
    partitions already written. References are matched against the snapshot only: a corpus
    run never asks Crossref."""
    notify = stderr_notes(quiet)
    if workers is not None and scheduler:
        raise UserError("--workers starts a local cluster and --scheduler joins one: give one of them")
    try:
        from citecheck.corpus.run import CorpusOptions, export_snapshot as export, run_corpus
        from citecheck.corpus.summary import write_summary
    except ImportError:
        raise UserError(_missing_extra()) from None
    try:
        if export_snapshot:
            if not snapshot:
                raise UserError("--export-snapshot needs --snapshot SNAP, the snapshot file to prepare")
            prepared = export(Path(snapshot), export_snapshot, 2 if workers is None else workers, scheduler, notify)
            notify(f"prepared {prepared.records:,} records in {len(prepared.parts)} parts: {export_snapshot}")
            sys.exit(EXIT_OK)
        if not inputs:
            raise UserError("name the documents to audit (files, directories, globs, bundles or URLs)")
        if not output:
            raise UserError("-o OUTDIR is needed: where the datasets and the summary go")
        from citecheck.config.options import AuditOptions

        audit_options = AuditOptions(
            select=split_values(select) or ("ALL",), ignore=split_values(ignore), verify=not no_verify,
            default_snapshot=not no_default_snapshot, input_format=input_format,
        )
        if not snapshot and not no_verify:
            notify("no --snapshot: linking checks only (a corpus run never asks Crossref)")
        options = CorpusOptions(inputs=inputs, output=output, snapshot=None if no_verify else snapshot,
                                workers=2 if workers is None else workers, scheduler=scheduler,
                                partition_size=partition_size,
                                wave_documents=wave_documents, overwrite=overwrite, audit=audit_options)
        result = run_corpus(options, notify)
        written = write_summary(output, result)
    except InputError as error:
        raise UserError(str(error)) from None
    if not quiet:
        references = sum(m["references"] for m in result.markers)
        findings = sum(m["findings"] for m in result.markers)
        click.echo(f"{result.documents:,} documents in {result.partitions} partitions "
                   f"({result.skipped} finished earlier), {references:,} references, {findings:,} findings, "
                   f"{result.seconds:.1f} s on {result.workers} workers; {written}", err=True)
    sys.exit(EXIT_OK)


__all__ = ["corpus"]
