"""Fixtures shared by the web and end-to-end tests: an app on a fresh database of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lesson_app.db import get_db
from lesson_app.models import User
from lesson_app.services import accounts
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


POSTGRES_URL = os.environ.get(
    "LESSON_APP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards; skips without a server."""
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"lesson_app_test_{uuid.uuid4().hex[:12]}"
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        server.dispose()
        pytest.skip(f"no PostgreSQL server at {POSTGRES_URL}: {exc.orig}")
    try:
        yield server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app_on_each_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """A migrated app on SQLite, then on PostgreSQL (skipped when no server answers)."""
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
