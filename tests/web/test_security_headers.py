"""Security headers on every response, the session cookie's flags, pages of a logged-in visitor
kept out of caches, and errors that show a request id but never a traceback or a secret."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lesson_app.db import get_db
from lesson_app.security import LOG_FORMAT
from lesson_app.static_files import static_url
from tests.support import PASSWORD, csrf_token, log_in, make_app
from tests.web.test_access_matrix import POLICIES, VISITORS, World, make_world, routes

HTTPS = "https://localhost"
REQUIRED_POLICY = (
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
)


def assert_security_headers(response, where: str) -> None:
    """The headers every response must carry."""
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in REQUIRED_POLICY:
        assert directive in policy, f"{where}: {directive!r} missing from {policy!r}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers.get("X-Request-ID", "")), where


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """One of every kind of visitor, and ids to put in URLs (see test_access_matrix)."""
    return make_world(tmp_path_factory.mktemp("headers") / "world")


def test_every_page_for_every_visitor_carries_the_headers(world: World):
    checked = 0
    for visitor in VISITORS:
        client = world.app.test_client()
        if visitor != "anonymous":
            log_in(client, world.emails[visitor])
        for endpoint, rule, method in routes(world.app):
            if method != "GET" or endpoint == "static":
                continue
            url = rule.build(world.url_values, append_unknown=False)[1]
            response = client.get(url)
            where = f"{visitor} GET {url} ({response.status_code})"
            assert_security_headers(response, where)
            if visitor != "anonymous" and POLICIES[endpoint].expected(visitor) == "ok":
                # a logged-in visitor's pages may show their results: never stored
                assert response.headers.get("Cache-Control") == "no-store", where
            checked += 1
    assert checked > 100


def test_anonymous_pages_are_not_marked_personal(world: World):
    response = world.app.test_client().get("/lessons/central-asia-mobilisation")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_error_responses_and_static_files_carry_the_headers(world: World):
    client = world.app.test_client()
    log_in(client, world.emails["teacher"])
    with world.app.test_request_context():
        stylesheet = static_url("css/site.css")
    responses = {
        "404": client.get("/no/such/page"),
        "405": client.put("/login"),
        "400 without CSRF token": client.post("/teacher/classes", data={"name": "x"}),
        "static file": client.get(stylesheet),
    }
    for name, response in responses.items():
        assert_security_headers(response, name)
    assert responses["400 without CSRF token"].status_code == 400
    # a logged-in visitor's style sheet is the same file for everyone: still cached for long
    assert "immutable" in responses["static file"].headers["Cache-Control"]


def test_strict_transport_security_only_over_https(app: Flask):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert (
        client.get("/", base_url=HTTPS).headers["Strict-Transport-Security"].startswith("max-age=")
    )


def session_cookie_header(response) -> str:
    """The Set-Cookie header of the session cookie in ``response``."""
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def test_session_cookie_is_httponly_and_samesite_lax_and_secure_only_over_https(
    app: Flask, make_account
):
    make_account("student", "pupil@example.org")
    plain = app.test_client()
    cookie = session_cookie_header(log_in(plain, "pupil@example.org"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie

    secure = app.test_client()
    token = csrf_token(secure, f"{HTTPS}/login")
    # over HTTPS the CSRF check also wants the browser's same-origin Referer, which the
    # Referrer-Policy keeps sending
    response = secure.post(
        f"{HTTPS}/login",
        data={"csrf_token": token, "email": "pupil@example.org", "password": PASSWORD},
        headers={"Referer": f"{HTTPS}/login"},
    )
    assert response.status_code == 302
    cookie = session_cookie_header(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_request_id_from_the_client_is_ignored_unless_a_proxy_is_trusted(tmp_path: Path):
    sent = {"X-Request-ID": "from-the-proxy-0123"}
    direct = make_app(tmp_path / "direct.sqlite3")
    answered = direct.test_client().get("/", headers=sent).headers["X-Request-ID"]
    assert answered != sent["X-Request-ID"]
    proxied = make_app(tmp_path / "proxied.sqlite3", PROXY_FIX_X_FOR=1)
    assert (
        proxied.test_client().get("/", headers=sent).headers["X-Request-ID"]
        == (sent["X-Request-ID"])
    )
    # one that is not a plain id could forge lines or fields in the log
    forged = "x request=someone-else"
    assert (
        proxied.test_client().get("/", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
        != forged
    )


SECRET_KEY = "a secret key that must never be shown"
SECRET_PASSWORD = "my very own password 2024"


@pytest.fixture
def failing_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """An app with debug and testing off, whose login breaks with an unexpected error."""
    app = make_app(tmp_path / "failing.sqlite3", TESTING=False, DEBUG=False, SECRET_KEY=SECRET_KEY)

    def broken(*_args: object) -> None:
        raise RuntimeError("the password check broke")

    monkeypatch.setattr("lesson_app.auth.routes.authenticate", broken)
    return app


def test_an_unexpected_error_shows_a_request_id_and_nothing_secret(
    failing_app: Flask, caplog: pytest.LogCaptureFixture
):
    client = failing_app.test_client()
    token = csrf_token(client, "/login")
    cookie = client.get_cookie("session").value
    with caplog.at_level(logging.ERROR, logger="lesson_app"):
        response = client.post(
            "/login",
            data={"csrf_token": token, "email": "someone@example.org", "password": SECRET_PASSWORD},
        )
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    request_id = response.headers["X-Request-ID"]
    assert request_id in page and "Something went wrong" in page
    for secret in (
        "Traceback",
        "RuntimeError",
        "the password check broke",
        SECRET_KEY,
        SECRET_PASSWORD,
        failing_app.config["DATABASE_URL"],
        "site-packages",
    ):
        assert secret not in page

    records = [r for r in caplog.records if r.exc_info]
    assert len(records) == 1
    assert records[0].request_id == request_id
    logged = logging.Formatter(LOG_FORMAT).format(records[0])
    assert f"request={request_id}" in logged and "the password check broke" in logged
    assert SECRET_PASSWORD not in logged and cookie not in logged and token not in logged
    assert SECRET_PASSWORD not in caplog.text and cookie not in caplog.text


def test_database_errors_do_not_carry_the_values_of_the_statement(tmp_path: Path):
    app = make_app(tmp_path / "errors.sqlite3")
    with (
        app.app_context(),
        get_db(app).engine.connect() as connection,
        pytest.raises(SQLAlchemyError) as raised,
    ):
        connection.execute(
            text("insert into no_such_table (value) values (:value)"),
            {"value": SECRET_PASSWORD},
        )
    assert SECRET_PASSWORD not in str(raised.value)
