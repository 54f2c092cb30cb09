"""Teachers' results in a real browser: after the two demo students have submitted (one with
every answer right, one with none), the demo teacher opens the class's results and the lesson's,
sees the grid and the charts, sorts the grid, opens a student's attempt; axe-core on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lesson_app.models import User
from lesson_app.services.attempts import start_attempt, student_lesson, submit_attempt
from lesson_app.services.demo import DEMO_LESSON, load_demo
from lesson_app.services.lessons import import_lesson_file
from tests.e2e.conftest import serving
from tests.e2e.test_quiz_browser import assert_accessible
from tests.support import CONTENT, database, make_app, right_answer

pytestmark = pytest.mark.e2e

TEACHER = "teacher@example.org"
ALL_RIGHT, NOTHING = "ada@example.org", "ben@example.org"


@dataclass(frozen=True)
class ResultsSite:
    """A live site with the demo class, whose two students have submitted the seed lesson."""

    url: str
    password: str
    questions: int


@pytest.fixture
def results_site(tmp_path: Path) -> Iterator[ResultsSite]:
    app = make_app(tmp_path / "e2e.sqlite3")
    with database(app) as db:
        import_lesson_file(db, CONTENT / f"{DEMO_LESSON}.md")
        demo = load_demo(db, Path(app.config["DEMO_ACCOUNTS_FILE"]))
        for email in (ALL_RIGHT, NOTHING):
            student = db.query(User).filter_by(email=email).one()
            attempt = start_attempt(db, student, student_lesson(db, student, DEMO_LESSON))
            answers = {
                q.qid: right_answer(q.type, q.key) if email == ALL_RIGHT else None
                for q in attempt.version.questions
            }
            submit_attempt(db, attempt, answers)
        count = len(attempt.version.questions)
        password = next(a.password for a in demo.accounts if a.email == TEACHER)
    with serving(app) as url:
        yield ResultsSite(url, password, count)


def test_the_teacher_sees_the_class_results_grid_and_charts(
    page: Page, results_site: ResultsSite, output_path: str
):
    page.goto(f"{results_site.url}/login")
    page.get_by_label("Email").fill(TEACHER)
    page.get_by_label("Password").fill(results_site.password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Demo class").click()
    page.get_by_role("link", name="See the class results").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Results: Demo class")
    lessons = page.locator(".results-table").first
    expect(lessons).to_contain_text("2 / 2")
    expect(lessons).to_contain_text("50 %")  # mean and median of 100 % and 0 %
    grid = page.locator(".student-grid")
    total = results_site.questions
    expect(grid.get_by_role("row", name="Ada Student")).to_contain_text(
        f"{total} / {total} (100 %)"
    )
    expect(grid.get_by_role("row", name="Ben Student")).to_contain_text(f"0 / {total} (0 %)")
    assert_accessible(page, output_path, "class-results")

    lessons.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(": results")
    question_grid = page.locator(".question-grid")
    expect(question_grid.locator("tbody tr")).to_have_count(2)
    expect(question_grid.locator("thead th")).to_have_count(2 + total)
    expect(question_grid.locator(".grid-correct")).to_have_count(total)
    expect(question_grid.locator(".grid-unanswered")).to_have_count(total)
    expect(page.get_by_role("img", name="Score distribution")).to_be_visible()
    expect(page.get_by_role("img", name="Facility per question")).to_be_visible()
    expect(page.locator(".chart-data").first).to_contain_text("90–100 %")
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    assert_accessible(page, output_path, "lesson-results")

    page.get_by_role("link", name="Total").click()
    expect(page).to_have_url(re.compile(r"\?sort=score$"))
    expect(question_grid.locator("th[aria-sort=descending]")).to_contain_text("Total")
    expect(question_grid.locator("tbody th").first).to_have_text("Ada Student")
    page.get_by_role("link", name="Student", exact=True).click()
    expect(question_grid.locator("th[aria-sort=ascending]")).to_contain_text("Student")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == f"demo-class-{DEMO_LESSON}-results.csv"

    question_grid.get_by_role("link", name="Ben Student").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Student")
    assert_accessible(page, output_path, "student")
    page.get_by_role("link", name="Attempt 1").click()
    expect(page.locator(".score")).to_contain_text(f"0 / {total}")
    expect(page.locator(".question-result").first).to_contain_text("Right answer")
    assert_accessible(page, output_path, "attempt")
