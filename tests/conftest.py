"""Fixtures shared by the web and end-to-end tests: an app on a fresh SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from lesson_app.db import get_db
from tests.support import LESSON_FILE, make_app


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
    """The database session of ``app``, inside an app context."""
    with app.app_context():
        yield get_db(app).session()


@pytest.fixture
def lesson_text() -> str:
    """The text of the valid lesson fixture."""
    return LESSON_FILE.read_text(encoding="utf-8")
