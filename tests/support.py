"""Helpers for the tests: fixture files, a migrated test app, users, forms and logging in."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from lesson_app import create_app
from lesson_app.db import get_session, upgrade_database
from lesson_app.models import User
from lesson_app.services.accounts import create_user
from tests import databases

CONTENT = Path(__file__).parent.parent / "content"
FIXTURES = Path(__file__).parent / "web" / "fixtures"
LESSON_FILE = FIXTURES / "neighbours-and-mobilisation.md"
LESSON_SLUG = "neighbours-and-mobilisation"
PASSWORD = "correct horse battery"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*? value="([^"]+)"')


def make_app(database_path: Path | None, **overrides: object) -> Flask:
    """Create a test app on a SQLite file (or the overrides' DATABASE_URL), migrated the way
    ``lesson-app db upgrade`` does.

    In the PostgreSQL run (``tests/databases.py``) the app gets a new PostgreSQL database
    instead of the file, unless the overrides name a database.
    """
    if "DATABASE_URL" not in overrides and databases.on_postgresql():
        overrides["DATABASE_URL"] = databases.new_migrated_postgres_database()
    config = {
        "TESTING": True,
        "DEMO_ACCOUNTS_FILE": str(
            (database_path.parent if database_path else Path(tempfile.mkdtemp()))
            / "demo-accounts.json"
        ),
        "SECRET_KEY": "test secret key",
        "DATABASE_URL": f"sqlite:///{database_path}",
        **overrides,
    }
    app = create_app(config)
    upgrade_database(app)
    return app


@contextmanager
def database(app: Flask) -> Iterator[Session]:
    """The app's own database session (the one ``get_session()`` gives views) in an app
    context of its own, closed on leaving, for setting up and checking data between requests.
    """
    with app.app_context():
        yield get_session()


def make_user(
    session: Session, role: str, email: str, name: str | None = None, *more_roles: str
) -> User:
    """Create a user with ``role`` (and ``more_roles``) and the password ``PASSWORD``; its
    attributes stay readable after the session closes."""
    name = name or email.partition("@")[0].title()
    user = create_user(
        session, email=email, name=name, password=PASSWORD, roles=[role, *more_roles]
    )
    session.refresh(user)
    return user


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of a form on the page at ``url``, as a browser would send it."""
    match = CSRF_TOKEN.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(
    client: FlaskClient,
    page: str,
    data: dict[str, str],
    action: str | None = None,
    **request: object,
) -> TestResponse:
    """Send a form of the page at ``page`` to ``action`` (default: the page) with its token;
    ``request`` goes to the test client (``environ_base`` for another address, say)."""
    data = {"csrf_token": csrf_token(client, page), **data}
    return client.post(action or page, data=data, **request)


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    """Log the client in through the login form; the answer must be a redirect."""
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def without_csrf_tokens(html: str) -> str:
    """The page with its CSRF tokens blanked (they carry a timestamp), to compare pages."""
    return CSRF_TOKEN.sub('name="csrf_token" value=""', html)


def right_answer(question_type: str, key: dict) -> object:
    """The answer that earns every point, built from a question's stored answer key."""
    if question_type == "single":
        return next(o["id"] for o in key["options"] if o["correct"])
    if question_type == "multiple":
        return [o["id"] for o in key["options"] if o["correct"]]
    if question_type == "true-false":
        return "true" if key["answer"] else "false"
    if question_type == "short":
        return key["accepted"][0]
    if question_type == "numeric":
        return key["value"]
    if question_type == "ordering":
        return {item["id"]: place for place, item in enumerate(key["items"], start=1)}
    if question_type == "matching":
        return {pair["left_id"]: pair["right_id"] for pair in key["pairs"]}
    if question_type == "blanks":
        return [alternatives[0] for alternatives in key["blanks"]]
    if question_type == "evidence":
        return list(key["sentences"])
    raise ValueError(f"unknown question type {question_type}")


def wrong_answer(question_type: str, key: dict) -> object:
    """An answer that earns nothing, in the shape ``right_answer`` gives."""
    if question_type == "single":
        return next(o["id"] for o in key["options"] if not o["correct"])
    if question_type == "multiple":
        return [o["id"] for o in key["options"] if not o["correct"]]
    if question_type == "true-false":
        return "false" if key["answer"] else "true"
    if question_type in ("short", "numeric"):
        return "7"
    if question_type == "ordering":
        ids = [item["id"] for item in key["items"]]
        return {item: place for place, item in enumerate(reversed(ids), start=1)}
    if question_type == "matching":
        rights = [pair["right_id"] for pair in key["pairs"]]
        return {p["left_id"]: rights[i - 1] for i, p in enumerate(key["pairs"])}
    if question_type == "blanks":
        return ["zzz" for _ in key["blanks"]]
    if question_type == "evidence":
        return [next(r for r, _ in key["choices"] if r not in key["sentences"])]
    raise ValueError(f"unknown question type {question_type}")
