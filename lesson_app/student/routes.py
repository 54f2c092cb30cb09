"""Views of the student's pages: home, classes, and taking a lesson's quiz."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lesson_app.access import FORM_ERROR_STATUS
from lesson_app.db import get_session
from lesson_app.extensions import limiter
from lesson_app.models import Attempt, User
from lesson_app.models.base import utcnow
from lesson_app.services.attempts import (
    QuizError,
    StudentAttempt,
    StudentLesson,
    attempt_for_student,
    aware,
    due_dates,
    grade_answers,
    is_late,
    read_answers,
    review_allowed,
    save_draft,
    start_attempt,
    student_history,
    student_lesson,
    submit_attempt,
    unanswered,
)
from lesson_app.services.classes import (
    ClassError,
    join_class,
    student_assignments,
    student_classes,
)
from lesson_app.services.lessons import version_view
from lesson_app.student import bp, quiz
from lesson_app.student.forms import JoinClassForm
from lesson_app.student.quiz import quiz_items

# The quiz templates' words for scores, outcomes, notes and numeric keys.
bp.add_app_template_filter(quiz.format_score, "score")
bp.add_app_template_filter(quiz.outcome_words)
bp.add_app_template_filter(quiz.notes_text)
bp.add_app_template_filter(quiz.numeric_key)
bp.add_app_template_global(quiz.percent)


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


# --- the quiz ----------------------------------------------------------------------------------


def _assigned_or_404(slug: str) -> StudentLesson:
    """The lesson if it is assigned to the student, or answer 404."""
    assigned = student_lesson(get_session(), _student(), slug)
    if assigned is None:
        abort(404)
    return assigned


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    """The student's own attempt, or answer 404 (the same for another student's attempt)."""
    attempt = attempt_for_student(get_session(), _student(), attempt_id)
    if attempt is None:
        abort(404)
    return attempt


def _wants_json() -> bool:
    """True when the request asks for JSON (the quiz page's autosave does)."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def _lesson_page(assigned: StudentLesson, error: str = "", status: int = 200) -> tuple[str, int]:
    """The quiz's start page: the policy, the attempts so far, start or continue."""
    return render_template("student/lesson.html", assigned=assigned, error=error), status


@bp.get("/lessons/<slug>")
def lesson(slug: str) -> tuple[str, int]:
    """The start page of a lesson's quiz."""
    return _lesson_page(_assigned_or_404(slug))


@bp.post("/lessons/<slug>/attempts")
def start(slug: str) -> Response | tuple[str, int]:
    """Start an attempt (or resume the open one) and go to it."""
    assigned = _assigned_or_404(slug)
    try:
        attempt = start_attempt(get_session(), _student(), assigned)
    except QuizError as error:
        return _lesson_page(assigned, str(error), 409)
    return redirect(url_for("student.attempt", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
def attempt(attempt_id: int) -> str:
    """The quiz while the attempt is open; its result once submitted."""
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.submitted:
        return _result_page(attempt)
    db = get_session()
    version = version_view(db, attempt.version_id)
    missing = unanswered(version.questions, attempt.draft or {})
    return render_template(
        "student/quiz.html",
        attempt=attempt,
        version=version,
        fieldsets=quiz.open_questions(db, attempt, version.questions),
        answered=len(version.questions) - len(missing),
    )


def _result_page(attempt: Attempt) -> str:
    """The score, and each question's outcome; answers and feedback as the policy allows."""
    assigned = student_lesson(get_session(), _student(), attempt.lesson.slug)
    due_at = assigned.due_at if assigned else None
    return render_template(
        "student/result.html",
        attempt=attempt,
        items=quiz_items(attempt),
        assigned=assigned,
        due_at=due_at,
        late=is_late(attempt, due_at),
        review=review_allowed(attempt.version, due_at),
    )


@bp.post("/attempts/<int:attempt_id>/save")
def save(attempt_id: int) -> Response | tuple[str | Response, int]:
    """Keep the answers given so far; JSON for the page's autosave, else back to the quiz."""
    attempt = _own_attempt_or_404(attempt_id)
    version = version_view(get_session(), attempt.version_id)
    answers = read_answers(version.questions, request.form.to_dict(flat=False))
    try:
        save_draft(get_session(), attempt, answers)
    except QuizError as error:
        if _wants_json():
            return jsonify(error=str(error)), 409
        return render_template("student/submitted.html", attempt=attempt, message=str(error)), 409
    saved_at = aware(attempt.saved_at) or utcnow()
    message = f"Draft saved at {saved_at:%H:%M} UTC."
    if _wants_json():
        return jsonify(saved_at=saved_at.isoformat(), message=message), 200
    flash(message)
    return redirect(url_for("student.attempt", attempt_id=attempt.id))


@bp.post("/attempts/<int:attempt_id>/submit")
def submit(attempt_id: int) -> Response | str:
    """Grade and store the attempt; first ask to confirm when questions are unanswered.

    The confirmation page's "Submit anyway" sends ``confirm=yes`` without answers: then the
    draft saved on the way to that page is submitted.
    """
    attempt = _own_attempt_or_404(attempt_id)
    result = url_for("student.attempt", attempt_id=attempt.id)
    if attempt.submitted:
        return redirect(result)
    version_questions = version_view(get_session(), attempt.version_id).questions
    form = request.form.to_dict(flat=False)
    confirmed = request.form.get("confirm") == "yes"
    if confirmed and not any(name.startswith("q-") for name in form):
        answers = dict(attempt.draft or {})
    else:
        answers = read_answers(version_questions, form)
    grades = grade_answers(version_questions, answers)
    missing = unanswered(version_questions, answers, grades)
    if missing and not confirmed:
        try:
            save_draft(get_session(), attempt, answers)
        except QuizError:  # submitted meanwhile (another tab, a double click)
            return redirect(result)
        return render_template("student/confirm_submit.html", attempt=attempt, missing=missing)
    submit_attempt(get_session(), attempt, answers, grades)
    return redirect(result)


@bp.get("/history")
def history() -> str:
    """Every attempt of the student, newest first, with its score."""
    db = get_session()
    due = due_dates(db, _student())
    rows = [
        StudentAttempt(attempt, is_late(attempt, due.get(attempt.lesson_id)))
        for attempt in student_history(db, _student())
    ]
    return render_template("student/history.html", rows=rows)
