"""Fixtures shared by the web and end-to-end tests: an app on a fresh database of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from lesson_app.db import get_db
from lesson_app.models import User
from lesson_app.services import accounts
from tests import databases
from tests.support import LESSON_FILE, database, make_app, make_user


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[PasswordHasher]:
    """Hash passwords with tiny argon2id costs in tests: the real ones take 0.3 s a hash here.

    Yields the site's own hasher, whose parameters ``test_passwords_are_hashed_with_argon2id``
    checks.
    """
    production = accounts.hasher
    accounts.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts._dummy_hash.cache_clear()
    yield production
    accounts.hasher = production
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A migrated app with an empty database of its own."""
    app = make_app(tmp_path / "test.sqlite3")
    yield app
    get_db(app).engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A runner for ``app``'s command-line commands."""
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session of the test's own on ``app``'s database.

    Not the app's session and no app context held open: requests made by the test client
    must each get their own context (flask-login and CSRF keep state in ``g``).
    """
    with Session(get_db(app).engine) as session:
        yield session


@pytest.fixture
def lesson_text() -> str:
    """The text of the valid lesson fixture."""
    return LESSON_FILE.read_text(encoding="utf-8")


def pytest_report_header() -> str:
    """Say which database this run puts the apps on."""
    if databases.on_postgresql():
        return f"database: PostgreSQL, a new database per app, on {databases.POSTGRES_URL}"
    return "database: SQLite, a new file per app (PostgreSQL: tests marked postgres)"


@pytest.fixture(autouse=True, scope="session")
def postgresql_run() -> Iterator[None]:
    """In the PostgreSQL run, stop at once without a server; drop every database at the end."""
    if databases.on_postgresql() and (problem := databases.server_problem()):
        pytest.exit(f"LESSON_APP_TEST_DATABASE=postgresql but {problem}", returncode=1)
    yield
    if databases.created:
        databases.drop_all()


@pytest.fixture(autouse=True)
def drop_test_databases() -> Iterator[None]:
    """Empty or drop the PostgreSQL databases the test's apps were given, after the test."""
    in_use, created = len(databases.in_use), len(databases.created)
    yield
    if len(databases.in_use) > in_use or len(databases.created) > created:
        databases.release_databases(in_use, created)


@pytest.fixture
def postgres_url() -> str:
    """The URL of a new, empty PostgreSQL database, dropped afterwards; skips without a server."""
    if problem := databases.server_problem():
        pytest.skip(problem)
    return databases.new_postgres_database()


@pytest.fixture(params=databases.EACH_DATABASE)
def app_on_each_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """A migrated app on SQLite, then on PostgreSQL (skipped when no server answers); only on
    PostgreSQL in the PostgreSQL run, whose other tests already cover SQLite's."""
    if request.param == "sqlite":
        app = make_app(tmp_path / "test.sqlite3")
    else:
        app = make_app(None, DATABASE_URL=request.getfixturevalue("postgres_url"))
    yield app
    get_db(app).engine.dispose()


@pytest.fixture
def make_account(app: Flask) -> Callable[..., User]:
    """A factory of users (``make_account("teacher", "t@example.org")``), each made in an app
    context of its own so that the test's requests run in theirs (see ``support.database``)."""

    def make(role: str, email: str, name: str | None = None, *more_roles: str) -> User:
        with database(app) as db:
            return make_user(db, role, email, name, *more_roles)

    return make
