"""The Alembic migrations: they build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lesson_app import create_app
from lesson_app.db import get_db, upgrade_database
from lesson_app.models import Attempt, Base, Lesson, LessonVersion, Question
from lesson_app.services.attempts import start_attempt, student_lesson, submit_attempt
from lesson_app.services.classes import assign_lesson, create_class, enrol
from lesson_app.services.lessons import import_lesson_file
from tests import databases
from tests.support import CONTENT, LESSON_FILE, make_user, right_answer


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


# --- upgrading a database made by an earlier release ----------------------------------------

EARLIER_REVISIONS = ["0001", "0002", "0003", "0004"]


@pytest.fixture
def empty_database_url(request, tmp_path):
    """An empty database on SQLite, then on PostgreSQL (skipped when no server answers)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'earlier.sqlite3'}"
    return request.getfixturevalue("postgres_url")


on_each_empty_database = pytest.mark.parametrize(
    "empty_database_url",
    databases.EACH_DATABASE,
    indirect=True,
)


def populated_head_database(app) -> None:
    """Fill ``app``'s database with a lesson, a class and a submitted attempt, at head."""
    with Session(get_db(app).engine) as session:
        import_lesson_file(session, CONTENT / "central-asia-mobilisation.md")
        teacher = make_user(session, "teacher", "t@example.org")
        student = make_user(session, "student", "s@example.org")
        classroom = create_class(session, teacher, "Year 10")
        enrol(session, student, classroom)
        lesson = session.scalar(select(Lesson))
        assign_lesson(session, classroom, lesson.id, None)
        assigned = student_lesson(session, student, lesson.slug)
        attempt = start_attempt(session, student, assigned)
        answers = {q.qid: right_answer(q.type, q.key) for q in attempt.version.questions}
        submit_attempt(session, attempt, answers)


def copy_rows_as_of_revision(source: Engine, target: Engine) -> None:
    """Copy every row of ``source`` into the tables ``target`` has, keeping only its columns.

    Rows go in the order the foreign keys need; attempts go in open and are submitted after
    their answers, as the site does (the database refuses answers to a submitted attempt).
    """
    # The target's own tables, reflected: the models' would add their newer columns' defaults.
    reflected = MetaData()
    reflected.reflect(target)
    with source.connect() as reading, target.begin() as writing:
        for table in Base.metadata.sorted_tables:
            if table.name not in reflected.tables:
                continue
            columns = reflected.tables[table.name].columns.keys()
            rows = [
                {k: v for k, v in row.items() if k in columns}
                for row in reading.execute(select(table)).mappings()
            ]
            if table.name == "lessons":
                rows = [{**row, "current_version_id": None} for row in rows]
            if table.name == "attempts":
                rows = [
                    {**row, "status": "open", "score": None, "submitted_at": None} for row in rows
                ]
            if rows:
                writing.execute(reflected.tables[table.name].insert(), rows)
        lessons, attempts = Base.metadata.tables["lessons"], Base.metadata.tables["attempts"]
        for row in reading.execute(select(lessons)).mappings():
            writing.execute(
                lessons.update()
                .where(lessons.c.id == row["id"])
                .values(current_version_id=row["current_version_id"])
            )
        submitted = reading.execute(select(attempts)).mappings() if "attempts" in reflected else []
        for row in submitted:
            writing.execute(
                attempts.update()
                .where(attempts.c.id == row["id"])
                .values(status=row["status"], score=row["score"], submitted_at=row["submitted_at"])
            )
        if target.dialect.name == "postgresql":  # ids were given: move the sequences past them
            for table in reflected.tables.values():
                if "id" in table.columns:
                    writing.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )


@on_each_empty_database
@pytest.mark.parametrize("revision", EARLIER_REVISIONS)
def test_a_database_of_every_earlier_revision_upgrades_with_its_data(
    app, empty_database_url, revision
):
    populated_head_database(app)
    earlier = create_app({"SECRET_KEY": "x", "DATABASE_URL": empty_database_url})
    upgrade_database(earlier, revision)
    engine = get_db(earlier).engine
    copy_rows_as_of_revision(get_db(app).engine, engine)

    upgrade_database(earlier)

    assert schema_differences(engine) == []
    with Session(engine) as session:
        lesson = session.scalar(select(Lesson))
        assert lesson.published and lesson.current_version.title
        assert len(lesson.current_version.questions) == 19
        if revision >= "0003":  # the attempt existed then; submitted work stays frozen
            attempt = session.scalar(select(Attempt))
            assert attempt.submitted and attempt.score == 19 and len(attempt.answers) == 19
            with pytest.raises(IntegrityError):
                session.execute(update(Attempt).values(status="open"))
            session.rollback()
        # the site goes on working: a new lesson imports as version 1 of a new lesson
        outcome = import_lesson_file(session, LESSON_FILE)
        assert outcome.status == "added", outcome.problems
    engine.dispose()


@on_each_empty_database
def test_a_failed_upgrade_leaves_the_database_as_it_was(empty_database_url):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": empty_database_url})
    engine = get_db(app).engine
    with engine.begin() as connection:  # the last migration's table is in the way
        connection.execute(text("CREATE TABLE regrades (id INTEGER)"))

    with pytest.raises(Exception, match="regrades"):
        upgrade_database(app)

    assert inspect(engine).get_table_names() == ["regrades"]
    engine.dispose()
