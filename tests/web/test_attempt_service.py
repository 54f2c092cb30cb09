"""The attempt service on SQLite and PostgreSQL: policy, grading methods, drafts, submits,
and the database rules that keep submitted work unchanged."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lesson_app.db import get_db
from lesson_app.models import Attempt, AttemptAnswer, Lesson
from lesson_app.models.base import utcnow
from lesson_app.services.attempts import (
    QuizError,
    counted_attempt,
    is_late,
    review_allowed,
    save_draft,
    start_attempt,
    student_lesson,
    submit_attempt,
)
from lesson_app.services.classes import assign_lesson, create_class, enrol, remove_student
from lesson_app.services.lessons import import_lesson_file
from tests.support import CONTENT, make_user, right_answer

SLUG = "central-asia-mobilisation"


@pytest.fixture
def app(app_on_each_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return app_on_each_database


@pytest.fixture
def world(session):
    """A teacher's class with the seed lesson assigned, and a student in it."""
    import_lesson_file(session, CONTENT / f"{SLUG}.md")
    teacher = make_user(session, "teacher", "t@example.org")
    student = make_user(session, "student", "s@example.org")
    classroom = create_class(session, teacher, "Year 10")
    enrol(session, student, classroom)
    lesson = session.scalar(select(Lesson).where(Lesson.slug == SLUG))
    assignment = assign_lesson(session, classroom, lesson.id, None)
    return {"student": student, "classroom": classroom, "assignment": assignment, "lesson": lesson}


def assigned(session, world):
    return student_lesson(session, world["student"], SLUG)


def all_right(attempt):
    return {q.qid: right_answer(q.type, q.key) for q in attempt.version.questions}


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_a_lesson_not_assigned_is_not_offered(session, world):
    other = make_user(session, "student", "o@example.org")
    assert student_lesson(session, other, SLUG) is None
    assert student_lesson(session, world["student"], "no-such-lesson") is None
    remove_student(session, world["classroom"], world["student"].id)
    assert student_lesson(session, world["student"], SLUG) is None


def test_starting_twice_resumes_the_open_attempt(session, world):
    first = start_attempt(session, world["student"], assigned(session, world))
    again = start_attempt(session, world["student"], assigned(session, world))
    assert again.id == first.id and count(session, Attempt) == 1
    assert first.max_score == sum(q.points for q in first.version.questions) == 19


def test_a_start_racing_another_gets_the_same_attempt(session, world):
    stale = assigned(session, world)  # read before the other request started its attempt
    first = start_attempt(session, world["student"], assigned(session, world))
    assert start_attempt(session, world["student"], stale).id == first.id
    assert count(session, Attempt) == 1


def test_the_database_allows_one_open_attempt_per_student_and_lesson(session, world):
    attempt = start_attempt(session, world["student"], assigned(session, world))
    twin = Attempt(
        student_id=attempt.student_id,
        lesson_id=attempt.lesson_id,
        version_id=attempt.version_id,
        number=2,
        shuffle_seed="x",
        draft={},
        max_score=1,
    )
    session.add(twin)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_all_right_answers_earn_full_marks_and_store_one_row_each(session, world):
    attempt = start_attempt(session, world["student"], assigned(session, world))
    submit_attempt(session, attempt, all_right(attempt))
    assert attempt.submitted and attempt.score == attempt.max_score == 19
    rows = session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))
    outcomes = {row.qid: row.outcome for row in rows}
    assert len(outcomes) == 19 and set(outcomes.values()) == {"correct"}


def test_no_answers_earn_nothing(session, world):
    attempt = start_attempt(session, world["student"], assigned(session, world))
    submit_attempt(session, attempt, {})
    assert attempt.score == 0
    assert {a.outcome for a in attempt.answers} == {"unanswered"}


def test_a_second_submit_changes_nothing(session, world):
    attempt = start_attempt(session, world["student"], assigned(session, world))
    submit_attempt(session, attempt, all_right(attempt))
    submit_attempt(session, attempt, {})
    assert attempt.score == 19 and count(session, AttemptAnswer) == 19


def test_two_submits_at_once_store_one(app, session, world):
    attempt = start_attempt(session, world["student"], assigned(session, world))
    with Session(get_db(app).engine) as other:
        racing = other.get(Attempt, attempt.id)
        assert not racing.submitted  # both requests saw the attempt open
        racing.version.questions  # noqa: B018  (loaded before the other submit, as in a request)
        submit_attempt(session, attempt, all_right(attempt))
        submit_attempt(other, racing, {})
    session.expire_all()
    assert count(session, AttemptAnswer) == 19
    assert session.get(Attempt, attempt.id).score == 19


def test_drafts_are_kept_until_submission(session, world):
    attempt = start_attempt(session, world["student"], assigned(session, world))
    save_draft(session, attempt, {"who-announced": "b"})
    session.expire_all()
    assert session.get(Attempt, attempt.id).draft == {"who-announced": "b"}
    submit_attempt(session, attempt, attempt.draft)
    with pytest.raises(QuizError):
        save_draft(session, attempt, {"who-announced": "a"})


def test_the_database_refuses_changes_to_submitted_work(session, world):
    attempt = start_attempt(session, world["student"], assigned(session, world))
    submit_attempt(session, attempt, all_right(attempt))
    statements = [
        update(Attempt).where(Attempt.id == attempt.id).values(score=0),
        delete(Attempt).where(Attempt.id == attempt.id),
        update(AttemptAnswer).values(score=0),
        delete(AttemptAnswer),
    ]
    for statement in statements:
        with pytest.raises(IntegrityError):
            session.execute(statement)
        session.rollback()
    session.add(
        AttemptAnswer(
            attempt_id=attempt.id,
            question_id=attempt.answers[0].question_id,
            qid="extra",
            position=99,
            answer=None,
            score=0,
            max_score=1,
            outcome="wrong",
            notes=[],
            parts={},
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_attempts_are_limited_by_the_lesson(session, world):
    for _ in range(3):  # the seed lesson allows 3
        attempt = start_attempt(session, world["student"], assigned(session, world))
        submit_attempt(session, attempt, {})
    assert assigned(session, world).attempts_left == 0
    with pytest.raises(QuizError, match="used all the attempts"):
        start_attempt(session, world["student"], assigned(session, world))


class Scored:
    def __init__(self, score):
        self.score = score


@pytest.mark.parametrize("grading, expected", [("best", 1), ("last", 2), ("first", 0)])
def test_which_attempt_counts(grading, expected):
    attempts = [Scored(5), Scored(9), Scored(7)]
    assert counted_attempt(attempts, grading) is attempts[expected]
    assert counted_attempt([], grading) is None


def test_equal_best_scores_count_the_earlier_attempt():
    attempts = [Scored(9), Scored(9)]
    assert counted_attempt(attempts, "best") is attempts[0]


@pytest.mark.parametrize(
    "policy, due_in_days, allowed",
    [
        ("after-submit", None, True),
        ("after-submit", 3, True),
        ("after-due", None, True),
        ("after-due", 3, False),
        ("after-due", -1, True),
        ("never", None, False),
        ("never", -1, False),
    ],
)
def test_review_policy(session, world, policy, due_in_days, allowed):
    version = world["lesson"].current_version
    version.review = policy
    due = None if due_in_days is None else utcnow() + timedelta(days=due_in_days)
    assert review_allowed(version, due) is allowed


def test_due_date_and_lateness_by_server_time(session, world):
    world["assignment"].due_at = utcnow() - timedelta(hours=1)
    session.commit()
    lesson = assigned(session, world)
    assert lesson.due_at is not None
    attempt = start_attempt(session, world["student"], lesson)
    submit_attempt(session, attempt, {})
    assert is_late(attempt, lesson.due_at)
    assert not is_late(attempt, None)


def test_two_workers_submitting_at_the_same_moment_store_one(app, session, world):
    attempt = start_attempt(session, world["student"], assigned(session, world))
    answers = all_right(attempt)
    barrier = threading.Barrier(2)
    errors = []

    def submit_in_a_worker():
        try:
            with Session(get_db(app).engine) as own:
                mine = own.get(Attempt, attempt.id)
                mine.version.questions  # noqa: B018  (loaded before submitting, as a view does)
                barrier.wait(timeout=10)
                submit_attempt(own, mine, answers)
        except Exception as error:  # noqa: BLE001  (reported below, with the thread's error)
            errors.append(error)

    workers = [threading.Thread(target=submit_in_a_worker) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    session.expire_all()
    assert count(session, AttemptAnswer) == 19
    assert session.get(Attempt, attempt.id).score == 19
