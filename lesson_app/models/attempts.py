"""A student's attempts at a lesson's quiz, and the graded answer to each question.

The database guarantees the rules that must hold however requests interleave: at most one
open attempt per student and lesson (a partial unique index), one answer row per question of
an attempt, attempt numbers unique per student and lesson, and a submitted attempt with its
answers never changing (triggers, see migration 0003).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lesson_app.models.accounts import User
from lesson_app.models.base import Base, utcnow
from lesson_app.models.lessons import Lesson, LessonVersion
from lesson_app.models.questions import Question

OUTCOMES = ("correct", "partial", "wrong", "unanswered")


class Attempt(Base):
    """One try at a lesson's quiz, on the version the student saw; open until submitted."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("student_id", "lesson_id", "number"),
        CheckConstraint("status IN ('open', 'submitted')", name="known_status"),
        CheckConstraint(
            "(status = 'submitted') = (submitted_at IS NOT NULL AND score IS NOT NULL)",
            name="submitted_has_time_and_score",
        ),
        CheckConstraint("number >= 1", name="number_positive"),
        Index(
            "uq_attempts_one_open",
            "student_id",
            "lesson_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lesson_versions.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open")
    # Seeds the order of options and items shown in this attempt (stable across reloads).
    shuffle_seed: Mapped[str] = mapped_column(String(32))
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[int] = mapped_column(Integer)

    student: Mapped[User] = relationship()
    lesson: Mapped[Lesson] = relationship()
    version: Mapped[LessonVersion] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.position"
    )
    regrades: Mapped[list[Regrade]] = relationship(
        back_populates="attempt", order_by="Regrade.regraded_at"
    )

    @property
    def submitted(self) -> bool:
        """True once the attempt is graded and final."""
        return self.status == "submitted"


class AttemptAnswer(Base):
    """The graded answer to one question of a submitted attempt."""

    __tablename__ = "attempt_answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "qid"),
        CheckConstraint(
            "outcome IN ('correct', 'partial', 'wrong', 'unanswered')", name="known_outcome"
        ),
        CheckConstraint("score >= 0 AND score <= max_score", name="score_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    qid: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(12))
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    parts: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class Regrade(Base):
    """A submitted attempt graded again with a newer version's answer key.

    It keeps the score and the per-question grades from before, so the attempt's history is
    never lost; the database lets a submitted attempt's score change only together with such
    a record (see migration 0005).
    """

    __tablename__ = "regrades"
    __table_args__ = (UniqueConstraint("attempt_id", "key_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    key_version_id: Mapped[int] = mapped_column(ForeignKey("lesson_versions.id"))
    old_score: Mapped[float] = mapped_column(Float)
    new_score: Mapped[float] = mapped_column(Float)
    # qid -> {"score": ..., "outcome": ...} before the regrade, for the questions it changed
    old_grades: Mapped[dict[str, Any]] = mapped_column(JSON)
    regraded_by: Mapped[str] = mapped_column(String(200))
    regraded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="regrades")
    key_version: Mapped[LessonVersion] = relationship()
