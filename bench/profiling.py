"""Profile the benchmark's requests in-process: the same data and requests as ``make bench``,
sent straight to the WSGI app (no server, no network), timed, and optionally under cProfile.

    .venv/bin/python -m bench.profiling [--database postgresql] [--count 300] [--profile quiz]

CPU time per request is much less disturbed by other load on the machine than a load test,
so it shows what each change saves; ``--profile NAME`` prints where that page's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event
from werkzeug.test import EnvironBuilder

from bench import hello
from bench.data import REMOTE_ADDR, USER_AGENT, Request, bench_app, prepare
from bench.run import postgres_database, sqlite_database, targets
from lesson_app.db import get_db


def environ(request: Request) -> dict[str, Any]:
    """The WSGI environ of one request, as gunicorn would pass it."""
    headers = {"User-Agent": USER_AGENT}
    if request.cookie:
        headers["Cookie"] = request.cookie
    builder = EnvironBuilder(
        path=request.path,
        method=request.method,
        headers=headers,
        data=request.body or None,
        content_type="application/x-www-form-urlencoded" if request.body else None,
        environ_base={"REMOTE_ADDR": REMOTE_ADDR},
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def call(app: Flask | Callable, env: dict[str, Any]) -> str:
    """Send one request to the WSGI app; answers its status line."""
    status = []

    def start_response(line: str, _headers: list, _exc_info: object = None) -> None:
        status.append(line)

    body = app(env, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    return status[0]


def time_requests(
    app: Flask | Callable, requests: list[Request], count: int, once: bool, rounds: int = 1
) -> tuple[float, float]:
    """Mean wall and CPU milliseconds per request over ``count`` requests; with several
    ``rounds`` (requests sent again, so not for ``once``), the best round's."""
    best = (float("inf"), float("inf"))
    for _ in range(1 if once else rounds):
        environs = [environ(requests[i if once else i % len(requests)]) for i in range(count)]
        wall, cpu = time.perf_counter(), time.process_time()
        for env in environs:
            call(app, env)
        measured = (
            (time.perf_counter() - wall) * 1000 / count,
            (time.process_time() - cpu) * 1000 / count,
        )
        best = min(best, measured)
    return best


def print_statements(app: Flask, name: str, request: Request) -> None:
    """Print the SQL statements that answering one request runs."""
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(" ".join(statement.split())[:160])

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        call(app, environ(request))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    print(f"  {name}: {len(statements)} statements")
    for statement in statements:
        print(f"    {statement}")


def main(argv: list[str] | None = None) -> None:
    """Time every page (and profile one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--count", type=int, default=300, help="requests a page")
    parser.add_argument("--profile", help="profile the page whose name starts with this")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--sql", action="store_true", help="print one request's statements")
    parser.add_argument("--rounds", type=int, default=5, help="time the best of these rounds")
    args = parser.parse_args(argv)
    make = sqlite_database if args.database == "sqlite" else postgres_database
    with make() as (url, version):
        key = secrets.token_hex(32)
        data = prepare(url, key, 2 * args.count, args.count, lambda _m: None)
        app = bench_app(url, key)
        print(f"{version}, {args.count} requests a page, in-process (ms a request)")
        hello_wall, hello_cpu = time_requests(
            hello.app, [Request("GET", "/")], args.count, False, args.rounds
        )
        print(f"  {'hello world':<32} wall {hello_wall:7.3f}  cpu {hello_cpu:7.3f}")
        for target in targets(data):
            warm = target.warmup or target.requests
            time_requests(app, warm, min(args.count, len(warm)), target.once)  # warm up
            requests = target.requests
            if args.sql:
                print_statements(app, target.name, requests[-1])
            if args.profile and target.name.startswith(args.profile):
                profiler = cProfile.Profile()
                profiler.enable()
                wall, cpu = time_requests(app, requests, args.count, target.once)
                profiler.disable()
                output = io.StringIO()
                stats = pstats.Stats(profiler, stream=output)
                stats.strip_dirs().sort_stats(args.sort).print_stats(args.lines)
                print(output.getvalue())
            else:
                wall, cpu = time_requests(app, requests, args.count, target.once, args.rounds)
            print(f"  {target.name:<32} wall {wall:7.3f}  cpu {cpu:7.3f}")


if __name__ == "__main__":
    main()
