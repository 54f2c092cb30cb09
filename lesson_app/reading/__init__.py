"""The public reading pages: the lesson list, a lesson's reading and its glossary."""

from flask import Blueprint

bp = Blueprint("reading", __name__)

from lesson_app.reading import routes  # noqa: E402, F401  (registers the views)
