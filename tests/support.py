"""Helpers for the tests: fixture files and a migrated test app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from lesson_app import create_app
from lesson_app.db import upgrade_database

CONTENT = Path(__file__).parent.parent / "content"
FIXTURES = Path(__file__).parent / "web" / "fixtures"
LESSON_FILE = FIXTURES / "neighbours-and-mobilisation.md"
LESSON_SLUG = "neighbours-and-mobilisation"


def make_app(database_path: Path | None, **overrides: object) -> Flask:
    """Create a test app on a SQLite file (or the overrides' DATABASE_URL), migrated the way
    ``lesson-app db upgrade`` does."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "DATABASE_URL": f"sqlite:///{database_path}",
        **overrides,
    }
    app = create_app(config)
    upgrade_database(app)
    return app
