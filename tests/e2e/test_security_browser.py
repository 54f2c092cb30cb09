"""The Content-Security-Policy in Chromium: the site's own script works, an injected inline
script or handler does not run, and the browser reports the refusal."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage

pytestmark = pytest.mark.e2e

INJECT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.injectedScriptRan = true";
    document.body.append(script);
    const image = document.createElement("img");
    image.setAttribute("src", "/missing.png");
    image.setAttribute("onerror", "window.injectedHandlerRan = true");
    document.body.append(image);
}"""


def test_injected_inline_script_and_handler_do_not_run(browser: Browser, live_server: str):
    page = browser.new_page()
    refusals: list[str] = []

    def note_refusal(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refusals.append(message.text)

    page.on("console", note_refusal)
    page.goto(f"{live_server}/lessons/central-asia-mobilisation")
    # the site's own script (static/js/glossary.js) ran: it adds the definitions' popover
    assert page.locator("#term-popover").count() == 1
    page.evaluate(INJECT)
    page.wait_for_timeout(200)  # let the image fail to load, which would fire onerror
    assert page.evaluate("window.injectedScriptRan === undefined")
    assert page.evaluate("window.injectedHandlerRan === undefined")
    assert len(refusals) >= 2, refusals
    page.close()
