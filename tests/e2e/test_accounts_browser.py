"""Accounts and classes in a real browser: a student joins with the demo code, a teacher runs
a class, an author sees the lessons, and everyone can log out; axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from lesson_app.services.demo import DEMO_CLASS, DEMO_LESSON, load_demo
from lesson_app.services.lessons import import_lesson_file
from tests.e2e.conftest import serving
from tests.support import CONTENT, database, make_app

pytestmark = pytest.mark.e2e

LESSON_TITLE = "Russia's neighbours and the mobilisation"
JOIN_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NEW_PASSWORD = "plum kettle orbit 42"


@dataclass(frozen=True)
class DemoSite:
    """A live site holding the seed lesson and the demo, and what the demo made."""

    url: str
    join_code: str
    due_at: datetime
    passwords: dict[str, str]  # by email


@pytest.fixture
def demo_site(tmp_path: Path) -> Iterator[DemoSite]:
    """A fresh app and database with the seed lesson imported and the demo loaded, served live."""
    app = make_app(tmp_path / "e2e.sqlite3")
    with database(app) as session:
        outcome = import_lesson_file(session, CONTENT / f"{DEMO_LESSON}.md")
        assert outcome.status == "added", outcome.problems
        demo = load_demo(session, Path(app.config["DEMO_ACCOUNTS_FILE"]))
        assert demo.lesson_assigned
        (assignment,) = demo.classroom.assignments
        join_code, due_at = demo.classroom.join_code, assignment.due_at
        passwords = {account.email: account.password for account in demo.accounts}
    with serving(app) as url:
        yield DemoSite(url, join_code, due_at, passwords)


def shown_date_time(moment: datetime) -> str:
    """A moment as the pages show it (see ``_dates.html``)."""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def assert_accessible(page: Page) -> None:
    """axe-core finds no violation on the page as it is now."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def log_in(page: Page, site: DemoSite, email: str) -> None:
    """Log in through the login form with the demo password of ``email``."""
    page.goto(f"{site.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(site.passwords[email])
    page.get_by_role("button", name="Log in").click()


def screenshots(page: Page, folder: str, name: str) -> None:
    """Keep full-page screenshots of the page on a phone and on a desktop under ``folder``,
    checking that nothing makes the page scroll sideways."""
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name} scrolls sideways on a {label}: {width}px"
        page.screenshot(path=Path(folder, f"{name}-{label}.png"), full_page=True)


def test_a_student_registers_with_the_demo_code_and_sees_the_assigned_lesson(
    page: Page, demo_site: DemoSite, output_path: str
):
    page.goto(f"{demo_site.url}/register")
    assert_accessible(page)
    code = page.get_by_label("Class code")
    expect(code).to_be_focused()

    def fill_and_send(typed_code: str) -> None:
        code.fill(typed_code)
        page.get_by_label("Your name").fill("Chloe Newcomer")
        page.get_by_label("Email").fill("chloe@example.org")
        page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Password again").fill(NEW_PASSWORD)
        page.keyboard.press("Enter")

    # A wrong code first: the page says so, next to the field and tied to it.
    fill_and_send("ZZZZ-ZZZZ")
    expect(page).to_have_url(f"{demo_site.url}/register")
    expect(page.get_by_role("alert")).to_contain_text("Please correct the problem below.")
    message = "No class has this join code. Check the code with your teacher."
    expect(page.locator("#join_code-error")).to_have_text(f"{message}")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_have_attribute("aria-describedby", re.compile(r"\bjoin_code-error\b"))
    expect(code).to_have_accessible_description(re.compile(re.escape(message)))
    assert_accessible(page)

    # The right code, typed the forgiving way: small letters, no dash.
    fill_and_send(demo_site.join_code.replace("-", "").lower())
    expect(page).to_have_url(f"{demo_site.url}/student/")
    expect(page.get_by_role("status")).to_contain_text(f"You are in the class {DEMO_CLASS}")
    classes = page.get_by_role("table", name="My classes")
    expect(classes.get_by_role("rowheader", name=DEMO_CLASS)).to_be_visible()
    lessons = page.get_by_role("table", name="Lessons to do")
    row = lessons.get_by_role("row").filter(has_text=LESSON_TITLE)
    expect(row).to_contain_text(DEMO_CLASS)
    expect(row).to_contain_text(shown_date_time(demo_site.due_at))
    expect(row).to_contain_text("Not started")
    assert_accessible(page)
    screenshots(page, output_path, "student-home")

    row.get_by_role("link", name=LESSON_TITLE).click()
    expect(page).to_have_url(f"{demo_site.url}/lessons/{DEMO_LESSON}")
    expect(page.get_by_role("heading", level=1)).to_have_text(LESSON_TITLE)


def test_a_teacher_creates_a_class_rotates_its_code_and_assigns_the_lesson(
    page: Page, demo_site: DemoSite, output_path: str
):
    log_in(page, demo_site, "teacher@example.org")
    expect(page).to_have_url(f"{demo_site.url}/teacher/")
    expect(page.get_by_role("rowheader", name=DEMO_CLASS)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Class name").fill("Year 9 History")
    page.get_by_role("button", name="Create the class").click()
    expect(page).to_have_url(re.compile(re.escape(demo_site.url) + r"/teacher/classes/\d+$"))
    class_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Year 9 History")
    expect(page.get_by_role("status")).to_contain_text("The class Year 9 History is ready.")
    shown_code = page.locator(".join-code code")
    first_code = shown_code.inner_text()
    assert JOIN_CODE.match(first_code), first_code
    assert first_code != demo_site.join_code

    page.get_by_role("button", name="Make a new join code").click()
    expect(shown_code).not_to_have_text(first_code)
    second_code = shown_code.inner_text()
    assert JOIN_CODE.match(second_code), second_code
    expect(page.get_by_role("status")).to_contain_text(f"The new join code is {second_code}.")
    expect(page.get_by_role("link", name=re.compile(rf"code={second_code}$"))).to_be_visible()

    due = date.today() + timedelta(days=14)
    page.get_by_label("Lesson", exact=True).select_option(label=LESSON_TITLE)
    page.get_by_label("Due date (optional)").fill(due.isoformat())
    page.get_by_label("Due time (optional)").fill("17:30")
    page.get_by_role("button", name="Assign the lesson").click()
    expect(page).to_have_url(class_url)
    expect(page.get_by_role("status")).to_contain_text(f"{LESSON_TITLE} is assigned")
    assigned = page.get_by_role("table", name="Assigned lessons")
    row = assigned.get_by_role("row").filter(has_text=LESSON_TITLE)
    expect(row).to_contain_text(f"{due.day} {due:%B %Y}, 17:30 UTC")
    assert_accessible(page)
    screenshots(page, output_path, "teacher-class")

    page.set_viewport_size(PHONE)
    assert_accessible(page)
    page.goto(f"{demo_site.url}/teacher/")
    expect(page.get_by_role("rowheader", name="Year 9 History")).to_be_visible()
    expect(page.get_by_text(second_code)).to_be_visible()
    assert_accessible(page)


def test_an_author_sees_the_lessons_on_the_authoring_page(page: Page, demo_site: DemoSite):
    log_in(page, demo_site, "author@example.org")
    expect(page).to_have_url(f"{demo_site.url}/author/")
    lesson = page.get_by_role("region", name=LESSON_TITLE, exact=True)
    expect(lesson.get_by_role("link", name=f"Reading page of {LESSON_TITLE}")).to_be_visible()
    expect(lesson).to_contain_text(DEMO_LESSON)
    assert_accessible(page)


def test_after_logging_out_the_student_pages_ask_for_a_login(page: Page, demo_site: DemoSite):
    log_in(page, demo_site, "ada@example.org")
    expect(page).to_have_url(f"{demo_site.url}/student/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My lessons")

    page.get_by_role("navigation", name="Site").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(
        page.get_by_role("navigation", name="Site").get_by_role("link", name="Log in")
    ).to_be_visible()

    page.goto(f"{demo_site.url}/student/")
    expect(page).to_have_url(
        re.compile(re.escape(f"{demo_site.url}/login?next=") + r"%2Fstudent%2F")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
