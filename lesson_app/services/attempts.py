"""Taking a quiz: starting or resuming an attempt, saving drafts, submitting, the policy.

Grading happens here, on the server, with the question types' pure ``grade`` functions.
A submission is one transaction: the answer rows, then the attempt marked submitted with
its score, on the condition that it is still open; a second submit (double click, retry,
another worker) finds it submitted and stores nothing.

Questions come from ``services.lessons.version_view`` (kept per version, keys parsed once)
or, in older callers, as ORM rows; both have the same attributes.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from lesson_app import questions
from lesson_app.models import (
    Assignment,
    Attempt,
    AttemptAnswer,
    Classroom,
    Enrolment,
    Lesson,
    LessonVersion,
    Question,
    User,
)
from lesson_app.models.base import utcnow
from lesson_app.questions.grading import UNANSWERED, Grade
from lesson_app.services.lessons import QuestionView, version_view

#: A question as grading reads it: a cached view (key parsed) or an ORM row.
AnyQuestion = QuestionView | Question


class QuizError(ValueError):
    """A quiz request that cannot be done; the message says why, for the student."""


@dataclass(frozen=True)
class StudentLesson:
    """A lesson assigned to the student, its current version, due date and attempts."""

    lesson: Lesson
    version: LessonVersion
    due_at: datetime | None
    attempts: list[Attempt]

    @property
    def submitted(self) -> list[Attempt]:
        """The submitted attempts, first to last."""
        return [a for a in self.attempts if a.submitted]

    @property
    def open_attempt(self) -> Attempt | None:
        """The attempt in progress, if any."""
        return next((a for a in self.attempts if not a.submitted), None)

    @property
    def attempts_left(self) -> int | None:
        """How many more attempts may be submitted (None: no limit)."""
        limit = self.version.attempts
        return None if limit == 0 else max(0, limit - len(self.submitted))

    @property
    def counted(self) -> Attempt | None:
        """The attempt whose score counts, by the lesson's grading method."""
        return counted_attempt(self.submitted, self.version.grading)


@dataclass(frozen=True)
class StudentAttempt:
    """One attempt in a list of a student's attempts: whether it was late, whether it counts."""

    attempt: Attempt
    late: bool
    counted: bool = False


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite gives back naive ones)."""
    if moment is None or moment.tzinfo:
        return moment
    return moment.replace(tzinfo=UTC)


def counted_attempt(submitted: list[Attempt], grading: str) -> Attempt | None:
    """The attempt that counts: the best (earliest among equals), the last or the first."""
    if not submitted:
        return None
    if grading == "first":
        return submitted[0]
    if grading == "last":
        return submitted[-1]
    return max(submitted, key=lambda attempt: attempt.score or 0)


def student_lesson(session: Session, student: User, slug: str) -> StudentLesson | None:
    """The lesson if it is assigned to one of the student's current classes, else None."""
    lesson = session.scalar(
        select(Lesson).where(Lesson.slug == slug).options(joinedload(Lesson.current_version))
    )
    if lesson is None or lesson.current_version is None or not lesson.published:
        return None
    assigned = due_dates(session, student)
    if lesson.id not in assigned:
        return None
    attempts = list(
        session.scalars(
            select(Attempt)
            .where(Attempt.student_id == student.id, Attempt.lesson_id == lesson.id)
            .order_by(Attempt.number)
        )
    )
    return StudentLesson(lesson, lesson.current_version, assigned[lesson.id], attempts)


def start_attempt(session: Session, student: User, assigned: StudentLesson) -> Attempt:
    """The open attempt, or a new one on the current version if the policy allows one."""
    if assigned.open_attempt is not None:
        return assigned.open_attempt
    if assigned.attempts_left == 0:
        raise QuizError("You have used all the attempts this lesson allows.")
    version = assigned.version
    attempt = Attempt(
        student_id=student.id,
        lesson_id=assigned.lesson.id,
        version_id=version.id,
        number=len(assigned.attempts) + 1,
        shuffle_seed=secrets.token_hex(8),
        draft={},
        max_score=sum(q.points for q in version.questions),
    )
    session.add(attempt)
    try:
        session.commit()
    except IntegrityError:  # started twice at once: the other request's attempt is the one
        session.rollback()
        attempt = session.scalar(
            select(Attempt).where(
                Attempt.student_id == student.id,
                Attempt.lesson_id == assigned.lesson.id,
                Attempt.status == "open",
            )
        )
        if attempt is None:
            raise QuizError("The quiz could not be started; please try again.") from None
    return attempt


# Built once: every quiz request runs it, and building a statement costs as much as running it.
_OWN_ATTEMPT = select(Attempt).where(
    Attempt.id == bindparam("attempt_id"), Attempt.student_id == bindparam("student_id")
)


def attempt_for_student(session: Session, student: User, attempt_id: int) -> Attempt | None:
    """The student's own attempt, or None (another's: None), in one query; its questions come
    from ``version_view(session, attempt.version_id)``."""
    return session.scalar(_OWN_ATTEMPT, {"attempt_id": attempt_id, "student_id": student.id})


def _spec(question: AnyQuestion) -> Any:
    """The question's parsed answer key (parsed once for a cached view)."""
    if isinstance(question, QuestionView):
        return question.spec
    return questions.REGISTRY[question.type].load(question.key)


def read_answers(
    version_questions: Sequence[AnyQuestion], form: Mapping[str, list[str]]
) -> dict[str, Any]:
    """Every question's answer from the form fields ``q-<qid>`` and ``q-<qid>-<part>``."""
    # Each field goes to every question whose id it names: ``q-a-b`` is part ``b`` of ``a``
    # and the whole of ``a-b``. One pass over the fields, not one per question.
    values: dict[str, dict[str, list[str]]] = {q.qid: {} for q in version_questions}
    for name, value in form.items():
        if not name.startswith("q-"):
            continue
        rest = name[2:]
        if rest in values:
            values[rest][""] = value
        cut = rest.find("-")
        while cut != -1:
            if rest[:cut] in values:
                values[rest[:cut]][rest[cut + 1 :]] = value
            cut = rest.find("-", cut + 1)
    return {
        question.qid: questions.REGISTRY[question.type].read_answer(
            _spec(question), values[question.qid]
        )
        for question in version_questions
    }


def grade_question(question: AnyQuestion, answer: Any) -> Grade:
    """Grade one answer against the question's stored key."""
    if answer is None:
        return UNANSWERED
    return questions.REGISTRY[question.type].grade(_spec(question), answer)


def grade_answers(
    version_questions: Sequence[AnyQuestion], answers: Mapping[str, Any]
) -> dict[str, Grade]:
    """Every question's grade, by question id (grading typed answers is the costly part of a
    submission: do it once and pass the grades on)."""
    return {q.qid: grade_question(q, answers.get(q.qid)) for q in version_questions}


def unanswered(
    version_questions: Sequence[AnyQuestion],
    answers: Mapping[str, Any],
    grades: Mapping[str, Grade] | None = None,
) -> list[AnyQuestion]:
    """The questions left without an answer (``grades``, when given, saves grading again)."""
    grades = grades if grades is not None else grade_answers(version_questions, answers)
    return [q for q in version_questions if grades[q.qid].outcome == "unanswered"]


def save_draft(session: Session, attempt: Attempt, answers: dict[str, Any]) -> None:
    """Keep the answers given so far; refused once the attempt is submitted."""
    saved = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == "open")
        .values(draft=answers, saved_at=utcnow())
    )
    session.commit()
    if saved.rowcount == 0:
        raise QuizError("This attempt is already submitted; its answers can no longer change.")
    session.refresh(attempt)


# A submission's two statements, built once, on the tables: the ORM's bulk insert and its
# synchronising update cost more than the statements themselves.
_INSERT_ANSWERS = insert(AttemptAnswer.__table__)
_MARK_SUBMITTED = (
    update(Attempt.__table__)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.status == "open")
    .values(status="submitted")
)


def submit_attempt(
    session: Session,
    attempt: Attempt,
    answers: dict[str, Any],
    grades: Mapping[str, Grade] | None = None,
) -> Attempt:
    """Grade and store the attempt, once; a repeated submit changes nothing. ``grades`` are
    the answers' grades when the caller has them already (see ``grade_answers``)."""
    if attempt.submitted:
        return attempt
    version_questions = version_view(session, attempt.version_id).questions
    if grades is None:
        grades = grade_answers(version_questions, answers)
    rows = [
        {
            "attempt_id": attempt.id,
            "question_id": question.id,
            "qid": question.qid,
            "position": question.position,
            "answer": answers.get(question.qid),
            "score": grades[question.qid].score(question.points),
            "max_score": question.points,
            "outcome": grades[question.qid].outcome,
            "notes": list(grades[question.qid].notes),
            "parts": grades[question.qid].parts,
        }
        for question in version_questions
    ]
    total = sum(row["score"] for row in rows)
    try:
        # One statement for all the rows (an ORM object each would cost as much as grading).
        session.execute(_INSERT_ANSWERS, rows)
        marked = session.execute(
            _MARK_SUBMITTED,
            {
                "attempt_id": attempt.id,
                "draft": answers,
                "score": round(total, 2),
                "submitted_at": utcnow(),
            },
        ).rowcount
    except IntegrityError:  # another request submitted it meanwhile (the database refused)
        marked = 0
    if marked == 1:
        session.commit()
    else:  # keep the submission that got there first
        session.rollback()
    session.expire(attempt)
    return attempt


def review_allowed(
    version: LessonVersion, due_at: datetime | None, now: datetime | None = None
) -> bool:
    """Whether right answers, feedback and evidence may be shown after submission."""
    if version.review == "never":
        return False
    if version.review == "after-due" and due_at is not None:
        return (now or utcnow()) >= due_at
    return True


def is_late(attempt: Attempt, due_at: datetime | None) -> bool:
    """True when the attempt was submitted after the due date."""
    submitted = aware(attempt.submitted_at)
    return due_at is not None and submitted is not None and submitted > due_at


def student_history(session: Session, student: User) -> list[Attempt]:
    """Every attempt of the student, newest first, with its lesson version."""
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.student_id == student.id)
            .options(joinedload(Attempt.version), joinedload(Attempt.lesson))
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        )
    )


def attempt_counts(session: Session, student: User) -> dict[int, tuple[int, bool]]:
    """For each lesson: how many attempts the student submitted, and whether one is open."""
    rows = session.execute(
        select(
            Attempt.lesson_id,
            func.count().filter(Attempt.status == "submitted"),
            func.count().filter(Attempt.status == "open"),
        )
        .where(Attempt.student_id == student.id)
        .group_by(Attempt.lesson_id)
    )
    return {lesson_id: (submitted, bool(open_)) for lesson_id, submitted, open_ in rows}


def due_dates(session: Session, student: User) -> dict[int, datetime | None]:
    """The due date of each lesson assigned to the student's current classes, by lesson id:
    the earliest of its classes' due dates, or None when one of them has none."""
    rows = session.execute(
        select(Assignment.lesson_id, Assignment.due_at)
        .join(Classroom, Assignment.class_id == Classroom.id)
        .join(Enrolment, Enrolment.class_id == Classroom.id)
        .where(
            Enrolment.student_id == student.id,
            Enrolment.removed_at.is_(None),
            Classroom.archived_at.is_(None),
        )
    )
    dates: dict[int, list[datetime | None]] = {}
    for lesson_id, due_at in rows:
        dates.setdefault(lesson_id, []).append(aware(due_at))
    return {
        lesson_id: None if None in moments else min(m for m in moments if m is not None)
        for lesson_id, moments in dates.items()
    }
