"""The teacher's pages: their classes, each class's code, roster and assignments."""

from flask import Blueprint

from lesson_app.access import require_role

bp = Blueprint("teacher", __name__)
require_role(bp, "teacher", "admin")

from lesson_app.teacher import routes  # noqa: E402, F401  (registers the views)
