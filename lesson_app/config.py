"""Settings: defaults, then environment variables prefixed ``LESSON_APP_``, then overrides.

``LESSON_APP_DATABASE_URL`` chooses the database (default: SQLite in the instance folder) and
``LESSON_APP_SECRET_KEY`` the key that signs sessions (default: generated once and kept in
``instance/secret_key``). Any other Flask setting can be given the same way, for example
``LESSON_APP_SESSION_COOKIE_SECURE=true``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ENV_PREFIX = "LESSON_APP"
SECRET_KEY_FILE = "secret_key"

#: Defaults, each overridable by LESSON_APP_<NAME> (values are parsed as JSON when they can be:
#: LESSON_APP_TEACHER_SIGNUP=false).
DEFAULTS: dict[str, Any] = {
    # Anyone may open a teacher account: right for a demo or one school's own site; turn it
    # off on a public site and create teachers with `lesson-app users create`.
    "TEACHER_SIGNUP": True,
    # Rate limits (flask-limiter notation); only failed tries count.
    "RATELIMIT_STORAGE_URI": "memory://",
    # When Redis cannot be reached, count in the worker's memory rather than fail the login.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "10 per 15 minutes",
    "JOIN_CODE_LIMIT": "20 per 15 minutes",
    # Requests larger than this are refused with 413 (lesson uploads are checked at 512 KB).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    # How many proxies (nginx, a load balancer) stand in front of the app and set
    # X-Forwarded-For and X-Forwarded-Proto. 0 ignores those headers, which anyone can send;
    # behind one proxy set 1, so that the per-address rate limits see the client's address.
    "PROXY_FIX_X_FOR": 0,
}


def configure(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Load the settings into ``app.config``, filling in the database URL and secret key."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env(ENV_PREFIX)
    if overrides:
        app.config.from_mapping(overrides)
    if app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = str(app.config["DATABASE_URL"])
    else:
        app.config["DATABASE_URL"] = default_database_url(Path(app.instance_path))
    if app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = str(app.config["SECRET_KEY"])
    else:
        app.config["SECRET_KEY"] = load_or_create_secret_key(Path(app.instance_path))


def apply_proxy_fix(app: Flask) -> None:
    """Trust the X-Forwarded-For and X-Forwarded-Proto headers of ``PROXY_FIX_X_FOR`` proxies,
    so that ``request.remote_addr`` is the client's address and ``https`` is detected."""
    hops = int(app.config["PROXY_FIX_X_FOR"])
    if hops < 0:
        raise ValueError(f"PROXY_FIX_X_FOR must be 0 or more, not {hops}")
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def default_database_url(instance_path: Path) -> str:
    """Return the URL of the SQLite database in the instance folder, creating the folder."""
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'lesson_app.sqlite3'}"


def load_or_create_secret_key(instance_path: Path) -> str:
    """Read the secret key kept in the instance folder, creating it (mode 0600) the first time.

    The new key is written to a private temporary file and then hard-linked into place, so two
    processes starting at once agree on one key and no process ever reads a half-written file.
    """
    path = instance_path / SECRET_KEY_FILE
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        temporary = instance_path / f"{SECRET_KEY_FILE}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text(encoding="ascii").strip()
