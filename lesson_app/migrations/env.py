"""Alembic environment: migrates the database of the current Lesson App.

``lesson-app db upgrade`` passes an open connection in ``config.attributes["connection"]``;
``lesson-app db revision`` runs in the app context and connects to the app's ``DATABASE_URL``.
SQLite gets batch mode, which rebuilds a table for the changes SQLite cannot ALTER.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from lesson_app.db import get_db
from lesson_app.models import Base


def run_migrations(connection: Connection) -> None:
    """Run the migrations (or compare the models, for a new revision) on an open connection."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given_connection = context.config.attributes.get("connection")
if given_connection is None:
    with get_db().engine.begin() as app_connection:
        run_migrations(app_connection)
else:
    run_migrations(given_connection)
