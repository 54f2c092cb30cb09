"""The class services: join codes, rosters, assignments and the lists built in SQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from lesson_app.models import Enrolment, Lesson
from lesson_app.models.base import utcnow
from lesson_app.services.classes import (
    ClassError,
    assign_lesson,
    class_by_join_code,
    class_for_teacher,
    class_summaries,
    create_class,
    current_students,
    due_moment,
    enrol,
    join_class,
    new_join_code,
    normalise_join_code,
    remove_student,
    rotate_join_code,
    set_archived,
    student_assignments,
    student_classes,
    unassign_lesson,
)
from lesson_app.services.lessons import import_text
from tests.support import LESSON_SLUG, make_user

JOIN_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


@pytest.fixture
def app(app_on_each_database):
    """The SQL of these services runs on SQLite and on PostgreSQL."""
    return app_on_each_database


@pytest.fixture
def teacher(session):
    return make_user(session, "teacher", "teacher@example.org", "Tess Teacher")


@pytest.fixture
def student(session):
    return make_user(session, "student", "student@example.org", "Sam Student")


@pytest.fixture
def classroom(session, teacher):
    return create_class(session, teacher, "  Year   10  English ")


@pytest.fixture
def lesson_id(session, lesson_text):
    import_text(session, lesson_text, "lesson.md")
    return session.scalar(select(Lesson.id).where(Lesson.slug == LESSON_SLUG))


# --- join codes -------------------------------------------------------------------------------


def test_join_codes_are_unambiguous_and_differ():
    codes = {new_join_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(JOIN_CODE.match(code) for code in codes)


@pytest.mark.parametrize("typed", ["k7mx-q2pa", "K7MXQ2PA", " k7mx q2pa ", "K7MX-Q2PA"])
def test_typed_codes_are_normalised(typed):
    assert normalise_join_code(typed) == "K7MX-Q2PA"


def test_a_new_class_has_a_tidy_name_and_a_code(classroom):
    assert classroom.name == "Year 10 English"
    assert JOIN_CODE.match(classroom.join_code)


def test_a_code_typed_loosely_joins_the_class(session, classroom, student):
    typed = classroom.join_code.lower().replace("-", "")
    assert join_class(session, student, typed) is classroom
    assert [c.name for c in student_classes(session, student)] == ["Year 10 English"]


def test_joining_twice_makes_one_enrolment(session, classroom, student):
    join_class(session, student, classroom.join_code)
    join_class(session, student, classroom.join_code)
    assert len(current_students(classroom)) == 1


def test_a_rotated_code_replaces_the_old_one(session, classroom, student):
    old = classroom.join_code
    rotate_join_code(session, classroom)
    assert classroom.join_code != old and JOIN_CODE.match(classroom.join_code)
    with pytest.raises(ClassError, match="No class has this join code"):
        join_class(session, student, old)
    assert class_by_join_code(session, classroom.join_code) is classroom


def test_an_archived_class_cannot_be_joined_and_disappears_for_students(
    session, classroom, student
):
    enrol(session, student, classroom)
    set_archived(session, classroom, True)
    with pytest.raises(ClassError, match="No class has this join code"):
        class_by_join_code(session, classroom.join_code)
    assert student_classes(session, student) == []
    set_archived(session, classroom, False)
    assert student_classes(session, student) == [classroom]


# --- rosters ----------------------------------------------------------------------------------


def test_a_removed_student_keeps_the_row_but_leaves_the_class(session, classroom, student):
    enrol(session, student, classroom)
    ended = remove_student(session, classroom, student.id)
    assert ended is not None and ended.removed_at is not None
    assert current_students(classroom) == []
    assert student_classes(session, student) == []
    row = session.scalar(select(Enrolment).where(Enrolment.student_id == student.id))
    assert row.removed_at is not None


def test_a_removed_student_cannot_rejoin_with_the_code(session, classroom, student):
    enrol(session, student, classroom)
    remove_student(session, classroom, student.id)
    with pytest.raises(ClassError, match="removed you"):
        join_class(session, student, classroom.join_code)


def test_removing_someone_not_in_the_class_does_nothing(session, classroom, student):
    assert remove_student(session, classroom, student.id) is None


def test_class_for_teacher_hides_other_teachers_classes_but_not_from_admins(
    session, classroom, teacher
):
    other = make_user(session, "teacher", "other@example.org")
    admin = make_user(session, "admin", "admin@example.org")
    assert class_for_teacher(session, teacher, classroom.id) is classroom
    assert class_for_teacher(session, other, classroom.id) is None
    assert class_for_teacher(session, other, classroom.id + 1000) is None
    assert class_for_teacher(session, admin, classroom.id) is classroom


def test_class_summaries_count_current_students_and_put_archived_last(session, teacher, student):
    b = create_class(session, teacher, "b class")
    create_class(session, teacher, "A class")
    old = create_class(session, teacher, "Old class")
    create_class(session, make_user(session, "teacher", "other@example.org"), "Not mine")
    gone = make_user(session, "student", "gone@example.org")
    for person in (student, gone):
        enrol(session, person, b)
    remove_student(session, b, gone.id)
    set_archived(session, old, True)
    summaries = class_summaries(session, teacher)
    assert [(s.classroom.name, s.student_count) for s in summaries] == [
        ("A class", 0),
        ("b class", 1),
        ("Old class", 0),
    ]
    admin = make_user(session, "admin", "admin@example.org")
    assert len(class_summaries(session, admin)) == 4


# --- assignments ------------------------------------------------------------------------------


def test_due_moment_is_the_end_of_the_day_unless_a_time_is_given():
    assert due_moment(date(2025, 3, 1)) == datetime(2025, 3, 1, 23, 59, tzinfo=UTC)
    assert due_moment(date(2025, 3, 1), time(9, 30)) == datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def test_an_assigned_lesson_reaches_the_classes_students(session, classroom, student, lesson_id):
    enrol(session, student, classroom)
    due = utcnow() + timedelta(days=2)
    assign_lesson(session, classroom, lesson_id, due)
    [item] = student_assignments(session, student)
    assert item.version.title == "Russia's neighbours and the mobilisation"
    assert item.classroom is classroom
    assert item.status == "Not started"
    assert item.overdue is False


def test_assigning_again_changes_the_due_date(session, classroom, lesson_id):
    first = assign_lesson(session, classroom, lesson_id, None)
    past = datetime(2020, 1, 1, 23, 59, tzinfo=UTC)
    again = assign_lesson(session, classroom, lesson_id, past)
    assert again.id == first.id and len(classroom.assignments) == 1


def test_a_past_due_date_is_overdue(session, classroom, student, lesson_id):
    enrol(session, student, classroom)
    assign_lesson(session, classroom, lesson_id, datetime(2020, 1, 1, tzinfo=UTC))
    assert student_assignments(session, student)[0].overdue is True


def test_only_published_lessons_can_be_assigned(session, classroom):
    with pytest.raises(ClassError, match="published lessons"):
        assign_lesson(session, classroom, 12345, None)


def test_removed_students_and_archived_classes_show_no_assignments(
    session, classroom, student, lesson_id
):
    enrol(session, student, classroom)
    assign_lesson(session, classroom, lesson_id, None)
    set_archived(session, classroom, True)
    assert student_assignments(session, student) == []
    set_archived(session, classroom, False)
    remove_student(session, classroom, student.id)
    assert student_assignments(session, student) == []


def test_unassigning_checks_the_class(session, classroom, teacher, lesson_id):
    other = create_class(session, teacher, "Other")
    assignment = assign_lesson(session, classroom, lesson_id, None)
    assert unassign_lesson(session, other, assignment.id) is False
    assert unassign_lesson(session, classroom, assignment.id) is True
    assert classroom.assignments == []
