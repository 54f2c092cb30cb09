"""Views of the student's pages."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lesson_app.access import FORM_ERROR_STATUS
from lesson_app.db import get_session
from lesson_app.extensions import limiter
from lesson_app.models import User
from lesson_app.services.classes import (
    ClassError,
    join_class,
    student_assignments,
    student_classes,
)
from lesson_app.student import bp
from lesson_app.student.forms import JoinClassForm


def _failed(response: Response) -> bool:
    """Count a join try against the limits only when the code was wrong."""
    return response.status_code == FORM_ERROR_STATUS


def _address_key() -> str:
    """The rate-limit key of join-code guesses from one address."""
    return "join-code:" + (request.remote_addr or "")


def _account_key() -> str:
    """The rate-limit key of join-code guesses from one account."""
    return f"join-code-account:{current_user.id}"


def _student() -> User:
    """The logged-in student (the user object itself, not Flask-Login's proxy)."""
    return current_user._get_current_object()


def _home_page(form: JoinClassForm, status: int = 200) -> tuple[str, int]:
    """The student's home: their classes and assigned lessons, and the join form."""
    db = get_session()
    page = render_template(
        "student/home.html",
        classes=student_classes(db, _student()),
        assignments=student_assignments(db, _student()),
        form=form,
    )
    return page, status


@bp.get("/")
def home() -> tuple[str, int]:
    """The student's classes and the lessons assigned to them."""
    return _home_page(JoinClassForm())


@bp.post("/join")
@limiter.limit(
    lambda: current_app.config["JOIN_CODE_LIMIT"], key_func=_address_key, deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["JOIN_CODE_LIMIT"], key_func=_account_key, deduct_when=_failed
)
def join() -> Response | tuple[str, int]:
    """Join another class with its code."""
    form = JoinClassForm()
    if form.validate_on_submit():
        try:
            classroom = join_class(get_session(), _student(), form.join_code.data)
        except ClassError as error:
            form.join_code.errors.append(str(error))
        else:
            flash(f"You are in the class {classroom.name}.")
            return redirect(url_for("student.home"))
    return _home_page(form, FORM_ERROR_STATUS)
