"""The in-process caches behind the busiest pages: what they keep is never stale, whichever
worker (or host) changed the data, and they stay bounded.

A second app on the same database stands for another worker: it has an engine, and so
caches, of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, render_template
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lesson_app import questions
from lesson_app.db import get_db
from lesson_app.models import Attempt, Classroom, Lesson, User
from lesson_app.services import lessons
from lesson_app.services.attempts import (
    read_answers,
    save_draft,
    start_attempt,
    student_lesson,
    submit_attempt,
)
from lesson_app.services.caching import LRUCache
from lesson_app.services.classes import assign_lesson, create_class, enrol, remove_student
from lesson_app.services.lessons import (
    CURRENT_VERSION_SECONDS,
    QuestionView,
    import_text,
    set_published,
    version_view,
)
from lesson_app.services.regrade import regrade
from lesson_app.services.results import results_fingerprint
from lesson_app.student.quiz import QuizItem, open_questions
from tests.support import CONTENT, log_in, make_app, make_user, post_form, right_answer

SLUG = "central-asia-mobilisation"
SOURCE = (CONTENT / f"{SLUG}.md").read_text(encoding="utf-8")
READING = f"/lessons/{SLUG}"
# A second version: a new title, and Tokayev made the "right" answer of who-announced.
SECOND = (
    SOURCE.replace("- [ ] Kassym-Jomart Tokayev", "- [x] Kassym-Jomart Tokayev", 1)
    .replace("- [x] Vladimir Putin\n  Feedback: Yes", "- [ ] Vladimir Putin\n  Feedback: Yes", 1)
    .replace("\ntitle: ", "\ntitle: Second version of ", 1)
)


@pytest.fixture
def other_worker(app: Flask) -> Iterator[Flask]:
    """Another app on the same database: another worker, with caches of its own."""
    other = make_app(None, DATABASE_URL=app.config["DATABASE_URL"])
    yield other
    get_db(other).engine.dispose()


@pytest.fixture
def elsewhere(other_worker: Flask) -> Iterator[Session]:
    """A database session of the other worker."""
    with Session(get_db(other_worker).engine) as session:
        yield session


def statements(app: Flask, work) -> int:
    """How many SQL statements ``work()`` runs on the app's engine."""
    count = 0

    def record(*_args: object) -> None:
        nonlocal count
        count += 1

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return count


def test_the_cache_forgets_the_least_recently_used_entry_first():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)
    assert cache.get_or_make("d", lambda: 4) == 4 and cache.get("a") is None


# --- the reading page ---------------------------------------------------------------------------


def test_a_visitor_gets_the_kept_reading_page_without_a_query(app, client, session):
    import_text(session, SOURCE, "lesson.md")
    first = client.get(READING)
    again = []
    assert statements(app, lambda: again.append(client.get(READING))) == 0
    assert again[0].status_code == 200 and again[0].text == first.text
    assert "Cookie" in again[0].headers["Vary"]  # the page differs for logged-in users
    assert "Log in" in first.text and "Log out" not in first.text


def test_a_logged_in_user_gets_their_own_navigation(app, client, session):
    import_text(session, SOURCE, "lesson.md")
    visitor = client.get(READING).text
    make_user(session, "student", "s@example.org")
    log_in(client, "s@example.org")
    page = client.get(READING).text
    assert "Log out" in page and "My lessons" in page and "Log in" not in page
    assert page.count('id="glossary-heading"') == visitor.count('id="glossary-heading"') == 1


def test_a_message_waiting_for_a_visitor_is_shown_not_lost(app, client, session):
    import_text(session, SOURCE, "lesson.md")
    client.get(READING)  # kept for visitors
    make_user(session, "student", "s@example.org")
    log_in(client, "s@example.org")
    post_form(client, "/student/", {}, "/logout")  # logged out, with a message to show
    page = client.get(READING).text
    assert "You are logged out." in page and "Log in" in page
    assert "You are logged out." not in client.get(READING).text


def test_a_version_published_here_shows_at_once(client, session):
    import_text(session, SOURCE, "lesson.md")
    assert "Second version" not in client.get(READING).text
    assert import_text(session, SECOND, "lesson.md").status == "new-version"
    assert "Second version" in client.get(READING).text
    set_published(session, session.scalar(select(Lesson)), False)
    assert client.get(READING).status_code == 404


def test_a_version_published_by_another_worker_shows_within_seconds(client, elsewhere, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(lessons, "clock", lambda: now[0])
    import_text(elsewhere, SOURCE, "lesson.md")
    assert "Second version" not in client.get(READING).text
    import_text(elsewhere, SECOND, "lesson.md")
    now[0] += CURRENT_VERSION_SECONDS / 2
    assert "Second version" not in client.get(READING).text  # still within the allowed time
    now[0] += CURRENT_VERSION_SECONDS / 2 + 0.01
    assert "Second version" in client.get(READING).text
    set_published(elsewhere, elsewhere.scalar(select(Lesson)), False)
    now[0] += CURRENT_VERSION_SECONDS + 0.01
    assert client.get(READING).status_code == 404


# --- lesson versions and the quiz ---------------------------------------------------------------


def test_a_version_is_read_from_the_database_once(app, session):
    import_text(session, SOURCE, "lesson.md")
    version_id = session.scalar(select(Lesson.current_version_id))
    with Session(get_db(app).engine) as own:
        assert statements(app, lambda: version_view(own, version_id)) == 2
        assert statements(app, lambda: version_view(own, version_id)) == 0
        view = version_view(own, version_id)
    assert view.slug == SLUG and len(view.questions) == 19
    for question in view.questions:
        module = questions.REGISTRY[question.type]
        assert question.spec == module.load(question.key)


def a_view(qid: str, kind: str, key: dict) -> QuestionView:
    """A question view of one type, for reading forms."""
    module = questions.REGISTRY[kind]
    return QuestionView(0, 0, 1, qid, kind, 1, "", "", {}, key, {}, [], module.load(key))


def test_each_question_reads_the_fields_that_name_it():
    blanks = a_view("a", "blanks", {"text": "_ _", "blanks": [["x"], ["y"]], "typos": 0})
    short = a_view("a-b", "short", {"accepted": ["z"], "typos": 0})
    form = {
        "csrf_token": ["t"],
        "q-a-0": ["first"],
        "q-a-1": ["second"],
        "q-a-b": ["whole"],
        "q-other": ["nobody's"],
    }
    assert read_answers([blanks, short], form) == {"a": ["first", "second"], "a-b": "whole"}


@pytest.fixture
def quiz(app, session):
    """The seed lesson assigned to a class with one student, who started the quiz."""
    import_text(session, SOURCE, "lesson.md")
    teacher = make_user(session, "teacher", "t@example.org")
    classroom = create_class(session, teacher, "Year 10")
    assign_lesson(session, classroom, session.scalar(select(Lesson.id)), None)
    student = make_user(session, "student", "s@example.org")
    enrol(session, student, classroom)
    attempt = start_attempt(session, student, student_lesson(session, student, SLUG))
    return attempt.id


def test_kept_questions_are_the_question_template_as_rendered_for_the_attempt(app, quiz):
    with app.test_request_context(), Session(get_db(app).engine) as own:
        attempt = own.get(Attempt, quiz)
        view = version_view(own, attempt.version_id)
        fresh = [
            render_template(
                "questions/_question.html",
                item=QuizItem(
                    q,
                    questions.shuffled_display(
                        q.type, q.display, q.key, attempt.shuffle_seed + q.qid
                    ),
                    None,
                    None,
                ),
                number=number,
            )
            for number, q in enumerate(view.questions, start=1)
        ]
        for _ in range(2):  # rendered, then kept
            kept = open_questions(own, attempt, view.questions)
            assert [html.strip() for html in kept] == [html.strip() for html in fresh]


def test_a_saved_answer_shows_on_the_quiz_page(app, client, session, quiz):
    log_in(client, "s@example.org")
    url = f"/student/attempts/{quiz}"
    assert "checked" not in client.get(url).text
    attempt = session.get(Attempt, quiz)
    save_draft(session, attempt, {"who-announced": "b"})  # by another request, say
    page = client.get(url).text
    assert 'value="b" checked' in page and "<span data-answered>1</span> of 19" in page


# --- the teacher's results pages ----------------------------------------------------------------


@pytest.fixture
def results_class(app, session):
    """A class with Ann, who answered everything right, and Bob, who has not started."""
    import_text(session, SOURCE, "lesson.md")
    teacher = make_user(session, "teacher", "t@example.org")
    classroom = create_class(session, teacher, "Year 10")
    assign_lesson(session, classroom, session.scalar(select(Lesson.id)), None)
    students = {}
    for name in ("Ann", "Bob"):
        students[name] = make_user(session, "student", f"{name.lower()}@example.org", name)
        enrol(session, students[name], classroom)
    take(session, students["Ann"])
    return classroom.id, students


def take(session: Session, student, answers=None) -> Attempt:
    """The student starts the quiz and submits ``answers`` (default: all right)."""
    attempt = start_attempt(session, student, student_lesson(session, student, SLUG))
    if answers is None:
        answers = {q.qid: right_answer(q.type, q.key) for q in attempt.version.questions}
    submit_attempt(session, attempt, answers)
    return attempt


def test_results_pages_follow_every_change_any_worker_makes(
    app, client, session, elsewhere, results_class
):
    class_id, students = results_class
    overview = f"/teacher/classes/{class_id}/results"
    by_lesson = f"/teacher/classes/{class_id}/lessons/{SLUG}/results"
    log_in(client, "t@example.org")

    def pages() -> str:
        return client.get(overview).text + client.get(by_lesson).text

    before = pages()
    assert "19 / 19 (100 %)" in before and "Not started" in before
    # Kept: each page asks only for the user, the class and the fingerprint.
    assert statements(app, pages) <= 6

    bob = elsewhere.merge(students["Bob"])
    attempt = start_attempt(elsewhere, bob, student_lesson(elsewhere, bob, SLUG))
    assert "In progress" in pages()
    submit_attempt(elsewhere, attempt, {})
    assert "0 / 19 (0 %)" in pages()

    newcomer = make_user(elsewhere, "student", "cy@example.org", "Cy")
    enrol(elsewhere, newcomer, elsewhere.get(Classroom, class_id))
    assert "Cy" in pages()
    remove_student(elsewhere, elsewhere.get(Classroom, class_id), newcomer.id)
    assert "Cy" not in pages()

    lesson = elsewhere.scalar(select(Lesson))
    import_text(elsewhere, SECOND, "lesson.md")  # a new current version: its title shows
    assert "Second version" in pages()
    elsewhere.refresh(lesson)
    assert regrade(elsewhere, lesson, [take_id(elsewhere, "ann@example.org")], "Ms T") == 1
    assert "18 / 19 (95 %)" in pages() and "19 / 19" not in pages()


def take_id(session: Session, email: str) -> int:
    """The id of the first attempt of the student with this email."""
    return session.scalar(
        select(Attempt.id)
        .join(User, User.id == Attempt.student_id)
        .where(User.email == email)
        .order_by(Attempt.number)
        .limit(1)
    )


def test_the_fingerprint_moves_with_each_change_and_never_back(session, results_class):
    class_id, students = results_class
    classroom = session.get(Classroom, class_id)
    lesson_ids = [session.scalar(select(Lesson.id))]
    seen = [results_fingerprint(session, classroom, lesson_ids)]

    def changed() -> bool:
        seen.append(results_fingerprint(session, classroom, lesson_ids))
        return seen[-1] not in seen[:-1]

    attempt = start_attempt(
        session, students["Bob"], student_lesson(session, students["Bob"], SLUG)
    )
    assert changed()
    submit_attempt(session, attempt, {})
    assert changed()
    remove_student(session, classroom, students["Bob"].id)
    assert changed()
    enrol(session, make_user(session, "student", "cy@example.org"), classroom)
    assert changed()
