"""The throughput benchmarks' local server, in a process of its own.

In the benchmark's own process the server's threads wait for the interpreter lock while the
audit parses replies and references: a request that reached the socket on time is then recorded
late, the next ones on time, and a client that kept to the limits looks as if it crowded a window
(measured: an 86 ms late record among 300 searches at 3/s drew a 429). In its own process the
server records arrivals as they come, as a real service would.

    python -m benchmarks.serve CASE --references N --seed S --latency-ms L

builds the server for a case (`search`, `doi-batch`, `pubmed`: the synthetic works of
`benchmarks.scale.synthetic_record`, as the cases describe), prints `{"url": …}` and then answers
commands on stdin, one per line: `requests` (every request recorded so far, as JSON), `quit`.
`served(...)` runs it from the benchmark and stops it (by its process id) when done.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]

POLITE_HEADERS = {
    "lookup": {"x-rate-limit-limit": "10", "x-rate-limit-interval": "1s", "x-concurrency-limit": "3", "x-api-pool": "polite"},
    "search": {"x-rate-limit-limit": "3", "x-rate-limit-interval": "1s", "x-concurrency-limit": "3", "x-api-pool": "polite"},
}
"""What Crossref's polite pool advertises, per class of request (singles 10/s, lists 3/s)."""


def records(references: int, seed: int) -> list[dict[str, Any]]:
    """The case's synthetic Crossref-shaped records (deterministic for a seed)."""
    from benchmarks.synthetic import synthetic_record

    rng = random.Random(seed)
    return [synthetic_record(index, rng) for index in range(references)]


def build(case: str, references: int, seed: int, latency_ms: float) -> Any:
    """The replay server a case runs against (not started)."""
    from citecheck.sources.pacing import POLITE

    made = records(references, seed)
    works = {r["DOI"]: {"status": "ok", "message-type": "work", "message": r} for r in made}
    if case == "search":
        from benchmarks.throughput import SearchIndex
        from tests.crossref_server import CrossrefServer

        return CrossrefServer(works=works, search=SearchIndex(made), latency_ms=latency_ms, enforce=POLITE,
                              response_headers=POLITE_HEADERS["search"])
    from tests.registries import RegistryServer

    if case == "doi-batch":
        server = RegistryServer(works, agencies={"10.5555": "Crossref"}, crossref_limits=POLITE, latency_ms=latency_ms)
        server.crossref.headers_by_kind = POLITE_HEADERS
        return server
    if case == "pubmed":
        from benchmarks.registries import synthetic_articles

        server = RegistryServer(latency_ms=latency_ms)
        server.ncbi.articles.update({a.pmid: a for a in synthetic_articles(made)})
        return server
    raise ValueError(f"unknown case {case!r}")


def _serve(options: argparse.Namespace, out: IO[str]) -> None:
    server = build(options.case, options.references, options.seed, options.latency_ms).start()
    try:
        print(json.dumps({"url": server.base_url}), file=out, flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "requests":
                rows = [{"path": r.path, "query": r.query, "time": r.time, "kind": r.kind, "service": r.service,
                         "target": r.target} for r in list(server.requests)]
                print(json.dumps({"requests": rows, "violations": server.violations}), file=out, flush=True)
            elif command == "quit":
                break
    finally:
        server.stop()


@dataclass
class Request:
    """A request the server process recorded (times on the system's monotonic clock)."""

    path: str
    query: dict[str, list[str]]
    time: float
    kind: str
    service: str
    target: str


class Served:
    """The server process, as the benchmark sees it."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self._process = process
        self.base_url = url
        """Where it answers."""

    def snapshot(self) -> tuple[list[Request], int]:
        """Every request recorded so far, and how many were refused for breaking a limit."""
        assert self._process.stdin is not None and self._process.stdout is not None
        print("requests", file=self._process.stdin, flush=True)
        data = json.loads(self._process.stdout.readline())
        return [Request(**row) for row in data["requests"]], int(data["violations"])

    def cli_options(self) -> list[str]:
        """Every source's URL at this server."""
        url = self.base_url
        return ["--crossref-url", url, "--pubmed-url", url, "--datacite-url", url, "--doi-url", url]


@contextmanager
def served(case: str, references: int, seed: int, latency_ms: float) -> Iterator[Served]:
    """Run a case's server in its own process for the duration of the `with` block."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.serve", case, "--references", str(references), "--seed", str(seed),
         "--latency-ms", str(latency_ms)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first:
            raise RuntimeError(f"benchmark server for {case!r} did not start")
        yield Served(process, json.loads(first)["url"])
    finally:
        if process.stdin is not None:
            try:
                print("quit", file=process.stdin, flush=True)
                process.stdin.close()
            except (BrokenPipeError, ValueError):
                pass
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.terminate()  # the server this benchmark started, by its process id
            process.wait(10)


def main() -> None:
    """Serve one case until told to quit."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve", description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=("search", "doi-batch", "pubmed"))
    parser.add_argument("--references", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    _serve(parser.parse_args(), sys.stdout)


if __name__ == "__main__":
    main()
