"""Publishing lessons: who and what changed, conflicts between authors, unpublishing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lesson_app.lessons import diff_sources
from lesson_app.models import Lesson, LessonVersion
from lesson_app.services.lessons import import_text, published_lessons, set_published
from tests.support import LESSON_FILE, LESSON_SLUG


@pytest.fixture
def app(app_on_each_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return app_on_each_database


def versions(session):
    return session.scalar(select(func.count()).select_from(LessonVersion))


def test_versions_record_who_published_and_what_changed(session, lesson_text):
    first = import_text(session, lesson_text, "a.md", published_by="Ann Author")
    changed = lesson_text.replace("Answer: true", "Answer: false").replace("level: B2", "level: B1")
    second = import_text(session, changed, "a.md", published_by="Bo Author", expected_version=1)
    assert (first.status, second.status, second.version) == ("added", "new-version", 2)
    lesson = session.scalar(select(Lesson).where(Lesson.slug == LESSON_SLUG))
    v1, v2 = lesson.versions
    assert (v1.created_by, v1.change_summary) == ("Ann Author", "First version.")
    assert v2.created_by == "Bo Author"
    assert "answer key changed: tokayev-helps" in v2.change_summary
    assert "policy changed" in v2.change_summary


def test_command_line_imports_are_named_so(session, lesson_text):
    import_text(session, lesson_text, "a.md")
    assert session.scalar(select(LessonVersion.created_by)) == "command line"


def test_a_second_author_starting_from_an_old_version_is_refused(session, lesson_text):
    import_text(session, lesson_text, "a.md")
    mine = lesson_text.replace("Read paragraph 2 again.", "Mine.")
    theirs = lesson_text.replace("Read paragraph 2 again.", "Theirs.")
    assert import_text(session, theirs, "a.md", expected_version=1).status == "new-version"
    outcome = import_text(session, mine, "a.md", expected_version=1)
    assert (outcome.status, outcome.version) == ("conflict", 2)
    assert "has changed since (now v2)" in outcome.describe()
    assert versions(session) == 2


def test_a_new_lesson_whose_slug_is_taken_is_a_conflict(session, lesson_text):
    import_text(session, lesson_text, "a.md")
    assert import_text(session, lesson_text, "b.md", expected_version=0).status == "conflict"


def test_unpublished_lessons_leave_the_list_and_come_back(session, lesson_text):
    import_text(session, lesson_text, "a.md")
    lesson = session.scalar(select(Lesson))
    set_published(session, lesson, False)
    assert published_lessons(session) == []
    assert import_text(session, lesson_text, "a.md").status == "republished"
    assert [v.lesson.slug for v in published_lessons(session)] == [LESSON_SLUG]
    assert versions(session) == 1


def test_diff_between_two_sources():
    old = LESSON_FILE.read_text(encoding="utf-8")
    new = old.replace("level: B2", "level: B1")
    lines = diff_sources(old, new)
    assert [(line.kind, line.text) for line in lines if line.kind != "same"] == [
        ("removed", "level: B2"),
        ("added", "level: B1"),
    ]
    assert diff_sources(old, old) == []


def test_a_policy_change_changes_no_answer_key(session, lesson_text):
    import_text(session, lesson_text, "a.md")
    import_text(session, lesson_text.replace("level: B2", "level: B1"), "a.md")
    summary = session.scalar(select(LessonVersion.change_summary).where(LessonVersion.number == 2))
    assert summary == "Title, summary or policy changed."
