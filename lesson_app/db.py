"""The database: one SQLAlchemy engine and scoped session per app, and schema migrations.

Plain SQLAlchemy 2.0 (no Flask-SQLAlchemy): ``init_app`` creates the engine from
``DATABASE_URL`` and removes the request's session at the end of each app context.
Views and commands call ``get_session()``; services receive the session as an argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from werkzeug.routing import IntegerConverter

from lesson_app.questions.text import whole_number

EXTENSION_KEY = "lesson_app.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: Run on every new SQLite connection. WAL lets readers work while one writer writes,
#: FULL makes each commit durable, and the busy timeout makes concurrent writers wait for
#: the lock instead of failing with "database is locked".
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


#: The largest id (or version number) a column holds: they are 32-bit integers on PostgreSQL.
MAX_ID = 2**31 - 1


def parse_id(text: str) -> int | None:
    """``text`` as an id a column can hold (digits 0-9 only, at most ``MAX_ID``), or None."""
    return whole_number(text, MAX_ID)


def ids_in(values: Iterable[str]) -> list[int]:
    """The ids among ``values`` (a form's repeated field), leaving out anything else and 0."""
    return [number for value in values if (number := parse_id(value))]


class IdConverter(IntegerConverter):
    """The ``int`` of the URL rules, which hold ids. An id past ``MAX_ID`` names no row but
    would fail in the database (PostgreSQL refuses it for an integer column, SQLite past
    2**63 - 1): the view gets 0 instead, which names no row either, and answers its usual 404.
    Refusing the match would not do: werkzeug then answers 405 when a rule for another method
    has the same path (``/students/<id>/remove``: GET asks, POST removes)."""

    def to_python(self, value: str) -> int:
        """The id in the URL (digits, by the rule's pattern), or 0 past ``MAX_ID``."""
        return parse_id(value) or 0


@dataclass(frozen=True)
class Database:
    """The engine and the thread-local session factory of one app."""

    engine: Engine
    session: scoped_session[Session]


def init_app(app: Flask) -> None:
    """Create the app's engine and session, and remove the session after each app context;
    make the URL rules' ``int`` ids fit the database (before the blueprints add their rules)."""
    app.url_map.converters["int"] = IdConverter
    engine = make_engine(app.config["DATABASE_URL"])
    session = scoped_session(sessionmaker(bind=engine))
    app.extensions[EXTENSION_KEY] = Database(engine=engine, session=session)

    @app.teardown_appcontext
    def remove_session(_exception: BaseException | None) -> None:
        session.remove()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets its pragmas, PostgreSQL the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    # A database error's message would otherwise carry the statement's values (a session id,
    # an email address) into the log.
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(parsed, hide_parameters=True)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _set_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    """Apply ``SQLITE_PRAGMAS`` to a new SQLite connection."""
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def get_db(app: Flask | None = None) -> Database:
    """Return the database of ``app``, by default the current app."""
    return (app or current_app).extensions[EXTENSION_KEY]


def get_session() -> Session:
    """Return the session of the current app context."""
    return get_db().session()


def alembic_config() -> Config:
    """Return an Alembic configuration for the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_database(app: Flask | None = None, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` to the database of ``app`` (default: the
    current app), in one transaction: a migration that fails leaves the database as it was."""
    config = alembic_config()
    engine = _transactional_ddl_engine(get_db(app).engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if engine is not get_db(app).engine:
            engine.dispose()


def _transactional_ddl_engine(engine: Engine) -> Engine:
    """``engine``, or for SQLite an engine of its own whose transactions hold DDL too.

    Python's sqlite3 opens transactions only before INSERT, UPDATE and DELETE, so a CREATE
    TABLE would commit on its own and a failed upgrade would leave half a schema. SQLAlchemy's
    recipe: turn the driver's transaction handling off and emit BEGIN ourselves. Only the
    migrations use it; the site's connections keep the driver's behaviour.
    """
    if engine.dialect.name != "sqlite":
        return engine
    migrating = make_engine(engine.url.render_as_string(hide_password=False))

    @event.listens_for(migrating, "connect")
    def _driver_transactions_off(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(migrating, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return migrating
