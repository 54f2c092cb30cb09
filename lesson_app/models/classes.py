"""Classes: a teacher's group of students, who join with a code, and the lessons assigned to it.

Removing a student or archiving a class sets a date instead of deleting a row, so that past
work stays linked to the class.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lesson_app.models.accounts import User
from lesson_app.models.base import Base, utcnow
from lesson_app.models.lessons import Lesson


class Classroom(Base):
    """A class run by one teacher; students join it with its join code."""

    __tablename__ = "classes"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    teacher: Mapped[User] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="classroom", order_by="Enrolment.joined_at"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="classroom", order_by="Assignment.assigned_at"
    )

    @property
    def archived(self) -> bool:
        """True when the teacher has archived the class."""
        return self.archived_at is not None


class Enrolment(Base):
    """A student's membership of a class; ``removed_at`` is set when the teacher removes them."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("class_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    classroom: Mapped[Classroom] = relationship(back_populates="enrolments")
    student: Mapped[User] = relationship()


class Assignment(Base):
    """A lesson assigned to a class, with an optional due date (UTC)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("class_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="assignments")
    lesson: Mapped[Lesson] = relationship()
