"""The benchmark's data, made through the services (not over HTTP, which would be slow):
the seed lesson, a teacher, a class of students with open attempts, a class of 200 students who
each submitted, and a logged-in session cookie and CSRF token for every account used.

Passwords are hashed with tiny argon2id costs in this process only: the production costs
(0.35 s a hash) would make preparing thousands of students take hours, and the server never
checks a password during the benchmark, because each session cookie is made here the way the
login view makes it (``session.clear()`` then ``login_user``) and signed with the server's
secret key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from argon2 import PasswordHasher
from flask import Flask, g, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lesson_app import create_app
from lesson_app.db import get_db, get_session, upgrade_database
from lesson_app.models import Attempt, Classroom, Lesson, Question, User
from lesson_app.services import accounts
from lesson_app.services.attempts import read_answers, start_attempt, student_lesson, submit_attempt
from lesson_app.services.classes import assign_lesson, create_class, enrol
from lesson_app.services.lessons import import_lesson_file
from tests.support import right_answer, wrong_answer

ROOT = Path(__file__).resolve().parent.parent
SLUG = "central-asia-mobilisation"
LESSON_FILE = ROOT / "content" / f"{SLUG}.md"
PASSWORD = "bench password 2024"
#: Sent by every client of the benchmark, and used when making the cookies: Flask-Login ties
#: a session to the address and user agent that logged in.
USER_AGENT = "lesson-app-bench"
REMOTE_ADDR = "127.0.0.1"
RESULTS_CLASS_SIZE = 200
QUIZ_PAGE_STUDENTS = 8


@dataclass(frozen=True)
class Request:
    """One HTTP request of a load run."""

    method: str
    path: str
    cookie: str = ""
    body: str = ""


@dataclass(frozen=True)
class BenchData:
    """The requests of each page under test, ready to send."""

    reading: list[Request]
    quiz_page: list[Request]
    submit_warmup: list[Request]
    submit: list[Request]
    class_results: list[Request]
    lesson_results: list[Request]


def bench_app(database_url: str, secret_key: str) -> Flask:
    """Lesson App on the benchmark's database, as the server will see it (same key)."""
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret_key})


@contextmanager
def cheap_password_hashing() -> Iterator[None]:
    """Hash passwords with tiny argon2id costs while preparing the data (this process only)."""
    production = accounts.hasher
    accounts.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts._dummy_hash.cache_clear()
    try:
        yield
    finally:
        accounts.hasher = production
        accounts._dummy_hash.cache_clear()


def _fast_commits(app: Flask) -> None:
    """Let this process's own connections commit without waiting for the disk: the set-up
    needs no durability, and the server's connections keep the site's settings."""
    engine = get_db(app).engine

    @event.listens_for(engine, "connect")
    def no_sync(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        else:
            cursor.execute("SET synchronous_commit TO OFF")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()


@contextmanager
def login_request(app: Flask) -> Iterator[Session]:
    """A request context like a login's from the benchmark's clients (their address and user
    agent), for the whole set-up: answers the database session of the services."""
    with app.test_request_context(
        "/login", environ_base={"REMOTE_ADDR": REMOTE_ADDR}, headers={"User-Agent": USER_AGENT}
    ):
        yield get_session()


def session_cookie(app: Flask, user: User) -> tuple[str, str]:
    """A signed session cookie of ``user`` logged in, and a CSRF token valid with it; call
    inside ``login_request``."""
    session.clear()  # what the login view does: a brand-new session
    g.pop("csrf_token", None)  # Flask-WTF keeps the request's token in g
    login_user(user)
    token = generate_csrf()
    value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}", token


def form_fields(questions: list[Question], seed: int) -> dict[str, Any]:
    """The quiz form with every question answered, about two thirds of them right."""
    data: dict[str, Any] = {}
    for question in questions:
        right = (seed + question.position) % 3 != 0
        answer = (right_answer if right else wrong_answer)(question.type, question.key)
        name = f"q-{question.qid}"
        if question.type in ("single", "true-false", "short", "numeric"):
            data[name] = answer
        elif question.type in ("multiple", "evidence"):
            data[name] = list(answer)
        elif question.type in ("ordering", "matching"):
            data.update({f"{name}-{part}": str(value) for part, value in answer.items()})
        else:  # blanks
            data.update({f"{name}-{index}": text for index, text in enumerate(answer)})
    return data


def _new_student(db: Session, classroom_id: int, email: str, name: str) -> tuple[User, int]:
    """A new student in the class, with an open attempt at the lesson; and the attempt's id."""
    student = accounts.create_user(db, email=email, name=name, password=PASSWORD, roles=["student"])
    enrol(db, student, db.get(Classroom, classroom_id))
    attempt = start_attempt(db, student, student_lesson(db, student, SLUG))
    return student, attempt.id


def prepare(
    database_url: str,
    secret_key: str,
    submissions: int,
    warmup_submissions: int,
    progress: Callable[[str], None] = print,
) -> BenchData:
    """Migrate the empty database at ``database_url`` and fill it; answers the requests."""
    app = bench_app(database_url, secret_key)
    _fast_commits(app)
    upgrade_database(app)
    with cheap_password_hashing(), login_request(app) as db:
        outcome = import_lesson_file(db, LESSON_FILE)
        assert outcome.status == "added", outcome.describe()
        lesson = db.scalar(select(Lesson).where(Lesson.slug == SLUG))
        # Read once and kept apart from the session, whose commits would expire them.
        with Session(get_db(app).engine) as reader:
            questions = list(
                reader.scalars(
                    select(Question)
                    .where(Question.version_id == lesson.current_version_id)
                    .order_by(Question.position)
                )
            )
        teacher = accounts.create_user(
            db,
            email="teacher@bench.example",
            name="Bench Teacher",
            password=PASSWORD,
            roles=["teacher"],
        )
        teacher_cookie, _ = session_cookie(app, teacher)
        results_class = create_class(db, teacher, "Results class").id
        quiz_class = create_class(db, teacher, "Quiz class").id
        for class_id in (results_class, quiz_class):
            assign_lesson(db, db.get(Classroom, class_id), lesson.id, None)
        db.expunge_all()  # a session holding thousands of objects makes every commit slow

        progress(f"  {RESULTS_CLASS_SIZE} students who each submitted")
        for index in range(RESULTS_CLASS_SIZE):
            email, name = f"results{index}@bench.example", f"Results {index:05d}"
            _, attempt_id = _new_student(db, results_class, email, name)
            answers = read_answers(questions, _as_form(form_fields(questions, index)))
            submit_attempt(db, db.get(Attempt, attempt_id), answers)
            db.expunge_all()

        open_count = QUIZ_PAGE_STUDENTS + warmup_submissions + submissions
        progress(f"  {open_count} students with an open attempt")
        open_requests = []
        for index in range(open_count):
            email, name = f"quiz{index}@bench.example", f"Quiz {index:05d}"
            student, attempt_id = _new_student(db, quiz_class, email, name)
            cookie, token = session_cookie(app, student)
            fields = {"csrf_token": token, **form_fields(questions, index), "confirm": "yes"}
            open_requests.append((attempt_id, cookie, urlencode(fields, doseq=True)))
            db.expunge_all()
    get_db(app).engine.dispose()

    quiz = open_requests[:QUIZ_PAGE_STUDENTS]
    warmup = open_requests[QUIZ_PAGE_STUDENTS : QUIZ_PAGE_STUDENTS + warmup_submissions]
    measured = open_requests[QUIZ_PAGE_STUDENTS + warmup_submissions :]
    base = f"/teacher/classes/{results_class}"
    return BenchData(
        reading=[Request("GET", f"/lessons/{SLUG}")],
        quiz_page=[Request("GET", f"/student/attempts/{a}", cookie) for a, cookie, _ in quiz],
        submit_warmup=[_submit(*row) for row in warmup],
        submit=[_submit(*row) for row in measured],
        class_results=[Request("GET", f"{base}/results", teacher_cookie)],
        lesson_results=[Request("GET", f"{base}/lessons/{SLUG}/results", teacher_cookie)],
    )


def _submit(attempt_id: int, cookie: str, body: str) -> Request:
    """The submission of one open attempt."""
    return Request("POST", f"/student/attempts/{attempt_id}/submit", cookie, body)


def _as_form(fields: dict[str, Any]) -> dict[str, list[str]]:
    """Form fields as ``request.form.to_dict(flat=False)`` gives them."""
    return {
        name: [str(v) for v in value] if isinstance(value, list) else [str(value)]
        for name, value in fields.items()
    }
