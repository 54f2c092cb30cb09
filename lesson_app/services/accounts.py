"""Accounts: creating users, checking passwords, roles, and ending sessions.

Passwords are hashed with argon2id (argon2-cffi's RFC 9106 low-memory profile). Every check
of a password costs the same whether or not the account exists, so timing does not reveal
which email addresses have accounts.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from lesson_app.models import ROLES, User, UserRole
from lesson_app.models.accounts import new_session_token

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
NAME_MAX_LENGTH = 120
hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about an account that cannot be done; the message says why, for the user."""


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's list), lower case."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


@cache
def _dummy_hash() -> str:
    """A hash to verify against when no account matches, so both paths take as long."""
    return hasher.hash("no account has this password")


def normalise_email(email: str) -> str:
    """The form an email address is stored and compared in: trimmed, lower case."""
    return email.strip().lower()


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password is not acceptable, or None when it is."""
    length = len(unicodedata.normalize("NFC", password))
    if length < PASSWORD_MIN_LENGTH:
        return f"Use at least {PASSWORD_MIN_LENGTH} characters."
    if length > PASSWORD_MAX_LENGTH:
        return f"Use at most {PASSWORD_MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in _common_passwords():
        return "This password is one of the most common ones; choose another."
    personal = {email.lower(), email.lower().partition("@")[0], name.strip().lower()} - {""}
    if lowered in personal:
        return "Do not use your name or email address as your password."
    return None


def hash_password(password: str) -> str:
    """The argon2id hash of a password (NFC-normalised, so any way of typing é matches)."""
    return hasher.hash(unicodedata.normalize("NFC", password))


def create_user(
    session: Session, *, email: str, name: str, password: str, roles: Iterable[str]
) -> User:
    """Create and commit a user; raises AccountError for a taken email, a bad name or a bad
    password."""
    email, name = normalise_email(email), " ".join(name.split())
    problem = name_problem(name) or password_problem(password, email=email, name=name)
    if problem:
        raise AccountError(problem)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(f"Unknown role: {', '.join(sorted(unknown))}.")
    user = User(email=email, name=name, password_hash=hash_password(password))
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    session.add(user)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise AccountError("An account with this email address already exists.") from error
    return user


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a person's or a class's name, or None when it can. Control
    characters are refused: no keyboard types them, and a page would show them as nothing."""
    if not name.strip():
        return "A name is needed."
    if len(name) > NAME_MAX_LENGTH:
        return f"A name may have at most {NAME_MAX_LENGTH} characters."
    if any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in name):
        return "Use letters, digits, spaces and punctuation only."
    return None


def user_by_email(session: Session, email: str) -> User | None:
    """The user with this email address, or None."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose email and password these are, or None; upgrades old hashes."""
    user = user_by_email(session, email)
    password = unicodedata.normalize("NFC", password)
    try:
        hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is not None and hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        session.commit()
    return user


def end_sessions(session: Session, user: User) -> None:
    """End every session of the user (a copied cookie stops working too)."""
    user.session_token = new_session_token()
    session.commit()


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Change a password after checking the current one; ends every older session.

    Raises AccountError with the reason when the current password is wrong or the new one
    is not acceptable.
    """
    if authenticate(session, user.email, current) is None:
        raise AccountError("Your current password is not right.")
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(new)
    end_sessions(session, user)


def set_password(session: Session, user: User, password: str) -> None:
    """Set a password without knowing the old one (command line, demo); ends sessions."""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    end_sessions(session, user)


def set_roles(session: Session, user: User, roles: Iterable[str]) -> None:
    """Replace the user's roles."""
    wanted = set(roles)
    if not wanted or wanted - set(ROLES):
        raise AccountError(f"Roles must be one or more of: {', '.join(ROLES)}.")
    user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
        UserRole(role=role) for role in sorted(wanted - user.roles)
    ]
    session.commit()


# Every page needs the user and their roles: one query for both, its statement built once.
_USER_WITH_ROLES = (
    select(User).where(User.id == bindparam("user_id")).options(joinedload(User.role_rows))
)


def load_session_user(session: Session, session_id: str) -> User | None:
    """The user a session cookie names, if its session token is still current."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.execute(_USER_WITH_ROLES, {"user_id": int(user_id)}).unique().scalar()
    if user is None or not secrets.compare_digest(user.session_token, token):
        return None
    return user
