"""The options `audit` and `baseline` share, and turning them into `AuditOptions`.

Precedence: the command line (and environment) over the configuration file over the defaults.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from citecheck.cli.common import UserError, split_values
from citecheck.config.file import ConfigFile, discover, load_config, merge_options
from citecheck.config.options import DEFAULT_CROSSREF_URL, SOURCES, AuditOptions
from citecheck.documents.discovery import expand_documents
from citecheck.documents.loading import InputError
from citecheck.documents.readers import INPUT_FORMATS
from citecheck.findings import Severity
from citecheck.rules import RULES, matching_rules

FAIL_ON_CHOICES = ("error", "warning", "info", "never")
"""What `--fail-on` accepts."""

_AUDIT_OPTIONS = (
    click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="warning", show_default=True,
                 help="Lowest severity that makes the exit code 1."),
    click.option("--select", multiple=True, help="Rules to report: codes, prefixes or names, comma-separated."),
    click.option("--ignore", multiple=True, help="Rules never to report: codes, prefixes or names, comma-separated."),
    click.option("--no-verify", is_flag=True, help="Linking checks only: do not resolve references at all."),
    click.option("--offline", is_flag=True, help="Do not ask any registry; use the cache and snapshots only."),
    click.option("--sources", "source_names", metavar="LIST",
                 help="Registries to ask, in order, comma-separated: crossref, pubmed, datacite "
                      "(default: all three, in that order)."),
    click.option("--snapshot", "snapshots", multiple=True, type=click.Path(path_type=Path),
                 help="A snapshot built with `citecheck snapshot build` (repeatable)."),
    click.option("--no-default-snapshot", is_flag=True, help="Do not consult the small snapshot shipped with citecheck."),
    click.option("--cache-dir", type=click.Path(path_type=Path), help="Where to keep the answer cache."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the answer cache."),
    click.option("--refresh", is_flag=True, help="Ignore cached answers (new answers are still stored)."),
    click.option("--crossref-url", envvar="CITECHECK_CROSSREF_URL", default=DEFAULT_CROSSREF_URL, show_default=True,
                 help="Crossref API base URL, e.g. a mirror or a test server [env: CITECHECK_CROSSREF_URL]."),
    click.option("--pubmed-url", envvar="CITECHECK_PUBMED_URL",
                 help="An NCBI mirror or test server: E-utilities under URL/entrez/eutils/, the PMC ID "
                      "converter under URL/pmc/utils/idconv/v1.0/ [env: CITECHECK_PUBMED_URL]."),
    click.option("--datacite-url", envvar="CITECHECK_DATACITE_URL",
                 help="A DataCite API mirror or test server (default https://api.datacite.org) "
                      "[env: CITECHECK_DATACITE_URL]."),
    click.option("--doi-url", envvar="CITECHECK_DOI_URL",
                 help="Where DOI registration agencies are looked up (URL/ra/PREFIX; default https://doi.org) "
                      "[env: CITECHECK_DOI_URL]."),
    click.option("--mailto", envvar="CITECHECK_MAILTO",
                 help="Your e-mail, for Crossref's polite pool, NCBI and DataCite [env: CITECHECK_MAILTO]."),
    click.option("--jobs", type=click.IntRange(0, 16), default=0, help="Parallel requests (0: the pool's limit)."),
    click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True,
                 help="Seconds per Crossref request."),
    click.option("--rate-limits", metavar="LOOKUPS,SEARCHES,CONCURRENT",
                 help="Crossref pacing: DOI lookups/s, searches/s, requests at a time (default: the pool's "
                      "published limits, 10,3,3 with an e-mail and 5,1,1 without)."),
    click.option("--bib", "bibliographies", multiple=True, type=click.Path(path_type=Path),
                 help="A bibliography file (.bib or CSL-JSON) for the document (repeatable)."),
    click.option("--input-format", type=click.Choice(list(INPUT_FORMATS)),
                 help="Reader to use instead of guessing."),
    click.option("--config", "config_file", type=click.Path(path_type=Path),
                 help="Read this configuration file instead of looking for one."),
    click.option("--isolated", is_flag=True, help="Read no configuration file."),
    click.option("-q", "--quiet", is_flag=True, help="No notes, progress or summary on stderr."),
)


def audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `audit` and `baseline` share (what to check and how)."""
    for option in reversed(_AUDIT_OPTIONS):
        command = option(command)
    return command


def given_on_command_line(params: dict[str, Any]) -> set[str]:
    """The parameters the user set on the command line or through the environment."""
    context = click.get_current_context()
    return {name for name in params
            if context.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)}


def check_selectors(selectors: tuple[str, ...], flag: str) -> None:
    """A usage error naming the nearest rule when a `--select`/`--ignore` value matches none."""
    for selector in selectors:
        if not matching_rules(selector):
            names = [r.code for r in RULES] + [r.name for r in RULES]
            near = difflib.get_close_matches(selector, names, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise UserError(f"{flag}: no rule matches {selector!r}{hint}")


def _configuration(documents: list[Path], params: dict[str, Any]) -> ConfigFile:
    """The configuration file that applies: `--config`, none with `--isolated`, else discovered."""
    if params["isolated"]:
        return ConfigFile()
    if params["config_file"] is not None:
        config = load_config(params["config_file"])
    else:
        first = documents[0]
        config = discover(first if first.is_dir() else (first.parent if str(first.parent) else Path(".")))
    if config.error is not None:
        raise UserError(config.error)
    return config


def parse_rate_limits(text: str | None) -> tuple[float, float, int] | None:
    """`--rate-limits 10,3,3` → (10.0, 3.0, 3); None when not given; a usage error when malformed."""
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        lookups, searches, concurrent = float(parts[0]), float(parts[1]), int(parts[2])
        if len(parts) != 3 or lookups <= 0 or searches <= 0 or concurrent < 1:
            raise ValueError
    except (ValueError, IndexError):
        raise UserError(f"--rate-limits: expected LOOKUPS,SEARCHES,CONCURRENT (e.g. 10,3,3), got {text!r}") from None
    return lookups, searches, concurrent


def parse_sources(text: str | None) -> tuple[str, ...] | None:
    """`--sources crossref,pubmed` → ("crossref", "pubmed"); None when not given; a usage error
    naming the nearest valid name for an unknown one."""
    if text is None:
        return None
    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    if not names:
        raise UserError(f"--sources: name at least one of {', '.join(SOURCES)}")
    for name in names:
        if name not in SOURCES:
            near = difflib.get_close_matches(name, SOURCES, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(SOURCES)})"
            raise UserError(f"--sources: unknown source {name!r}{hint}")
    return names


def prepare(arguments: tuple[str, ...], params: dict[str, Any]) -> tuple[list[Path], AuditOptions, ConfigFile]:
    """Documents, options (command line over configuration file over defaults) and the file used."""
    try:
        documents = expand_documents(arguments)
    except InputError as error:
        raise UserError(str(error)) from None
    config = _configuration(documents, params)
    selectors, ignores = split_values(params["select"]), split_values(params["ignore"])
    check_selectors(selectors, "--select")
    check_selectors(ignores, "--ignore")
    options = AuditOptions(
        select=selectors or ("ALL",),
        ignore=ignores,
        fail_on=None if params["fail_on"] == "never" else Severity.parse(params["fail_on"]),
        verify=not params["no_verify"],
        network=not params["offline"],
        snapshots=params["snapshots"],
        default_snapshot=not params["no_default_snapshot"],
        cache_dir=params["cache_dir"],
        use_cache=not params["no_cache"],
        refresh=params["refresh"],
        crossref_url=params["crossref_url"],
        pubmed_url=params["pubmed_url"] or None,
        datacite_url=params["datacite_url"] or None,
        doi_url=params["doi_url"] or None,
        ncbi_api_key=os.environ.get("NCBI_API_KEY") or None,
        mailto=params["mailto"] or None,
        token=os.environ.get("CITECHECK_CROSSREF_TOKEN") or None,
        jobs=params["jobs"],
        timeout=params["timeout"],
        rate_limits=parse_rate_limits(params["rate_limits"]),
        bibliographies=params["bibliographies"],
        input_format=params["input_format"],
    )
    chosen = parse_sources(params["source_names"])
    if chosen is not None:
        options = replace(options, sources=chosen)
    return documents, merge_options(options, config, given_on_command_line(params)), config


__all__ = ["FAIL_ON_CHOICES", "audit_options", "check_selectors", "given_on_command_line", "parse_rate_limits",
           "parse_sources", "prepare"]
