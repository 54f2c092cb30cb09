"""Every id in a URL, swapped for another user's object or for one that does not exist: the
rightful user gets 404 (DESIGN.md section 5: another's object looks like no object), and a
POST changes nothing.

The swaps are made from the app's URL rules, so a new route is covered as soon as it exists;
a route with a new kind of id fails ``test_every_id_in_a_url_has_swaps`` until ``SWAPS`` says
what to put in its place.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lesson_app.models import Classroom, Lesson, User
from lesson_app.services.attempts import start_attempt, student_lesson
from lesson_app.services.classes import assign_lesson
from lesson_app.services.lessons import import_lesson_file, import_text, set_published
from tests.support import CONTENT, LESSON_FILE, LESSON_SLUG, csrf_token, database, make_user
from tests.web.test_access_matrix import (
    NOT_CHECKED,
    POLICIES,
    World,
    bare_app,
    client_of,
    make_world,
    outcome,
    routes,
    snapshot,
)

SLUG = "central-asia-mobilisation"  # the lesson of make_world
MISSING = ("id 0", "id 2**31", "id 2**63")  # none; past PostgreSQL's integer; past SQLite's
#: What each kind of id in a URL is swapped for.
SWAPS: dict[str, tuple[str, ...]] = {
    "class_id": ("another teacher's class", *MISSING),
    "student_id": ("a student of another class", "a student in no class", "a teacher", *MISSING),
    "attempt_id": ("an attempt of another class's student", *MISSING),
    "assignment_id": ("another class's assignment", *MISSING),
    "slug": ("a lesson assigned to another class", "an unpublished lesson", "no such lesson"),
}
#: Lessons belong to no one on the reading pages (every published one is public) and for
#: authors (who work on every lesson, published or not): there only a missing one is 404.
SHARED_LESSONS = {
    "reading": ("an unpublished lesson", "no such lesson"),
    "author": ("no such lesson",),
}
#: The fields a route needs to act (an empty form does for the others): where acting changes
#: the database, it would change if the route took a swapped id.
FORMS = {
    "teacher.rename": {"name": "Renamed class"},
    "teacher.assign": {"lesson": "{lesson_id}"},
    "student.submit": {"confirm": "yes"},
}
#: Whom a route is for (the first of these the matrix lets in): the student, the class's
#: teacher (not an admin, who may open every class), an author.
RIGHTFUL = ("student", "teacher", "author", "admin")


def make_world_with_others(directory: Path) -> tuple[World, dict[str, object]]:
    """``make_world`` and, for each swap, another's object (or a missing id): the other class
    has the seed lesson and a second one assigned, and its student an open attempt at the seed
    lesson; a student in no class; an unpublished lesson; the seed lesson's version 2, so that
    the student's attempt is at an older version."""
    world = make_world(directory)
    with database(world.app) as db:
        users = {v: db.scalar(select(User).where(User.email == e)) for v, e in world.emails.items()}
        other_class = db.scalar(select(Classroom).where(Classroom.name == "Other class"))
        assert import_lesson_file(db, LESSON_FILE).status == "added"
        lessons = {lesson.slug: lesson for lesson in db.scalars(select(Lesson))}
        assign_lesson(db, other_class, lessons[SLUG].id, None)
        other_assignment = assign_lesson(db, other_class, lessons[LESSON_SLUG].id, None)
        assigned = student_lesson(db, users["other_student"], SLUG)
        other_attempt = start_attempt(db, users["other_student"], assigned)
        lone = make_user(db, "student", "lone-student@example.org")
        seed = (CONTENT / f"{SLUG}.md").read_text(encoding="utf-8")
        hidden = seed.replace(f"slug: {SLUG}", "slug: hidden-lesson", 1)
        assert import_text(db, hidden, "hidden-lesson.md").status == "added"
        set_published(db, db.scalar(select(Lesson).where(Lesson.slug == "hidden-lesson")), False)
        revised = seed.replace("mobilisation\n", "mobilisation, revised\n", 1)
        assert import_text(db, revised, f"{SLUG}.md").status == "new-version"
        others = {
            "another teacher's class": other_class.id,
            "a student of another class": users["other_student"].id,
            "a student in no class": lone.id,
            "a teacher": users["teacher"].id,
            "an attempt of another class's student": other_attempt.id,
            "another class's assignment": other_assignment.id,
            "a lesson assigned to another class": LESSON_SLUG,
            "an unpublished lesson": "hidden-lesson",
            "no such lesson": "no-such-lesson",
            "id 0": 0,
            "id 2**31": 2**31,
            "id 2**63": 2**63,
        }
        world.url_values["lesson_id"] = lessons[SLUG].id  # for the assign form
    return world, others


def swaps_for(endpoint: str, argument: str) -> tuple[str, ...]:
    """The swaps of one id of a route."""
    area = endpoint.partition(".")[0]
    if argument == "slug" and area in SHARED_LESSONS:
        return SHARED_LESSONS[area]
    return SWAPS[argument]


def id_routes() -> list[tuple[str, str]]:
    """Every (endpoint, method) whose URL holds an id, for the tests' parameters."""
    return [(e, m) for e, r, m in routes(bare_app()) if e not in NOT_CHECKED and r.arguments]


def test_every_id_in_a_url_has_swaps(app):
    arguments = {a for e, r, _ in routes(app) if e not in NOT_CHECKED for a in r.arguments}
    assert arguments <= set(SWAPS)


@pytest.mark.parametrize("endpoint, method", id_routes())
def test_another_users_object_or_none_is_404_and_changes_nothing(tmp_path, endpoint, method):
    world, others = make_world_with_others(tmp_path / "world")
    visitor = next(v for v in RIGHTFUL if POLICIES[endpoint].expected(v) == "ok")
    client = client_of(world, visitor)
    rule = next(r for e, r, m in routes(world.app) if e == endpoint and m == method)
    form = {
        name: value.format(**world.url_values) for name, value in FORMS.get(endpoint, {}).items()
    }
    if method == "POST":
        form["csrf_token"] = csrf_token(client, "/account")

    def send(values: dict[str, object]) -> str | int:
        url = rule.build(values, append_unknown=False)[1]
        return outcome(client.get(url) if method == "GET" else client.post(url, data=form))

    before = snapshot(world.app)
    results = {
        (argument, swap): send({**world.url_values, argument: others[swap]})
        for argument in sorted(rule.arguments)
        for swap in swaps_for(endpoint, argument)
    }
    assert results == dict.fromkeys(results, 404)
    assert snapshot(world.app) == before
    # the same request with the rightful ids works: the swapped id alone made the 404
    assert send(world.url_values) == "ok"


def test_an_attempt_at_an_older_version_is_still_the_class_teachers(tmp_path):
    world, _ = make_world_with_others(tmp_path / "world")
    ids = world.url_values
    page = client_of(world, "teacher").get(
        f"/teacher/classes/{ids['class_id']}/attempts/{ids['attempt_id']}"
    )
    # the attempt was started at version 1; version 2 ("..., revised") is current now
    assert page.status_code == 200
    assert "<h1>Student: Russia&#39;s neighbours and the mobilisation</h1>" in page.text


@pytest.mark.parametrize(
    "query",
    ["?from=3&to=1", "?from=1&to=3", "?from=0&to=2", "?to=0", f"?from={2**31}", f"?to={2**63}"],
)
def test_versions_that_do_not_exist_are_404(tmp_path, query):
    world, _ = make_world_with_others(tmp_path / "world")
    author = client_of(world, "author")
    assert author.get(f"/author/lessons/{SLUG}/diff?from=1&to=2").status_code == 200
    assert author.get(f"/author/lessons/{SLUG}/diff{query}").status_code == 404
