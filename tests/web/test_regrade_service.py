"""Versions and regrading, with attempts made on the old version (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lesson_app.models import Attempt, AttemptAnswer, Classroom, Lesson, Regrade
from lesson_app.services.attempts import start_attempt, student_lesson, submit_attempt
from lesson_app.services.classes import assign_lesson, create_class, enrol
from lesson_app.services.lessons import import_text
from lesson_app.services.regrade import affected_attempts, regrade
from tests.support import CONTENT, log_in, make_user, post_form, right_answer

SLUG = "central-asia-mobilisation"
SOURCE = (CONTENT / f"{SLUG}.md").read_text(encoding="utf-8")
# Version 2 makes Tokayev the "right" answer of who-announced (an author's mistake, say).
NEW_KEY = SOURCE.replace("- [ ] Kassym-Jomart Tokayev", "- [x] Kassym-Jomart Tokayev", 1).replace(
    "- [x] Vladimir Putin\n  Feedback: Yes", "- [ ] Vladimir Putin\n  Feedback: Yes", 1
)


@pytest.fixture
def app(app_on_each_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return app_on_each_database


@pytest.fixture
def submitted(session):
    """Two students who answered every question right on version 1."""
    import_text(session, SOURCE, "lesson.md")
    teacher = make_user(session, "teacher", "t@example.org")
    classroom = create_class(session, teacher, "Year 10")
    lesson = session.scalar(select(Lesson))
    assign_lesson(session, classroom, lesson.id, None)
    attempts = []
    for name in ("ann", "bob"):
        student = make_user(session, "student", f"{name}@example.org")
        enrol(session, student, classroom)
        attempt = start_attempt(session, student, student_lesson(session, student, SLUG))
        answers = {q.qid: right_answer(q.type, q.key) for q in attempt.version.questions}
        submit_attempt(session, attempt, answers)
        attempts.append(attempt)
    return lesson, attempts


def test_a_changed_key_lists_the_attempts_it_affects(session, submitted):
    lesson, attempts = submitted
    assert import_text(session, NEW_KEY, "lesson.md", expected_version=1).status == "new-version"
    session.refresh(lesson)
    affected = affected_attempts(session, lesson)
    assert [a.attempt.id for a in affected] == [a.id for a in attempts]
    first = affected[0]
    assert [(g.answer.qid, g.grade.outcome) for g in first.new_grades] == [
        ("who-announced", "wrong")
    ]
    assert first.new_score == 18
    assert affected_attempts(session, lesson, [attempts[0].student_id])[0].attempt == attempts[0]


def test_regrading_keeps_the_old_score_in_the_history(session, submitted):
    lesson, attempts = submitted
    import_text(session, NEW_KEY, "lesson.md", expected_version=1)
    session.refresh(lesson)
    assert regrade(session, lesson, [attempts[0].id], "Ms T") == 1
    session.expire_all()
    attempt = session.get(Attempt, attempts[0].id)
    assert attempt.score == 18 and attempt.version.number == 1
    (record,) = attempt.regrades
    assert (record.old_score, record.new_score, record.regraded_by) == (19, 18, "Ms T")
    assert record.old_grades == {"who-announced": {"score": 1.0, "outcome": "correct"}}
    answer = next(a for a in attempt.answers if a.qid == "who-announced")
    assert (answer.score, answer.outcome, answer.answer) == (0, "wrong", "b")
    # the other student was not chosen; nothing is regraded twice
    assert [a.attempt.id for a in affected_attempts(session, lesson)] == [attempts[1].id]
    assert session.get(Attempt, attempts[1].id).score == 19


def test_a_score_never_changes_without_a_regrade_record(session, submitted):
    _, attempts = submitted
    with pytest.raises(IntegrityError):
        session.execute(update(Attempt).where(Attempt.id == attempts[0].id).values(score=1))
    session.rollback()
    with pytest.raises(IntegrityError):
        session.execute(update(AttemptAnswer).values(outcome="wrong"))
    session.rollback()


def test_rewording_does_not_affect_grades(session, submitted):
    lesson, _ = submitted
    reworded = SOURCE.replace(
        "Who announced the mobilisation on 21 September?",
        "Who announced the call-up on 21 September?",
    )
    import_text(session, reworded, "lesson.md", expected_version=1)
    session.refresh(lesson)
    assert affected_attempts(session, lesson) == []
    assert "reworded: who-announced" in lesson.current_version.change_summary


def test_removing_a_question_never_deletes_past_answers(session, submitted):
    lesson, attempts = submitted
    before = session.scalar(select(func.count()).select_from(AttemptAnswer))
    start = SOURCE.index("### Who announced")
    end = SOURCE.index("### Why might")
    import_text(session, SOURCE[:start] + SOURCE[end:], "lesson.md", expected_version=1)
    session.refresh(lesson)
    assert "removed: who-announced" in lesson.current_version.change_summary
    assert session.scalar(select(func.count()).select_from(AttemptAnswer)) == before
    assert affected_attempts(session, lesson) == []
    assert session.scalar(select(func.count()).select_from(Regrade)) == 0
    assert session.get(Attempt, attempts[0].id).score == 19


def test_the_class_teacher_reviews_and_regrades_from_the_browser(app, session, submitted):
    lesson, attempts = submitted
    import_text(session, NEW_KEY, "lesson.md", expected_version=1)
    classroom_id = session.scalar(select(Classroom.id))
    url = f"/teacher/classes/{classroom_id}/lessons/{SLUG}/regrade"
    client = app.test_client()
    log_in(client, "t@example.org")
    page = client.get(url).get_data(as_text=True)
    assert "2 attempts affected" in page and "who-announced: correct → wrong" in page
    response = post_form(client, url, {"attempt": [str(a.id) for a in attempts]})
    assert response.status_code == 302
    session.expire_all()
    assert [session.get(Attempt, a.id).score for a in attempts] == [18, 18]
    student = app.test_client()
    log_in(student, "ann@example.org")
    result = student.get(f"/student/attempts/{attempts[0].id}").get_data(as_text=True)
    assert "with the corrected answer key of version 2" in result
    other = app.test_client()
    make_user(session, "teacher", "other@example.org")
    log_in(other, "other@example.org")
    assert other.get(url).status_code == 404


def test_the_author_sees_every_affected_attempt_and_regrades(app, session, submitted):
    lesson, attempts = submitted
    import_text(session, NEW_KEY, "lesson.md", expected_version=1)
    make_user(session, "author", "a@example.org")
    client = app.test_client()
    log_in(client, "a@example.org")
    url = f"/author/lessons/{SLUG}/regrade"
    assert "2 attempts affected" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, {"attempt": [str(attempts[1].id)]}).status_code == 302
    session.expire_all()
    assert [session.get(Attempt, a.id).score for a in attempts] == [19, 18]
