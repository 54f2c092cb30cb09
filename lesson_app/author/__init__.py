"""The authors' pages: the published lessons and how to publish one."""

from flask import Blueprint

from lesson_app.access import require_role

bp = Blueprint("author", __name__)
require_role(bp, "author", "admin")

from lesson_app.author import routes  # noqa: E402, F401  (registers the views)
