"""Regrading: when a new version changes an answer key, attempts graded with the old key can
be graded again with the new one, keeping their old score in their history.

An attempt keeps the version its student saw (text, questions and points); a regrade only
re-marks the stored answers to the questions whose key changed (matched by question id),
scaled to the points the student was offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from lesson_app import questions
from lesson_app.models import Attempt, AttemptAnswer, Lesson, LessonVersion, Regrade
from lesson_app.questions.grading import UNANSWERED, Grade
from lesson_app.services.lessons import key_changes


@dataclass(frozen=True)
class NewGrade:
    """What one answer would earn with the current key."""

    answer: AttemptAnswer
    grade: Grade

    @property
    def score(self) -> float:
        """The points earned, out of the points the student was offered."""
        return self.grade.score(self.answer.max_score)


@dataclass(frozen=True)
class AffectedAttempt:
    """A submitted attempt whose grade would change with the current answer key."""

    attempt: Attempt
    new_grades: list[NewGrade]

    @property
    def new_score(self) -> float:
        """The attempt's total after the regrade."""
        changed = {g.answer.qid: g.score for g in self.new_grades}
        return round(sum(changed.get(a.qid, a.score) for a in self.attempt.answers), 2)


def affected_attempts(
    session: Session, lesson: Lesson, student_ids: list[int] | None = None
) -> list[AffectedAttempt]:
    """The submitted attempts on older versions whose grade the current key would change.

    ``student_ids`` limits them to some students (a teacher's class).
    """
    current = session.get(
        LessonVersion, lesson.current_version_id, options=[selectinload(LessonVersion.questions)]
    )
    statement = (
        select(Attempt)
        .where(
            Attempt.lesson_id == lesson.id,
            Attempt.status == "submitted",
            Attempt.version_id != current.id,
            ~Attempt.regrades.any(Regrade.key_version_id == current.id),
        )
        .options(
            selectinload(Attempt.answers),
            selectinload(Attempt.version).selectinload(LessonVersion.questions),
            selectinload(Attempt.student),
        )
        .order_by(Attempt.submitted_at)
    )
    if student_ids is not None:
        statement = statement.where(Attempt.student_id.in_(student_ids))
    by_qid = {q.qid: q for q in current.questions}
    affected = []
    for attempt in session.scalars(statement):
        changed = set(key_changes(attempt.version.questions, current.questions))
        new_grades = [
            NewGrade(answer, _grade(by_qid[answer.qid], answer))
            for answer in attempt.answers
            if answer.qid in changed
        ]
        new_grades = [
            g
            for g in new_grades
            if (g.score, g.grade.outcome) != (g.answer.score, g.answer.outcome)
        ]
        if new_grades:
            affected.append(AffectedAttempt(attempt, new_grades))
    return affected


def _grade(question, answer: AttemptAnswer) -> Grade:
    """Grade a stored answer with a question's current key."""
    if answer.answer is None:
        return UNANSWERED
    module = questions.REGISTRY[question.type]
    return module.grade(module.load(question.key), answer.answer)


def regrade(
    session: Session,
    lesson: Lesson,
    attempt_ids: list[int],
    regraded_by: str,
    student_ids: list[int] | None = None,
) -> int:
    """Regrade the chosen affected attempts with the current key, in one transaction.

    Each gets a ``Regrade`` row with its old score and grades; returns how many changed.
    """
    chosen = [
        a for a in affected_attempts(session, lesson, student_ids) if a.attempt.id in attempt_ids
    ]
    for affected in chosen:
        attempt = affected.attempt
        session.add(
            Regrade(
                attempt_id=attempt.id,
                key_version_id=lesson.current_version_id,
                old_score=attempt.score,
                new_score=affected.new_score,
                old_grades={
                    g.answer.qid: {"score": g.answer.score, "outcome": g.answer.outcome}
                    for g in affected.new_grades
                },
                regraded_by=regraded_by,
            )
        )
        session.flush()
        for new in affected.new_grades:
            session.execute(
                update(AttemptAnswer)
                .where(AttemptAnswer.id == new.answer.id)
                .values(
                    score=new.score,
                    outcome=new.grade.outcome,
                    notes=list(new.grade.notes),
                    parts=new.grade.parts,
                )
            )
        session.execute(
            update(Attempt).where(Attempt.id == attempt.id).values(score=affected.new_score)
        )
    session.commit()
    return len(chosen)
