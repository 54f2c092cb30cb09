"""Views of the reading blueprint."""

from __future__ import annotations

from flask import abort, render_template

from lesson_app.db import get_session
from lesson_app.models import LessonVersion
from lesson_app.reading import bp
from lesson_app.services.lessons import lesson_by_slug, published_lessons


def _current_version_or_404(slug: str) -> LessonVersion:
    """Return the current version of the lesson ``slug``, or answer 404."""
    version = lesson_by_slug(get_session(), slug)
    if version is None:
        abort(404)
    return version


@bp.get("/")
def index() -> str:
    """List the published lessons."""
    return render_template("reading/index.html", lessons=published_lessons(get_session()))


@bp.get("/lessons/<slug>")
def lesson(slug: str) -> str:
    """Show a lesson's reading with its glossary."""
    return render_template("reading/lesson.html", version=_current_version_or_404(slug))


@bp.get("/lessons/<slug>/glossary")
def glossary(slug: str) -> str:
    """Show all the terms of a lesson's glossary, in alphabetical order."""
    version = _current_version_or_404(slug)
    terms = sorted(version.terms, key=lambda term: term.term.casefold())
    return render_template("reading/glossary.html", version=version, terms=terms)
