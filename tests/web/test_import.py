"""Importing lesson files: idempotent, versioned, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lesson_app.models import GlossaryTerm, Lesson, LessonVersion, Question
from lesson_app.services.lessons import import_lesson_file, import_text, lesson_by_slug
from tests.support import LESSON_FILE, LESSON_SLUG

MODELS = (Lesson, LessonVersion, GlossaryTerm, Question)


@pytest.fixture
def app(app_on_each_database):
    """Every import test runs on SQLite and on PostgreSQL."""
    return app_on_each_database


def row_counts(session) -> dict[str, int]:
    """Return the number of rows of each lesson table."""
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in MODELS
    }


def test_a_new_lesson_is_added_as_version_1_with_terms_and_questions(session):
    outcome = import_lesson_file(session, LESSON_FILE)
    assert (outcome.status, outcome.slug, outcome.version) == ("added", LESSON_SLUG, 1)
    assert outcome.describe() == f"added {LESSON_SLUG} v1"
    version = lesson_by_slug(session, LESSON_SLUG)
    assert version.number == 1
    assert version.source_text == LESSON_FILE.read_text(encoding="utf-8")
    anchors = [term.anchor for term in version.terms]
    assert anchors == ["term-partial-mobilisation", "term-labour-migrants"]
    assert [q.qid for q in version.questions] == ["who-announced", "tokayev-helps"]
    assert version.grading == "best" and version.attempts == 3


def test_importing_an_unchanged_file_writes_nothing(session):
    import_lesson_file(session, LESSON_FILE)
    before = row_counts(session)
    outcome = import_lesson_file(session, LESSON_FILE)
    assert (outcome.status, outcome.version) == ("unchanged", 1)
    assert outcome.describe() == f"unchanged {LESSON_SLUG} v1"
    assert row_counts(session) == before


def test_a_changed_file_adds_version_2_and_keeps_version_1(session, lesson_text):
    import_text(session, lesson_text, "lesson.md")
    changed = lesson_text.replace("level: B2", "level: B1")
    outcome = import_text(session, changed, "lesson.md")
    assert (outcome.status, outcome.version) == ("new-version", 2)
    assert outcome.describe() == f"new version {LESSON_SLUG} v2"
    lesson = session.scalar(select(Lesson).where(Lesson.slug == LESSON_SLUG))
    assert [v.number for v in lesson.versions] == [1, 2]
    assert [v.level for v in lesson.versions] == ["B2", "B1"]
    assert lesson.current_version.number == 2
    assert row_counts(session) == {
        "lessons": 1,
        "lesson_versions": 2,
        "glossary_terms": 4,
        "questions": 4,
    }


def test_an_invalid_file_writes_nothing_and_reports_its_problems(session, lesson_text):
    invalid = lesson_text.replace("Answer: true", "Answer: maybe")
    outcome = import_text(session, invalid, "broken.md")
    assert outcome.status == "invalid"
    assert outcome.problems and all(p.line > 1 for p in outcome.problems)
    assert outcome.describe().startswith("not imported: 1 error")
    assert set(row_counts(session).values()) == {0}


def test_an_unreadable_file_is_reported_not_raised(session, tmp_path):
    outcome = import_lesson_file(session, tmp_path / "missing.md")
    assert outcome.status == "invalid"
    assert outcome.problems[0].line == 1
