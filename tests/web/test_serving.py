"""Serving in production: ``lesson-app serve``, cache headers of static files, proxies."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from flask import Flask, request

from lesson_app import STATIC_DIR, cli
from lesson_app.db import get_db
from lesson_app.static_files import LONG_CACHE, NO_CACHE, static_url
from tests.support import make_app, post_form

TEMPLATES = Path(cli.__file__).parent / "templates"
LESSON_APP_COMMAND = Path(sys.executable).with_name("lesson-app")


def digest(filename: str) -> str:
    """The version a static file's URL should carry: 12 hex digits of its SHA-256."""
    return hashlib.sha256((STATIC_DIR / filename).read_bytes()).hexdigest()[:12]


# --- lesson-app serve -------------------------------------------------------------------------


def test_gunicorn_argv_uses_the_config_module_and_the_wsgi_app():
    assert cli.gunicorn_argv() == [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:lesson_app.gunicorn_config",
        "lesson_app.wsgi:app",
    ]


def test_gunicorn_argv_passes_bind_and_workers_through():
    argv = cli.gunicorn_argv("0.0.0.0:8000", 3)
    assert argv[-5:] == ["--bind", "0.0.0.0:8000", "--workers", "3", "lesson_app.wsgi:app"]


def test_serve_execs_gunicorn(runner, monkeypatch):
    calls = []
    monkeypatch.setattr(cli.os, "execvp", lambda file, argv: calls.append((file, argv)))
    result = runner.invoke(args=["serve", "--bind", "unix:/tmp/x.sock", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert calls == [(sys.executable, cli.gunicorn_argv("unix:/tmp/x.sock", 2))]


def test_serve_refuses_zero_workers(runner):
    result = runner.invoke(args=["serve", "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output


def test_serve_answers_healthz_on_a_migrated_database(tmp_path):
    env = {
        **os.environ,
        "LESSON_APP_DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "LESSON_APP_SECRET_KEY": "serve test secret",
    }
    upgrade = subprocess.run(
        [LESSON_APP_COMMAND, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )
    assert upgrade.returncode == 0, upgrade.stderr
    # gunicorn cannot bind port 0, so it gets a socket already listening on a free port: no
    # race with another process for the port, and requests wait in the backlog until it runs.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    fd = listener.fileno()
    server = subprocess.Popen(
        [LESSON_APP_COMMAND, "serve", "--bind", f"fd://{fd}", "--workers", "1"],
        env=env,
        pass_fds=[fd],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Only the server holds the socket now: if it dies, the request fails instead of waiting.
    listener.close()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
            assert response.status == 200
            assert response.headers["Server"] == "gunicorn"
            assert response.read() == b'{"database":"ok","status":"ok"}\n'
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Shutting down: Master" in output


# --- static files -----------------------------------------------------------------------------


def test_pages_link_static_files_with_their_version(client):
    html = client.get("/login").get_data(as_text=True)
    assert f'href="/static/css/site.css?v={digest("css/site.css")}"' in html


def test_no_template_links_a_static_file_without_its_version():
    unversioned = [
        path.relative_to(TEMPLATES)
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"url_for\(\s*['\"]static['\"]", path.read_text(encoding="utf-8"))
    ]
    assert unversioned == []


def test_static_url_refuses_a_missing_file(app):
    with app.test_request_context(), pytest.raises(FileNotFoundError, match="nope.css"):
        static_url("css/nope.css")


def test_static_url_refuses_a_path_outside_the_static_folder(app):
    with app.test_request_context(), pytest.raises(FileNotFoundError):
        static_url("../pyproject.toml")


@pytest.mark.parametrize("debug", [False, True])
def test_a_changed_file_gets_a_new_url_in_debug_mode_only(app, tmp_path, debug):
    # in production the files change only with a release, which restarts the app: the
    # digest is computed once; in debug mode the files are being edited
    (tmp_path / "site.css").write_text("body { color: black }")
    app.static_folder = str(tmp_path)
    app.debug = debug
    with app.test_request_context():
        before = static_url("site.css")
        (tmp_path / "site.css").write_text("body { color: navy }")
        after = static_url("site.css")
    assert (before != after) is debug


def test_the_versioned_url_may_be_kept_for_a_year(client):
    response = client.get(f"/static/css/site.css?v={digest('css/site.css')}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == LONG_CACHE == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("query", ["", "?v=000000000000", "?v="])
def test_an_unversioned_or_outdated_url_must_be_revalidated(client, query):
    response = client.get(f"/static/js/quiz.js{query}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NO_CACHE
    assert response.headers["ETag"]


@pytest.mark.parametrize("versioned", [True, False])
def test_a_revalidation_gets_304_with_the_same_cache_header(client, versioned):
    url = "/static/css/site.css" + (f"?v={digest('css/site.css')}" if versioned else "")
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["Cache-Control"] == (LONG_CACHE if versioned else NO_CACHE)


def test_a_missing_static_file_is_a_plain_404(client):
    response = client.get("/static/css/nope.css?v=000000000000")
    assert response.status_code == 404
    assert response.headers.get("Cache-Control") != LONG_CACHE


# --- behind a proxy ---------------------------------------------------------------------------


def proxied_app(database: Path, hops: int) -> Flask:
    """An app behind ``hops`` trusted proxies (0: none) allowing 2 failed logins per address,
    with a page that shows the address and scheme it sees."""
    app = make_app(
        database,
        PROXY_FIX_X_FOR=hops,
        LOGIN_LIMIT_PER_ADDRESS="2 per 15 minutes",
    )

    @app.get("/_seen")
    def seen() -> str:
        return f"{request.remote_addr} {request.scheme}"

    return app


def failed_login(client, number: int, address: str) -> int:
    """Fail a login (a new account each time) coming through a proxy for ``address``."""
    data = {"email": f"nobody{number}@example.org", "password": "wrong password"}
    return post_form(client, "/login", data, headers={"X-Forwarded-For": address}).status_code


@pytest.fixture
def proxied_apps(tmp_path):
    """Make apps with ``proxied_app`` and dispose of their engines afterwards."""
    made: list[Flask] = []

    def make(hops: int) -> Flask:
        made.append(proxied_app(tmp_path / f"proxy{len(made)}.sqlite3", hops))
        return made[-1]

    yield make
    for app in made:
        get_db(app).engine.dispose()


def test_behind_a_proxy_each_forwarded_address_is_limited_on_its_own(proxied_apps):
    client = proxied_apps(1).test_client()
    assert [failed_login(client, n, "203.0.113.1") for n in range(3)] == [422, 422, 429]
    assert failed_login(client, 3, "203.0.113.2") == 422


def test_without_proxy_fix_forwarded_addresses_are_ignored(proxied_apps):
    client = proxied_apps(0).test_client()
    assert [failed_login(client, 0, "203.0.113.1"), failed_login(client, 1, "203.0.113.2")] == [
        422,
        422,
    ]
    assert failed_login(client, 2, "203.0.113.3") == 429


@pytest.mark.parametrize(("hops", "seen"), [(1, "203.0.113.9 https"), (0, "127.0.0.1 http")])
def test_proxy_fix_gives_the_client_address_and_scheme(proxied_apps, hops, seen):
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    response = proxied_apps(hops).test_client().get("/_seen", headers=headers)
    assert response.get_data(as_text=True) == seen


def test_a_negative_proxy_count_is_refused(tmp_path):
    with pytest.raises(ValueError, match="PROXY_FIX_X_FOR"):
        make_app(tmp_path / "negative.sqlite3", PROXY_FIX_X_FOR=-1)
