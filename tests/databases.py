"""The databases the tests run on: SQLite files by default, PostgreSQL on demand.

``LESSON_APP_TEST_DATABASE=postgresql`` runs the whole suite on PostgreSQL (``make test`` does
this second run when a server answers): every app the tests make gets a new database of its
own, copied from a template migrated once per test run. After its test the database is
emptied (every table but Alembic's truncated, sequences restarted) and given to a later test:
creating and dropping a database per test costs about a second on a busy 2-core machine.

``python -m tests.databases`` exits 0 when the PostgreSQL server answers, else says why and
exits 1; the Makefile uses it to run or skip the PostgreSQL run.
"""

from __future__ import annotations

import os
import sys
import uuid
from functools import cache

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from lesson_app import create_app
from lesson_app.db import get_db, upgrade_database

TEST_DATABASE = os.environ.get("LESSON_APP_TEST_DATABASE", "sqlite")
POSTGRES_URL = os.environ.get(
    "LESSON_APP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
#: Databases made by ``new_postgres_database`` and not yet dropped, oldest first.
created: list[str] = []
#: Migrated databases handed to tests (``in_use``), and emptied ones ready for the next test.
in_use: list[str] = []
_free: list[str] = []


def on_postgresql() -> bool:
    """True when this test run puts every app on PostgreSQL."""
    return TEST_DATABASE == "postgresql"


#: Parameters of fixtures that run a test on each database: SQLite, then PostgreSQL (marked
#: ``postgres``); in the PostgreSQL run only PostgreSQL, the first run having done SQLite.
EACH_DATABASE = [
    *([] if on_postgresql() else ["sqlite"]),
    pytest.param("postgresql", marks=pytest.mark.postgres),
]


def _execute(statement: str) -> None:
    """Run one statement on the server's maintenance database, outside a transaction."""
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(statement))
    finally:
        server.dispose()


def _url_of(name: str) -> str:
    """The URL of the database ``name`` on the test server."""
    return create_engine(POSTGRES_URL).url.set(database=name).render_as_string(False)


def server_problem() -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it answers."""
    try:
        _execute("SELECT 1")
    except OperationalError as exc:
        return f"no PostgreSQL server at {POSTGRES_URL}: {str(exc.orig).strip().splitlines()[0]}"
    return None


def new_postgres_database(template: str | None = None) -> str:
    """Create an empty database (or a copy of ``template``); return its URL."""
    name = f"lesson_app_test_{uuid.uuid4().hex[:12]}"
    _execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    created.append(name)
    return _url_of(name)


@cache
def migrated_template() -> str:
    """The name of a database migrated to the newest revision, to copy for each app."""
    url = new_postgres_database()
    app = create_app({"SECRET_KEY": "template", "DATABASE_URL": url})
    upgrade_database(app)
    get_db(app).engine.dispose()  # a template must have no connections while it is copied
    return created[-1]


def new_migrated_postgres_database() -> str:
    """The URL of an empty database migrated to the newest revision."""
    name = _free.pop() if _free else None
    if name is None:
        new_postgres_database(template=migrated_template())
        name = created[-1]
    in_use.append(name)
    return _url_of(name)


def _empty(name: str) -> None:
    """Close every connection to the database ``name`` and empty its tables."""
    _execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    )
    engine = create_engine(_url_of(name), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            tables = connection.scalars(
                text(
                    "SELECT quote_ident(tablename) FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            ).all()
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def release_databases(in_use_before: int, created_before: int) -> None:
    """After a test: empty the migrated databases it was given and keep them for the next
    tests; drop the other databases it created (``postgres_url``'s, migrated any way).

    The counts say what existed before the test: a database given to a fixture of a wider
    scope (a live server for a whole module, say) stays as it is.
    """
    for name in in_use[in_use_before:]:
        _empty(name)
        _free.append(name)
    del in_use[in_use_before:]
    kept = {
        *in_use,
        *_free,
        *([migrated_template()] if migrated_template.cache_info().currsize else []),
    }
    for name in [n for n in created[created_before:] if n not in kept]:
        _execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        created.remove(name)


def drop_all() -> None:
    """Drop every database this run created, the template included."""
    for name in reversed(created):
        _execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    created.clear()
    in_use.clear()
    _free.clear()
    migrated_template.cache_clear()


if __name__ == "__main__":
    problem = server_problem()
    if problem:
        print(problem)
    sys.exit(1 if problem else 0)
