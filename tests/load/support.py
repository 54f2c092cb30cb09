"""Helpers of the load tests: a real gunicorn on a free port, a small HTTP client that keeps a
student's session cookie, quiz forms, and running many requests at the same moment.

Everything here uses the standard library only (no requests, no pytest plugins).
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from lesson_app.models import Attempt, AttemptAnswer, Classroom, Question
from lesson_app.services.attempts import start_attempt, student_lesson
from lesson_app.services.classes import enrol
from tests.support import (
    CSRF_TOKEN,
    database,
    log_in,
    make_user,
    right_answer,
    wrong_answer,
)

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "load test secret key"
WORKERS = 4
# Flask-Login ties a session to the address and the User-Agent; the in-process login and the
# HTTP client send the same one so that gunicorn sees the very session the test client made.
USER_AGENT = "lesson-app-load-tests"
REQUEST_TIMEOUT = 60.0
START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0


def wait_for(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.02) -> T:
    """Call ``condition`` until it answers something true and answer that; fail after
    ``timeout`` seconds with a message saying what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# --- processes -------------------------------------------------------------------------------


def child_pids(parent: int) -> list[int]:
    """The live (not zombie) child processes of ``parent``, read from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        # Fields after the command name (in parentheses, which may hold spaces): state, ppid...
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == parent and state != "Z":
            children.append(int(entry.name))
    return sorted(children)


def worker_booted(pid: int) -> bool:
    """Whether a gunicorn worker has set up its own signal handlers (it then acts on SIGTERM).

    A worker starts as a copy of the master, whose handlers only queue signals for the
    master's loop: a SIGTERM that arrives then is lost, and the master waits its whole
    graceful timeout (30 s) for that worker. The worker's ``init_signals`` resets SIGHUP to
    the default: a worker without a SIGHUP handler (the SigCgt mask of /proc/<pid>/status) is
    booted.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # ended meanwhile
        return False
    mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return not int(mask, 16) & (1 << (signal.SIGHUP - 1))


def gone(pid: int) -> bool:
    """True once the process has ended (a zombie waiting to be reaped counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


# --- gunicorn --------------------------------------------------------------------------------


@dataclass
class Gunicorn:
    """A gunicorn master started by ``start_gunicorn``: where it listens, its process, its log."""

    port: int
    process: subprocess.Popen
    log_path: Path
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        """The base URL, such as ``http://127.0.0.1:41234``."""
        return f"http://{self.host}:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        """The end of gunicorn's log (its stderr), for assertion messages."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "gunicorn log, last lines:\n" + "\n".join(text.splitlines()[-lines:])

    def workers(self) -> list[int]:
        """The pids of the master's live worker processes."""
        return child_pids(self.process.pid)

    def healthy(self) -> bool:
        """True when ``GET /healthz`` answers 200."""
        try:
            return request(self.url, "GET", "/healthz", timeout=2).status == 200
        except OSError:
            return False

    def wait_until_ready(self, replacing: Sequence[int] = ()) -> list[int]:
        """Wait until /healthz answers and all the workers (none of the pids ``replacing``) have
        their signal handlers set up; answer the workers' pids."""

        def ready() -> list[int] | None:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"gunicorn exited with {self.process.returncode}\n{self.log_tail()}"
                )
            workers = [pid for pid in self.workers() if pid not in replacing]
            booted = [pid for pid in workers if worker_booted(pid)]
            if len(booted) == WORKERS and self.healthy():
                return booted
            return None

        try:
            return wait_for(ready, START_TIMEOUT, "gunicorn to serve with all its workers")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.log_tail()}") from None

    def stop(self) -> int:
        """Stop gracefully (SIGTERM, as a service manager does) and answer the exit code; kill
        the master and its workers when they have not ended within ``STOP_TIMEOUT`` seconds.

        A worker still booting when the master passes SIGTERM on loses it (see
        ``worker_booted``) and the master would wait its whole graceful timeout for it: while
        waiting, booted workers are sent SIGTERM again (a worker just replaced after a crash
        may be booting when a test fails).
        """
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                return self.process.wait(0.5)
            except subprocess.TimeoutExpired:
                self._signal_workers(signal.SIGTERM, booted_only=True)
        self._signal_workers(signal.SIGKILL)
        self.process.kill()
        self.process.wait(STOP_TIMEOUT)
        raise AssertionError(
            f"gunicorn did not stop within {STOP_TIMEOUT} s of SIGTERM\n{self.log_tail()}"
        )

    def _signal_workers(self, signum: int, booted_only: bool = False) -> None:
        """Send ``signum`` to each live worker (only to the booted ones if ``booted_only``)."""
        for pid in self.workers():
            if booted_only and not worker_booted(pid):
                continue
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.kill(pid, signum)


def gunicorn_environment(database_url: str) -> dict[str, str]:
    """The environment of the server: this one without any LESSON_APP_* setting, plus the
    database and the secret key the tests' in-process app uses."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LESSON_APP_")}
    environment["LESSON_APP_DATABASE_URL"] = database_url
    environment["LESSON_APP_SECRET_KEY"] = SECRET_KEY
    return environment


def start_gunicorn(database_url: str, log_path: Path) -> Gunicorn:
    """Start ``gunicorn -c python:lesson_app.gunicorn_config`` with ``WORKERS`` workers on a
    socket bound here to a free port (passed as ``fd://N``, so no other process can take the
    port in between), and wait until it serves."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:lesson_app.gunicorn_config",
        "--workers",
        str(WORKERS),
        "--bind",
        f"fd://{listener.fileno()}",
        "lesson_app.wsgi:app",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=gunicorn_environment(database_url),
            pass_fds=[listener.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
    listener.close()  # the server has its own copy; with ours gone, a dead server refuses
    server = Gunicorn(port=port, process=process, log_path=log_path)
    try:
        server.wait_until_ready()
    except BaseException:
        server.stop()
        raise
    return server


# --- HTTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """An HTTP response: status, headers and body text."""

    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        """The path a redirect goes to ('' when there is none)."""
        return urllib.parse.urlsplit(self.headers.get("Location", "")).path


def request(
    base_url: str,
    method: str,
    path: str,
    fields: dict[str, Any] | None = None,
    cookie: str | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Response:
    """Send one request on a connection of its own (gunicorn's sync workers close every
    connection after the response); ``fields`` are sent as a form. Redirects are not followed.
    """
    parts = urllib.parse.urlsplit(base_url)
    headers = {"User-Agent": USER_AGENT, "Connection": "close"}
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    body = None
    if fields is not None:
        body = urllib.parse.urlencode(fields, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode("utf-8", errors="replace")
        return Response(answer.status, answer.headers, text)
    finally:
        connection.close()


@dataclass
class Browser:
    """One student's HTTP client: it sends the session cookie and keeps the one the server
    sets, as a browser does; it does not follow redirects."""

    base_url: str
    cookie: str

    def get(self, path: str) -> Response:
        """GET ``path``."""
        return self._send("GET", path, None)

    def post(self, path: str, fields: dict[str, Any]) -> Response:
        """POST the form ``fields`` to ``path``."""
        return self._send("POST", path, fields)

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the form on the page at ``path``."""
        response = self.get(path)
        match = CSRF_TOKEN.search(response.body)
        assert response.status == 200 and match, f"no CSRF token on {path}: {response.status}"
        return match.group(1)

    def _send(self, method: str, path: str, fields: dict[str, Any] | None) -> Response:
        """Send the request with the current cookie and keep a new one if the server sets it."""
        response = request(self.base_url, method, path, fields, self.cookie)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            if "session" in cookie and cookie["session"].value:
                self.cookie = cookie["session"].value
        return response


def session_cookie(app: Flask, email: str) -> str:
    """Log in through an in-process test client of ``app`` and answer its session cookie.

    The cookie is signed with the secret key and names the user's session token, which is in
    the database: gunicorn, with the same key and database, takes it as a login. This spares
    the production argon2 hash (0.35 s) a login through gunicorn would cost; the tests hash
    with cheap costs (tests/conftest.py).
    """
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    log_in(client, email)
    cookie = client.get_cookie("session")
    assert cookie is not None, f"no session cookie after logging in {email}"
    return cookie.value


class Burst:
    """Calls (requests) each run in a thread of its own, all released at the same moment by a
    barrier; ``results()`` waits for them."""

    def __init__(self, calls: Sequence[Callable[[], T]]) -> None:
        self.barrier = threading.Barrier(len(calls))
        self.outcomes: list[T | Exception] = [AssertionError("never ran")] * len(calls)
        self.threads = [
            threading.Thread(target=self._run, args=(index, call), daemon=True)
            for index, call in enumerate(calls)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self, index: int, call: Callable[[], T]) -> None:
        """Wait for the other threads, make the call, keep its result or exception."""
        try:
            self.barrier.wait(REQUEST_TIMEOUT)
            self.outcomes[index] = call()
        except Exception as error:
            self.outcomes[index] = error

    def results(self, timeout: float = 2 * REQUEST_TIMEOUT) -> list[T | Exception]:
        """Wait for every call; answer each one's result, or the exception it raised, in order."""
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = sum(thread.is_alive() for thread in self.threads)
        assert not stuck, f"{stuck} of {len(self.threads)} calls still running after {timeout} s"
        return self.outcomes


def all_at_once(calls: Sequence[Callable[[], T]]) -> list[T | Exception]:
    """Make the calls at the same moment, each in a thread of its own (see ``Burst``); answer
    each one's result, or the exception it raised, in order."""
    return Burst(calls).results()


# --- quiz forms ------------------------------------------------------------------------------


def answer_fields(question: Question, answer: Any) -> dict[str, list[str]]:
    """The quiz form's fields that give ``answer``, every value a list of strings."""
    name = f"q-{question.qid}"
    if question.type in ("single", "true-false", "short", "numeric"):
        return {name: [str(answer)]}
    if question.type in ("multiple", "evidence"):
        return {name: [str(value) for value in answer]}
    if question.type in ("ordering", "matching"):
        return {f"{name}-{part}": [str(value)] for part, value in answer.items()}
    return {f"{name}-{index}": [text] for index, text in enumerate(answer)}  # blanks


def quiz_form(questions: Sequence[Question], plan: dict[str, bool]) -> dict[str, list[str]]:
    """The form answering each question named in ``plan`` right (True) or wrong (False)."""
    form: dict[str, list[str]] = {}
    for question in questions:
        if question.qid in plan:
            if plan[question.qid]:
                answer = right_answer(question.type, question.key)
            else:
                answer = wrong_answer(question.type, question.key)
            form.update(answer_fields(question, answer))
    return form


class FormState(HTMLParser):
    """The answers a quiz page's form holds, as a browser would send them: checked boxes and
    radios, typed text, selected options (fields named ``q-...`` with a value)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note the value of a filled-in input or a selected option."""
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag == "input" and name.startswith("q-"):
            if attributes.get("type") in ("radio", "checkbox") and "checked" not in attributes:
                return
            if attributes.get("value"):
                self.values.setdefault(name, []).append(attributes["value"])
        elif tag == "select":
            self._select = name if name.startswith("q-") else None
        elif tag == "option" and self._select and "selected" in attributes and attributes["value"]:
            self.values.setdefault(self._select, []).append(attributes["value"])

    def handle_endtag(self, tag: str) -> None:
        """Leave a select."""
        if tag == "select":
            self._select = None


def form_state(page: str) -> dict[str, list[str]]:
    """The answers filled in on a quiz page, each field's values sorted."""
    parser = FormState()
    parser.feed(page)
    return {name: sorted(values) for name, values in parser.values.items()}


# --- the classroom ---------------------------------------------------------------------------


@dataclass
class LoadWorld:
    """A migrated database with the seed lesson assigned to a class, and an in-process app on
    it (same database and secret key as the servers) for logging in and checking rows."""

    backend: str
    database_url: str
    app: Flask
    classroom_id: int
    lesson_slug: str
    questions: list[Question]
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def sqlite_path(self) -> Path:
        """The SQLite database file (SQLite only)."""
        assert self.backend == "sqlite", self.backend
        return Path(make_url(self.database_url).database)

    @property
    def max_score(self) -> int:
        """The points of all the questions."""
        return sum(question.points for question in self.questions)

    def enrol_student(self) -> tuple[str, int]:
        """Create one more student in the class, with an open attempt at the lesson (started by
        the service the start button uses); answer the email address and the attempt id. Safe
        to call from several threads: each call has an app context and a session of its own."""
        email = f"student{next(self.numbers)}@example.org"
        with database(self.app) as db:
            student = make_user(db, "student", email)
            enrol(db, student, db.get(Classroom, self.classroom_id))
            attempt = start_attempt(db, student, student_lesson(db, student, self.lesson_slug))
            return email, attempt.id

    def stored(self, attempt_id: int) -> tuple[Attempt, list[AttemptAnswer]]:
        """The attempt's row and its answer rows as the database has them now (detached)."""
        with database(self.app) as db:
            attempt = db.get(Attempt, attempt_id)
            rows = list(
                db.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
            )
            db.expunge_all()
            return attempt, rows

    def count(self, model: type, *conditions: Any) -> int:
        """How many rows of ``model`` match ``conditions``."""
        with database(self.app) as db:
            return db.scalar(select(func.count()).select_from(model).where(*conditions))


@dataclass
class QuizTaker:
    """A student logged in over HTTP with an open attempt, and the CSRF token of its page."""

    browser: Browser
    attempt_id: int
    csrf_token: str

    @property
    def page(self) -> str:
        """The attempt's page: the quiz while open, the result once submitted."""
        return f"/student/attempts/{self.attempt_id}"

    def save(self, form: dict[str, list[str]]) -> Response:
        """Send the quiz form with "Save draft"."""
        return self.browser.post(f"{self.page}/save", {**form, "csrf_token": self.csrf_token})

    def submit(self, form: dict[str, list[str]]) -> Response:
        """Send the quiz form with "Submit answers", confirmed."""
        fields = {**form, "confirm": "yes", "csrf_token": self.csrf_token}
        return self.browser.post(f"{self.page}/submit", fields)


def start_quizzes(world: LoadWorld, server: Gunicorn, count: int) -> list[QuizTaker]:
    """Make ``count`` students ready to submit, a few at a time: each is enrolled with an open
    attempt, logged in (in process), and opens the quiz page through ``server`` for the CSRF
    token of its form."""

    def prepare(_: int) -> QuizTaker:
        email, attempt_id = world.enrol_student()
        browser = Browser(server.url, session_cookie(world.app, email))
        return QuizTaker(browser, attempt_id, browser.csrf_token(f"/student/attempts/{attempt_id}"))

    with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
        return list(pool.map(prepare, range(count)))


# --- holding a submit inside the database ----------------------------------------------------


class PostgresqlRowLock:
    """An attempt's row held ``FOR NO KEY UPDATE`` by a transaction of the test's own, and a
    view of the backends that wait for a lock.

    A submit's answer INSERTs go through (their foreign-key checks take ``FOR KEY SHARE``,
    which does not conflict) and its ``UPDATE attempts ... WHERE status = 'open'`` waits; any
    other submit of the same attempt waits on the first one's answer rows (the unique key of
    attempt and question).
    """

    def __init__(self, database_url: str, attempt_id: int) -> None:
        self.engine = create_engine(database_url)
        self.locker = self.engine.connect()
        # In autocommit, each look at pg_stat_activity sees fresh statistics.
        self.watcher = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self.locker.execute(
            text("SELECT id FROM attempts WHERE id = :id FOR NO KEY UPDATE"), {"id": attempt_id}
        )

    def waiting(self) -> list[tuple[int, str]]:
        """The backends of the database that wait for a lock: their pid and query."""
        rows = self.watcher.execute(
            text(
                "SELECT pid, query FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        return [(pid, query) for pid, query in rows]

    def wait_until_waiting(self, count: int) -> list[tuple[int, str]]:
        """Wait until ``count`` backends wait for a lock; answer them."""
        wait_for(lambda: len(self.waiting()) >= count, 15, f"{count} backends to wait")
        return self.waiting()

    def ended(self, pid: int) -> bool:
        """True once the backend ``pid`` has gone."""
        alive = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
        return self.watcher.scalar(alive, {"pid": pid}) == 0

    def release(self) -> None:
        """End the test's transaction: the statements that waited go on."""
        self.locker.rollback()

    def close(self) -> None:
        """Release the lock and close the connections."""
        self.locker.close()
        self.watcher.close()
        self.engine.dispose()


def sleeps_in_nanosleep(pid: int) -> bool:
    """Whether the process sleeps in nanosleep now (its /proc/<pid>/wchan). A gunicorn worker
    does only while SQLite's busy handler waits for the write lock; an idle one waits in
    select, a busy one runs."""
    try:
        return "nanosleep" in Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False


class SqliteWriteLock:
    """SQLite's write lock held (``BEGIN IMMEDIATE``) by a connection of the test's own:
    readers go on, writers wait (the app's busy timeout is 10 s)."""

    def __init__(self, path: Path, server: Gunicorn) -> None:
        self.server = server
        self.connection = sqlite3.connect(path, isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")

    def wait_until_waiting(self, count: int) -> list[int]:
        """Wait until ``count`` of the server's workers have been seen waiting for the lock
        (once waiting, a worker waits until ``release``); answer their pids."""
        seen: set[int] = set()

        def enough() -> bool:
            seen.update(pid for pid in self.server.workers() if sleeps_in_nanosleep(pid))
            return len(seen) >= count

        wait_for(enough, 15, f"{count} workers to wait for SQLite's write lock", interval=0.005)
        return sorted(seen)

    def release(self) -> None:
        """Let the writers go on."""
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")

    def close(self) -> None:
        """Release the lock and close the connection."""
        self.release()
        self.connection.close()
