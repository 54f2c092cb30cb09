"""The questions of a lesson version, with their answer keys (never sent to a browser)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lesson_app.models.base import Base

if TYPE_CHECKING:
    from lesson_app.models.lessons import LessonVersion


class Question(Base):
    """One question: its stable id (``qid``), type, points, HTML, display data and answer key.

    ``display`` is what the student's form needs, ``key`` the answer key, ``feedback`` the
    general and per-option feedback and ``evidence`` the located quotes; their shapes belong to
    the question type (see ``lesson_app.questions``).
    """

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("version_id", "qid"),
        CheckConstraint("points > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("lesson_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    qid: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(20))
    points: Mapped[int] = mapped_column(Integer)
    prompt_html: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    display: Mapped[dict[str, Any]] = mapped_column(JSON)
    key: Mapped[dict[str, Any]] = mapped_column(JSON)
    feedback: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence: Mapped[list[Any]] = mapped_column(JSON)

    version: Mapped[LessonVersion] = relationship(back_populates="questions")

    def __repr__(self) -> str:
        return f"<Question {self.qid}>"
