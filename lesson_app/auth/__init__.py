"""Accounts: log in, log out, register (students with a class code, teachers), passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from lesson_app.auth import routes  # noqa: E402, F401  (registers the views)
