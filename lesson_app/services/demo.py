"""The demo: a class with a teacher, two students and an author, ready after `make run`.

Running it again changes nothing: the accounts keep the passwords kept in a file
(``instance/demo-accounts.json`` by default, readable by its owner only), so they can be
printed again.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lesson_app.models import Classroom, Lesson, User
from lesson_app.models.base import utcnow
from lesson_app.services.accounts import authenticate, create_user, set_password, set_roles
from lesson_app.services.classes import assign_lesson, create_class, enrol

DEMO_CLASS = "Demo class"
DEMO_LESSON = "central-asia-mobilisation"


@dataclass(frozen=True)
class DemoAccount:
    """One demo account and its password."""

    role: str
    name: str
    email: str
    password: str


@dataclass(frozen=True)
class Demo:
    """What the demo made: its accounts, its class, and whether the seed lesson is assigned."""

    accounts: list[DemoAccount]
    classroom: Classroom
    lesson_assigned: bool


PEOPLE = (
    ("teacher", "Ms Demo Teacher", "teacher@example.org"),
    ("student", "Ada Student", "ada@example.org"),
    ("student", "Ben Student", "ben@example.org"),
    ("author", "Demo Author", "author@example.org"),
)


def _passwords(path: Path) -> dict[str, str]:
    """The demo passwords by email, made once and kept in ``path``."""
    if path.exists():
        kept = json.loads(path.read_text(encoding="utf-8"))
        if all(email in kept for _, _, email in PEOPLE):
            return kept
    passwords = {email: "demo-" + secrets.token_urlsafe(9) for _, _, email in PEOPLE}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(passwords, file, indent=2)
    return passwords


def _account(session: Session, role: str, name: str, email: str, password: str) -> User:
    """The demo user, created or brought back to the demo's role and password."""
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        return create_user(session, email=email, name=name, password=password, roles=[role])
    if role not in user.roles:
        set_roles(session, user, user.roles | {role})
    if authenticate(session, email, password) is None:
        set_password(session, user, password)
    return user


def load_demo(session: Session, passwords_file: Path) -> Demo:
    """Create (or find) the demo accounts and class, and assign the seed lesson if imported."""
    passwords = _passwords(passwords_file)
    accounts = [DemoAccount(role, name, email, passwords[email]) for role, name, email in PEOPLE]
    users = {a.email: _account(session, a.role, a.name, a.email, a.password) for a in accounts}
    teacher = users[PEOPLE[0][2]]
    classroom = session.scalar(
        select(Classroom).where(Classroom.teacher_id == teacher.id, Classroom.name == DEMO_CLASS)
    ) or create_class(session, teacher, DEMO_CLASS)
    for account in accounts:
        if account.role == "student":
            enrol(session, users[account.email], classroom)
    lesson = session.scalar(select(Lesson).where(Lesson.slug == DEMO_LESSON))
    assigned = lesson is not None and lesson.current_version_id is not None
    if assigned and all(a.lesson_id != lesson.id for a in classroom.assignments):
        due = (utcnow() + timedelta(days=7)).replace(hour=23, minute=59, second=0, microsecond=0)
        assign_lesson(session, classroom, lesson.id, due)
    return Demo(accounts, classroom, assigned)
