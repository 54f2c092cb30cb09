"""People: accounts with one or more roles.

``session_token`` is part of the id kept in the session cookie; changing it (at logout or a
password change) ends every session of the user, including copied cookies.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lesson_app.models.base import Base, utcnow

ROLES = ("student", "teacher", "author", "admin")


def new_session_token() -> str:
    """A random token that ties session cookies to one generation of the user's sessions."""
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    """Someone who logs in: a student, a teacher, an author, an admin, or several of these."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> set[str]:
        """The names of the user's roles."""
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        """True when the user has any of ``roles``."""
        return not self.roles.isdisjoint(roles)

    def get_id(self) -> str:
        """The id kept in the session: the user's id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(Base):
    """One role of a user."""

    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint("role IN ('student', 'teacher', 'author', 'admin')", name="known_role"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
