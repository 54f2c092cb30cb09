"""The quiz in a real browser: a demo student answers every question of the seed lesson with
the mouse and the keyboard, saves a draft, reloads, submits and reads the result; autosave,
the confirmation before submitting with unanswered questions; axe-core on every page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lesson_app.models import Lesson, Question
from lesson_app.services.demo import DEMO_LESSON, load_demo
from lesson_app.services.lessons import import_lesson_file
from tests.e2e.conftest import serving
from tests.support import CONTENT, database, make_app, right_answer

pytestmark = pytest.mark.e2e

STUDENT = "ada@example.org"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class QuizSite:
    """A live site with the seed lesson assigned to the demo class, and its questions."""

    url: str
    password: str
    questions: list[Question]


@pytest.fixture
def quiz_site(tmp_path: Path) -> Iterator[QuizSite]:
    app = make_app(tmp_path / "e2e.sqlite3")
    with database(app) as db:
        import_lesson_file(db, CONTENT / f"{DEMO_LESSON}.md")
        demo = load_demo(db, Path(app.config["DEMO_ACCOUNTS_FILE"]))
        password = next(a.password for a in demo.accounts if a.email == STUDENT)
        found = list(
            db.scalars(
                select(Question)
                .join(Lesson, Lesson.current_version_id == Question.version_id)
                .order_by(Question.position)
            )
        )
        db.expunge_all()
    with serving(app) as url:
        yield QuizSite(url, password, found)


def assert_accessible(page: Page, folder: str, name: str, axe: bool = True) -> None:
    """axe-core finds no violation on a desktop and on a phone (``axe``: it needs JavaScript);
    nothing scrolls sideways; full-page screenshots are kept in ``folder``."""
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        if axe:
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name} scrolls sideways on a {label}: {width}px"
        page.screenshot(path=Path(folder, f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def open_the_quiz(page: Page, site: QuizSite) -> None:
    """Log in as the demo student and start the quiz from the home page."""
    page.goto(f"{site.url}/login")
    page.get_by_label("Email").fill(STUDENT)
    page.get_by_label("Password").fill(site.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Take the quiz").click()
    expect(page.get_by_text("You may submit this quiz 3 times.")).to_be_visible()
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quiz:")


def answer(page: Page, question: Question) -> None:
    """Give the right answer to one question: the mouse for choices and lists, the keyboard
    for true or false and the text boxes."""
    value = right_answer(question.type, question.key)
    name = f"q-{question.qid}"
    if question.type in ("single", "multiple", "evidence"):
        for choice in [value] if isinstance(value, str) else value:
            page.locator(f"label[for='{name}-{choice}']").click()
    elif question.type == "true-false":
        page.locator(f"#{name}-{value}").focus()
        page.keyboard.press("Space")
    elif question.type in ("short", "numeric"):
        page.locator(f"#{name}").focus()
        page.keyboard.type(value)
    elif question.type in ("ordering", "matching"):
        for part, chosen in value.items():
            page.locator(f"#{name}-{part}").select_option(str(chosen))
    else:  # blanks: Tab from one blank to the next
        page.locator(f"#{name}-0").focus()
        for text in value:
            page.keyboard.type(text)
            page.keyboard.press("Tab")


def expect_answered(page: Page, question: Question) -> None:
    """The page shows the right answer given to the question (after a reload)."""
    value = right_answer(question.type, question.key)
    name = f"q-{question.qid}"
    if question.type in ("single", "multiple", "evidence", "true-false"):
        for choice in [value] if isinstance(value, str) else value:
            expect(page.locator(f"#{name}-{choice}")).to_be_checked()
    elif question.type in ("short", "numeric"):
        expect(page.locator(f"#{name}")).to_have_value(value)
    elif question.type in ("ordering", "matching"):
        for part, chosen in value.items():
            expect(page.locator(f"#{name}-{part}")).to_have_value(str(chosen))
    else:
        for index, text in enumerate(value):
            expect(page.locator(f"#{name}-{index}")).to_have_value(text)


def test_a_student_answers_every_question_saves_reloads_submits_and_reviews(
    page: Page, quiz_site: QuizSite, output_path: str
):
    open_the_quiz(page, quiz_site)
    progress = page.locator("#quiz-progress")
    expect(progress).to_have_text("0 of 19 questions answered")
    assert_accessible(page, output_path, "quiz-empty")

    for question in quiz_site.questions:
        answer(page, question)
    expect(progress).to_have_text("19 of 19 questions answered")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved at")
    page.reload()
    for question in quiz_site.questions:
        expect_answered(page, question)
    assert_accessible(page, output_path, "quiz-answered")

    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your result")
    expect(page.locator(".score")).to_contain_text("19 / 19")
    expect(page.locator(".score")).to_contain_text("100 %")
    first = page.locator("#question-who-announced")
    expect(first).to_contain_text("Right")
    expect(first).to_contain_text("Yes: paragraph 5 says the Russian President announced it")
    expect(first).to_contain_text("Read paragraph 5 again")
    expect(first.locator("mark")).to_have_text(
        "when Russian President Vladimir Putin announced the mobilisation"
    )
    expect(page.locator("mark")).to_have_count(
        sum(len(question.evidence) for question in quiz_site.questions)
    )
    assert_accessible(page, output_path, "result")
    page.get_by_role("link", name="My attempts").first.click()
    expect(page.get_by_role("table")).to_contain_text("19 / 19 (100 %)")
    assert_accessible(page, output_path, "history")


def test_autosave_and_the_confirmation_before_submitting_with_unanswered_questions(
    page: Page, quiz_site: QuizSite
):
    open_the_quiz(page, quiz_site)
    first = quiz_site.questions[0]
    answer(page, first)
    expect(page.locator("#save-status")).to_contain_text("Draft saved at", timeout=10_000)
    page.reload()
    expect_answered(page, first)

    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quiz:")
    assert messages == ["18 questions have no answer yet. Submit anyway?"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".score")).to_contain_text("1 / 19")


def test_without_javascript_the_pages_ask_before_submitting(
    browser, quiz_site: QuizSite, output_path: str
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    open_the_quiz(page, quiz_site)
    answer(page, quiz_site.questions[0])
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit with unanswered questions?")
    assert_accessible(page, output_path, "confirm", axe=False)
    page.get_by_role("button", name="Submit anyway").click()
    expect(page.locator(".score")).to_contain_text("1 / 19")
    page.get_by_role("link", name="My attempts").first.click()
    expect(page.get_by_role("table")).to_contain_text("1 / 19 (5 %)")
    assert_accessible(page, output_path, "history", axe=False)
    context.close()
