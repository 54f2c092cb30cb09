"""Fixtures of the load tests: a classroom on SQLite and on PostgreSQL, and real gunicorn
servers with several workers on it, stopped after each test whatever happens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from lesson_app.db import get_db
from lesson_app.models import Lesson, Question
from lesson_app.services.classes import assign_lesson, create_class
from lesson_app.services.lessons import import_lesson_file
from tests import databases
from tests.load.support import SECRET_KEY, Gunicorn, LoadWorld, start_gunicorn
from tests.support import CONTENT, database, make_app, make_user

SLUG = "central-asia-mobilisation"


@pytest.fixture(params=databases.EACH_DATABASE)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LoadWorld]:
    """A migrated database, on SQLite then on PostgreSQL (skipped when no server answers),
    with the seed lesson imported and assigned to a class; ``world.enrol_student()`` adds a
    student with an open attempt."""
    if request.param == "sqlite":
        app = make_app(tmp_path / "load.sqlite3", SECRET_KEY=SECRET_KEY)
    else:
        url = request.getfixturevalue("postgres_url")
        app = make_app(None, DATABASE_URL=url, SECRET_KEY=SECRET_KEY)
    with database(app) as db:
        import_lesson_file(db, CONTENT / f"{SLUG}.md")
        lesson = db.scalar(select(Lesson).where(Lesson.slug == SLUG))
        classroom = create_class(db, make_user(db, "teacher", "teacher@example.org"), "Year 10")
        assign_lesson(db, classroom, lesson.id, None)
        questions = list(
            db.scalars(
                select(Question)
                .where(Question.version_id == lesson.current_version_id)
                .order_by(Question.position)
            )
        )
        classroom_id = classroom.id
        db.expunge_all()
    yield LoadWorld(
        backend=request.param,
        database_url=app.config["DATABASE_URL"],
        app=app,
        classroom_id=classroom_id,
        lesson_slug=SLUG,
        questions=questions,
    )
    get_db(app).engine.dispose()


@pytest.fixture
def start_server(world: LoadWorld, tmp_path: Path) -> Iterator[Callable[[], Gunicorn]]:
    """Start gunicorn servers on the world's database (each logging to a file of its own in
    ``tmp_path``); every one still running is stopped after the test, passed or failed."""
    started: list[Gunicorn] = []

    def start() -> Gunicorn:
        log_path = tmp_path / f"gunicorn-{len(started) + 1}.log"
        server = start_gunicorn(world.database_url, log_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def gunicorn(start_server: Callable[[], Gunicorn]) -> Gunicorn:
    """A gunicorn serving the world's database with 4 workers, once /healthz answers 200:
    ``gunicorn.url`` is its base URL, ``gunicorn.process`` the master's Popen."""
    return start_server()
