"""Every route, called as every kind of visitor: who may use it, and what the others get; and
that no GET, and no POST without its CSRF token, changes the database.

The table below must name every endpoint of the app: a new route without a line here fails
``test_every_route_declares_who_may_use_it``. Ids in URLs swapped for another user's objects:
``test_url_ids.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lesson_app import create_app
from lesson_app.models import Base, Lesson
from lesson_app.services.attempts import start_attempt, student_lesson
from lesson_app.services.classes import assign_lesson, create_class, enrol
from lesson_app.services.lessons import import_lesson_file
from tests.support import CONTENT, csrf_token, database, log_in, make_app, make_user

VISITORS = ("anonymous", "student", "other_student", "teacher", "other_teacher", "author", "admin")
LOGIN = "login"  # anonymous visitors are sent to the login page


@dataclass(frozen=True)
class Policy:
    """Who may use a route; everyone else logged in gets ``refused`` (403)."""

    allowed: frozenset[str]
    anonymous: str | int = LOGIN
    other_teacher: int | None = None  # 404 for routes about one class
    other_student: int | None = None  # 404 for routes about the student's lesson or attempt

    def expected(self, visitor: str) -> str | int:
        """'ok', 'login' or a status code."""
        if visitor == "anonymous" and "anonymous" not in self.allowed:
            return self.anonymous
        if visitor == "other_teacher" and self.other_teacher:
            return self.other_teacher
        if visitor == "other_student" and self.other_student:
            return self.other_student
        return "ok" if visitor in self.allowed else 403


EVERYONE = frozenset(VISITORS)
LOGGED_IN = EVERYONE - {"anonymous"}
STUDENTS = frozenset({"student", "other_student"})
TEACHERS = frozenset({"teacher", "other_teacher", "admin"})
CLASS_TEACHER = Policy(frozenset({"teacher", "admin"}), other_teacher=404)
# The lesson is assigned to the student's class only, and the attempt is the student's.
OWN_QUIZ = Policy(frozenset({"student"}), other_student=404)
AUTHORS = Policy(frozenset({"author", "admin"}))

POLICIES: dict[str, Policy] = {
    "reading.index": Policy(EVERYONE),
    "reading.lesson": Policy(EVERYONE),
    "reading.glossary": Policy(EVERYONE),
    "health.healthz": Policy(EVERYONE),
    "auth.login": Policy(EVERYONE),
    "auth.register": Policy(EVERYONE),
    "auth.register_teacher": Policy(EVERYONE),
    "auth.account": Policy(LOGGED_IN),
    "auth.logout": Policy(LOGGED_IN),
    "student.home": Policy(STUDENTS),
    "student.join": Policy(STUDENTS),
    "student.history": Policy(STUDENTS),
    "student.lesson": OWN_QUIZ,
    "student.start": OWN_QUIZ,
    "student.attempt": OWN_QUIZ,
    "student.save": OWN_QUIZ,
    "student.submit": OWN_QUIZ,
    "teacher.index": Policy(TEACHERS),
    "teacher.create": Policy(TEACHERS),
    "teacher.class_page": CLASS_TEACHER,
    "teacher.archive": CLASS_TEACHER,
    "teacher.unarchive": CLASS_TEACHER,
    "teacher.rename": CLASS_TEACHER,
    "teacher.new_code": CLASS_TEACHER,
    "teacher.assign": CLASS_TEACHER,
    "teacher.unassign": CLASS_TEACHER,
    "teacher.confirm_remove": CLASS_TEACHER,
    "teacher.remove": CLASS_TEACHER,
    "teacher.results": CLASS_TEACHER,
    "teacher.lesson_results_page": CLASS_TEACHER,
    "teacher.results_download": CLASS_TEACHER,
    "teacher.student_page": CLASS_TEACHER,
    "teacher.attempt_page": CLASS_TEACHER,
    "teacher.regrade_page": CLASS_TEACHER,
    "teacher.regrade_attempts": CLASS_TEACHER,
    "author.index": AUTHORS,
    "author.new": AUTHORS,
    "author.new_blank": AUTHORS,
    "author.new_from_text": AUTHORS,
    "author.new_upload": AUTHORS,
    "author.edit": AUTHORS,
    "author.check": AUTHORS,
    "author.preview": AUTHORS,
    "author.publish": AUTHORS,
    "author.unpublish": AUTHORS,
    "author.republish": AUTHORS,
    "author.diff": AUTHORS,
    "author.regrade_page": AUTHORS,
    "author.regrade_attempts": AUTHORS,
}
NOT_CHECKED = {"static"}


@dataclass
class World:
    """An app with one of every kind of visitor, two classes, and ids to put in URLs."""

    app: Flask
    emails: dict[str, str]
    url_values: dict[str, object]


def make_world(directory: Path) -> World:
    """Teacher and other teacher each with a class; a student in each; an author, an admin;
    the seed lesson assigned to the teacher's class, and the student's open attempt at it."""
    directory.mkdir()
    app = make_app(directory / "matrix.sqlite3")
    roles = {
        "student": "student",
        "other_student": "student",
        "teacher": "teacher",
        "other_teacher": "teacher",
        "author": "author",
        "admin": "admin",
    }
    emails = {visitor: f"{visitor.replace('_', '-')}@example.org" for visitor in roles}
    with database(app) as db:
        users = {v: make_user(db, role, emails[v]) for v, role in roles.items()}
        import_lesson_file(db, CONTENT / "central-asia-mobilisation.md")
        own = create_class(db, users["teacher"], "Own class")
        other = create_class(db, users["other_teacher"], "Other class")
        enrol(db, users["student"], own)
        enrol(db, users["other_student"], other)
        assignment = assign_lesson(db, own, db.scalar(select(Lesson.id)), None)
        assigned = student_lesson(db, users["student"], "central-asia-mobilisation")
        attempt = start_attempt(db, users["student"], assigned)
        url_values = {
            "class_id": own.id,
            "student_id": users["student"].id,
            "assignment_id": assignment.id,
            "slug": "central-asia-mobilisation",
            "attempt_id": attempt.id,
        }
    return World(app, emails, url_values)


def routes(app: Flask):
    """(endpoint, rule, method) for every route and method the app serves."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, rule, method


def test_every_route_declares_who_may_use_it(app):
    endpoints = {endpoint for endpoint, _, _ in routes(app)} - NOT_CHECKED
    assert endpoints == set(POLICIES)


def outcome(response) -> str | int:
    """What a visitor got: 'ok', 'login' or the status code of a refusal."""
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return LOGIN
    if response.status_code in (200, 302, 422):  # shown, done, or form sent back with errors
        return "ok"
    return response.status_code


def client_of(world: World, visitor: str) -> FlaskClient:
    """A test client logged in as the visitor (not at all for 'anonymous')."""
    client = world.app.test_client()
    if visitor != "anonymous":
        log_in(client, world.emails[visitor])
    return client


def call(world: World, visitor: str, rule, method: str):
    """Call a route as a visitor; a POST carries a valid CSRF token and an empty form."""
    client = client_of(world, visitor)
    url = rule.build(world.url_values, append_unknown=False)[1]
    if method == "GET":
        return client.get(url)
    token = csrf_token(client, "/account" if visitor != "anonymous" else "/login")
    return client.post(url, data={"csrf_token": token})


def bare_app() -> Flask:
    """An app to list the routes of, before any test runs (no database behind it)."""
    return create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})


def route_ids():
    """Every (endpoint, method) to check, for the test's parameters."""
    return [
        (endpoint, method)
        for endpoint, _, method in routes(bare_app())
        if endpoint not in NOT_CHECKED
    ]


@pytest.mark.parametrize("endpoint, method", route_ids())
def test_route_answers_each_visitor_as_declared(tmp_path, endpoint, method):
    world = make_world(tmp_path / "shared")
    policy = POLICIES[endpoint]
    results, expected = {}, {}
    for visitor in VISITORS:
        expected[visitor] = policy.expected(visitor)
        # a visitor who may act gets a world of their own: their POST may remove what
        # the next visitor would need (a student, an assignment)
        acting = method == "POST" and expected[visitor] == "ok"
        here = make_world(tmp_path / visitor) if acting else world
        rule = next(r for e, r, m in routes(here.app) if e == endpoint and m == method)
        results[visitor] = outcome(call(here, visitor, rule, method))
    assert results == expected


def snapshot(app: Flask) -> dict[str, list]:
    """Every row of every table, to prove that a request changed nothing."""
    with database(app) as db:
        return {
            table.name: sorted(map(tuple, db.execute(table.select()).all()), key=repr)
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("endpoint", sorted({e for e, m in route_ids() if m == "POST"}))
def test_every_post_without_csrf_token_is_refused_and_changes_nothing(tmp_path, endpoint):
    world = make_world(tmp_path / "world")
    visitor = next(v for v in VISITORS if POLICIES[endpoint].expected(v) == "ok")
    client = client_of(world, visitor)
    rule = next(r for e, r, m in routes(world.app) if e == endpoint and m == "POST")
    before = snapshot(world.app)
    response = client.post(rule.build(world.url_values, append_unknown=False)[1], data={})
    assert response.status_code == 400
    assert snapshot(world.app) == before


@pytest.mark.parametrize("endpoint", sorted({e for e, m in route_ids() if m == "GET"}))
def test_every_get_changes_nothing_for_any_visitor(tmp_path, endpoint):
    world = make_world(tmp_path / "world")
    rule = next(r for e, r, m in routes(world.app) if e == endpoint and m == "GET")
    url = rule.build(world.url_values, append_unknown=False)[1]
    results, expected = {}, {}
    for visitor in VISITORS:
        client = client_of(world, visitor)
        before = snapshot(world.app)  # after logging in, which may write; the GET may not
        answer = outcome(client.get(url))
        results[visitor] = (answer, snapshot(world.app) == before)
        # those who may use the page and those refused alike
        expected[visitor] = (POLICIES[endpoint].expected(visitor), True)
    assert results == expected
