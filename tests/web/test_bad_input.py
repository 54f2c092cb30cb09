"""Bad input on every form and address: a 4xx with a message, never a 500, nothing stored.

Property tests (Hypothesis) post random and malformed forms to every POST route of the app,
found in its URL map, as a visitor who may use the route and with a valid CSRF token: missing
fields, text where a number is expected, negative, huge and decimal numbers, ids of other
objects, huge strings, control characters and NUL, invalid UTF-8, repeated and unknown fields,
unexpected files. Each form is built to be invalid (one field at least holds a value the route
must refuse), so the answer must be a 4xx with a message, and every row of every table must be
as it was. Addresses with unknown, foreign, huge or malformed ids and slugs are refused the
same way; junk query strings never fail a page; junk sent to the routes that act whatever the
form holds (archive, logout, saving a quiz's answers ...) never fails them.

What the app does with such input, which these tests hold it to:

- a NUL character in an address, a query or a form is refused with 400 before any view:
  no page sends one, and PostgreSQL refuses it in text (passed on, it was a 500 there);
- other control characters in a person's or a class's name are refused with a message;
- invalid UTF-8 is read as werkzeug reads it: a percent-escaped byte stays text ('%FF'), and a
  body whose raw bytes are not UTF-8 cannot be read at all (400, as without a CSRF token);
- a number in a form or an address is written with the digits 0-9 and is at most the largest
  id; anything else ('²', '1.5', '-1', a hundred digits) is no number: a 404, or the form's
  message.

A new POST route without a line in ``FORMS`` or ``ACTIONS`` fails
``test_every_post_route_has_bad_input_to_try``.
"""

from __future__ import annotations

import io
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from lesson_app import create_app
from lesson_app.db import MAX_ID, get_db
from lesson_app.errors import MESSAGES
from lesson_app.lessons import check_text
from lesson_app.lessons.parser import MAX_FILE_BYTES
from lesson_app.models import Attempt, Classroom, Lesson, Question
from lesson_app.questions.text import whole_number
from tests.support import CONTENT, PASSWORD, csrf_token, database, log_in
from tests.web.test_access_matrix import World, make_world, routes, snapshot

# Each example is one request; the whole file takes about a minute.
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW_EXAMPLES = settings(EXAMPLES, max_examples=25)

# Failed logins and join codes are rate-limited: limits no test reaches, so that each
# example meets the form's own answer rather than a 429.
RELAXED_LIMITS = {
    "LOGIN_LIMIT_PER_ADDRESS": "1000000 per minute",
    "LOGIN_LIMIT_PER_ACCOUNT": "1000000 per minute",
    "JOIN_CODE_LIMIT": "1000000 per minute",
}
NEW_PASSWORD = "a fine long passphrase"
LESSON_SOURCE = (CONTENT / "central-asia-mobilisation.md").read_text(encoding="utf-8")
CSRF_MESSAGE = "This form has expired or did not come from this site"


# --- values -----------------------------------------------------------------------------------

MISSING = st.none()  # the field is left out of the form
BLANK = st.sampled_from(["", " ", "   ", "\t", "\r\n \n"])
TEXT = st.text(max_size=40)
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(str),
    st.sampled_from(["1.5", "-1", "0", "²", "١", "1e999", "0x1F", " 1", "1 ", "+1", "NaN"]),
    st.sampled_from([20, 4301, 10_000]).map(lambda n: "9" * n),  # int() takes 4,300 digits
)
# Long values, still under the request limit of 1 MB (above 500 KB a multipart field is
# refused by werkzeug with 413, which is bad input refused too).
HUGE = st.sampled_from([100_000, 480_000, 900_000]).map(lambda n: "x" * n)
CONTROLS = st.characters(codec="utf-8", categories=["Cc"]).filter(lambda ch: not ch.isspace())
WITH_CONTROL = st.builds(lambda a, ch, b: a + ch + b, TEXT, CONTROLS, TEXT)
JUNK = st.one_of(TEXT, BLANK, NUMBERS, HUGE, WITH_CONTROL, st.just("\x00"))


def too_long(limit: int) -> st.SearchStrategy[str]:
    """Plain text longer than ``limit`` characters."""
    return st.integers(limit + 1, limit + 3000).map(lambda n: ("Long name " * n)[:n])


def not_a(date_format: str) -> st.SearchStrategy[str]:
    """Non-blank text that ``strptime`` cannot read with ``date_format``."""

    def unreadable(text: str) -> bool:
        try:
            datetime.strptime(text.strip(), date_format)
        except ValueError:
            return True
        return False

    samples = ["2030-13-45", "2030-02-30", "31/12/2030", "tomorrow", "25:00", "12:60", "-1"]
    return st.one_of(st.sampled_from(samples), TEXT, NUMBERS).filter(
        lambda text: text.strip() != "" and unreadable(text)
    )


BAD_NAME = st.one_of(MISSING, BLANK, too_long(120), WITH_CONTROL, HUGE)
BAD_PASSWORD = st.one_of(
    MISSING,
    BLANK,
    st.text(string.ascii_letters, min_size=1, max_size=7),
    st.sampled_from(["password", "iloveyou", "12345678"]),
    too_long(128),
)


def not_equal(value: str) -> st.SearchStrategy[str | None]:
    """Any junk but ``value`` (or nothing)."""
    return st.one_of(MISSING, JUNK.filter(lambda text: text != value))


@dataclass(frozen=True)
class File:
    """An uploaded file's bytes and name."""

    content: bytes
    name: str


NOT_UTF8 = st.binary(min_size=1, max_size=300).filter(lambda data: not decodes(data))
BAD_FILE = st.one_of(
    MISSING,
    st.builds(File, st.sampled_from([b"", b"  \n\t\r\n"]), st.just("lesson.md")),
    st.builds(File, NOT_UTF8, st.sampled_from(["lesson.md", "notes.txt"])),
    st.builds(File, st.binary(max_size=50).map(lambda b: b"text\x00" + b), st.just("x.md")),
    st.builds(File, st.just(LESSON_SOURCE.encode()), st.sampled_from(["lesson.docx", "l", ""])),
    st.builds(
        File,
        st.integers(MAX_FILE_BYTES + 1, 900_000).map(lambda n: b"a" * n),
        st.just("big.md"),
    ),
)


def decodes(data: bytes) -> bool:
    """True when ``data`` is UTF-8 text."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def broken_lesson(text: str) -> bool:
    """True when the checker finds an error in ``text``."""
    return not check_text(text, "lesson.md").ok


BAD_SOURCE = st.one_of(
    MISSING,
    BLANK,
    HUGE,
    st.text(max_size=300).filter(broken_lesson),
    st.sampled_from(
        [
            LESSON_SOURCE.replace("title:", "tile:"),
            LESSON_SOURCE.replace("Type: single\n", "Type: single\nPoints: ²\n", 1),
            LESSON_SOURCE.replace("## Questions", "## Questions\n\n### Q {#}\nType: short"),
            LESSON_SOURCE.replace("attempts: 3", "attempts: " + "9" * 5000),
            "---\n" + "[" * 5000 + "\n---\n\nText.\n",
            LESSON_SOURCE + "\x00",
            LESSON_SOURCE.replace("---", "", 1),
        ]
    ),
)


# --- the site ---------------------------------------------------------------------------------


@dataclass
class Site:
    """A world (see ``make_world``) with a logged-in client and a CSRF token per visitor."""

    world: World
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]
    join_code: str  # of the teacher's class, which the student is in
    lesson_id: int
    qids: list[str]
    answer_fields: list[str]  # the quiz's field names: q-<qid> and q-<qid>-<part>

    @property
    def app(self) -> Flask:
        """The world's app."""
        return self.world.app

    def url(self, rule: Rule, **values: object) -> str:
        """The rule's address with the world's ids, or ``values`` instead."""
        known = {**self.world.url_values, "filename": "css/site.css"}
        return rule.build({**known, **values}, append_unknown=False)[1]


VISITORS = ("anonymous", "student", "teacher", "author")


def open_site(directory: Path) -> Site:
    """A new world whose rate limits no test reaches, its visitors logged in."""
    world = make_world(directory)
    world.app.config.update(RELAXED_LIMITS)
    clients, tokens = {}, {}
    for visitor in VISITORS:
        client = world.app.test_client()
        if visitor != "anonymous":
            log_in(client, world.emails[visitor])
        clients[visitor] = client
        tokens[visitor] = csrf_token(client, "/account" if visitor != "anonymous" else "/login")
    with database(world.app) as db:
        join_code = db.get(Classroom, world.url_values["class_id"]).join_code
        lesson_id = db.scalar(select(Lesson.id))
        questions = db.scalars(select(Question)).all()
        qids = sorted({question.qid for question in questions})
        answer_fields = sorted(
            {f"q-{question.qid}" for question in questions}
            | {f"q-{q.qid}-{part}" for q in questions for part in answer_parts(q.key)}
        )
    return Site(world, clients, tokens, join_code, lesson_id, qids, answer_fields)


def answer_parts(key: dict) -> set[str]:
    """The parts of a question's answer in the quiz form: its items' and left sides' ids
    (ordering, matching) and its blanks' numbers."""
    items = [*key.get("items", ()), *key.get("pairs", ())]
    return {item.get("id") or item["left_id"] for item in items} | {
        str(index) for index in range(len(key.get("blanks", ())))
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One world for the tests that must change nothing (each example checks it did not)."""
    opened = open_site(tmp_path_factory.mktemp("bad-input") / "world")
    yield opened
    get_db(opened.app).engine.dispose()


@pytest.fixture
def fresh_site(tmp_path: Path) -> Iterator[Site]:
    """A world of the test's own, for junk that the route acts on."""
    opened = open_site(tmp_path / "world")
    yield opened
    get_db(opened.app).engine.dispose()


def rule_of(site: Site, endpoint: str, method: str) -> Rule:
    """The URL rule of an endpoint and method."""
    return next(rule for e, rule, m in routes(site.app) if e == endpoint and m == method)


# --- forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """How to fill a field: ``bad`` values make the form invalid whatever the other fields
    hold (None: no value of this field can), ``fine`` values may pass. A value of None
    leaves the field out."""

    fine: st.SearchStrategy
    bad: st.SearchStrategy | None = None


@dataclass(frozen=True)
class Form:
    """A POST route that reads a form: who may send it, and its fields (from the site).

    ``answers`` is the status of a refused form when it is not a 4xx: the editor's check
    answers 200 with the problems it found.
    """

    visitor: str
    fields: Callable[[Site], dict[str, Field]]
    answers: int | None = None


def account_fields(site: Site, join_code: bool = False) -> dict[str, Field]:
    """A registration's fields: name, email, the password twice (and the class's code)."""
    bad_email = st.one_of(
        MISSING,
        BLANK,
        TEXT.filter(lambda text: "@" not in text),
        too_long(254).map(lambda text: text + "@example.org"),
        st.just(site.world.emails["student"]),  # taken
    )
    fields = {
        "name": Field(st.just("Ada Lovelace"), BAD_NAME),
        "email": Field(st.just("new.person@example.org"), bad_email),
        "password": Field(st.just(NEW_PASSWORD), BAD_PASSWORD),
        "confirm": Field(st.just(NEW_PASSWORD), not_equal(NEW_PASSWORD)),
    }
    if join_code:
        fields["join_code"] = Field(st.just(site.join_code), st.one_of(MISSING, BLANK, JUNK))
    return fields


def login_fields(site: Site) -> dict[str, Field]:
    """Email and password: no junk is the student's password, so every login is refused."""
    return {
        "email": Field(st.just(site.world.emails["student"]), st.one_of(MISSING, JUNK)),
        "password": Field(not_equal(PASSWORD), not_equal(PASSWORD)),
        "next": Field(st.one_of(MISSING, JUNK)),
    }


def password_fields(site: Site) -> dict[str, Field]:
    """The current password and a new one twice."""
    return {
        "current": Field(st.just(PASSWORD), not_equal(PASSWORD)),
        "password": Field(st.just(NEW_PASSWORD), BAD_PASSWORD),
        "confirm": Field(st.just(NEW_PASSWORD), not_equal(NEW_PASSWORD)),
    }


def assign_fields(site: Site) -> dict[str, Field]:
    """A lesson (its id) and an optional due date and time."""
    not_the_lesson = st.one_of(TEXT, NUMBERS, st.integers(-5, 10**6).map(str)).filter(
        lambda value: whole_number(value, MAX_ID) != site.lesson_id
    )
    return {
        "lesson": Field(st.just(str(site.lesson_id)), st.one_of(MISSING, BLANK, not_the_lesson)),
        "due_date": Field(st.sampled_from([None, "", "2030-06-01"]), not_a("%Y-%m-%d")),
        "due_time": Field(st.sampled_from([None, ""]), not_a("%H:%M")),
    }


def draft_fields(site: Site) -> dict[str, Field]:
    """The editor's text and the version it started from."""
    return {
        "source": Field(BAD_SOURCE, BAD_SOURCE),
        "base_slug": Field(st.one_of(MISSING, JUNK, st.just(site.world.url_values["slug"]))),
        "base_version": Field(st.one_of(MISSING, JUNK, st.sampled_from(["1", "²", "9" * 30]))),
    }


FORMS: dict[str, Form] = {
    "auth.login": Form("anonymous", login_fields),
    "auth.register": Form("anonymous", lambda site: account_fields(site, join_code=True)),
    "auth.register_teacher": Form("anonymous", account_fields),
    "auth.account": Form("student", password_fields),
    "student.join": Form(
        "student", lambda site: {"join_code": Field(st.none(), st.one_of(MISSING, BLANK, JUNK))}
    ),
    "teacher.create": Form("teacher", lambda site: {"name": Field(st.none(), BAD_NAME)}),
    "teacher.rename": Form("teacher", lambda site: {"name": Field(st.none(), BAD_NAME)}),
    "teacher.assign": Form("teacher", assign_fields),
    "author.new_from_text": Form(
        "author", lambda site: {"article": Field(st.none(), st.one_of(MISSING, BLANK))}
    ),
    "author.new_upload": Form("author", lambda site: {"file": Field(st.none(), BAD_FILE)}),
    "author.check": Form("author", draft_fields, answers=200),
    "author.preview": Form("author", draft_fields),
    "author.publish": Form("author", draft_fields),
}


@dataclass(frozen=True)
class Action:
    """A POST route that acts whatever form comes with it: who may send it, the fields it
    reads (``q-`` stands for a quiz's answers), and whether it must change nothing here."""

    visitor: str
    reads: tuple[str, ...] = ()
    changes_nothing: bool = False


ACTIONS: dict[str, Action] = {
    "auth.logout": Action("student"),
    "student.start": Action("student", changes_nothing=True),  # the open attempt goes on
    "student.save": Action("student", ("q-",)),
    "student.submit": Action("student", ("q-", "confirm")),
    "teacher.new_code": Action("teacher"),
    "teacher.archive": Action("teacher"),
    "teacher.unarchive": Action("teacher"),
    "teacher.remove": Action("teacher"),
    "teacher.unassign": Action("teacher"),
    # no answer key has changed: there is nothing to regrade, whatever is chosen
    "teacher.regrade_attempts": Action("teacher", ("attempt",), changes_nothing=True),
    "author.unpublish": Action("author"),
    "author.republish": Action("author"),
    "author.regrade_attempts": Action("author", ("attempt",), changes_nothing=True),
}


# (endpoint, rule, method) of every route, from an app of no database
ROUTES = list(routes(create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})))


def post_endpoints() -> list[str]:
    """Every endpoint that answers POST."""
    return sorted({endpoint for endpoint, _, method in ROUTES if method == "POST"})


def test_every_post_route_has_bad_input_to_try():
    assert set(post_endpoints()) == set(FORMS) | set(ACTIONS)
    assert not set(FORMS) & set(ACTIONS)


# --- sending ----------------------------------------------------------------------------------

HOW = st.sampled_from(["form", "multipart", "raw"])
# Appended to a raw body, as fields no form has (one could fill a field left out): bytes
# that are not UTF-8, percent-escaped (then read as text) or raw (then no field is read).
RAW_TAIL = st.one_of(
    st.sampled_from([b"", b"&x=%ff%fe", b"&%c3%28=%80", b"&x=\xff\xfe", b"&\xc3\x28"]),
    st.binary(max_size=20).filter(lambda data: b"&" not in data).map(lambda b: b"&junk" + b),
)


def send(
    client: FlaskClient, url: str, token: str, pairs: list, how: str, tail: bytes = b""
) -> TestResponse:
    """POST the fields with the CSRF token first: as a browser's form, as multipart with an
    unexpected file, or as raw bytes followed by ``tail``. A ``File`` makes it multipart."""
    fields = [("csrf_token", token)] + [
        (name, (io.BytesIO(value.content), value.name) if isinstance(value, File) else value)
        for name, value in pairs
    ]
    if how == "raw" and not any(isinstance(value, File) for _, value in pairs):
        body = urlencode(fields).encode() + tail
        return client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    if how == "multipart":
        fields.append(("photo", (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00junk"), "photo.png")))
    return client.post(url, data=MultiDict(fields))


@st.composite
def invalid_forms(draw: st.DrawFn, fields: dict[str, Field]) -> list[tuple[str, object]]:
    """The fields of a form the route must refuse: one field at least holds a bad value. Then
    some fields repeated (after their first value, the one a form reads) and unknown ones."""
    breakable = sorted(name for name, spec in fields.items() if spec.bad is not None)
    broken = draw(st.sets(st.sampled_from(breakable), min_size=1))
    pairs = []
    for name, spec in fields.items():
        value = draw(spec.bad if name in broken else spec.fine)
        if value is not None:
            pairs.append((name, value))
    present = sorted({name for name, _ in pairs})
    repeated = st.tuples(st.sampled_from(present), JUNK) if present else st.nothing()
    unknown = st.tuples(TEXT.filter(lambda name: name not in fields and name != "csrf_token"), JUNK)
    return pairs + draw(st.lists(st.one_of(repeated, unknown), max_size=4))


def told(response: TestResponse) -> bool:
    """True when the answer says what was wrong: a form's error, a draft's problems, the
    error page's explanation or, for the quiz's autosave, a JSON error."""
    if response.is_json:
        return bool(response.get_json().get("error"))
    page = response.get_data(as_text=True)
    markers = ['class="error"', 'class="error-summary"', 'class="problem-error"', CSRF_MESSAGE]
    markers += [str(escape(message)) for code, (_, message) in MESSAGES.items() if code < 500]
    return any(marker in page for marker in markers)


def assert_refused(response: TestResponse, before: dict, site: Site, status: int | None = None):
    """A 4xx (or ``status``) that says why, and every row of every table as ``before``."""
    excerpt = response.get_data(as_text=True)[:300]
    assert response.status_code == status or 400 <= response.status_code < 500, excerpt
    assert told(response), excerpt
    assert snapshot(site.app) == before


# --- invalid forms ----------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", sorted(FORMS))
@EXAMPLES
@given(data=st.data())
def test_an_invalid_form_is_refused_with_a_message_and_changes_nothing(site, endpoint, data):
    form = FORMS[endpoint]
    pairs = data.draw(invalid_forms(form.fields(site)), label="fields")
    how = data.draw(HOW, label="sent as")
    tail = data.draw(RAW_TAIL, label="raw tail") if how == "raw" else b""
    before = snapshot(site.app)
    response = send(
        site.clients[form.visitor],
        site.url(rule_of(site, endpoint, "POST")),
        site.tokens[form.visitor],
        pairs,
        how,
        tail,
    )
    assert_refused(response, before, site, form.answers)


# --- bad addresses ----------------------------------------------------------------------------

# Who opens the pages of each blueprint (the account page needs someone logged in).
PAGE_VISITORS = {
    "static": "anonymous",
    "health": "anonymous",
    "reading": "anonymous",
    "auth": "anonymous",
    "auth.account": "student",
    "student": "student",
    "teacher": "teacher",
    "author": "author",
}


def visitor_for(endpoint: str, method: str) -> str:
    """A visitor who may use the route."""
    if method == "POST":
        return (FORMS.get(endpoint) or ACTIONS[endpoint]).visitor
    return PAGE_VISITORS.get(endpoint) or PAGE_VISITORS[endpoint.partition(".")[0]]


# Slugs of no lesson, file names of no file. A '/' in a slug would make another address, and
# an empty slug or a file name starting with '/' an address with '//', which werkzeug
# redirects (308) to the one with '/'.
BAD_SLUG = st.one_of(
    TEXT,
    NUMBERS,
    st.sampled_from(["..", ".", "\x00", "a\x00b", "ça-va", "a" * 3000, "%00", "%ff", " ", "\\"]),
).filter(lambda slug: slug and "/" not in slug)
BAD_FILENAME = st.one_of(
    TEXT.filter(lambda name: name and not name.startswith("/") and "//" not in name),
    st.sampled_from(["../pyproject.toml", "css/../../README.md", "css/site.css\x00", "css"]),
)


def bad_part(name: str, valid: object) -> st.SearchStrategy:
    """Values of the URL part ``name`` that name nothing the visitor may reach."""
    if name.endswith("_id"):
        ids = st.one_of(
            st.integers(0, 10),  # the other class, student ... of the world
            st.integers(0, 10**30),
            st.sampled_from([MAX_ID, MAX_ID + 1, 2**63, 2**64]),
        )
        return ids.filter(lambda value: value != valid)
    if name == "slug":
        return BAD_SLUG.filter(lambda value: value != valid)
    if name == "filename":
        return BAD_FILENAME
    raise ValueError(f"no bad values for the URL part {name!r}: add them here")


ADDRESSED = sorted((endpoint, method) for endpoint, rule, method in ROUTES if rule.arguments)


@pytest.mark.parametrize("endpoint, method", ADDRESSED)
@FEW_EXAMPLES
@given(data=st.data())
def test_a_bad_address_is_refused_with_a_message_and_changes_nothing(site, endpoint, method, data):
    rule = rule_of(site, endpoint, method)
    spoiled = data.draw(st.sets(st.sampled_from(sorted(rule.arguments)), min_size=1))
    valid = {**site.world.url_values, "filename": "css/site.css"}
    values = {name: data.draw(bad_part(name, valid[name]), label=name) for name in spoiled}
    visitor = visitor_for(endpoint, method)
    client = site.clients[visitor]
    before = snapshot(site.app)
    if method == "GET":
        response = client.get(site.url(rule, **values))
    else:
        junk = data.draw(st.lists(st.tuples(TEXT, JUNK), max_size=4), label="fields")
        response = send(client, site.url(rule, **values), site.tokens[visitor], junk, "form")
    assert_refused(response, before, site)


# --- junk queries -----------------------------------------------------------------------------

QUERIES = st.builds(
    lambda pairs, tail: urlencode(pairs) + tail,
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(["from", "to", "sort", "next", "code", "v"]), TEXT),
            st.one_of(TEXT, NUMBERS, WITH_CONTROL, st.just("\x00")),
        ),
        max_size=5,
    ),
    st.sampled_from(["", "&%ff%fe=%c3%28", "&a=%", "&=&&=", "&from=1&from=2"]),
)
PAGES = sorted({endpoint for endpoint, _, method in ROUTES if method == "GET"})


@pytest.mark.parametrize("endpoint", PAGES)
@FEW_EXAMPLES
@given(query=QUERIES)
def test_a_junk_query_string_never_fails_a_page_or_changes_anything(site, endpoint, query):
    client = site.clients[visitor_for(endpoint, "GET")]
    before = snapshot(site.app)
    response = client.get(site.url(rule_of(site, endpoint, "GET")) + "?" + query)
    assert response.status_code < 500
    assert response.status_code < 400 or told(response)
    assert snapshot(site.app) == before


@pytest.mark.parametrize("argument", ["from", "to"])
@FEW_EXAMPLES
@given(value=st.one_of(TEXT, NUMBERS, WITH_CONTROL).filter(lambda v: whole_number(v, MAX_ID) != 1))
def test_a_diff_between_versions_that_do_not_exist_is_not_found(site, argument, value):
    # the lesson has one version, 1: any other number, or anything not a number, names none
    url = site.url(rule_of(site, "author.diff", "GET")) + "?" + urlencode({argument: value})
    before = snapshot(site.app)
    assert_refused(site.clients["author"].get(url), before, site)


# --- junk sent to actions ---------------------------------------------------------------------


def action_fields(site: Site, action: Action) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Junk for the fields the action reads, and for unknown ones."""
    names = [name for name in action.reads if name != "q-"]
    if "q-" in action.reads:
        names += site.answer_fields
    values = st.one_of(NUMBERS, JUNK, st.integers(-5, 10).map(str), st.just("true"))
    named = st.tuples(st.sampled_from(names), values) if names else st.nothing()
    return st.lists(st.one_of(named, st.tuples(TEXT, JUNK)), max_size=12)


@pytest.mark.parametrize("endpoint", sorted(ACTIONS))
@FEW_EXAMPLES
@given(data=st.data())
def test_junk_sent_to_an_action_never_fails_it(fresh_site, endpoint, data):
    site, action = fresh_site, ACTIONS[endpoint]
    pairs = data.draw(action_fields(site, action), label="fields")
    how = data.draw(HOW, label="sent as")
    tail = data.draw(RAW_TAIL, label="raw tail") if how == "raw" else b""
    before = snapshot(site.app)
    client = site.clients[action.visitor]
    if data.draw(st.booleans(), label="asks for JSON"):  # as the quiz's autosave does
        client.environ_base["HTTP_ACCEPT"] = "application/json"
    url = site.url(rule_of(site, endpoint, "POST"))
    response = send(client, url, site.tokens[action.visitor], pairs, how, tail)
    client.environ_base.pop("HTTP_ACCEPT", None)
    assert response.status_code < 500
    assert response.status_code < 400 or told(response)
    if action.changes_nothing:
        assert snapshot(site.app) == before
    if "q-" in action.reads:  # answers are kept for the lesson's questions only
        with database(site.app) as db:
            attempt = db.get(Attempt, site.world.url_values["attempt_id"])
            assert set(attempt.draft) <= set(site.qids)
            assert {answer.qid for answer in attempt.answers} <= set(site.qids)


# --- sizes and files --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [MAX_FILE_BYTES + 1, 900_000])
def test_an_upload_over_the_lesson_limit_gets_413_with_its_reason(site, size):
    before = snapshot(site.app)
    upload = [("file", File(b"a" * size, "lesson.md"))]
    response = send(
        site.clients["author"], "/author/new/upload", site.tokens["author"], upload, "form"
    )
    assert response.status_code == 413
    assert "larger than 512 KB" in response.text and 'class="error"' in response.text
    assert snapshot(site.app) == before


@pytest.mark.parametrize("how", ["form", "multipart", "raw"])
@pytest.mark.parametrize("endpoint", post_endpoints())
def test_a_request_over_the_size_limit_gets_413_on_every_post_route(site, endpoint, how):
    visitor = visitor_for(endpoint, "POST")
    over = [("text", "x" * site.app.config["MAX_CONTENT_LENGTH"])]
    before = snapshot(site.app)
    url = site.url(rule_of(site, endpoint, "POST"))
    response = send(site.clients[visitor], url, site.tokens[visitor], over, how)
    assert response.status_code == 413
    assert str(escape(MESSAGES[413][1])) in response.text
    assert snapshot(site.app) == before


@pytest.mark.parametrize(
    "name, content, status, message",
    [
        ("empty.md", b"", 422, "The file is empty"),
        ("blank.txt", b" \n\t\r\n", 422, "The file is empty"),
        ("picture.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 400, "not UTF-8 text"),
        ("program.md", b"text\x00\x01\x02\x03", 400, "The file is not text"),
        ("latin-1.md", "caf\u00e9".encode("latin-1"), 400, "not UTF-8 text"),
        ("lesson.pdf", b"%PDF-1.4", 415, "its name ends in .md"),
    ],
)
def test_an_upload_the_editor_cannot_open_is_refused_with_its_reason(
    site, name, content, status, message
):
    before = snapshot(site.app)
    upload = [("file", File(content, name))]
    response = send(
        site.clients["author"], "/author/new/upload", site.tokens["author"], upload, "form"
    )
    assert response.status_code == status
    assert message in response.text and 'class="error"' in response.text
    assert snapshot(site.app) == before


# --- the cases that were 500s -----------------------------------------------------------------


@pytest.mark.parametrize(
    "visitor, address, fields, status",
    [
        # SQLite cannot take an integer over 2**63 - 1 (OverflowError), PostgreSQL's integer
        # columns one over 2**31 - 1
        ("student", "/student/attempts/99999999999999999999", None, 404),
        ("teacher", "/teacher/classes/2147483648", None, 404),
        ("teacher", "/teacher/classes/{class_id}/assignments", {"lesson": "9" * 30}, 422),
        ("author", "/author/lessons/{slug}/diff?to=2147483648", None, 404),
        # int() refuses more than 4,300 digits, and '²', which str.isdigit accepts
        ("author", "/author/lessons/{slug}/diff?from=" + "9" * 5000, None, 404),
        ("author", "/author/lessons/{slug}/regrade", {"attempt": "\u00b2"}, 302),
        (
            "teacher",
            "/teacher/classes/{class_id}/lessons/{slug}/regrade",
            {"attempt": "\u00b2"},
            302,
        ),
        ("author", "/author/publish", {"source": "x", "base_version": "\u00b2"}, 422),
        ("author", "/author/publish", {"source": LESSON_SOURCE.replace("3", "\u00b2")}, 422),
        # PostgreSQL refuses NUL in text: in a query or a stored name it was a 500 there
        ("anonymous", "/login", {"email": "student@example.org\x00", "password": "x"}, 400),
        ("anonymous", "/lessons/central-asia-mobilisation%00", None, 400),
        ("anonymous", "/login?next=/%00", None, 400),
        ("teacher", "/teacher/classes", {"name": "Class\x00"}, 400),
        ("anonymous", "/register?code=%00", None, 400),
        # other control characters in a name are refused with a message
        ("teacher", "/teacher/classes", {"name": "Class \x1b[31m red"}, 422),
        ("anonymous", "/register/teacher", {"name": "Ada\x07", "email": "ada@example.org"}, 422),
    ],
)
def test_input_that_once_failed_the_app_is_answered(site, visitor, address, fields, status):
    client = site.clients[visitor]
    url = address.format(**site.world.url_values)
    before = snapshot(site.app)
    if fields is None:
        response = client.get(url)
    else:
        response = send(client, url, site.tokens[visitor], list(fields.items()), "form")
    assert response.status_code == status
    assert status == 302 or told(response)
    assert snapshot(site.app) == before


def test_a_body_whose_bytes_are_not_utf8_is_not_read_at_all(site):
    # werkzeug cannot decode it, so reads no field: not even the CSRF token
    body = f"csrf_token={site.tokens['teacher']}&name=".encode() + b"\xff\xfe"
    before = snapshot(site.app)
    response = site.clients["teacher"].post(
        "/teacher/classes", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert_refused(response, before, site)
    assert CSRF_MESSAGE in response.text


def test_a_multipart_field_whose_name_cannot_be_read_is_refused(site):
    # werkzeug names such a field None, and the quiz's save went through the names: a 500
    url = f"/student/attempts/{site.world.url_values['attempt_id']}/save"
    before = snapshot(site.app)
    response = send(site.clients["student"], url, site.tokens["student"], [("\n", "")], "multipart")
    assert_refused(response, before, site)
    assert response.status_code == 400


def test_a_quiz_position_of_thousands_of_digits_is_no_position(fresh_site):
    # int() refuses more than 4,300 digits: the ordering question's reading of a position
    # was a 500 for the save, the submit and the autosave.
    site = fresh_site
    field = next(name for name in site.answer_fields if name.startswith("q-time-order-"))
    url = f"/student/attempts/{site.world.url_values['attempt_id']}/save"
    response = send(
        site.clients["student"], url, site.tokens["student"], [(field, "9" * 5000)], "form"
    )
    assert response.status_code == 302
    with database(site.app) as db:
        assert db.get(Attempt, site.world.url_values["attempt_id"]).draft["time-order"] == {}
