"""The teacher's pages: classes, join codes, rosters and assignments, and who may use them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lesson_app.models import Assignment, Classroom, Enrolment, Lesson, User
from lesson_app.services.classes import assign_lesson, create_class, enrol
from lesson_app.services.lessons import import_text
from tests.support import (
    CSRF_TOKEN,
    LESSON_SLUG,
    database,
    log_in,
    post_form,
    without_csrf_tokens,
)

JOIN_CODE = re.compile(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}")


@pytest.fixture
def teacher(make_account, client):
    """A logged-in teacher."""
    user = make_account("teacher", "teacher@example.org", "Ms Tess Teacher")
    log_in(client, user.email)
    return user


@pytest.fixture
def student(make_account):
    return make_account("student", "student@example.org", "Sam Student")


@pytest.fixture
def class_id(app, teacher):
    """The logged-in teacher's class."""
    return new_class(app, teacher.id, "Year 10 English")


@pytest.fixture
def lesson_id(app, lesson_text):
    with database(app) as db:
        import_text(db, lesson_text, "lesson.md")
        return db.scalar(select(Lesson.id).where(Lesson.slug == LESSON_SLUG))


def new_class(app, teacher_id, name):
    with database(app) as db:
        return create_class(db, db.get(User, teacher_id), name).id


def load_class(app, class_id):
    """The class's name, code, archived flag, current student ids and assignments' due dates."""
    with database(app) as db:
        classroom = db.get(Classroom, class_id)
        students = [e.student_id for e in classroom.enrolments if e.removed_at is None]
        due = {a.lesson_id: a.due_at for a in classroom.assignments}
        return classroom.name, classroom.join_code, classroom.archived, students, due


def enrol_student(app, student, class_id):
    with database(app) as db:
        enrol(db, db.get(User, student.id), db.get(Classroom, class_id))


def page(client, class_id):
    return f"/teacher/classes/{class_id}"


def send(client, class_id, action, data=None):
    """Send a form of the class page to ``action`` (a path under the class)."""
    return post_form(client, page(client, class_id), data or {}, page(client, class_id) + action)


def aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


# --- who may see what --------------------------------------------------------------------------


CLASS_ROUTES = [
    ("get", ""),
    ("get", "/students/{student}/remove"),
    ("post", "/rename"),
    ("post", "/join-code"),
    ("post", "/archive"),
    ("post", "/unarchive"),
    ("post", "/students/{student}/remove"),
    ("post", "/assignments"),
    ("post", "/assignments/{assignment}/delete"),
]


@pytest.mark.parametrize("method, path", CLASS_ROUTES)
def test_another_teachers_class_looks_like_no_class(
    app, client, make_account, student, lesson_id, method, path
):
    owner = make_account("teacher", "owner@example.org")
    theirs = new_class(app, owner.id, "Not yours")
    enrol_student(app, student, theirs)
    with database(app) as db:
        assignment = assign_lesson(db, db.get(Classroom, theirs), lesson_id, None).id
    before = load_class(app, theirs)
    log_in(client, make_account("teacher", "other@example.org").email)
    token = CSRF_TOKEN.search(client.get("/teacher/").text)
    answers = []
    for target in (theirs, theirs + 1000):
        url = f"/teacher/classes/{target}" + path.format(student=student.id, assignment=assignment)
        response = getattr(client, method)(url, data={"csrf_token": token.group(1), "name": "X"})
        answers.append((response.status_code, without_csrf_tokens(response.text)))
    assert answers[0][0] == 404
    assert answers[0] == answers[1]
    assert load_class(app, theirs) == before


@pytest.mark.parametrize("role, status", [("student", 403), ("author", 403)])
def test_only_teachers_and_admins_use_the_teacher_pages(client, make_account, role, status):
    log_in(client, make_account(role, f"{role}@example.org").email)
    assert client.get("/teacher/").status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/teacher/classes/1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_admin_sees_every_class(app, client, make_account):
    owner = make_account("teacher", "owner@example.org", "Olive Owner")
    theirs = new_class(app, owner.id, "Olive's class")
    log_in(client, make_account("admin", "admin@example.org").email)
    index = client.get("/teacher/").text
    assert "Olive&#39;s class" in index and "Olive Owner" in index
    assert client.get(f"/teacher/classes/{theirs}").status_code == 200


def test_state_changes_are_posts(client, class_id):
    assert client.get(f"/teacher/classes/{class_id}/archive").status_code == 405


# --- the list of classes and creating one -------------------------------------------------------


def test_without_classes_the_page_says_what_to_do(client, teacher):
    assert "You have no classes yet" in client.get("/teacher/").text


def test_classes_are_listed_current_then_archived_with_counts_and_codes(
    app, client, teacher, class_id, student
):
    enrol_student(app, student, class_id)
    old = new_class(app, teacher.id, "Last year")
    send(client, old, "/archive")
    index = client.get("/teacher/").text
    current, archived = index.split("Archived classes")
    assert "Year 10 English" in current and "Last year" in archived
    assert re.search(r"Year 10 English</a></th>\s*<td>1</td>", current)
    assert load_class(app, class_id)[1] in current


def test_creating_a_class_gives_it_a_join_code(app, client, teacher):
    response = post_form(client, "/teacher/", {"name": "  Year 9  "}, "/teacher/classes")
    assert response.status_code == 302
    class_page = client.get(response.headers["Location"]).text
    assert "The class Year 9 is ready." in class_page
    code = re.search(r'<p class="join-code"><code>([^<]+)</code>', class_page).group(1)
    assert JOIN_CODE.fullmatch(code)
    assert f"/register?code={code}" in class_page


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "Give the class a name."),
        ("   ", "Give the class a name."),
        ("x" * 121, "Field cannot be longer than 120 characters."),
    ],
)
def test_a_class_needs_a_sensible_name(app, client, teacher, name, message):
    response = post_form(client, "/teacher/", {"name": name}, "/teacher/classes")
    assert response.status_code == 422 and message in response.text
    with database(app) as db:
        assert db.scalars(select(Classroom)).all() == []


def test_creating_a_class_needs_the_csrf_token(app, client, teacher):
    assert client.post("/teacher/classes", data={"name": "Year 9"}).status_code == 400
    with database(app) as db:
        assert db.scalars(select(Classroom)).all() == []


# --- the class page: name, code, archive ---------------------------------------------------------


def test_class_page_shows_the_code_and_how_students_use_it(app, client, class_id):
    html = client.get(page(client, class_id)).text
    code = load_class(app, class_id)[1]
    assert f'<p class="join-code"><code>{code}</code></p>' in html
    assert f'href="http://localhost/register?code={code}"' in html
    assert "No students yet" in html and "No lessons are assigned yet" in html


def test_renaming(app, client, class_id):
    response = send(client, class_id, "/rename", {"name": "Year 11 English"})
    assert response.status_code == 302
    assert load_class(app, class_id)[0] == "Year 11 English"


@pytest.mark.parametrize(
    "name, message",
    [("", "Give the class a name."), ("x" * 121, "Field cannot be longer than 120 characters.")],
)
def test_renaming_needs_a_sensible_name(app, client, class_id, name, message):
    response = send(client, class_id, "/rename", {"name": name})
    assert response.status_code == 422 and message in response.text
    assert load_class(app, class_id)[0] == "Year 10 English"


def test_a_new_join_code_replaces_the_old(app, client, class_id):
    old = load_class(app, class_id)[1]
    response = send(client, class_id, "/join-code")
    new = load_class(app, class_id)[1]
    assert response.status_code == 302 and new != old and JOIN_CODE.fullmatch(new)
    assert f"The new join code is {new}." in client.get(page(client, class_id)).text


def test_archiving_and_bringing_back(app, client, class_id):
    send(client, class_id, "/archive")
    assert load_class(app, class_id)[2] is True
    assert '<span class="tag">Archived</span>' in client.get(page(client, class_id)).text
    send(client, class_id, "/unarchive")
    assert load_class(app, class_id)[2] is False


@pytest.mark.parametrize("action", ["/rename", "/join-code", "/archive"])
def test_class_changes_need_the_csrf_token(app, client, class_id, action):
    before = load_class(app, class_id)
    response = client.post(page(client, class_id) + action, data={"name": "Changed"})
    assert response.status_code == 400
    assert load_class(app, class_id) == before


# --- the roster -----------------------------------------------------------------------------------


def test_roster_lists_students_with_email_and_joining_date(app, client, class_id, student):
    enrol_student(app, student, class_id)
    html = client.get(page(client, class_id)).text
    assert "Students (1)" in html
    assert '<th scope="row">Sam Student</th>' in html and "student@example.org" in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\d">\d+ \w+ \d{4}</time>', html)


def test_removing_a_student_asks_first_then_keeps_the_enrolment(app, client, class_id, student):
    enrol_student(app, student, class_id)
    confirm_url = f"{page(client, class_id)}/students/{student.id}/remove"
    confirm = client.get(confirm_url)
    assert confirm.status_code == 200
    assert "Remove Sam Student from Year 10 English?" in confirm.text
    assert load_class(app, class_id)[3] == [student.id]
    response = post_form(client, confirm_url, {})
    assert response.status_code == 302
    html = client.get(page(client, class_id)).text
    assert "Sam Student is no longer in the class." in html and "Students (0)" in html
    with database(app) as db:
        row = db.scalar(select(Enrolment).where(Enrolment.student_id == student.id))
        assert row.removed_at is not None


def test_removing_needs_the_csrf_token(app, client, class_id, student):
    enrol_student(app, student, class_id)
    response = client.post(f"{page(client, class_id)}/students/{student.id}/remove")
    assert response.status_code == 400
    assert load_class(app, class_id)[3] == [student.id]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_student_not_in_the_class_is_not_found(app, client, class_id, student, method):
    token = CSRF_TOKEN.search(client.get("/teacher/").text)
    url = f"{page(client, class_id)}/students/{student.id}/remove"
    response = getattr(client, method)(url, data={"csrf_token": token.group(1)})
    assert response.status_code == 404


# --- assignments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "due_date, due_time, expected",
    [
        ("2030-05-17", "", datetime(2030, 5, 17, 23, 59, tzinfo=UTC)),
        ("2030-05-17", "08:15", datetime(2030, 5, 17, 8, 15, tzinfo=UTC)),
        ("", "", None),
    ],
)
def test_assigning_a_lesson_with_an_optional_due_date(
    app, client, class_id, lesson_id, due_date, due_time, expected
):
    form = {"lesson": str(lesson_id), "due_date": due_date, "due_time": due_time}
    response = send(client, class_id, "/assignments", form)
    assert response.status_code == 302
    assert {k: aware(v) for k, v in load_class(app, class_id)[4].items()} == {lesson_id: expected}
    html = client.get(page(client, class_id)).text
    assert "Russia&#39;s neighbours and the mobilisation is assigned to the class." in html


def test_the_assign_form_lists_published_lessons(client, class_id, lesson_id):
    html = client.get(page(client, class_id)).text
    assert (
        f'<option value="{lesson_id}">Russia&#39;s neighbours and the mobilisation</option>' in html
    )
    assert 'type="date"' in html and 'type="time"' in html
    assert "23:59 UTC" in html


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"lesson": ""}, "Choose a lesson."),
        ({"lesson": "abc"}, "Choose a lesson."),
        ({"lesson": "9999"}, "Choose one of the published lessons."),
        ({"due_date": "2030-02-30"}, "Not a valid date value."),
        ({"due_time": "25:00"}, "Not a valid time value."),
        ({"due_date": "", "due_time": "10:00"}, "Give a due date with the time"),
    ],
)
def test_assignment_errors_are_explained(app, client, class_id, lesson_id, changes, message):
    form = {"lesson": str(lesson_id), "due_date": "2030-05-17", "due_time": "", **changes}
    response = send(client, class_id, "/assignments", form)
    assert response.status_code == 422 and message in response.text
    assert load_class(app, class_id)[4] == {}


def test_assigning_needs_the_csrf_token(app, client, class_id, lesson_id):
    response = client.post(f"{page(client, class_id)}/assignments", data={"lesson": lesson_id})
    assert response.status_code == 400
    assert load_class(app, class_id)[4] == {}


def test_unassigning(app, client, class_id, lesson_id, teacher):
    send(client, class_id, "/assignments", {"lesson": str(lesson_id)})
    with database(app) as db:
        assignment_id = db.scalar(select(Assignment.id))
    url = f"{page(client, class_id)}/assignments/{assignment_id}/delete"
    assert client.post(url).status_code == 400
    assert load_class(app, class_id)[4] == {lesson_id: None}
    other = new_class(app, teacher.id, "Other class")
    assert send(client, other, f"/assignments/{assignment_id}/delete").status_code == 404
    assert send(client, class_id, f"/assignments/{assignment_id}/delete").status_code == 302
    assert load_class(app, class_id)[4] == {}
