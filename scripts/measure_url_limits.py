"""Measure how long a request URL the replay server and a typical proxy accept, and how long
Crossref DOI batches of real DOIs are; write reports/url-limits.md.

    python -m scripts.measure_url_limits [--dois ../shared/datasets/biblio-glutton/refs-dev.jsonl.gz]

* The replay server (tests/replay_server.py, Python's http.server) and nginx with its default
  buffers (`large_client_header_buffers 4 8k`) as a reverse proxy in front of it, when `nginx` is
  on PATH: the longest accepted `/works?filter=doi:…` request line is found by bisection (the
  answer to a longer one is 414).
* Batch URL lengths: real DOIs (the biblio-glutton PubMed Central set's, 10,247) cut into batches
  as `CrossrefSource.batches` cuts them, encoded exactly as they are sent: the longest request line
  for 50 DOIs, and how many DOIs fit in the 4,000-character bound.

nginx is started as a child of this script (its own temporary prefix, `daemon off`) and stopped
by its process id when the measurement ends.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DOIS = ROOT.parent / "shared" / "datasets" / "biblio-glutton" / "refs-dev.jsonl.gz"

NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass {upstream}; }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(base_url: str, target_length: int) -> int:
    """The status answered to a GET whose request line (`GET … HTTP/1.1`) is `target_length`
    bytes long, sent on a raw socket (HTTP clients refuse long URLs themselves); 0 when the
    server closed the connection without an answer."""
    host, port = base_url.removeprefix("http://").split(":")
    overhead = len("GET /works?filter=doi: HTTP/1.1")
    target = "/works?filter=doi:" + "x" * max(1, target_length - overhead)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while b"\r\n" not in reply:
            chunk = connection.recv(4096)
            if not chunk:
                break
            reply += chunk
    parts = reply.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def longest_accepted(base_url: str, low: int = 100, high: int = 200_000) -> int:
    """The longest request line answered with something else than 414 (bisection)."""
    if _status(base_url, high) not in (414, 0, 400, 431):
        return high
    while high - low > 1:
        middle = (low + high) // 2
        if _status(base_url, middle) in (414, 0, 400, 431):
            high = middle
        else:
            low = middle
    return low


def measure_servers() -> dict[str, object]:
    """The longest request line of the replay server, and of nginx (defaults) in front of it."""
    from tests.registries import RegistryServer

    figures: dict[str, object] = {}
    with RegistryServer() as server:
        figures["replay_server"] = longest_accepted(server.base_url)
        nginx = shutil.which("nginx")
        if nginx is None:
            figures["nginx"] = "nginx not on PATH: not measured"
            return figures
        version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
        with tempfile.TemporaryDirectory(prefix="citecheck-nginx-") as prefix:
            port = _free_port()
            conf = Path(prefix) / "nginx.conf"
            conf.write_text(NGINX_CONF.format(prefix=prefix, port=port, upstream=server.base_url), encoding="utf-8")
            process = subprocess.Popen([nginx, "-p", prefix, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            try:
                for _ in range(50):
                    try:
                        _status(f"http://127.0.0.1:{port}", 100)
                        break
                    except OSError:
                        time.sleep(0.1)
                figures["nginx"] = longest_accepted(f"http://127.0.0.1:{port}")
                figures["nginx_version"] = version
            finally:
                process.terminate()  # the nginx this script started, by its process id
                process.wait(10)
    return figures


def measure_batches(dois_path: Path) -> dict[str, object]:
    """Request-line lengths of batches of real DOIs, cut and encoded as CrossrefSource sends them."""
    from citecheck.references.doi import is_valid_doi, normalize_doi
    from citecheck.sources.crossref import BATCH_DOIS, BATCH_URL_CHARS, CrossrefSource

    with gzip.open(dois_path, "rt", encoding="utf-8") as lines:
        dois = list(dict.fromkeys(normalize_doi(json.loads(line)["doi"]) for line in lines))
    dois = [d for d in dois if is_valid_doi(d)]
    source = CrossrefSource(base_url="https://api.crossref.org")
    fifties = [dois[i : i + BATCH_DOIS] for i in range(0, len(dois) - BATCH_DOIS + 1, BATCH_DOIS)]
    lengths = [source.batch_url_length(batch) for batch in fifties]
    batches = source.batches(dois)
    unbounded = CrossrefSource(base_url="https://api.crossref.org", batch_size=10_000, max_url_chars=BATCH_URL_CHARS)
    per_bound = [len(b) for b in unbounded.batches(dois)]
    request_line = len("GET  HTTP/1.1") - len("https://api.crossref.org")  # the line carries path and query only
    return {
        "dois": len(dois),
        "doi_length_median": statistics.median(len(d) for d in dois),
        "doi_length_max": max(len(d) for d in dois),
        "batch_of_50_request_line_median": round(statistics.median(lengths)) + request_line,
        "batch_of_50_request_line_max": max(lengths) + request_line,
        "dois_in_4000_chars_median": statistics.median(per_bound[:-1]) if len(per_bound) > 1 else per_bound[0],
        "dois_in_4000_chars_min": min(per_bound[:-1]) if len(per_bound) > 1 else per_bound[0],
        "batches_as_sent": len(batches),
        "batches_below_50": sum(len(b) < BATCH_DOIS for b in batches[:-1]),
        "left_to_single_lookups": len(dois) - sum(len(b) for b in batches),
    }


def render(servers: dict[str, object], batches: dict[str, object], dois_path: Path) -> str:
    """reports/url-limits.md."""
    return f"""# URL-length limits and the Crossref DOI batch size

Measured by `python -m scripts.measure_url_limits` on {time.strftime('%Y-%m-%d')}.

## What servers accept

| server | longest request line accepted (bytes) |
| --- | --- |
| the replay server (tests/replay_server.py, Python's http.server) | {servers['replay_server']} |
| nginx with its default buffers ({servers.get('nginx_version', '')}), proxying to it | {servers['nginx']} |

Python's http.server refuses a request line over 65,536 bytes; nginx's default
`large_client_header_buffers 4 8k` refuses one that does not fit an 8 KB buffer (414). Crossref
answers from Jetty (the recorded list reply's `server: Jetty(9.4.40…)`) behind a load balancer;
Jetty's default request-header buffer is also 8 KB for the request line and headers together.

## How long Crossref DOI batches of real DOIs are

{batches['dois']} real DOIs (`{dois_path.name}`, the biblio-glutton PubMed Central set): median
length {batches['doi_length_median']} characters, longest {batches['doi_length_max']}.

| measure | value |
| --- | --- |
| request line of a batch of 50 DOIs, median | {batches['batch_of_50_request_line_median']} bytes |
| request line of a batch of 50 DOIs, longest | {batches['batch_of_50_request_line_max']} bytes |
| DOIs that fit a 4,000-character URL, median / fewest | {batches['dois_in_4000_chars_median']} / {batches['dois_in_4000_chars_min']} |
| batches as CrossrefSource cuts them (50 DOIs, 4,000 characters) | {batches['batches_as_sent']}, of which {batches['batches_below_50']} (not the last) cut short by the URL bound |
| DOIs left to single lookups (a comma, or outside Crossref's recommended pattern: SICI DOIs with `<`, `>`, `[`, `#`) | {batches['left_to_single_lookups']} |

## The choice

At most **50 DOIs** and **4,000 characters** of URL per list request (`crossref.BATCH_DOIS`,
`crossref.BATCH_URL_CHARS`). Fifty is what independent client authors report working at
Crossref; a batch of fifty real DOIs stays far below the 8 KB that nginx and Jetty allow by
default, and the URL bound keeps a batch of unusually long DOIs below half of it, leaving room
for the headers (a long User-Agent, the Metadata Plus token). At 3 list requests a second, 50 per
request is 150 DOIs a second, fifteen times the single-lookup rate; a reply of 50 real records
(about 30 KB each, most of it reference lists) stays near 1.5 MB. Larger batches would save
little more time (300 DOIs: 6 requests, the last sent 1.7 s after the first) at the price of
replies of several megabytes that a retry must fetch again whole.
"""


def main() -> None:
    """Measure and write reports/url-limits.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dois", type=Path, default=DEFAULT_DOIS, help="JSON Lines with a `doi` field (gzipped)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "url-limits.md")
    options = parser.parse_args()
    if not options.dois.exists():
        parser.error(f"{options.dois} not found (the shared datasets are not beside this clone)")
    servers = measure_servers()
    batches = measure_batches(options.dois)
    options.out.write_text(render(servers, batches, options.dois), encoding="utf-8")
    print(json.dumps({"servers": servers, "batches": batches}, indent=2))


if __name__ == "__main__":
    main()
