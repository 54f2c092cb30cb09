"""``make bench``: Lesson App's pages under gunicorn, each against a Flask "hello world".

For each database (SQLite in a temporary folder; PostgreSQL in a scratch database made on
127.0.0.1:5432 and dropped afterwards), it prepares the data through the services
(``bench.data``), starts hello world (``bench.hello``) and then Lesson App under gunicorn
with the same settings (``lesson_app.gunicorn_config``: sync workers, one per core), loads
each page with the same client (``bench.load``: wrk if installed, else Python), and prints
requests per second and latency percentiles, each as a ratio to hello world's in the same
run, with each worker's resident memory afterwards. The table goes to bench/results.md.

    .venv/bin/python -m bench.run [--tool python] [--duration 10] [--database sqlite]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, build_opener
from urllib.request import Request as UrlRequest

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench import load
from bench.data import ROOT, USER_AGENT, BenchData, Request, prepare
from lesson_app.models import Attempt

RESULTS_FILE = Path(__file__).resolve().parent / "results.md"
POSTGRES_URL = os.environ.get(
    "LESSON_APP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MEMORY_LIMIT_MB = 120


@dataclass(frozen=True)
class Target:
    """A page under test: its name, requests, expected status and the ratio it must reach."""

    name: str
    requests: list[Request]
    status: int
    goal: float | None  # minimum throughput ratio to hello world
    warmup: list[Request] | None = None  # other requests to warm up with (submissions)
    once: bool = False  # each request may be sent once only
    location: str = ""  # where a redirect must lead (not to the login page)


@dataclass
class Section:
    """One database's results: hello world's runs, and each page with its result and the
    mean of the hello-world runs before and after it."""

    database: str
    version: str
    hello_runs: list[load.LoadResult] = field(default_factory=list)
    pages: list[tuple[Target, load.LoadResult, load.LoadResult]] = field(default_factory=list)
    memory_mb: dict[int, float] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Settings:
    """How to load the servers."""

    tool: str  # "wrk" or "python"
    duration: float
    warmup: float
    connections: int
    threads: int


# --- servers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A gunicorn master listening on ``port``."""

    port: int
    pid: int

    def workers(self) -> list[int]:
        """The pids of its workers."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        return [int(pid) for pid in children.split()]


@contextlib.contextmanager
def gunicorn(app: str, config: str, env: dict[str, str], check_path: str) -> Iterator[Server]:
    """Serve ``app`` with gunicorn and ``config`` on a free loopback port (an inherited
    socket bound to 127.0.0.1:0); stops it on leaving."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    port = listener.getsockname()[1]
    fd = listener.fileno()
    argv = [sys.executable, "-m", "gunicorn", "-c", f"python:{config}", "--bind", f"fd://{fd}"]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [*argv, app], pass_fds=[fd], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        listener.close()  # the server has its own copy
        server = Server(port, process.pid)
        try:
            _wait_until_ready(server, process, check_path, log)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(server: Server, process: subprocess.Popen, path: str, log) -> None:
    """Wait for every worker to be up and ``path`` to answer."""
    deadline = time.time() + 60
    expected = int(os.environ.get("LESSON_APP_WORKERS", os.cpu_count() or 1))
    while time.time() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"gunicorn stopped:\n{log.read()}")
        with contextlib.suppress(OSError):
            if len(server.workers()) >= expected:
                status, _, _ = fetch(server.port, Request("GET", path))
                if status < 500:
                    return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start within 60 s")


class _NoRedirect(HTTPRedirectHandler):
    """Answer redirects as they are (a submission answers 302)."""

    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def fetch(port: int, request: Request) -> tuple[int, str, str]:
    """Send one request (no redirects followed); answers its status, text and Location."""
    headers = {"User-Agent": USER_AGENT}
    if request.cookie:
        headers["Cookie"] = request.cookie
    data = request.body.encode() or None
    if data:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    url = f"http://127.0.0.1:{port}{request.path}"
    try:
        with build_opener(_NoRedirect).open(
            UrlRequest(url, data, headers, method=request.method), timeout=30
        ) as answer:
            return answer.status, answer.read().decode(), answer.headers.get("Location", "")
    except HTTPError as error:
        body = error.read().decode(errors="replace")
        return error.code, body, error.headers.get("Location", "")


def count_submitted(url: str) -> int:
    """How many attempts the database holds as submitted."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                select(func.count()).select_from(Attempt).where(Attempt.status == "submitted")
            )
    finally:
        engine.dispose()


def rss_mb(pid: int) -> float:
    """A process's resident memory (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- databases -----------------------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_database() -> Iterator[tuple[str, str]]:
    """A new SQLite file in a temporary folder: its URL and the SQLite version."""
    folder = tempfile.mkdtemp(prefix="lesson-app-bench-")
    try:
        yield f"sqlite:///{folder}/bench.sqlite3", f"SQLite {sqlite3.sqlite_version}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_database() -> Iterator[tuple[str, str]]:
    """A scratch PostgreSQL database, dropped on leaving: its URL and the server version."""
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"lesson_app_bench_{uuid.uuid4().hex[:12]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        found = connection.execute(text("SHOW server_version")).scalar_one()
    try:
        url = make_url(POSTGRES_URL).set(database=name)
        yield url.render_as_string(hide_password=False), f"PostgreSQL {found.split()[0]}"
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


def postgres_available() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            return None
    except Exception as error:  # noqa: BLE001  (any failure means: skip PostgreSQL)
        return str(error).splitlines()[0]
    finally:
        engine.dispose()


# --- measuring -----------------------------------------------------------------------------------


def measure(
    settings: Settings, port: int, requests: list[Request], status: int, seconds: float, once: bool
) -> load.LoadResult:
    """One load run with the chosen tool."""
    if settings.tool == "wrk":
        return load.run_wrk(port, requests, seconds, settings.connections, settings.threads, status)
    return load.run_python(port, requests, seconds, settings.connections, status, not once)


def run_target(
    settings: Settings, server: Server, target: Target, warm: bool = True
) -> tuple[int, load.LoadResult]:
    """Check one request, warm the workers up (unless ``warm`` is false), then measure;
    answers how many requests the check and warm-up sent, and the measurement."""
    probe = (target.warmup or target.requests)[0]
    status, body, location = fetch(server.port, probe)
    if status != target.status or not location.startswith(target.location):
        raise SystemExit(
            f"{target.name}: {probe.method} {probe.path} answered {status} {location}:\n{body}"
        )
    warmup = target.warmup or target.requests
    sent, warm_rps = 1, 1.0
    if warm:
        warmed = measure(
            settings, server.port, warmup[1:] or warmup, target.status, settings.warmup, target.once
        )
        sent, warm_rps = sent + warmed.requests, max(warmed.rps, 1.0)
    seconds = settings.duration
    if target.once:
        # Never run out of prepared attempts: a second submit of one would be a cheap redirect.
        seconds = min(seconds, max(1.0, 0.5 * len(target.requests) / warm_rps))
    result = measure(settings, server.port, target.requests, target.status, seconds, target.once)
    if result.unexpected or result.socket_errors or (target.once and result.wraps):
        print(
            f"  warning: {target.name}: {result.unexpected} unexpected answers, "
            f"{result.socket_errors} socket errors, {result.wraps} wraps"
        )
    return sent, result


def run_database(
    settings: Settings,
    database: str,
    url: str,
    db_version: str,
    submissions: int,
    only: list[str] | None = None,
    profile_dir: Path | None = None,
) -> Section:
    """Prepare one database, then measure hello world and every page on it.

    Hello world is measured before the first page and again after each page, and each page is
    compared with the mean of the two hello-world runs around it: on a machine whose other
    load drifts, that compares like with like.
    """
    print(f"{db_version}: preparing the data")
    secret_key = secrets.token_hex(32)
    warmup_submissions = 400
    data = prepare(url, secret_key, submissions, warmup_submissions, lambda m: print(m))
    env = {
        **os.environ,
        "LESSON_APP_DATABASE_URL": url,
        "LESSON_APP_SECRET_KEY": secret_key,
    }
    env.pop("LESSON_APP_ACCESS_LOG", None)
    app_config = "lesson_app.gunicorn_config"
    if profile_dir is not None:  # diagnosis only: the profiler slows the workers down
        app_config = "bench.profiled_config"
        env["LESSON_APP_BENCH_PROFILE_DIR"] = str(profile_dir)
    hello_target = Target("hello world", [Request("GET", "/")], 200, None)
    section = Section(database, db_version)
    with (
        gunicorn("bench.hello:app", "bench.hello_config", env, "/") as hello_server,
        gunicorn("lesson_app.wsgi:app", app_config, env, "/healthz") as server,
    ):
        _, before = run_target(settings, hello_server, hello_target)
        section.hello_runs.append(before)
        print(f"  hello world: {before.rps:.0f} req/s")
        for target in targets(data):
            if only and not any(target.name.startswith(name) for name in only):
                continue
            submitted = count_submitted(url)
            sent, result = run_target(settings, server, target)
            if target.once:  # each measured answer really submitted an attempt
                warmed_up = min(sent, len(target.warmup or []))  # its attempts may run out
                section.checks.append(
                    f"{target.name}: {count_submitted(url) - submitted - warmed_up} attempts "
                    f"submitted in the database besides the {warmed_up} of the check and "
                    f"warm-up, for {result.requests} measured answers (a few more: requests "
                    "still in flight when a run ends)"
                )
            _, after = run_target(settings, hello_server, hello_target, warm=False)
            section.hello_runs.append(after)
            hello = load.mean_result([before, after])
            section.pages.append((target, result, hello))
            print(
                f"  {target.name}: {result.rps:.0f} req/s ({result.rps / hello.rps:.2f}); "
                f"hello world: {after.rps:.0f} req/s"
            )
            before = after
        section.memory_mb = {pid: rss_mb(pid) for pid in server.workers()}
    return section


def targets(data: BenchData) -> list[Target]:
    """The pages under test, in order (submissions last: they change the data)."""
    return [
        Target("reading page", data.reading, 200, 0.5),
        Target("quiz page", data.quiz_page, 200, 0.3),
        Target("class results (200 students)", data.class_results, 200, 0.1),
        Target("lesson results (200 students)", data.lesson_results, 200, 0.1),
        Target(
            "quiz submission",
            data.submit,
            302,
            0.1,
            data.submit_warmup,
            once=True,
            location="/student/attempts/",
        ),
    ]


# --- the report ----------------------------------------------------------------------------------


def machine_lines(settings: Settings, sections: list[Section], load_before: str) -> list[str]:
    """Date, machine, versions and tool, as Markdown list items."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    tool = (
        f"{load.wrk_version()}, {settings.threads} threads"
        if settings.tool == "wrk"
        else "bench/load.py (Python, one process per connection)"
    )
    workers = int(os.environ.get("LESSON_APP_WORKERS", os.cpu_count() or 1))
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
        f"load average before the run {load_before}, after {_load_average()}",
        f"- Python {platform.python_version()}, gunicorn {package_version('gunicorn')} "
        f"({workers} sync workers, lesson_app/gunicorn_config.py for both servers), "
        f"Flask {package_version('flask')}, SQLAlchemy {package_version('sqlalchemy')}",
        "- databases: " + ", ".join(s.version for s in sections),
        f"- client: {tool}, {settings.connections} connections over loopback, "
        f"{settings.duration:g} s a page after {settings.warmup:g} s of warm-up "
        "(submissions: as long as the prepared open attempts last, at most as long)",
    ]


def _load_average() -> str:
    """The 1-minute load average."""
    return Path("/proc/loadavg").read_text().split()[0]


def table_lines(section: Section) -> list[str]:
    """One database's table, in Markdown."""
    hello = load.mean_result(section.hello_runs)
    runs = ", ".join(f"{run.rps:.0f}" for run in section.hello_runs)
    lines = [
        "| page | req/s | ÷ hello | p50 ms | ÷ hello | p90 ms | ÷ hello | p99 ms | ÷ hello "
        "| goal (req/s ÷ hello) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        _row("hello world (mean of its runs)", hello, hello, ""),
    ]
    for target, result, around in section.pages:
        ratio = result.rps / around.rps if around.rps else 0.0
        verdict = ""
        if target.goal is not None:
            verdict = f"≥ {target.goal:g}: {'met' if ratio >= target.goal else 'MISSED'}"
        lines.append(_row(target.name, result, around, verdict))
    problems = [
        f"{target.name}: {result.unexpected} answers with another status than {target.status}, "
        f"{result.socket_errors} socket errors, {result.wraps} attempts submitted twice"
        for target, result, _ in section.pages
        if result.unexpected or result.socket_errors or (target.once and result.wraps)
    ]
    memory = ", ".join(f"{mb:.0f} MB" for mb in section.memory_mb.values())
    worst = max(section.memory_mb.values(), default=0.0)
    verdict = "met" if worst < MEMORY_LIMIT_MB else "MISSED"
    lines += [
        "",
        f"Hello world's runs, before the first page and after each: {runs} req/s; each page is "
        "divided by the mean of the runs just before and after it.",
        "",
        f"Resident memory of each Lesson App worker after the run (VmRSS): {memory} "
        f"(limit {MEMORY_LIMIT_MB} MB: {verdict}).",
        "",
        "Every answer had the expected status."
        if not problems
        else "NOT VALID: " + "; ".join(problems) + ".",
        *[f"Check: {check}." for check in section.checks],
    ]
    return lines


def _row(name: str, result: load.LoadResult, hello: load.LoadResult, verdict: str) -> str:
    """One line of a table."""

    def ratio(value: float, base: float) -> str:
        return f"{value / base:.2f}" if base else "-"

    return (
        f"| {name} | {result.rps:.0f} | {ratio(result.rps, hello.rps)} "
        f"| {result.p50_ms:.1f} | {ratio(result.p50_ms, hello.p50_ms)} "
        f"| {result.p90_ms:.1f} | {ratio(result.p90_ms, hello.p90_ms)} "
        f"| {result.p99_ms:.1f} | {ratio(result.p99_ms, hello.p99_ms)} | {verdict} |"
    )


def report(settings: Settings, sections: list[Section], load_before: str, notes: list[str]) -> str:
    """The whole report, in Markdown."""
    lines = [
        "# Benchmark: Lesson App against Flask hello world",
        "",
        "Written by `make bench` (bench/run.py). Every ratio divides by hello world measured in "
        "the same run, on the same machine, with the same gunicorn settings and client: for "
        "requests per second, higher is better (the goals apply to it); for latencies, lower.",
        "",
        *machine_lines(settings, sections, load_before),
        *[f"- {note}" for note in notes],
    ]
    for section in sections:
        lines += ["", f"## {section.version}", "", *table_lines(section)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and write bench/results.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--duration", type=float, default=10, help="seconds a page")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up a page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--submissions", type=int, default=4000, help="open attempts prepared for submitting"
    )
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql"), action="append", dest="databases"
    )
    parser.add_argument("--output", type=Path, default=RESULTS_FILE)
    parser.add_argument(
        "--only", action="append", help="measure only the pages whose names start with this"
    )
    parser.add_argument(
        "--profile-workers",
        type=Path,
        metavar="DIR",
        help="profile Lesson App's workers into DIR/worker-<pid>.prof (python -m pstats)",
    )
    args = parser.parse_args(argv)
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if load.wrk_path() else "python"
    elif tool == "wrk" and not load.wrk_path():
        raise SystemExit("wrk is not installed (apt-get install wrk), try --tool python")
    settings = Settings(tool, args.duration, args.warmup, args.connections, args.threads)
    load_before = _load_average()
    notes = []
    sections = []
    for database in args.databases or ["sqlite", "postgresql"]:
        if database == "postgresql" and (reason := postgres_available()):
            notes.append(f"PostgreSQL skipped: no server at {POSTGRES_URL} ({reason})")
            print(notes[-1])
            continue
        make = sqlite_database if database == "sqlite" else postgres_database
        with make() as (url, db_version):
            sections.append(
                run_database(
                    settings,
                    database,
                    url,
                    db_version,
                    args.submissions,
                    args.only,
                    args.profile_workers,
                )
            )
    text_report = report(settings, sections, load_before, notes)
    print()
    print(text_report)
    args.output.write_text(text_report, encoding="utf-8")
    print(f"Written to {args.output}")


if __name__ == "__main__":
    main()
