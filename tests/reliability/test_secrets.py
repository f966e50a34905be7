"""Secrets: the Metadata Plus token goes to Crossref in its header and nowhere else; neither it
nor the e-mail appears in any report format, on stderr, in evidence or in the cache file, even
when the server echoes them back in an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.config.options import AuditOptions
from citecheck.engine import audit
from citecheck.report import formats
from tests.crossref_server import CrossrefServer, Fault
from tests.reliability.test_storage import synthetic_document, synthetic_reply

TOKEN = "synthetic-plus-token-7f3a9c"  # not a real token
MAILTO = "secret.person@example.org"
SECRETS = (TOKEN, MAILTO, MAILTO.replace("@", "%40"))
FORMATS = ("json", "text", "sarif", "markdown", "html", "junit", "github")
ECHO = f"invalid token Bearer {TOKEN} for {MAILTO} (mailto={MAILTO.replace('@', '%40')})".encode()

SCENARIOS = {
    "answered": [],
    "401-echoing-secrets": [Fault.http(401, body=ECHO)] * 8,
    "500-echoing-secrets": [Fault.http(500, body=ECHO)] * 8,
    "html-200-echoing-secrets": [Fault("html", body=b"<html>" + ECHO + b"</html>")] * 8,
    "429-echoing-secrets": [Fault.http(429, headers={"Retry-After": "0"}, body=ECHO)] * 8,
}


@pytest.fixture(autouse=True)
def _short_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITECHECK_BACKOFF_BASE", "0.01")


def cache_bytes(cache: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(cache.glob("answers.sqlite3*")))


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_secrets_never_leak(tmp_path: Path, scenario: str) -> None:
    """Through the CLI (stdout, stderr, cache), then every report format of the same audit."""
    works = {f"10.5555/rel-{i}": synthetic_reply(i) for i in range(2)}
    document = synthetic_document(tmp_path / "paper.txt", 2)
    cache = tmp_path / "cache"
    with CrossrefServer(works) as server:  # type: ignore[arg-type]
        # The first reference meets the faults (its lookups and searches); the second is answered.
        server.add_faults(r"^/works/10\.5555/rel-0$|^/works\?", *SCENARIOS[scenario])
        result = CliRunner(env={"CITECHECK_CROSSREF_TOKEN": TOKEN}).invoke(main, [
            "audit", "--format", "json", "--no-default-snapshot", "--cache-dir", str(cache),
            "--crossref-url", server.base_url, "--mailto", MAILTO, "--timeout", "0.5", "--fail-on", "never",
            str(document)])
        # The first reference meets the faults (its lookups and searches); the second is answered.
        server.add_faults(r"^/works/10\.5555/rel-0$|^/works\?", *SCENARIOS[scenario])
        report = audit(
            [document],
            AuditOptions(default_snapshot=False, use_cache=False, crossref_url=server.base_url, mailto=MAILTO,
                         token=TOKEN, timeout=0.5),
        )
        requests = list(server.requests)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0 and result.stdout
    # The token was sent, as Crossref documents it, with every request.
    assert requests and all(r.headers.get("crossref-plus-api-token") == f"Bearer {TOKEN}" for r in requests)
    statuses = {r.status.value for r in report.documents[0].resolutions}
    assert statuses == ({"matched"} if scenario == "answered" else {"matched", "could-not-verify"}), statuses
    rendered = {name: render(report) for name, render in formats().items()}
    assert set(FORMATS) <= set(rendered)
    stored = cache_bytes(cache)
    for secret in SECRETS:
        assert secret not in result.stdout and secret not in result.stderr, secret
        assert secret.encode() not in stored, f"{secret} in the cache file"
        for name, text in rendered.items():
            assert secret not in text, f"{secret} in the {name} report"
    if scenario != "answered":  # the failure itself is reported, in every format
        assert all("could" in text.lower() or "U00" in text for name, text in rendered.items() if name != "github"), rendered


def test_no_token_no_header(tmp_path: Path) -> None:
    document = synthetic_document(tmp_path / "paper.txt", 1)
    with CrossrefServer({"10.5555/rel-0": synthetic_reply(0)}) as server:  # type: ignore[dict-item]
        result = CliRunner().invoke(main, ["audit", "--no-default-snapshot", "--no-cache", "--crossref-url",
                                           server.base_url, str(document)])
        requests = list(server.requests)
    assert result.exit_code == 0, result.stderr
    assert requests and all("crossref-plus-api-token" not in r.headers for r in requests)
