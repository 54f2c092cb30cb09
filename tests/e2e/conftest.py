"""A live server with the lessons, and Playwright driving Debian's Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page
from werkzeug.serving import make_server

from lesson_app.db import get_db
from lesson_app.services.lessons import import_lesson_file
from tests.support import CONTENT, LESSON_FILE, make_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    """Launch Debian's Chromium (never a downloaded browser); fail clearly when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's Chromium (apt-get install chromium); "
            ".ci/run does this. The end-to-end tests never download a browser."
        )
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def page(page: Page) -> Iterator[Page]:
    """pytest-playwright's page; the test fails if Chromium refused anything the site's pages
    use because of the Content-Security-Policy (an inline script or style, another origin)."""
    refusals: list[str] = []

    def note_refusal(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refusals.append(f"{page.url}: {message.text}")

    page.on("console", note_refusal)
    yield page
    assert not refusals, "Chromium refused under the Content-Security-Policy:\n" + "\n".join(
        refusals
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve an app holding the fixture lesson and content/ on a free port; yield its URL."""
    app = make_app(tmp_path_factory.mktemp("e2e") / "e2e.sqlite3")
    with app.app_context():
        for path in (LESSON_FILE, *sorted(CONTENT.glob("*.md"))):
            outcome = import_lesson_file(get_db(app).session(), path)
            assert outcome.status == "added", outcome.problems
    with serving(app) as url:
        yield url


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port in a thread of its own; yield its URL, then stop it and
    close the app's database connections."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        get_db(app).engine.dispose()
