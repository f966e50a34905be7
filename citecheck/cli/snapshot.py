"""`citecheck snapshot build | update | info | export`: local snapshots of Crossref, by command line."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from citecheck.cli.common import UserError
from citecheck.cli.interrupts import Interrupted

if TYPE_CHECKING:
    from citecheck.sources.snapshot import BuildStatus

MAX_REPORTED = 20
"""Skipped records reported one by one per run; the rest are counted."""


def _as_date(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{flag}: expected a date as YYYY-MM-DD, got {text!r}") from None


class _Reporter:
    """Skipped records and unreadable files on stderr: every file problem, the first records."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.records = 0
        self.clear = "\r\033[K" if sys.stderr.isatty() else ""  # over a progress line

    def __call__(self, name: str, position: int, reason: str) -> None:
        if position == 0:  # the reason names the file and where it broke off
            click.echo(f"{self.clear}citecheck: {reason}; the rest of the file skipped", err=True)
            return
        self.records += 1
        if not self.quiet and self.records <= MAX_REPORTED:
            click.echo(f"{self.clear}citecheck: {name}:{position}: skipped: {reason}", err=True)


class _BuildProgress:
    """Records, rate, files and ETA on stderr: one line rewritten on a terminal, a line every
    ten seconds otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = time.monotonic()  # a build that takes seconds shows no progress lines in a log

    def __call__(self, status: BuildStatus) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        final = status.phase == "done"
        if final:
            if self.tty:
                click.echo("\r\033[K", err=True, nl=False)  # the summary line follows
            return
        if not self.tty and now - self.last < 10:
            return
        self.last = now
        if status.phase not in ("reading", "done"):
            line = f"finishing: {status.phase} ({status.records:,} records)"
        else:
            eta = status.eta_seconds
            left = "" if eta is None or final else f", about {_duration(eta)} left"
            line = (f"{status.records:,} records ({status.rate:,.0f}/s), "
                    f"{status.inputs_done:,}/{status.inputs_total:,} files{left}")
        click.echo(f"\r\033[Kbuilding: {line}" if self.tty else f"building: {line}", err=True, nl=not self.tty)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@click.group(name="snapshot")
def snapshot() -> None:
    """Local snapshots of Crossref (up to the whole public data file), for offline and fast verification."""


@snapshot.command(name="build")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The snapshot file to write.")
@click.option("--complete-as-of", "as_of", metavar="DATE",
              help="The inputs are the whole public data file (or Metadata Plus snapshot) of DATE (YYYY-MM-DD): "
                   "a reference absent from the snapshot is then reported as not in Crossref as of DATE.")
@click.option("--description", default="", help="What the inputs are, for `snapshot info` (default: a generic line).")
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="Reader processes (default: one per core; 0 reads in this process).")
@click.option("-q", "--quiet", is_flag=True, help="No progress, no skipped-record lines.")
def build(inputs: tuple[Path, ...], output: Path, as_of: str | None, description: str, workers: int | None,
          quiet: bool) -> None:
    """Build a snapshot from Crossref's public data file: its directory, files or tar (both the
    2024 `{"items": [...]}` and the 2025 JSON Lines files, gzipped or not), or JSON Lines of works.

    Interrupted, it resumes when run again with the same inputs."""
    from citecheck.sources.snapshot import Coverage, SnapshotError, build_snapshot  # deferred: start-up
    from citecheck.sources.snapshot.build import partial_paths  # deferred: start-up

    day = _as_date(as_of, "--complete-as-of")
    coverage = (Coverage(complete=True, as_of=day.isoformat(), description=description or f"Crossref as of {day}")
                if day else Coverage(complete=False, description=description or "a partial set of Crossref records"))
    reporter = _Reporter(quiet)
    try:
        result = build_snapshot(list(inputs), output, report=reporter, coverage=coverage, description=description,
                                workers=workers, progress=_BuildProgress(quiet))
    except SnapshotError as error:
        raise UserError(str(error)) from None
    except (KeyboardInterrupt, Interrupted):
        if partial_paths(output)[0].exists():
            click.echo(f"citecheck: the finished input files are kept in {partial_paths(output)[0]}; "
                       "run the same command again to resume", err=True)
        raise
    except OSError as error:
        raise UserError(f"{output}: {error}") from None
    if reporter.records > MAX_REPORTED:
        click.echo(f"citecheck: {reporter.records} records skipped in all", err=True)
    resumed = f", {result.resumed} of {result.inputs} files from the interrupted run" if result.resumed else ""
    click.echo(f"citecheck: wrote {result.records} records to {output} in {_duration(result.seconds)}{resumed}", err=True)


@snapshot.command(name="update")
@click.argument("snapshot_file", metavar="SNAPSHOT", type=click.Path(path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", metavar="DATE",
              help="The snapshot holds Crossref as of DATE (YYYY-MM-DD) once these changes are in.")
@click.option("-q", "--quiet", is_flag=True, help="No skipped-record lines.")
def update(snapshot_file: Path, inputs: tuple[Path, ...], as_of: str | None, quiet: bool) -> None:
    """Apply newer records to SNAPSHOT: a newer data file, or JSON Lines of the works changed
    since. A record whose DOI the snapshot holds replaces the old one; files already applied
    are skipped."""
    from citecheck.sources.snapshot import SnapshotError, update_snapshot  # deferred: start-up

    day = _as_date(as_of, "--as-of")
    reporter = _Reporter(quiet)
    try:
        result = update_snapshot(snapshot_file, list(inputs), report=reporter, as_of=day)
    except SnapshotError as error:
        raise UserError(str(error)) from None
    skipped = f"; {result.skipped} file(s) already applied" if result.skipped else ""
    click.echo(f"citecheck: {result.replaced} records replaced, {result.added} added, {result.bad_records} skipped "
               f"from {result.applied} file(s){skipped}; {snapshot_file} holds {result.records} records", err=True)


def snapshot_facts(path: Path) -> dict[str, Any]:
    """What `snapshot info` shows, as a dict (the JSON form)."""
    from citecheck.sources.snapshot import SnapshotSource  # deferred: start-up

    source = SnapshotSource(path)
    try:
        meta = source.meta
        size = path.stat().st_size
        return {
            "path": str(path),
            "records": source.size,
            "complete": source.coverage.complete,
            "as_of": source.coverage.as_of or None,
            "coverage": source.coverage.description,
            "built": meta.get("built"),
            "built_from": meta.get("built_from"),
            "updated": meta.get("updated"),
            "bytes": size,
            "bytes_per_record": round(size / source.size, 1) if source.size else None,
            "format": f"{meta.get('format')} version {meta.get('version')}",
            "blocking_keys_version": meta.get("blocking_version"),
        }
    finally:
        source.close()


@snapshot.command(name="info")
@click.argument("snapshot_file", metavar="SNAPSHOT", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def info(snapshot_file: Path, output_format: str) -> None:
    """Show what SNAPSHOT holds: records, coverage, when and from what it was built, size, format."""
    from citecheck.sources.snapshot import SnapshotError  # deferred: start-up

    try:
        facts = snapshot_facts(snapshot_file)
    except SnapshotError as error:
        raise UserError(str(error)) from None
    if output_format == "json":
        click.echo(json.dumps(facts, indent=2))
        return
    coverage = (f"complete: {facts['coverage']} (absence means not in Crossref as of {facts['as_of']})"
                if facts["complete"] else f"partial: {facts['coverage']} (absence proves nothing)")
    lines = [
        f"snapshot:  {facts['path']}",
        f"records:   {facts['records']:,}",
        f"coverage:  {coverage}",
        f"built:     {facts['built'] or 'unknown'} from {facts['built_from'] or 'unknown inputs'}",
    ]
    if facts["updated"]:
        lines.append(f"updated:   {facts['updated']}")
    per_record = f" ({facts['bytes_per_record']:,} bytes per record)" if facts["bytes_per_record"] else ""
    lines += [f"size:      {facts['bytes'] / 2**20:,.1f} MiB{per_record}",
              f"format:    {facts['format']}, blocking keys version {facts['blocking_keys_version']}"]
    click.echo("\n".join(lines))


@snapshot.command(name="export")
@click.argument("snapshot_file", metavar="SNAPSHOT", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The directory to write.")
def export(snapshot_file: Path, output: Path) -> None:
    """Export SNAPSHOT's records and blocking keys as Parquet (for `citecheck corpus` and other
    joins at scale; needs pyarrow: pip install 'citecheck[parquet]')."""
    from citecheck.sources.snapshot import SnapshotError  # deferred: start-up
    from citecheck.sources.snapshot.export import ExportUnavailable, export_parquet  # deferred: start-up

    try:
        counts = export_parquet(snapshot_file, output)
    except (SnapshotError, ExportUnavailable) as error:
        raise UserError(str(error)) from None
    click.echo(f"citecheck: wrote {counts[0]} records and {counts[1]} keys to {output}", err=True)


__all__ = ["snapshot"]
