"""``/healthz`` and the friendly error pages."""

from __future__ import annotations

from flask import abort

from lesson_app import create_app


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    broken = f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": broken})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_pages_still_answer_with_a_friendly_page_when_the_database_is_down(tmp_path):
    broken = f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": broken, "PROPAGATE_EXCEPTIONS": False}
    )
    response = app.test_client().get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text and "OperationalError" not in response.text


def test_not_found_page_is_friendly_html(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>Page not found</h1>" in response.text
    assert 'href="/"' in response.text


def test_wrong_method_gets_a_friendly_405(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "<h1>Not allowed</h1>" in response.text


def test_errors_never_show_a_traceback(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "PROPAGATE_EXCEPTIONS": False,
            "SECRET_KEY": "x",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/bad")
    def bad():
        abort(400)

    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text
    response = client.get("/bad")
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text
