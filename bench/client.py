"""One connection of the Python load generator (``bench.load.run_python``), run in a process
of its own."""

from __future__ import annotations

import socket
import time
from typing import Any


def connection_loop(
    port: int,
    share: list[bytes],
    expected: int,
    ready: Any,
    start: Any,
    duration: float,
    cycle: bool,
    results: Any,
) -> None:
    """Send the requests of ``share`` in turn, one connection each, from ``start`` for
    ``duration`` seconds (without ``cycle``: each at most once); put (latencies, unexpected,
    socket errors, wraps, seconds taken) on ``results``."""
    latencies: list[float] = []
    unexpected = errors = wraps = index = 0
    ready.release()
    start.wait()
    began_run = time.perf_counter()
    stop_at = began_run + duration
    while time.perf_counter() < stop_at:
        if index == len(share):
            if not cycle:
                break
            index, wraps = 0, wraps + 1
        began = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port)) as connection:
                connection.sendall(share[index])
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
        except OSError:
            errors += 1
            index += 1
            continue
        latencies.append(time.perf_counter() - began)
        head = b"".join(chunks[:1])[:12]
        if not head.startswith(b"HTTP/1.") or int(head[9:12] or 0) != expected:
            unexpected += 1
        index += 1
    results.put((latencies, unexpected, errors, wraps, time.perf_counter() - began_run))
