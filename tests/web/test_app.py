"""`citecheck serve`'s app over real HTTP on 127.0.0.1: progress as JSON lines, the report page
and its policy, downloads equal to what the command line writes, one-line errors with their
status, the host and origin guard, and every upload's directory gone after its response."""

from __future__ import annotations

import json
import multiprocessing
import socket
import threading
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from citecheck.cli.app import main
from citecheck.report.html_assets import csp_hash, script, stylesheet
from tests.conftest import EXAMPLE, ROOT
from tests.web.server import WAIT, RunningServer, offline_settings

NDJSON = {"Accept": "application/x-ndjson"}
REFERENCES_BIB = ROOT / "references.bib"
"""The review's bibliography as BibTeX (a committed output of `citecheck extract`)."""
TEX = ("\\documentclass{article}\n\\begin{document}\nBisphosphonates slow bone metastases \\cite{american2004breast}.\n"
       "Aromatase inhibitors came next \\cite{paridaens2008phase}.\n\\bibliography{references}\n\\end{document}\n")
"""A LaTeX manuscript citing two of its entries (the other two are uncited)."""


def _events(response: requests.Response) -> list[dict]:
    return [json.loads(line) for line in response.iter_lines() if line]


def _upload(server: RunningServer, files: dict, data: dict | None = None, headers: dict | None = None,
            **kwargs: object) -> requests.Response:
    return requests.post(f"{server.url}/audit", files=files, data=data or {}, headers=NDJSON if headers is None else headers,
                         timeout=WAIT * 4, **kwargs)  # type: ignore[arg-type]


def _audited(server: RunningServer, files: dict, data: dict | None = None) -> tuple[list[dict], str]:
    response = _upload(server, files, data)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    events = _events(response)
    assert events[-1]["type"] == "done", events
    return events, events[-1]["report"]


def _fix(*arguments: str) -> str:
    result = CliRunner().invoke(main, ["fix", "--offline", "--no-cache", "-q", *arguments])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_upload_page_is_strict(server: RunningServer) -> None:
    page = requests.get(server.url + "/", timeout=WAIT)
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in page.text and '<script src="/static/app.js"></script>' in page.text
    assert 'name="manuscript"' in page.text and 'data-max-bytes="52428800"' in page.text
    script_file = requests.get(server.url + "/static/app.js", timeout=WAIT)
    assert script_file.headers["content-type"].startswith("text/javascript") and "XMLHttpRequest" in script_file.text
    assert requests.get(server.url + "/static/../app.py", timeout=WAIT).status_code == 404


def test_progress_then_the_report(server: RunningServer) -> None:
    events, report = _audited(server, {"manuscript": (EXAMPLE.name, EXAMPLE.read_bytes())})
    kinds = [e["type"] for e in events]
    assert kinds[0] == "stage" and "progress" in kinds
    progress = [e for e in events if e["type"] == "progress"]
    assert progress[-1] == {"type": "progress", "done": 4, "total": 4}
    assert events[-1]["complete"] is True and "8 warnings, 1 info" in events[-1]["headline"]
    page = requests.get(server.url + report, timeout=WAIT)
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert f"script-src {csp_hash(script())};" in policy and f"style-src {csp_hash(stylesheet())};" in policy
    assert f"<h2>{EXAMPLE.name}</h2>" in page.text  # the name as uploaded, not a temporary path
    assert "citecheck-serve-" not in page.text
    assert server.uploads_left() == []


def test_a_plain_form_post_waits_and_is_redirected(server: RunningServer) -> None:
    response = _upload(server, {"manuscript": (EXAMPLE.name, EXAMPLE.read_bytes())}, headers={},
                       allow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/report/")
    assert server.uploads_left() == []


@pytest.mark.parametrize(
    ("to", "style", "arguments"),
    [
        pytest.param("bibtex", "vancouver", [], id="bibtex"),
        pytest.param("csljson", "vancouver", ["--to", "csljson"], id="csl-json"),
        pytest.param("text", "apa", ["--to", "text", "--style", "apa"], id="apa-text"),
    ],
)
def test_the_corrected_bibliography_is_what_citecheck_fix_writes(server: RunningServer, to: str, style: str,
                                                                 arguments: list[str]) -> None:
    _, report = _audited(server, {"manuscript": (EXAMPLE.name, EXAMPLE.read_bytes())})
    token = report.rsplit("/", 1)[1]
    download = requests.get(f"{server.url}/download/{token}/bibliography", params={"to": to, "style": style},
                            timeout=WAIT)
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert download.content.decode("utf-8") == _fix(*arguments, str(EXAMPLE))


def test_a_manuscripts_own_bib_comes_back_corrected_as_citecheck_fix_edits_it(server: RunningServer,
                                                                               tmp_path: Path) -> None:
    (tmp_path / "paper.tex").write_text(TEX, encoding="utf-8")
    (tmp_path / "references.bib").write_bytes(REFERENCES_BIB.read_bytes())
    _, report = _audited(server, {"manuscript": ("paper.tex", TEX.encode()),
                                  "bibliography": ("references.bib", REFERENCES_BIB.read_bytes())})
    download = requests.get(f"{server.url}/download/{report.rsplit('/', 1)[1]}/bibliography", timeout=WAIT)
    assert 'filename="references.corrected.bib"' in download.headers["content-disposition"]
    expected = _fix(str(tmp_path / "paper.tex"))
    assert download.content.decode("utf-8") == expected
    assert expected != REFERENCES_BIB.read_text(encoding="utf-8")  # the fixes did change something


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        pytest.param("sarif", lambda body: json.loads(body)["version"] == "2.1.0", id="sarif"),
        pytest.param("json", lambda body: json.loads(body)["summary"]["references"] == 4, id="json"),
    ],
)
def test_reports_download(server: RunningServer, kind: str, check: object) -> None:
    _, report = _audited(server, {"manuscript": (EXAMPLE.name, EXAMPLE.read_bytes())})
    download = requests.get(f"{server.url}/download/{report.rsplit('/', 1)[1]}/{kind}", timeout=WAIT)
    assert download.status_code == 200 and check(download.text)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("files", "data", "status", "message"),
    [
        pytest.param({"manuscript": ("junk.txt", bytes(range(256)) * 8)}, {}, 422, "junk.txt: is a binary file",
                     id="binary"),
        pytest.param({"manuscript": ("encrypted.pdf", (ROOT / "tests/fixtures/pdf/encrypted.pdf").read_bytes())}, {},
                     422, "encrypted.pdf: is encrypted and needs a password", id="encrypted-pdf"),
        pytest.param({"manuscript": ("paper.tex", TEX.encode())}, {}, 422, "bibliography file not found",
                     id="tex-without-its-bib"),
        pytest.param({"manuscript": ("a.txt", b"text")}, {"input_format": "rtf"}, 400, "unknown input format 'rtf'",
                     id="unknown-format"),
        pytest.param({"manuscript": ("a.txt", b"")}, {}, 400, "a.txt: is empty", id="empty"),
    ],
)
def test_bad_input_is_one_line_in_the_page(server: RunningServer, files: dict, data: dict, status: int,
                                          message: str) -> None:
    streamed = _upload(server, files, data)
    events = _events(streamed)
    assert events[-1]["type"] == "error" and message in events[-1]["message"], events
    assert "Traceback" not in streamed.text
    page = _upload(server, files, data, headers={}, allow_redirects=False)
    assert page.status_code == status and message in page.text.replace("&#x27;", "'")
    assert "Traceback" not in page.text
    assert server.uploads_left() == []


def test_an_upload_over_the_limit_is_refused(tmp_path: Path) -> None:
    server = RunningServer(offline_settings(tmp_path, max_upload_bytes=64 * 1024))
    try:
        response = _upload(server, {"manuscript": ("big.txt", b"word " * 20000)})
        assert response.status_code == 413
        assert "over the 64 KiB limit of this server" in _events(response)[-1]["message"]
        assert server.uploads_left() == []
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({"Host": "evil.example"}, 421, id="another-host-dns-rebinding"),
        pytest.param({"Host": "localhost"}, 200, id="localhost"),
    ],
)
def test_only_this_machines_names_are_answered(server: RunningServer, headers: dict, status: int) -> None:
    assert requests.get(server.url + "/", headers=headers, timeout=WAIT).status_code == status


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": "http://evil.example"}, id="other-origin"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="cross-site-fetch"),
        pytest.param({"Origin": "null"}, id="opaque-origin"),
    ],
)
def test_posts_from_another_site_are_refused(server: RunningServer, headers: dict) -> None:
    response = _upload(server, {"manuscript": (EXAMPLE.name, EXAMPLE.read_bytes())}, headers={**NDJSON, **headers})
    assert response.status_code == 403 and server.uploads_left() == []


def test_a_report_no_longer_kept_says_so(server: RunningServer) -> None:
    response = requests.get(server.url + "/report/unknown-token", timeout=WAIT)
    assert response.status_code == 404 and "no longer kept" in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param({"to": "docx"}, "unknown bibliography format 'docx'", id="unknown-target"),
        pytest.param({"to": "text", "style": "../../etc/passwd.csl"}, "is not a style name", id="style-path"),
        pytest.param({"to": "text", "style": "no-such-style-anywhere"}, "unknown style", id="unknown-style"),
    ],
)
def test_bad_download_requests(server: RunningServer, query: dict, message: str) -> None:
    _, report = _audited(server, {"manuscript": (EXAMPLE.name, EXAMPLE.read_bytes())})
    response = requests.get(f"{server.url}/download/{report.rsplit('/', 1)[1]}/bibliography", params=query,
                            timeout=WAIT)
    assert response.status_code == 400 and message in response.text.replace("&#x27;", "'")


def _silent_registry() -> tuple[socket.socket, threading.Event]:
    """A 'Crossref' on 127.0.0.1 that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue
        for connection in held:
            connection.close()

    threading.Thread(target=accept, daemon=True).start()
    return listener, done


def test_leaving_mid_audit_stops_the_worker_and_deletes_the_upload(tmp_path: Path) -> None:
    from citecheck.config.options import AuditOptions

    registry, done = _silent_registry()
    audit = AuditOptions(network=True, use_cache=False, default_snapshot=False, timeout=300,
                         crossref_url=f"http://127.0.0.1:{registry.getsockname()[1]}")
    server = RunningServer(offline_settings(tmp_path, audit=audit))
    try:
        response = _upload(server, {"manuscript": (EXAMPLE.name, EXAMPLE.read_bytes())}, stream=True)
        lines = response.iter_lines()
        first = json.loads(next(lines))
        assert first["type"] == "stage"
        assert len(server.uploads_left()) == 1  # the audit is under way, waiting on the registry
        response.close()  # the user leaves
        import time

        deadline = time.monotonic() + WAIT
        while server.uploads_left() and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the condition, bounded
        assert server.uploads_left() == []
        assert [p for p in multiprocessing.active_children() if p.name == "citecheck-audit"] == []  # worker ended
        # The turn was given back: the next upload is audited at once (the registry still answers nothing,
        # so it is again under way), not queued behind the abandoned one.
        again = _upload(server, {"manuscript": (EXAMPLE.name, EXAMPLE.read_bytes())}, stream=True)
        stages = []
        for line in again.iter_lines():
            event = json.loads(line)
            stages.append(event.get("message"))
            if event.get("message") == "reading the manuscript":
                break
        assert "waiting for the audit before this one to finish" not in stages
        again.close()
    finally:
        server.stop()
        done.set()
        registry.close()


def test_a_registry_that_fails_is_could_not_verify_never_not_found(tmp_path: Path) -> None:
    from citecheck.config.options import AuditOptions

    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now: every request is refused
    audit = AuditOptions(network=True, use_cache=False, default_snapshot=False, crossref_url=f"http://127.0.0.1:{port}")
    server = RunningServer(offline_settings(tmp_path, audit=audit))
    try:
        events, report = _audited(server, {"manuscript": (EXAMPLE.name, EXAMPLE.read_bytes())})
        assert (events[-1]["complete"], events[-1]["unverified"]) == (False, 3)
        page = requests.get(server.url + report, timeout=WAIT).text
        assert "3 references could not be verified because a source failed: the check is incomplete" in page
        for entry in ("d1-e2", "d1-e3", "d1-e4"):
            card = page[page.index(f'id="{entry}"'):]
            card = card[:card.index("</ol>")].split('\n<li class="entry')[0]
            assert "</span> could not verify</span>" in card and "not found" not in card
    finally:
        server.stop()
