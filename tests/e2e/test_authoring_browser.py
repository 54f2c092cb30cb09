"""The authors' workspace in a real browser: the demo author writes a lesson with two mistakes,
checks it, follows each problem to its line, fixes it there, previews and publishes; a
student of the demo class then reads the new lesson. axe-core on every page of the way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lesson_app.models import Lesson
from lesson_app.services.classes import assign_lesson
from lesson_app.services.demo import DEMO_LESSON, load_demo
from lesson_app.services.lessons import import_lesson_file
from tests.e2e.conftest import serving
from tests.e2e.test_quiz_browser import assert_accessible
from tests.support import CONTENT, LESSON_FILE, LESSON_SLUG, database, make_app

pytestmark = pytest.mark.e2e

AUTHOR, STUDENT = "author@example.org", "ada@example.org"
TITLE = "Written in the browser"
SLUG = "written-in-the-browser"
# Two mistakes, each replaced by the right line once the check has led the author to it.
WRONG_OPTION = "- [x] The Kazakh interior ministry"
RIGHT_OPTION = "- [ ] The Kazakh interior ministry"
WRONG_QUOTE = 'Evidence: "when Soviet President Vladimir Putin announced the mobilisation"'
RIGHT_QUOTE = 'Evidence: "when Russian President Vladimir Putin announced the mobilisation"'


@dataclass(frozen=True)
class AuthoringSite:
    """A live demo site, its app (to assign the new lesson) and the demo passwords."""

    url: str
    app: Flask
    passwords: dict[str, str]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[AuthoringSite]:
    app = make_app(tmp_path / "e2e.sqlite3")
    with database(app) as db:
        import_lesson_file(db, CONTENT / f"{DEMO_LESSON}.md")
        demo = load_demo(db, Path(app.config["DEMO_ACCOUNTS_FILE"]))
        passwords = {account.email: account.password for account in demo.accounts}
    with serving(app) as url:
        yield AuthoringSite(url, app, passwords)


def lesson_with_two_mistakes() -> str:
    """The fixture lesson under a new title and slug, with a single-choice question that has
    two right options and an evidence quote that is not in the reading."""
    text = LESSON_FILE.read_text(encoding="utf-8")
    text = text.replace("Russia's neighbours and the mobilisation", TITLE)
    text = text.replace(f"slug: {LESSON_SLUG}", f"slug: {SLUG}")
    return text.replace(RIGHT_OPTION, WRONG_OPTION).replace(RIGHT_QUOTE, WRONG_QUOTE)


def log_in(page: Page, site: AuthoringSite, email: str) -> None:
    """Log in with a demo account's password."""
    page.goto(f"{site.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(site.passwords[email])
    page.get_by_role("button", name="Log in").click()


def cursor_line(page: Page) -> int:
    """The number of the line the editor's cursor (the start of its selection) is on."""
    return page.eval_on_selector(
        "#source", "area => area.value.slice(0, area.selectionStart).split('\\n').length"
    )


def selected_text(page: Page) -> str:
    """The text selected in the editor."""
    return page.eval_on_selector(
        "#source", "area => area.value.slice(area.selectionStart, area.selectionEnd)"
    )


def test_an_author_checks_fixes_previews_and_publishes_a_lesson(
    page: Page, site: AuthoringSite, output_path: str
):
    log_in(page, site, AUTHOR)
    page.get_by_role("link", name="Authoring").click()
    assert_accessible(page, output_path, "author-list")
    page.get_by_role("link", name="New lesson").click()
    assert_accessible(page, output_path, "author-new")
    page.get_by_role("link", name="Open the blank template").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New lesson")

    editor = page.get_by_label("Lesson file (Markdown)")
    text = lesson_with_two_mistakes()
    editor.fill(text)
    expect(page.locator(".editor-gutter span")).to_have_count(text.count("\n") + 1)
    assert_accessible(page, output_path, "author-editor")

    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name="2 errors and 0 warnings")).to_be_visible()
    assert_accessible(page, output_path, "author-check")
    problems = page.locator("a[data-line]")
    expect(problems).to_have_count(2)

    lines = text.split("\n")
    fixes = [
        (lines.index(WRONG_OPTION) + 1, RIGHT_OPTION),
        (lines.index(WRONG_QUOTE) + 1, RIGHT_QUOTE),
    ]
    for index, (wrong_line, right) in enumerate(fixes):
        problem = problems.nth(index)
        line = int(problem.get_attribute("data-line"))
        problem.click()
        expect(editor).to_be_focused()
        assert cursor_line(page) == line and selected_text(page) == lines[line - 1]
        expect(page.locator(f"#line-{line}")).to_be_in_viewport()
        # the question's heading, or the quote itself: go down to the wrong line, retype it
        for _ in range(wrong_line - line):
            page.keyboard.press("ArrowDown")
        if wrong_line != line:
            page.keyboard.press("Home")
            page.keyboard.press("Shift+End")
        page.keyboard.type(right)

    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name="No problems found")).to_be_visible()

    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("heading", name="The quiz")).to_be_visible()
    expect(page.get_by_role("radio", name="Vladimir Putin")).to_be_disabled()
    expect(page.locator(".author-key")).to_have_count(2)
    expect(page.locator(".author-key").first).to_contain_text("Vladimir Putin")
    assert_accessible(page, output_path, "author-preview")

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text(f"Published {SLUG} v1.")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_role("cell", name="Demo Author")).to_be_visible()
    assert_accessible(page, output_path, "author-published")

    with database(site.app) as db:
        lesson_id = db.scalar(select(Lesson.id).where(Lesson.slug == SLUG))
        demo = load_demo(db, Path(site.app.config["DEMO_ACCOUNTS_FILE"]))
        assign_lesson(db, demo.classroom, lesson_id, None)

    page.context.clear_cookies()
    log_in(page, site, STUDENT)
    expect(page.get_by_role("link", name="Take the quiz")).to_have_count(2)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".reading")).to_contain_text("Russian President Vladimir Putin")
