"""The student's pages: their classes, the lessons assigned to them, joining a class."""

from flask import Blueprint

from lesson_app.access import require_role

bp = Blueprint("student", __name__)
require_role(bp, "student")

from lesson_app.student import routes  # noqa: E402, F401  (registers the views)
