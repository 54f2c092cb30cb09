"""The reading pages in a real browser: glossary popovers, no-JS links and accessibility."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.support import LESSON_SLUG

pytestmark = pytest.mark.e2e

GLOSSARY_URL = f"/lessons/{LESSON_SLUG}/glossary"
CONTENT_SLUG = "central-asia-mobilisation"  # the lesson in content/
DEFINITION = "Calling up only part of a country's reserve soldiers for military service."


def test_keyboard_user_tabs_to_a_term_and_reads_its_definition(page: Page, live_server: str):
    page.goto(f"{live_server}/lessons/{LESSON_SLUG}")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('a.term')"):
            break
    else:
        pytest.fail("no glossary term received keyboard focus within 20 presses of Tab")
    term = page.locator("a.term:focus")
    expect(term).to_have_attribute("data-term", "term-partial-mobilisation")
    popover = page.get_by_role("tooltip")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text(DEFINITION)
    expect(term).to_have_attribute("aria-describedby", "term-popover")
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()


def test_a_tap_shows_the_definition_on_screen_and_a_second_tap_opens_the_glossary(
    browser: Browser, live_server: str
):
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_server}/lessons/{LESSON_SLUG}")
    term = page.locator("a.term").first
    term.tap()
    popover = page.get_by_role("tooltip")
    expect(popover).to_contain_text(DEFINITION)
    expect(popover).to_contain_text("Tap the word again")
    expect(page).to_have_url(f"{live_server}/lessons/{LESSON_SLUG}")
    box = popover.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    term.tap()
    expect(page).to_have_url(f"{live_server}{GLOSSARY_URL}#term-partial-mobilisation")
    context.close()


def test_a_mouse_user_hovers_to_read_and_clicks_to_open_the_glossary(page: Page, live_server: str):
    page.goto(f"{live_server}/lessons/{LESSON_SLUG}")
    term = page.locator("a.term").first
    term.hover()
    expect(page.get_by_role("tooltip")).to_contain_text(DEFINITION)
    term.click()
    expect(page).to_have_url(f"{live_server}{GLOSSARY_URL}#term-partial-mobilisation")


def test_without_javascript_a_term_links_to_its_glossary_entry(browser: Browser, live_server: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/lessons/{LESSON_SLUG}")
    term = page.locator("a.term").first
    expect(term).to_have_attribute("href", f"{GLOSSARY_URL}#term-partial-mobilisation")
    term.click()
    expect(page).to_have_url(f"{live_server}{GLOSSARY_URL}#term-partial-mobilisation")
    expect(page.locator("#term-partial-mobilisation")).to_contain_text(DEFINITION)
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/lessons/{LESSON_SLUG}",
        GLOSSARY_URL,
        f"/lessons/{CONTENT_SLUG}",
        f"/lessons/{CONTENT_SLUG}/glossary",
        "/no-such-page",
    ],
)
def test_pages_have_no_accessibility_violations(page: Page, live_server: str, path: str):
    page.goto(f"{live_server}{path}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
