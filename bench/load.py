"""The load generators: wrk when it is installed, else a small one in Python.

Both send the prepared requests over loopback from a few concurrent connections (each thread
or process its own share of the requests, in turn) and measure requests per second and the
latency percentiles. Every server under test gets the same client and the same settings.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.client import connection_loop
from bench.data import USER_AGENT, Request

LUA_SCRIPT = Path(__file__).resolve().parent / "requests.lua"


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    unexpected: int  # answers whose status was not the expected one
    socket_errors: int
    wraps: int  # times a connection ran out of its share of requests and started again

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


def mean_result(results: list[LoadResult]) -> LoadResult:
    """The mean of several runs (requests per second and each percentile averaged)."""
    count = len(results)
    rps = sum(r.rps for r in results) / count
    requests = sum(r.requests for r in results)
    return LoadResult(
        requests=requests,
        seconds=requests / rps if rps else 0.0,  # so that ``rps`` is the mean rate
        p50_ms=sum(r.p50_ms for r in results) / count,
        p90_ms=sum(r.p90_ms for r in results) / count,
        p99_ms=sum(r.p99_ms for r in results) / count,
        unexpected=sum(r.unexpected for r in results),
        socket_errors=sum(r.socket_errors for r in results),
        wraps=sum(r.wraps for r in results),
    )


def wrk_path() -> str | None:
    """The wrk executable, if installed."""
    return shutil.which("wrk")


def wrk_version() -> str:
    """wrk's version line, e.g. ``wrk 4.1.0 [epoll]``."""
    found = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (found.stdout or found.stderr).splitlines()[0].split(" Copyright")[0].strip()


def run_wrk(
    port: int,
    requests: list[Request],
    duration: float,
    connections: int,
    threads: int,
    expected_status: int,
) -> LoadResult:
    """Load the server on ``port`` with wrk for ``duration`` seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as listing:
        for r in requests:
            listing.write(f"{r.method}\t{r.path}\t{r.cookie}\t{r.body}\n")
    try:
        argv = [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={max(1, round(duration))}s",
            "--timeout=30s",
            f"--script={LUA_SCRIPT}",
            f"http://127.0.0.1:{port}",
            "--",
            listing.name,
            str(expected_status),
            str(threads),
        ]
        output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    finally:
        Path(listing.name).unlink()
    line = next(x for x in output.splitlines() if x.startswith("BENCH-JSON "))
    found = json.loads(line.removeprefix("BENCH-JSON "))
    return LoadResult(
        requests=found["requests"],
        seconds=found["duration_us"] / 1e6,
        p50_ms=found["p50_us"] / 1000,
        p90_ms=found["p90_us"] / 1000,
        p99_ms=found["p99_us"] / 1000,
        unexpected=found["unexpected"],
        socket_errors=found["socket_errors"],
        wraps=found["wraps"],
    )


# --- the Python load generator -------------------------------------------------------------------


def _raw(request: Request, port: int) -> bytes:
    """The bytes of one HTTP/1.1 request (the server closes each connection, as gunicorn's
    sync workers do anyway)."""
    lines = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"User-Agent: {USER_AGENT}",
        "Connection: close",
    ]
    if request.cookie:
        lines.append(f"Cookie: {request.cookie}")
    body = request.body.encode()
    if body:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def run_python(
    port: int,
    requests: list[Request],
    duration: float,
    connections: int,
    expected_status: int,
    cycle: bool = True,
) -> LoadResult:
    """Load the server on ``port`` from ``connections`` processes for ``duration`` seconds;
    without ``cycle`` each request is sent at most once (a run bounded by count)."""
    raw = [_raw(r, port) for r in requests]
    if len(raw) >= connections:
        shares = [raw[i::connections] for i in range(connections)]
    else:  # fewer requests than connections (one page for all): each sends all of them
        shares = [raw] * connections
    # Forked: a spawned process would import the benchmark (and the app) again first.
    context = multiprocessing.get_context("fork")
    ready, start, results = context.Semaphore(0), context.Event(), context.Queue()
    processes = [
        context.Process(
            target=connection_loop,
            args=(port, share, expected_status, ready, start, duration, cycle, results),
        )
        for share in shares
    ]
    for process in processes:
        process.start()
    for _ in processes:  # every process started and waiting: start them together
        ready.acquire()
    start.set()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(x for outcome in outcomes for x in outcome[0])
    return LoadResult(
        requests=len(latencies),
        seconds=max(outcome[4] for outcome in outcomes),
        p50_ms=_percentile(latencies, 50) * 1000,
        p90_ms=_percentile(latencies, 90) * 1000,
        p99_ms=_percentile(latencies, 99) * 1000,
        unexpected=sum(outcome[1] for outcome in outcomes),
        socket_errors=sum(outcome[2] for outcome in outcomes),
        wraps=sum(outcome[3] for outcome in outcomes),
    )


def _percentile(ordered: list[float], percent: float) -> float:
    """The nearest-rank percentile of sorted values (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, round(percent / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]
