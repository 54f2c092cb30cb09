"""The ``lesson-app users`` and ``demo`` commands."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lesson_app.models import Assignment, Classroom, Enrolment, User
from lesson_app.services.accounts import authenticate, user_by_email
from lesson_app.services.lessons import import_lesson_file
from tests.support import CONTENT


def test_users_create_reads_the_password_from_stdin(runner, session):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Ann@Example.org",
            "--name",
            "Ann",
            "--role",
            "teacher",
            "--role",
            "author",
            "--password-stdin",
        ],
        input="a long enough phrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created ann@example.org (author, teacher)." in result.output
    assert authenticate(session, "ann@example.org", "a long enough phrase").roles == {
        "author",
        "teacher",
    }


def test_users_create_prompts_twice(runner, session):
    result = runner.invoke(
        args=["users", "create", "--email", "b@example.org", "--name", "B", "--role", "student"],
        input="phrase number one\n" * 2,
    )
    assert result.exit_code == 0, result.output
    assert user_by_email(session, "b@example.org") is not None


def test_users_create_explains_a_refusal(runner, session):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "c@example.org",
            "--name",
            "C",
            "--role",
            "student",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert result.exit_code == 1 and "Use at least 8 characters." in result.output
    assert user_by_email(session, "c@example.org") is None
    bad_role = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "d@example.org",
            "--name",
            "D",
            "--role",
            "wizard",
            "--password-stdin",
        ],
        input="x\n",
    )
    assert bad_role.exit_code == 2 and "wizard" in bad_role.output


@pytest.mark.parametrize(
    "name, message",
    [
        ("Ann\x07Bell", "Use letters, digits, spaces and punctuation only."),
        ("   ", "A name is needed."),
        ("A" * 121, "A name may have at most 120 characters."),
    ],
)
def test_users_create_refuses_a_name_the_forms_refuse(runner, session, name, message):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "e@example.org",
            "--name",
            name,
            "--role",
            "student",
            "--password-stdin",
        ],
        input="a long enough phrase\n",
    )
    assert result.exit_code == 1 and message in result.output
    assert user_by_email(session, "e@example.org") is None


def test_users_set_role(runner, session):
    runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "e@example.org",
            "--name",
            "E",
            "--role",
            "student",
            "--password-stdin",
        ],
        input="a long enough phrase\n",
    )
    result = runner.invoke(
        args=[
            "users",
            "set-role",
            "--email",
            "e@example.org",
            "--role",
            "teacher",
            "--role",
            "admin",
        ]
    )
    assert result.exit_code == 0 and "admin, teacher" in result.output
    session.expire_all()
    assert user_by_email(session, "e@example.org").roles == {"admin", "teacher"}
    missing = runner.invoke(
        args=["users", "set-role", "--email", "x@example.org", "--role", "admin"]
    )
    assert missing.exit_code == 1 and "no account" in missing.output


def counts(session):
    return [
        session.scalar(select(func.count()).select_from(m))
        for m in (User, Classroom, Enrolment, Assignment)
    ]


def test_demo_creates_the_class_and_is_idempotent(app, runner, session):
    import_lesson_file(session, CONTENT / "central-asia-mobilisation.md")
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert counts(session) == [4, 1, 2, 1]
    second = runner.invoke(args=["demo"])
    assert second.output == first.output
    assert counts(session) == [4, 1, 2, 1]
    passwords_file = Path(app.config["DEMO_ACCOUNTS_FILE"])
    passwords = json.loads(passwords_file.read_text())
    assert stat.S_IMODE(passwords_file.stat().st_mode) == 0o600
    for email, password in passwords.items():
        assert f"{email}" in first.output and password in first.output
        assert authenticate(session, email, password) is not None
    classroom = session.scalar(select(Classroom))
    assert classroom.name == "Demo class" and classroom.join_code in first.output


def test_demo_without_the_lesson_says_how_to_import_it(runner, session):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0 and "lessons import content" in result.output
