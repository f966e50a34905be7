"""`citecheck serve`: the local web app (the optional `web` extra: Starlette on uvicorn).

It listens on 127.0.0.1 only, unless `--host` names another interface *and* `--allow-remote`
says so, in which case it warns: there is no login, and anyone who reaches the port can upload
documents and read the reports. The sources are set as for `citecheck audit` (`--offline`,
`--snapshot`, `--mailto`, `--no-verify`, the cache options, …); no configuration file is read
(uploads come from anywhere). The socket is bound before the server starts, so a port in use is
one line and exit code 2.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import click

from citecheck.cli.common import UserError
from citecheck.cli.options import parse_rate_limits
from citecheck.config.options import DEFAULT_CROSSREF_URL, AuditOptions
from citecheck.gate.exit_codes import EXIT_OK

LOCAL = ("127.0.0.1", "localhost", "::1")
"""Host names of the loopback interface."""
DEFAULT_PORT = 8765
"""The port when none is given (0 picks a free one)."""


def _web_extra_missing() -> str | None:
    for module in ("starlette", "uvicorn", "python_multipart"):
        try:
            __import__(module)
        except ImportError:
            return f"citecheck serve needs the web extra ({module} is missing): pip install 'citecheck-audit[web]'"
    return None


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or a one-line error."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    except (socket.gaierror, UnicodeError):
        raise UserError(f"--host: {host!r} is not an address or name of this machine") from None
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        raise UserError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on. Anything but the loopback needs --allow-remote.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--allow-remote", is_flag=True,
              help="Allow --host to be another interface (0.0.0.0, a LAN address): anyone who reaches it can upload.")
@click.option("--max-upload-mb", type=click.FloatRange(0.01, 1024), default=50.0, show_default=True,
              help="Largest upload accepted (the manuscript and its bibliography together), in MiB.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.option("--no-verify", is_flag=True, help="Linking checks only: do not resolve references at all.")
@click.option("--offline", is_flag=True, help="Do not ask Crossref; use the cache and snapshots only.")
@click.option("--snapshot", "snapshots", multiple=True, type=click.Path(path_type=Path),
              help="A snapshot built with `citecheck snapshot build` (repeatable).")
@click.option("--no-default-snapshot", is_flag=True, help="Do not consult the small snapshot shipped with citecheck.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where to keep the answer cache.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the answer cache.")
@click.option("--refresh", is_flag=True, help="Ignore cached answers (new answers are still stored).")
@click.option("--crossref-url", envvar="CITECHECK_CROSSREF_URL", default=DEFAULT_CROSSREF_URL, show_default=True,
              help="Crossref API base URL [env: CITECHECK_CROSSREF_URL].")
@click.option("--mailto", envvar="CITECHECK_MAILTO", help="Your e-mail, for Crossref's polite pool [env: CITECHECK_MAILTO].")
@click.option("--jobs", type=click.IntRange(0, 16), default=0, help="Parallel requests (0: the pool's limit).")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True,
              help="Seconds per Crossref request.")
@click.option("--rate-limits", metavar="LOOKUPS,SEARCHES,CONCURRENT",
              help="Crossref pacing, as for `citecheck audit`.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the address and errors.")
def serve(host: str, port: int, allow_remote: bool, max_upload_mb: float, open_browser: bool, no_verify: bool,
          offline: bool, snapshots: tuple[Path, ...], no_default_snapshot: bool, cache_dir: Path | None,
          no_cache: bool, refresh: bool, crossref_url: str, mailto: str | None, jobs: int, timeout: float,
          rate_limits: str | None, quiet: bool) -> None:
    """Serve the local web app: drop a manuscript, see its citation map, download the corrected
    bibliography. Listens on 127.0.0.1 (this computer only) unless told otherwise."""
    missing = _web_extra_missing()
    if missing:
        raise UserError(missing)
    remote = host.strip("[]").lower() not in LOCAL
    if remote and not allow_remote:
        raise UserError(f"--host {host}: listening beyond this computer lets anyone who reaches it upload documents "
                        "and read their reports (there is no login); add --allow-remote to do it anyway")
    for path in snapshots:
        if not path.is_file():
            raise UserError(f"--snapshot: {path}: no such snapshot file")
    options = AuditOptions(
        verify=not no_verify, network=not offline, snapshots=tuple(p.resolve() for p in snapshots),
        default_snapshot=not no_default_snapshot, cache_dir=cache_dir.resolve() if cache_dir else None,
        use_cache=not no_cache, refresh=refresh, crossref_url=crossref_url, mailto=mailto or None,
        token=os.environ.get("CITECHECK_CROSSREF_TOKEN") or None, jobs=jobs, timeout=timeout,
        rate_limits=parse_rate_limits(rate_limits),
    )
    # Deferred: the web extra is optional, and only this command needs it.
    import uvicorn

    from citecheck.web.app import create_app
    from citecheck.web.settings import MIB, ServeSettings

    settings = ServeSettings(audit=options, max_upload_bytes=int(max_upload_mb * MIB), allow_remote=remote)
    listener = _bind(host.strip("[]"), port)
    bound_host, bound_port = listener.getsockname()[:2]
    shown = "localhost" if not remote else (socket.gethostname() if bound_host in ("0.0.0.0", "::") else bound_host)
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{bound_port}/"
    if remote:
        click.echo(f"citecheck serve: WARNING: listening on {host}:{bound_port}, beyond this computer: anyone who "
                   "can reach it can upload documents and read their reports; there is no login.", err=True)
    click.echo(f"citecheck serve: {url}  (Ctrl-C to stop)", err=True)
    if not quiet:
        click.echo(f"citecheck serve: {settings.describe_sources()} Uploads up to {max_upload_mb:g} MiB; "
                   "each is deleted when its answer is sent.", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[listener])
    sys.exit(EXIT_OK)


__all__ = ["serve"]
