"""Views of the accounts pages."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from lesson_app.access import FORM_ERROR_STATUS, home_url, safe_next
from lesson_app.auth import bp
from lesson_app.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    StudentRegistrationForm,
    TeacherRegistrationForm,
)
from lesson_app.db import get_session
from lesson_app.extensions import limiter
from lesson_app.models import User
from lesson_app.services.accounts import (
    AccountError,
    authenticate,
    change_password,
    create_user,
    end_sessions,
)
from lesson_app.services.classes import class_by_join_code, enrol


def _failed(response: Response) -> bool:
    """Count a try against the limits only when it failed."""
    return response.status_code == FORM_ERROR_STATUS


def _account_key() -> str:
    """The rate-limit key of the account a login names."""
    return "account:" + (request.form.get("email") or "").strip().lower()


def _code_key() -> str:
    """The rate-limit key of a join code guess (per address, whatever the code)."""
    return "join-code:" + (request.remote_addr or "")


def _start_session(user: User) -> None:
    """Log the user in with a brand-new session (nothing carried over from before)."""
    session.clear()
    login_user(user)


def _create_account(form: TeacherRegistrationForm, role: str) -> User | None:
    """Create the account a registration form describes; None, with the reason shown on the
    email field, when it cannot be made (an address already taken)."""
    try:
        return create_user(
            get_session(),
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            roles=[role],
        )
    except AccountError as error:
        form.email.errors.append(str(error))
        return None


def _form_page(template: str, form: object, **context: object) -> tuple[str, int]:
    """Render a form page: 200 when first shown, 422 when sent back with errors."""
    status = FORM_ERROR_STATUS if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
)
def login() -> Response | tuple[str, int]:
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(get_session(), form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            return redirect(safe_next(form.next.data) or home_url(user))
        form.password.errors.append("The email address or the password is not right.")
    return _form_page("auth/login.html", form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Log out, ending every session of this account."""
    end_sessions(get_session(), current_user)
    logout_user()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("reading.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["JOIN_CODE_LIMIT"],
    methods=["POST"],
    key_func=_code_key,
    deduct_when=_failed,
)
def register() -> Response | tuple[str, int]:
    """A student creates an account with their class's join code."""
    form = StudentRegistrationForm(join_code=request.args.get("code", ""))
    if form.validate_on_submit():
        db = get_session()
        try:
            # Find the class first: a wrong code must not leave an account behind.
            classroom = class_by_join_code(db, form.join_code.data)
        except AccountError as error:
            form.join_code.errors.append(str(error))
        else:
            user = _create_account(form, "student")
            if user is not None:
                enrol(db, user, classroom)
                _start_session(user)
                flash(f"Welcome! You are in the class {classroom.name}.")
                return redirect(url_for("student.home"))
    return _form_page("auth/register.html", form)


@bp.route("/register/teacher", methods=["GET", "POST"])
def register_teacher() -> Response | tuple[str, int]:
    """A teacher creates an account (when LESSON_APP_TEACHER_SIGNUP is on)."""
    if not current_app.config["TEACHER_SIGNUP"]:
        abort(404)
    form = TeacherRegistrationForm()
    if form.validate_on_submit():
        user = _create_account(form, "teacher")
        if user is not None:
            _start_session(user)
            flash("Welcome! Create your first class to get a join code for your students.")
            return redirect(url_for("teacher.index"))
    return _form_page("auth/register_teacher.html", form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | tuple[str, int]:
    """The user's account: who they are, and changing the password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(get_session(), current_user, form.current.data, form.password.data)
        except AccountError as error:
            form.current.errors.append(str(error))
        else:
            _start_session(current_user._get_current_object())
            flash("Your password is changed. Other devices have been logged out.")
            return redirect(url_for("auth.account"))
    return _form_page("auth/account.html", form)
