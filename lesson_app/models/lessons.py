"""Lessons and their versions, with the glossary terms of each version.

Importing a changed lesson file adds a new ``LessonVersion``; older versions stay, so that an
attempt keeps the version its student saw. ``Lesson.current_version`` is the one shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lesson_app.models.base import Base, utcnow

if TYPE_CHECKING:
    from lesson_app.models.questions import Question


class Lesson(Base):
    """A lesson, identified by its slug across all its versions."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("lesson_versions.id", use_alter=True)
    )
    # An unpublished lesson keeps its versions, attempts and results; students cannot start it.
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[LessonVersion]] = relationship(
        back_populates="lesson",
        foreign_keys="LessonVersion.lesson_id",
        order_by="LessonVersion.number",
    )
    current_version: Mapped[LessonVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    def __repr__(self) -> str:
        return f"<Lesson {self.slug}>"


class LessonVersion(Base):
    """One imported state of a lesson file: its source, metadata, policy and rendered reading."""

    __tablename__ = "lesson_versions"
    __table_args__ = (
        UniqueConstraint("lesson_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        CheckConstraint("grading IN ('best', 'last', 'first')", name="grading_known"),
        CheckConstraint("review IN ('after-submit', 'after-due', 'never')", name="review_known"),
        CheckConstraint(
            "level IS NULL OR level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')", name="level_known"
        ),
        CheckConstraint("word_count >= 0", name="word_count_non_negative"),
        CheckConstraint("reading_minutes >= 1", name="reading_minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"))
    number: Mapped[int] = mapped_column(Integer)
    source_text: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300))
    level: Mapped[str | None] = mapped_column(String(2))
    attempts: Mapped[int] = mapped_column(Integer)
    grading: Mapped[str] = mapped_column(String(10))
    review: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))
    reading_html: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    reading_minutes: Mapped[int] = mapped_column(Integer)
    # Who published it, as a name kept with the version ("command line" for imports).
    created_by: Mapped[str] = mapped_column(
        String(200), default="command line", server_default="command line"
    )
    change_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    lesson: Mapped[Lesson] = relationship(back_populates="versions", foreign_keys=[lesson_id])
    terms: Mapped[list[GlossaryTerm]] = relationship(
        back_populates="version", order_by="GlossaryTerm.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<LessonVersion {self.lesson_id} v{self.number}>"


class GlossaryTerm(Base):
    """A glossary term of one lesson version, with its aliases and rendered definition."""

    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("version_id", "anchor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lesson_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(120))
    term: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[Any]] = mapped_column(JSON)
    definition_html: Mapped[str] = mapped_column(Text)

    version: Mapped[LessonVersion] = relationship(back_populates="terms")

    def __repr__(self) -> str:
        return f"<GlossaryTerm {self.anchor}>"
