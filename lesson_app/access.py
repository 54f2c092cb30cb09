"""Who may use which page: role checks per blueprint, role homes, safe redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, url_for
from flask_login import current_user

from lesson_app.extensions import login_manager
from lesson_app.models import User

FORM_ERROR_STATUS = 422  # a form sent back with its errors explained


def require_role(blueprint: Blueprint, *roles: str) -> None:
    """Let only logged-in users with one of ``roles`` use any view of the blueprint.

    Anonymous visitors are sent to the login page; users without the role get 403.
    """

    @blueprint.before_request
    def check_role() -> object:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(*roles):
            abort(403)
        return None


def home_url(user: User) -> str:
    """The page a user starts from after logging in, by their main role."""
    if user.has_role("teacher", "admin"):
        return url_for("teacher.index")
    if user.has_role("student"):
        return url_for("student.home")
    if user.has_role("author"):
        return url_for("author.index")
    return url_for("reading.index")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return None
    return target
