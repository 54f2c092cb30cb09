"""The XSS corpus (``tests/xss.py``) on every page that shows it, read from the HTML the server
sends: no element the payloads could add (scripts, frames, SVG, handlers, ``javascript:``
links, ids that shadow built-in names), every payload shown as text, template syntax never
evaluated, and the results CSV with formula cells neutralised.

``tests/e2e/test_xss_browser.py`` checks the same pages in Chromium.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from lesson_app.lessons import check_text
from lesson_app.models import Classroom
from lesson_app.questions import blanks
from tests import xss
from tests.support import csrf_token, database, log_in, post_form

# Attributes whose value the browser loads or navigates to.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster"}
SCHEMES = ("javascript:", "vbscript:", "data:")
# Elements none of this site's pages has on its own (its charts are SVG with rect, line and
# text only); a payload would bring them.
FOREIGN_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "math", "style",
    "noscript", "template", "plaintext", "xmp", "image", "use", "animate", "set",
    "foreignobject",
}  # fmt: skip
SAFE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# Ids that would shadow a built-in property (DOM clobbering) if a page let a payload set one.
CLOBBERED = {
    "__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty",
    "cookie", "domain", "location", "body", "head", "forms", "images", "links", "scripts",
    "documentElement", "defaultView", "getElementById", "querySelector", "createElement",
    "write", "alert", "attributes", "innerHTML", "outerHTML",
}  # fmt: skip


def unsafe_url(value: str) -> bool:
    """True when the browser would run or render ``value`` as a script or document: it drops
    leading and trailing control characters and spaces, and tabs and newlines anywhere."""
    url = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(33)))).lower()
    return url.startswith(SCHEMES)


class Inspection(HTMLParser):
    """What a page's HTML holds that a payload could have put there, and its visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note every element or attribute that could run a script."""
        values = {name: value or "" for name, value in attrs}
        if tag in FOREIGN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        if tag == "script" and not values.get("src", "").startswith("/static/"):
            self.problems.append(f"<script> not from /static/: {values}")
        if tag == "form" and not re.match(r"^/(?!/)", values.get("action", "/")):
            self.problems.append(f"a form sent elsewhere: {values['action']}")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append(f"<meta http-equiv>: {values}")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and unsafe_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and re.search(r"url\(|expression\(", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")
            if name in ("id", "name") and not SAFE_NAME.match(value):
                self.problems.append(f"<{tag} {name}={value!r}>: not a plain name")
            if name == "id" and value in CLOBBERED:
                self.problems.append(f"<{tag} id={value!r}>: shadows a built-in name")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closed element is checked like any other."""
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        """Keep the text, to find the payloads shown as text."""
        self.text.append(data)


def inspect(html: str) -> Inspection:
    """The page's HTML inspected."""
    inspection = Inspection()
    inspection.feed(html)
    inspection.close()
    return inspection


def assert_inert(html: str, where: str) -> str:
    """Assert the page holds no payload that could run and no evaluated template syntax;
    return its text (entities decoded, whitespace collapsed)."""
    inspection = inspect(html)
    assert not inspection.problems, f"{where}: {inspection.problems}"
    assert xss.PRODUCT not in html, f"{where}: {xss.TEMPLATE_PRODUCT} was evaluated"
    assert "test secret key" not in html, f"{where}: {xss.TEMPLATE_CONFIG} was evaluated"
    return " ".join("".join(inspection.text).split())


@pytest.fixture
def site(app) -> xss.XssSite:
    """The payload lesson, class, people and attempts (see ``tests.xss.build_site``)."""
    return xss.build_site(app)


def logged_in(app, email: str) -> FlaskClient:
    """A new client of ``app``, logged in as ``email``."""
    client = app.test_client()
    log_in(client, email)
    return client


def test_the_payload_lesson_passes_the_check_so_it_can_be_imported():
    for version in (1, 2):
        result = check_text(xss.payload_lesson(version))
        assert result.ok, result.problems
        assert [p for p in result.problems if p.severity == "warning"] == []


def test_the_inspection_finds_handlers_script_links_foreign_elements_and_odd_ids():
    """The check used below is not vacuous: on HTML made of payloads, it finds each."""
    problems = inspect(
        '<img src=x onerror=alert(1)><a href=" JaVa&#x09;script:alert(1)">x</a>'
        '<iframe src="data:text/html,x"></iframe><p id="__proto__"><script>alert(1)</script>'
    ).problems
    assert problems == [
        "<img onerror='alert(1)'>",
        "<a href=' JaVa\\tscript:alert(1)'>",
        "<iframe> element",
        "<iframe src='data:text/html,x'>",
        "<p id='__proto__'>: not a plain name",
        "<p id='__proto__'>: shadows a built-in name",
        "<script> not from /static/: {}",
    ]


def test_a_blank_in_a_link_title_goes_after_the_link_never_inside_its_tag():
    """A blank is cut out of the text's HTML; inside an attribute, the cut would put the
    blank's input in the tag and the attribute's rest (which older nh3 versions leave with its
    < and >) in the text, as markup. Here ``inline`` sanitises as nh3 0.3.0 did."""
    spec = blanks.BlanksSpec("[[t]]<img src=x onerror=alert(1)> and [[u]]", (("t",), ("u",)))
    display = blanks.display(spec, lambda text: f'<a href="/" title="{text}">a</a>')
    assert display["pieces"] == [
        '<a href="/" title="<img src=x onerror=alert(1)> and ">',
        "",
        "a</a>",
    ]
    assert display["blanks"] == 2


def test_no_page_that_shows_the_payloads_runs_or_links_them(app, site):
    for email, pages in site.pages().items():
        client = logged_in(app, email)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (email, url)
            assert_inert(response.text, f"{email} {url}")


@pytest.mark.parametrize(
    "url",
    [
        "/login?next=javascript:alert(1)",
        '/login?next="><script>alert(1)</script>',
        '/register?code="><script>alert(1)</script>',
        "/register?code=%22%20onmouseover=%22alert(1)",
        "/lessons/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_payloads_in_the_address_are_not_reflected_as_markup(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_inert(response.text, url)


def test_the_authors_forms_send_back_the_payloads_as_text(app, site):
    author = logged_in(app, xss.STAFF_EMAIL)
    source = xss.payload_lesson(2)
    editor = f"/author/lessons/{xss.SLUG}/edit"
    draft = {"source": source, "base_slug": xss.SLUG, "base_version": "1"}
    forms = {
        "/author/check": (draft, 200),
        "/author/preview": (draft, 200),
        "/author/publish": (draft, 409),  # started from version 1: the conflict page
        "/author/new/from-text": ({"article": "\n\n".join(xss.PAYLOADS)}, 200),
    }
    for action, (data, status) in forms.items():
        response = post_form(author, editor, data, action)
        assert response.status_code == status, (action, response.text)
        assert_inert(response.text, action)
    upload = {
        "csrf_token": csrf_token(author, "/author/new"),
        "file": (io.BytesIO(source.encode()), "lesson.md"),
    }
    response = author.post("/author/new/upload", data=upload, content_type="multipart/form-data")
    assert response.status_code == 200
    # The editor's text area holds the file as text: its closing tag stays escaped.
    text = assert_inert(response.text, "/author/new/upload")
    assert "</textarea><script>alert(1)</script>" in text


def test_a_quiz_sent_with_questions_unanswered_asks_first_with_the_prompts_as_text(app, site):
    student = logged_in(app, xss.STUDENT_EMAIL)
    quiz = f"/student/attempts/{site.open_attempt}"
    response = post_form(student, quiz, {"q-short-xss": xss.ANSWER}, f"{quiz}/submit")
    assert response.status_code == 200
    text = assert_inert(response.text, "confirm submit")
    assert "Submit with unanswered questions?" in text
    assert f"{xss.SCRIPT} Which one? {xss.TEMPLATE}" in text


def test_joining_a_class_shows_its_name_as_text(app, site):
    client = app.test_client()
    with database(app) as db:
        code = db.get(Classroom, site.class_id).join_code
    register = f"/register?code={code}"
    data = {
        "name": xss.STUDENT_NAME,
        "email": "joiner@example.org",
        "password": "a long and unusual passphrase",
        "confirm": "a long and unusual passphrase",
        "join_code": code,
    }
    response = post_form(client, register, data)
    assert response.status_code == 302, response.text
    text = assert_inert(client.get(response.headers["Location"]).text, "after joining")
    assert f"Welcome! You are in the class {xss.CLASS_NAME}." in text
    account = assert_inert(client.get("/account").text, "account")
    assert xss.STUDENT_NAME in account


def test_a_class_named_with_payloads_is_created_and_refused_as_text(app, site):
    teacher = logged_in(app, xss.STAFF_EMAIL)
    response = post_form(teacher, "/teacher/", {"name": xss.CLASS_NAME}, "/teacher/classes")
    assert response.status_code == 302
    text = assert_inert(teacher.get(response.headers["Location"]).text, "new class")
    assert f"The class {xss.CLASS_NAME} is ready." in text
    too_long = (xss.SCRIPT + xss.BREAK_DOUBLE) * 5
    response = post_form(teacher, "/teacher/", {"name": too_long}, "/teacher/classes")
    assert response.status_code == 422
    assert_inert(response.text, "refused class name")
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img' in response.text


def test_names_titles_and_answers_are_shown_literally(app, site):
    """Each payload reaches the page as the very text that was typed: escaped, not dropped,
    and template syntax not evaluated."""
    student = logged_in(app, xss.STUDENT_EMAIL)
    teacher = logged_in(app, xss.STAFF_EMAIL)
    results = f"/teacher/classes/{site.class_id}/lessons/{xss.SLUG}/results"
    expected = {
        (student, f"/lessons/{xss.SLUG}"): [
            f"{xss.SCRIPT} {xss.BREAK_DOUBLE} {xss.TEMPLATE}",  # the title
            f"Payload 0: {xss.SCRIPT}",
            f"Payload {xss.PAYLOADS.index(xss.TEMPLATE_PRODUCT)}: {xss.TEMPLATE_PRODUCT}",
        ],
        (student, "/student/"): [xss.CLASS_NAME],
        (student, f"/student/attempts/{site.affected_attempt}"): [xss.ANSWER, xss.NUMBER],
        (teacher, f"/teacher/classes/{site.class_id}"): [xss.CLASS_NAME, xss.STUDENT_NAME],
        (teacher, results): [xss.STUDENT_NAME, xss.FORMULA],
        (teacher, f"/teacher/classes/{site.class_id}/attempts/{site.affected_attempt}"): [
            xss.STUDENT_NAME,
            xss.ANSWER,
            *xss.BLANKS,
        ],
        (teacher, "/author/"): [xss.STAFF_NAME],
        (teacher, "/account"): [xss.STAFF_NAME],
        (logged_in(app, xss.ADMIN_EMAIL), "/teacher/"): [xss.STAFF_NAME, xss.CLASS_NAME],
    }
    for (client, url), shown in expected.items():
        text = assert_inert(client.get(url).text, url)
        for payload in shown:
            assert payload in text, (url, payload)
    quiz = student.get(f"/student/attempts/{site.open_attempt}").text
    # The draft's typed answers come back inside value="...", escaped.
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in quiz


def test_the_results_csv_neutralises_formula_cells(app, site):
    teacher = logged_in(app, xss.STAFF_EMAIL)
    response = teacher.get(site.csv)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    names = {row[0] for row in rows[1:]}
    assert names == {xss.STUDENT_NAME} | {"'" + name for _, name in xss.FORMULA_STUDENTS}
    assert "'@formula4@example.org" in {row[1] for row in rows[1:]}
