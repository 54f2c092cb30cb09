"""Views of the authors' pages."""

from __future__ import annotations

from flask import render_template

from lesson_app.author import bp
from lesson_app.db import get_session
from lesson_app.services.lessons import lesson_overview


@bp.get("/")
def index() -> str:
    """Every lesson with its current version and counts, and how to publish a lesson."""
    return render_template("author/index.html", lessons=lesson_overview(get_session()))
