"""Lesson App: a Flask site that turns news articles into reading lessons and quizzes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

#: CSS, JavaScript and images live at the top of the repository, next to the package.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the application; ``config`` overrides settings (used by tests)."""
    app = Flask(__name__, static_folder=str(STATIC_DIR), instance_relative_config=True)

    from lesson_app.config import apply_proxy_fix, configure

    configure(app, config)
    apply_proxy_fix(app)

    from lesson_app import cli, db, errors, security, static_files
    from lesson_app.extensions import csrf, limiter, login_manager

    csrf.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    static_files.init_app(app)

    from lesson_app.auth import bp as auth_bp
    from lesson_app.author import bp as author_bp
    from lesson_app.health import bp as health_bp
    from lesson_app.reading import bp as reading_bp
    from lesson_app.student import bp as student_bp
    from lesson_app.teacher import bp as teacher_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(reading_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(student_bp, url_prefix="/student")
    app.register_blueprint(teacher_bp, url_prefix="/teacher")
    app.register_blueprint(author_bp, url_prefix="/author")
    return app
