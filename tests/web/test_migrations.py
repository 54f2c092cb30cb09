"""The Alembic migrations: they build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError

from lesson_app import create_app
from lesson_app.db import get_db, upgrade_database
from lesson_app.models import Base, Lesson, LessonVersion, Question


def schema_differences(engine: Engine) -> list:
    """Return what differs between the models and the migrated database."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_from_empty_creates_every_table(app):
    tables = set(inspect(get_db(app).engine).get_table_names())
    assert {"lessons", "lesson_versions", "glossary_terms", "questions"} <= tables


def test_models_match_the_migrations_on_sqlite(app):
    assert schema_differences(get_db(app).engine) == []


def version_row(**changes: object) -> LessonVersion:
    """Return a valid lesson version with ``changes`` applied (its lesson is one of them)."""
    values = dict(
        number=1,
        source_text="",
        source_sha256="0" * 64,
        title="T",
        summary="S",
        level="B2",
        attempts=0,
        grading="best",
        review="after-submit",
        reading_html="",
        word_count=0,
        reading_minutes=1,
    )
    values.update(changes)
    return LessonVersion(**values)


@pytest.mark.parametrize(
    "changes",
    [{"attempts": -1}, {"grading": "worst"}, {"review": "sometimes"}, {"level": "D1"}],
)
def test_the_database_rejects_invalid_versions(session, changes):
    session.add(version_row(lesson=Lesson(slug="x"), **changes))
    with pytest.raises(IntegrityError):
        session.commit()


def test_the_database_rejects_duplicate_slugs_versions_and_non_positive_points(session):
    version = version_row(lesson=Lesson(slug="x"))
    session.add(version)
    session.commit()
    rows = (
        Lesson(slug="x"),
        version_row(lesson_id=version.lesson_id),
        Question(
            version_id=version.id,
            position=1,
            qid="q",
            type="single",
            points=0,
            prompt_html="",
            body_html="",
            display={},
            key={},
            feedback={},
            evidence=[],
        ),
    )
    for row in rows:
        session.add(row)
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()


@pytest.mark.postgres
def test_migrations_run_on_postgresql_and_match_the_models(postgres_url):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": postgres_url})
    upgrade_database(app)
    engine = get_db(app).engine
    assert schema_differences(engine) == []
    foreign_keys = inspect(engine).get_foreign_keys("lessons")
    assert [fk["referred_table"] for fk in foreign_keys] == ["lesson_versions"]
    engine.dispose()
