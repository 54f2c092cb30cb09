"""Views of the reading blueprint.

The reading page is the busiest page of the site, and the same for every visitor who is not
logged in: its HTML is kept per lesson version (versions never change), and which version is
current for a slug is asked of the database at most every few seconds (see
``services.lessons.current_version_id``). So under load it costs no query at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, make_response, render_template, request, session
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from lesson_app.db import get_session
from lesson_app.models import LessonVersion
from lesson_app.reading import bp
from lesson_app.services.caching import cache_for
from lesson_app.services.lessons import (
    current_version_id,
    lesson_by_slug,
    published_lessons,
    reading_version,
)

#: Rendered readings (and whole pages for visitors) each worker keeps, by version id.
PAGE_CACHE_SIZE = 64


@dataclass(frozen=True)
class Article:
    """A version's reading with its glossary, rendered once."""

    title: str
    html: Markup


def _current_version_or_404(slug: str) -> LessonVersion:
    """Return the current version of the lesson ``slug``, or answer 404."""
    version = lesson_by_slug(get_session(), slug)
    if version is None:
        abort(404)
    return version


def _article(version_id: int) -> Article:
    """The rendered reading of a version (the same for everyone)."""
    db = get_session()

    def render() -> Article:
        version = reading_version(db, version_id)
        return Article(
            version.title, Markup(render_template("reading/_article.html", version=version))
        )

    return cache_for(db, "reading articles", PAGE_CACHE_SIZE).get_or_make(version_id, render)


def _same_for_everyone() -> bool:
    """True when the page shows nothing of the visitor's own: not logged in, no messages
    waiting (the page would show them), and templates not being edited (debug mode)."""
    if current_app.debug:
        return False
    config = current_app.config
    cookies = request.cookies
    if config["SESSION_COOKIE_NAME"] not in cookies and (
        config.get("REMEMBER_COOKIE_NAME", "remember_token") not in cookies
    ):
        return True  # no cookie, no session: quicker to tell than by opening the session
    return not current_user.is_authenticated and "_flashes" not in session


@bp.get("/")
def index() -> str:
    """List the published lessons."""
    return render_template("reading/index.html", lessons=published_lessons(get_session()))


@bp.get("/lessons/<slug>")
def lesson(slug: str) -> Response:
    """Show a lesson's reading with its glossary."""
    db = get_session()
    version_id = current_version_id(db, slug)
    if version_id is None:
        abort(404)
    if not _same_for_everyone():
        page = render_template("reading/lesson.html", article=_article(version_id))
    else:
        pages = cache_for(db, "anonymous reading pages", PAGE_CACHE_SIZE)
        page = pages.get_or_make(
            version_id,
            lambda: render_template("reading/lesson.html", article=_article(version_id)),
        )
    response = make_response(page)
    # The page differs for logged-in users (the navigation): say so to caches, also when the
    # session was never opened.
    response.vary.add("Cookie")
    return response


@bp.get("/lessons/<slug>/glossary")
def glossary(slug: str) -> str:
    """Show all the terms of a lesson's glossary, in alphabetical order."""
    version = _current_version_or_404(slug)
    terms = sorted(version.terms, key=lambda term: term.term.casefold())
    return render_template("reading/glossary.html", version=version, terms=terms)
