"""The application factory, its settings and the database connection."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import text

from lesson_app import create_app
from lesson_app.config import default_database_url, load_or_create_secret_key
from lesson_app.db import make_engine


def test_settings_come_from_prefixed_environment_variables(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    monkeypatch.setenv("LESSON_APP_DATABASE_URL", url)
    monkeypatch.setenv("LESSON_APP_SECRET_KEY", "from the environment")
    app = create_app()
    assert app.config["DATABASE_URL"] == url
    assert app.config["SECRET_KEY"] == "from the environment"


def test_overrides_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LESSON_APP_SECRET_KEY", "from the environment")
    app = create_app({"SECRET_KEY": "override", "DATABASE_URL": "sqlite://"})
    assert app.config["SECRET_KEY"] == "override"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    url = default_database_url(tmp_path / "instance")
    assert url == f"sqlite:///{tmp_path / 'instance' / 'lesson_app.sqlite3'}"
    assert (tmp_path / "instance").is_dir()


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    key = load_or_create_secret_key(tmp_path / "instance")
    path = tmp_path / "instance" / "secret_key"
    assert len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret_key(tmp_path / "instance") == key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]


def test_sqlite_connections_are_safe_for_concurrent_writers(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA synchronous")) == 2  # FULL
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert connection.scalar(text("PRAGMA busy_timeout")) >= 5000
    engine.dispose()


@pytest.mark.parametrize("url", ["postgresql://u@db/lessons", "postgres://u@db/lessons"])
def test_postgresql_urls_use_psycopg_3(url):
    assert make_engine(url).url.drivername == "postgresql+psycopg"
