"""Teachers' results against values computed by hand on a small class (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from lesson_app.db import get_db
from lesson_app.models import Lesson
from lesson_app.models.base import utcnow
from lesson_app.services.attempts import start_attempt, student_lesson, submit_attempt
from lesson_app.services.classes import assign_lesson, create_class, enrol
from lesson_app.services.lessons import import_text
from lesson_app.services.results import class_overview, lesson_results, results_csv
from tests.support import make_user

LESSON = """---
title: A small quiz
slug: small-quiz
summary: Three questions for checking the statistics.
grading: best
---

Almost 100,000 Russians have entered Kazakhstan since September 21, when Russian President
Vladimir Putin announced the mobilisation.

## Questions

### Who announced the mobilisation? {#who}
- [ ] Tokayev
- [x] Putin
- [ ] The ministry

Evidence: "Vladimir Putin announced the mobilisation"

### Which are true? {#which}
Type: multiple
Points: 2
- [x] Russians entered Kazakhstan
- [ ] Nobody moved
- [x] Putin announced a mobilisation
- [ ] It was in May

Evidence: "Almost 100,000 Russians have entered Kazakhstan"

### Name the Russian president. {#name}
Type: short
Answer: Vladimir Putin | Putin

Evidence: "Russian President Vladimir Putin"
"""

# name -> answers; hand-computed scores: who 1, which 2 (partial), name 1; out of 4
ANSWERS = {
    "Ana": ({"who": "b", "which": ["a", "c"], "name": "Putin"}, 4),
    "Ben": ({"who": "b", "which": ["a"], "name": "Lenin"}, 2),
    "Cleo": ({"who": "a", "which": ["a", "b"], "name": ""}, 0),
    "Dev": ({"who": "b", "which": ["a", "c", "d"], "name": "putin"}, 3),
    "Eve": ({"who": "a", "which": ["a", "c"], "name": " LENIN "}, 2),
}


@pytest.fixture
def app(app_on_each_database):
    """Every test here runs on SQLite and on PostgreSQL."""
    return app_on_each_database


@pytest.fixture
def small_class(session):
    teacher = make_user(session, "teacher", "t@example.org")
    classroom = create_class(session, teacher, "Statistics")
    import_text(session, LESSON, "small-quiz.md")
    lesson = session.scalar(select(Lesson).where(Lesson.slug == "small-quiz"))
    assignment = assign_lesson(session, classroom, lesson.id, None)
    students = {}
    for name, (answers, expected) in ANSWERS.items():
        student = make_user(session, "student", f"{name.lower()}@example.org", name)
        enrol(session, student, classroom)
        attempt = start_attempt(session, student, student_lesson(session, student, "small-quiz"))
        submit_attempt(session, attempt, answers)
        assert attempt.score == expected, name
        students[name] = student
    return {
        "classroom": classroom,
        "lesson": lesson,
        "students": students,
        "assignment": assignment,
    }


def take_again(session, student, answers):
    attempt = start_attempt(session, student, student_lesson(session, student, "small-quiz"))
    submit_attempt(session, attempt, answers)
    return attempt


def test_class_overview_figures(session, small_class):
    overview = class_overview(session, small_class["classroom"])
    assert [s.name for s in overview.students] == ["Ana", "Ben", "Cleo", "Dev", "Eve"]
    (summary,) = overview.lessons
    assert summary.submitted == 5 and summary.late == 0
    assert sorted(summary.percentages) == [0, 50, 50, 75, 100]
    assert summary.mean_percent == 55 and summary.median_percent == 50
    ana = small_class["students"]["Ana"]
    assert summary.standings[ana.id].status == "submitted"
    assert (summary.standings[ana.id].score, summary.standings[ana.id].max_score) == (4, 4)


def test_status_not_started_in_progress_and_late(session, small_class):
    newcomer = make_user(session, "student", "new@example.org", "Zed")
    starter = make_user(session, "student", "starter@example.org", "Yan")
    for student in (newcomer, starter):
        enrol(session, student, small_class["classroom"])
    start_attempt(session, starter, student_lesson(session, starter, "small-quiz"))
    small_class["assignment"].due_at = utcnow() - timedelta(days=365)
    session.commit()
    summary = class_overview(session, small_class["classroom"]).lessons[0]
    assert summary.standings[newcomer.id].status == "not started"
    assert summary.standings[starter.id].status == "in progress"
    assert summary.late == 5 and summary.submitted == 5


@pytest.mark.parametrize("grading, ben_percent", [("best", 100), ("last", 0), ("first", 50)])
def test_counted_attempt_follows_the_grading_method(session, small_class, grading, ben_percent):
    ben = small_class["students"]["Ben"]
    take_again(session, ben, ANSWERS["Ana"][0])  # 50 %, then 100 %, then 0 %
    take_again(session, ben, ANSWERS["Cleo"][0])
    small_class["lesson"].current_version.grading = grading
    session.commit()
    standing = class_overview(session, small_class["classroom"]).lessons[0].standings[ben.id]
    assert standing.percent == ben_percent and standing.attempts == 3


def test_lesson_results_per_question(session, small_class):
    results = lesson_results(session, small_class["classroom"], small_class["lesson"])
    stats = {s.question.qid: s for s in results.questions}
    assert stats["who"].facility == pytest.approx(3 / 5)
    assert stats["which"].facility == pytest.approx(6 / 10)
    assert stats["name"].facility == pytest.approx(2 / 5)
    assert [(oid, n) for oid, _, n in stats["who"].option_counts] == [("a", 2), ("b", 3), ("c", 0)]
    assert [(oid, n) for oid, _, n in stats["which"].option_counts] == [
        ("a", 5),
        ("b", 1),
        ("c", 3),
        ("d", 1),
    ]
    assert stats["name"].wrong_answers == [("lenin", 2)]
    assert stats["name"].outcomes == {"correct": 2, "wrong": 2, "unanswered": 1}
    # upper group (27 % of 5 = 1): Ana (all right); lower: Cleo (nothing right)
    assert stats["who"].discrimination == pytest.approx(1.0)
    assert stats["name"].discrimination == pytest.approx(1.0)
    cleo, eve = small_class["students"]["Cleo"], small_class["students"]["Eve"]
    assert results.grid[(cleo.id, "name")] == "unanswered"
    assert results.grid[(eve.id, "which")] == "correct"
    assert results.grid[(small_class["students"]["Ben"].id, "which")] == "partial"
    assert dict(results.distribution)["50\u201359 %"] == 2


def test_csv_parses_back_with_neutralised_cells(session, small_class):
    student = make_user(session, "student", "x@example.org", '=HYPERLINK("http://x")')
    other = make_user(session, "student", "zoe@example.org", "Zoë Łukasz 李")
    for person in (student, other):
        enrol(session, person, small_class["classroom"])
    take_again(session, other, ANSWERS["Ana"][0])
    text = results_csv(lesson_results(session, small_class["classroom"], small_class["lesson"]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == [
        "student",
        "email",
        "who",
        "which",
        "name",
        "total",
        "max",
        "percent",
        "attempts",
        "submitted_utc",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name['\'=HYPERLINK("http://x")'][2:8] == ["", "", "", "", "", ""]
    assert by_name["Zoë Łukasz 李"][2:9] == ["1", "2", "1", "4", "4", "100", "1"]
    assert by_name["Ben"][2:8] == ["1", "1", "0", "2", "4", "50"]
    assert len(rows) == 1 + 7


def count_statements(app, work):
    statements = []
    engine = get_db(app).engine

    def record(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_class(app, session, small_class):
    classroom, lesson = small_class["classroom"], small_class["lesson"]

    def work():
        class_overview(session, classroom)
        results_csv(lesson_results(session, classroom, lesson))

    before = count_statements(app, work)
    for index in range(20):
        student = make_user(session, "student", f"more{index}@example.org")
        enrol(session, student, classroom)
        take_again(session, student, ANSWERS["Dev"][0])
    session.expire_all()
    assert count_statements(app, work) == before
