"""The student's home page and joining another class."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lesson_app.models import Classroom, Enrolment, Lesson, User
from lesson_app.services.classes import (
    assign_lesson,
    create_class,
    enrol,
    remove_student,
    rotate_join_code,
    set_archived,
)
from lesson_app.services.lessons import import_text
from tests.support import LESSON_SLUG, database, log_in, make_app, make_user, post_form


@pytest.fixture
def teacher(make_account):
    return make_account("teacher", "teacher@example.org", "Ms Tess Teacher")


@pytest.fixture
def student(make_account, client):
    """A logged-in student."""
    user = make_account("student", "student@example.org", "Sam Student")
    log_in(client, user.email)
    return user


def new_class(app, teacher, name="Year 10 English"):
    """Create a class; answers its id and join code."""
    with database(app) as db:
        classroom = create_class(db, db.get(User, teacher.id), name)
        return classroom.id, classroom.join_code


def change_class(app, class_id, change, *args):
    """Apply a class service to the class ``class_id``."""
    with database(app) as db:
        change(db, db.get(Classroom, class_id), *args)


def enrol_in(app, student, class_id):
    with database(app) as db:
        enrol(db, db.get(User, student.id), db.get(Classroom, class_id))


def assign(app, class_id, lesson_text, due_at):
    with database(app) as db:
        import_text(db, lesson_text, "lesson.md")
        lesson_id = db.scalar(select(Lesson.id).where(Lesson.slug == LESSON_SLUG))
        assign_lesson(db, db.get(Classroom, class_id), lesson_id, due_at)


def enrolments(app, student):
    with database(app) as db:
        rows = db.scalars(select(Enrolment).where(Enrolment.student_id == student.id))
        return [(row.class_id, row.removed_at is None) for row in rows]


def join(client, code):
    return post_form(client, "/student/", {"join_code": code}, action="/student/join")


# --- who may see it ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/student/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_teacher_is_not_a_student(client, teacher):
    log_in(client, teacher.email)
    assert client.get("/student/").status_code == 403


# --- the home page -----------------------------------------------------------------------------


def test_without_a_class_the_page_says_what_to_do(client, student):
    page = client.get("/student/").get_data(as_text=True)
    assert "You are not in a class yet" in page
    assert "Ask your teacher for the class code" in page
    assert 'name="join_code"' in page


def test_home_lists_classes_and_assigned_lessons_with_due_dates(
    app, client, student, teacher, lesson_text
):
    class_id, _ = new_class(app, teacher)
    enrol_in(app, student, class_id)
    assign(app, class_id, lesson_text, datetime(2999, 3, 1, 17, 30, tzinfo=UTC))
    page = client.get("/student/").get_data(as_text=True)
    assert (
        f'<a href="/lessons/{LESSON_SLUG}">Russia&#39;s neighbours and the mobilisation</a>' in page
    )
    assert '<time datetime="2999-03-01T17:30Z">1 March 2999, 17:30 UTC</time>' in page
    assert "Not started" in page
    assert "Overdue" not in page
    assert re.search(r"<th scope=\"row\">Year 10 English</th><td>Ms Tess Teacher</td>", page)


def test_an_overdue_lesson_says_so_in_words(app, client, student, teacher, lesson_text):
    class_id, _ = new_class(app, teacher)
    enrol_in(app, student, class_id)
    assign(app, class_id, lesson_text, datetime(2020, 1, 1, 23, 59, tzinfo=UTC))
    assert '<strong class="overdue">Overdue</strong>' in client.get("/student/").text


def test_a_lesson_without_due_date(app, client, student, teacher, lesson_text):
    class_id, _ = new_class(app, teacher)
    enrol_in(app, student, class_id)
    assign(app, class_id, lesson_text, None)
    assert "No due date" in client.get("/student/").text


def test_a_class_without_lessons_says_none_are_assigned(app, client, student, teacher):
    class_id, _ = new_class(app, teacher)
    enrol_in(app, student, class_id)
    assert "have not assigned any lessons yet" in client.get("/student/").text


def test_a_removed_student_no_longer_sees_the_class(app, client, student, teacher, lesson_text):
    class_id, _ = new_class(app, teacher)
    enrol_in(app, student, class_id)
    assign(app, class_id, lesson_text, None)
    change_class(app, class_id, remove_student, student.id)
    page = client.get("/student/").text
    assert "Year 10 English" not in page and "mobilisation" not in page


def test_an_archived_class_disappears_from_home(app, client, student, teacher):
    class_id, _ = new_class(app, teacher)
    enrol_in(app, student, class_id)
    change_class(app, class_id, set_archived, True)
    assert "Year 10 English" not in client.get("/student/").text


# --- joining another class ---------------------------------------------------------------------


def test_joining_with_a_code_typed_loosely(app, client, student, teacher):
    class_id, code = new_class(app, teacher)
    response = join(client, code.lower().replace("-", ""))
    assert response.status_code == 302 and response.headers["Location"] == "/student/"
    assert "You are in the class Year 10 English." in client.get("/student/").text
    assert enrolments(app, student) == [(class_id, True)]


@pytest.mark.parametrize(
    "code, message",
    [
        ("", "Type the class code."),
        ("ZZZZ-ZZZZ", "No class has this join code."),
        ("A" * 33, "Field cannot be longer than 32 characters."),
    ],
)
def test_a_wrong_code_is_explained(app, client, student, code, message):
    response = join(client, code)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert enrolments(app, student) == []


def test_joining_without_csrf_token_changes_nothing(app, client, student, teacher):
    _, code = new_class(app, teacher)
    response = client.post("/student/join", data={"join_code": code})
    assert response.status_code == 400
    assert enrolments(app, student) == []


def test_an_old_code_stops_working_after_rotation(app, client, student, teacher):
    class_id, old = new_class(app, teacher)
    change_class(app, class_id, rotate_join_code)
    assert join(client, old).status_code == 422
    assert enrolments(app, student) == []


def test_an_archived_class_cannot_be_joined(app, client, student, teacher):
    class_id, code = new_class(app, teacher)
    change_class(app, class_id, set_archived, True)
    response = join(client, code)
    assert response.status_code == 422 and "No class has this join code" in response.text


def test_a_removed_student_cannot_join_again(app, client, student, teacher):
    class_id, code = new_class(app, teacher)
    enrol_in(app, student, class_id)
    change_class(app, class_id, remove_student, student.id)
    response = join(client, code)
    assert response.status_code == 422 and "removed you" in response.text
    assert enrolments(app, student) == [(class_id, False)]


def test_wrong_codes_are_rate_limited_but_right_ones_do_not_count(tmp_path):
    app = make_app(tmp_path / "limits.sqlite3", JOIN_CODE_LIMIT="2 per 15 minutes")
    client = app.test_client()
    with database(app) as db:
        teacher = make_user(db, "teacher", "teacher@example.org")
        make_user(db, "student", "student@example.org")
        codes = [create_class(db, teacher, f"Class {n}").join_code for n in range(3)]
    log_in(client, "student@example.org")
    for code in codes:
        assert join(client, code).status_code == 302
    assert [join(client, "ZZZZ-ZZZZ").status_code for _ in range(3)] == [422, 422, 429]
