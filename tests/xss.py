"""The XSS corpus, a lesson file that carries it in every place the lesson format allows, and a
site built around that lesson: a teacher, a class and students whose names are payloads, and
answers that are payloads. ``tests/web/test_xss_pages.py`` reads the pages' HTML and
``tests/e2e/test_xss_browser.py`` opens them in Chromium.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from lesson_app.models import Lesson
from lesson_app.services.attempts import save_draft, start_attempt, student_lesson, submit_attempt
from lesson_app.services.classes import assign_lesson, create_class, join_class
from lesson_app.services.lessons import import_text
from lesson_app.services.regrade import regrade
from tests.support import database, make_user, right_answer

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = "<svg onload=alert(1)>"
BREAK_DOUBLE = '"><img src=x onerror=alert(1)>'
BREAK_SINGLE = "'><svg onload=alert(1)>"
BREAK_ATTRIBUTE = '" onmouseover="alert(1)'
TEMPLATE = "{{ 7*7 }}"
# Template injection that a page could only show as its product, or by leaking the config.
TEMPLATE_PRODUCT = "{{ 777*777 }}"
PRODUCT = str(777 * 777)
TEMPLATE_CONFIG = "{{ config }}"
FORMULA = '=HYPERLINK("http://x")'

# Every payload, each also put as a whole into the lesson's reading (one paragraph each).
PAYLOADS = (
    SCRIPT,
    IMG,
    SVG,
    "<svg><script>alert(1)</script></svg>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](&#0000106avascript:alert(1))",
    "[x](ja%76ascript:alert(1))",
    "[x](\\javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://example.org/x.png)',
    '[x](https://example.org "t\\" onmouseover=\\"alert(1)")',
    "<javascript:alert(1)>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    BREAK_DOUBLE,
    BREAK_SINGLE,
    BREAK_ATTRIBUTE,
    "<iframe src=javascript:alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<object data=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    "`<script>alert(1)</script>`",
    "<scr<script>ipt>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    TEMPLATE,
    TEMPLATE_PRODUCT,
    TEMPLATE_CONFIG,
    "${7*7}",
    FORMULA,
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
)

# Markdown headings of the reading whose ids would clobber built-in properties, if ids were made.
HEADINGS = (
    "# __proto__",
    "# \\_\\_proto\\_\\_",
    "# constructor",
    "### \\_\\_proto\\_\\_",
    "### hasOwnProperty",
    f"### {SCRIPT}",
    f"#### {IMG}",
)

SLUG = "xss-corpus"
# Glossary terms, each found in the reading (so marked there) and each with its own anchor.
TERMS = (SCRIPT, IMG, BREAK_SINGLE, "__proto__", "constructor", TEMPLATE, FORMULA)
# A definition and feedback: Markdown links in every spelling, raw HTML and template syntax.
RICH = (
    f"{SCRIPT} {IMG} [x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) "
    f'<a href="&#106;avascript:alert(1)">z</a> {BREAK_ATTRIBUTE} {TEMPLATE}'
)

# What the student types (short answer, number, blanks), never an accepted answer in version 1;
# version 2 accepts ANSWER, so the student's first two attempts are graded differently.
ANSWER = BREAK_DOUBLE
NUMBER = SCRIPT
BLANKS = [f"{SVG} {BREAK_ATTRIBUTE}", f"{TEMPLATE} {FORMULA}", SCRIPT, TEMPLATE_PRODUCT]

STAFF_EMAIL = "staff@example.org"
STAFF_NAME = f"{SCRIPT} {BREAK_SINGLE} {TEMPLATE}"
CLASS_NAME = f"{TEMPLATE} {IMG} {BREAK_DOUBLE}"
# An admin sees every class with its teacher's name.
ADMIN_EMAIL = "admin@example.org"
STUDENT_EMAIL = "student@example.org"
STUDENT_NAME = f"{BREAK_DOUBLE} {SVG} {TEMPLATE_PRODUCT}"
# Students whose names (and an email) start the way a spreadsheet formula does.
FORMULA_STUDENTS = (
    ("formula1@example.org", FORMULA),
    ("formula2@example.org", "+1+cmd|' /C calc'!A0"),
    ("formula3@example.org", "-1+cmd|' /C calc'!A0"),
    ("@formula4@example.org", "@SUM(1+1)*cmd|' /C calc'!A0"),
)


def quoted(text: str) -> str:
    """A front-matter value in YAML double quotes (JSON strings are valid YAML)."""
    return json.dumps(text)


def evidence(payload: str) -> str:
    """The ``Evidence:`` line quoting the reading's paragraph of ``payload``."""
    return f'Evidence: "Payload {PAYLOADS.index(payload)}: {payload}"'


def payload_lesson(version: int = 1) -> str:
    """A valid lesson file with payloads in the front matter, the reading (paragraphs,
    headings, links), the glossary (terms, definitions, aliases) and in every part of a
    question of each of the nine types (prompt, body, options, option feedback, answers,
    units, items, pairs, blanks, feedback, evidence). Version 2 also accepts ``ANSWER``."""
    accepted = f"{SCRIPT} | {SVG}" + (f" | {ANSWER}" if version == 2 else "")
    paragraphs = "\n\n".join(f"Payload {i}: {payload}" for i, payload in enumerate(PAYLOADS))
    headings = "\n\n".join(HEADINGS)
    words = " and ".join(term.replace("_", "\\_") for term in TERMS)  # not __bold__
    glossary = "\n\n".join(
        f"{term}\n: {RICH}\n: Also: {term} form, {SVG} {i}" for i, term in enumerate(TERMS)
    )
    return f"""---
title: {quoted(f"{SCRIPT} {BREAK_DOUBLE} {TEMPLATE}")}
slug: {SLUG}
summary: {quoted(f"{IMG} {BREAK_SINGLE} {BREAK_ATTRIBUTE} {TEMPLATE_CONFIG}")}
level: B1
attempts: 0
grading: best
review: after-submit
source: {quoted(f"https://example.org/{BREAK_DOUBLE}{SCRIPT}")}
author: {quoted(f"{SVG} {BREAK_ATTRIBUTE}")}
---

The glossary words: {words} all occur here.

{paragraphs}

{headings}

A paragraph with [a link](https://example.org '{BREAK_DOUBLE}') and ![{BREAK_DOUBLE}]\
(https://example.org/i.png '{BREAK_DOUBLE}') and **{SCRIPT}** and *{IMG}*.

> {SCRIPT} {IMG}

| {SCRIPT} | {IMG} |
|---|---|
| [x](javascript:alert(1)) | {BREAK_ATTRIBUTE} |

## Glossary

{glossary}

## Questions

### {SCRIPT} Which one? {TEMPLATE} {{#single-xss}}
Type: single
{IMG} [x](javascript:alert(1))
- [ ] {BREAK_DOUBLE}
  Feedback: {RICH}
- [x] {SVG} [y](JaVaScRiPt:alert(1))
- [ ] {TEMPLATE_CONFIG}

{evidence(SCRIPT)}
Feedback: {RICH}

### {IMG} Which ones? {{#multiple-xss}}
Type: multiple
- [x] {SCRIPT}
  Feedback: {BREAK_SINGLE} [x](java&#x09;script:alert(1))
- [x] {BREAK_ATTRIBUTE}
- [ ] {FORMULA}
  Feedback: {TEMPLATE_PRODUCT}

{evidence(IMG)}
Feedback: {RICH}

### {BREAK_DOUBLE} is true. {{#true-false-xss}}
Type: true-false
{SVG} {TEMPLATE}
Answer: true

{evidence(SVG)}
Feedback: {RICH}

### {BREAK_SINGLE} Type it. {{#short-xss}}
Type: short
{BREAK_ATTRIBUTE} [x](vbscript:msgbox(1))
Answer: {accepted}
Typos: 0

{evidence(BREAK_DOUBLE)}
Feedback: {RICH}

### {BREAK_ATTRIBUTE} How many? {{#numeric-xss}}
Type: numeric
Answer: 7
Tolerance: 1
Units: {SCRIPT}, {BREAK_DOUBLE}

{evidence(BREAK_SINGLE)}
Feedback: {RICH}

### {TEMPLATE} Put in order. {{#ordering-xss}}
Type: ordering
1. {SCRIPT}
2. {IMG} [x](javascript:alert(1))
3. {BREAK_DOUBLE}

{evidence(BREAK_ATTRIBUTE)}
Feedback: {RICH}

### {SVG} Match them. {{#matching-xss}}
Type: matching
- {SCRIPT} = {IMG}
- {BREAK_DOUBLE} = {BREAK_SINGLE}
- {TEMPLATE} = [x](javascript:alert(1))

{evidence("<iframe src=javascript:alert(1)>")}
Feedback: {RICH}

### {SCRIPT} Fill in. {{#blanks-xss}}
Type: blanks
{IMG} [[{SCRIPT}]] then [a link](https://example.org "[[title]]") and \
![x [[alt]] y](https://example.org/b.png) and [[{BREAK_DOUBLE}|{TEMPLATE}]] {BREAK_ATTRIBUTE}.
Typos: 0

{evidence(TEMPLATE)}
Feedback: {RICH}

### {IMG} Find it. {TEMPLATE_CONFIG} {{#evidence-xss}}
Type: evidence
{BREAK_DOUBLE}

{evidence("<svg><script>alert(1)</script></svg>")}
Feedback: {RICH}
"""


def payload_answers(version_questions: list[Any]) -> dict[str, Any]:
    """A student's answers: payloads where they type (short answer, number, blanks), a wrong
    choice or the right one elsewhere."""
    typed = {"short": ANSWER, "numeric": NUMBER, "blanks": BLANKS}
    answers = {}
    for question in version_questions:
        if question.type in typed:
            answers[question.qid] = typed[question.type]
        elif question.type == "single":
            answers[question.qid] = "a"  # the wrong option, so its feedback is shown
        else:
            answers[question.qid] = right_answer(question.type, question.key)
    return answers


@dataclass(frozen=True)
class XssSite:
    """What ``build_site`` made: the ids in the pages' addresses."""

    class_id: int
    student_id: int
    regraded_attempt: int  # submitted on version 1, regraded with version 2's key
    affected_attempt: int  # submitted on version 1, still to regrade
    open_attempt: int  # on version 2, with a saved draft of payload answers

    def pages(self) -> dict[str, list[str]]:
        """Every page that shows the payloads (GET), by the email of who opens it."""
        teacher = f"/teacher/classes/{self.class_id}"
        results = f"{teacher}/lessons/{SLUG}/results"
        return {
            STUDENT_EMAIL: [
                "/",
                f"/lessons/{SLUG}",
                f"/lessons/{SLUG}/glossary",
                "/student/",
                "/student/history",
                f"/student/lessons/{SLUG}",
                f"/student/attempts/{self.regraded_attempt}",
                f"/student/attempts/{self.affected_attempt}",
                f"/student/attempts/{self.open_attempt}",
                "/account",
            ],
            STAFF_EMAIL: [
                "/teacher/",
                teacher,
                f"{teacher}/results",
                results,
                f"{results}?sort=score",
                f"{teacher}/students/{self.student_id}",
                f"{teacher}/students/{self.student_id}/remove",
                f"{teacher}/attempts/{self.regraded_attempt}",
                f"{teacher}/attempts/{self.affected_attempt}",
                f"{teacher}/lessons/{SLUG}/regrade",
                "/author/",
                f"/author/lessons/{SLUG}/edit",
                f"/author/lessons/{SLUG}/diff",
                f"/author/lessons/{SLUG}/regrade",
                "/account",
            ],
            ADMIN_EMAIL: ["/teacher/", f"{results}?sort=score"],
        }

    @property
    def csv(self) -> str:
        """The address of the lesson's results as CSV."""
        return f"/teacher/classes/{self.class_id}/lessons/{SLUG}/results.csv"


def build_site(app: Flask) -> XssSite:
    """Import the payload lesson (version 1, then 2 with a changed key), and make the staff
    account (teacher and author), an admin, the staff's class, the student who joins it with
    the join code and the students with formula names; each submits payload answers. The
    student submits twice on version 1 (the first attempt regraded) and keeps a third attempt
    open."""
    with database(app) as db:
        staff = make_user(db, "teacher", STAFF_EMAIL, STAFF_NAME, "author")
        make_user(db, "admin", ADMIN_EMAIL, f"{BREAK_ATTRIBUTE} {IMG}")
        outcome = import_text(db, payload_lesson(1), f"{SLUG}.md", published_by=STAFF_NAME)
        assert outcome.status == "added", outcome.problems
        classroom = create_class(db, staff, CLASS_NAME)
        lesson = db.scalar(select(Lesson).where(Lesson.slug == SLUG))
        assign_lesson(db, classroom, lesson.id, None)
        student = make_user(db, "student", STUDENT_EMAIL, STUDENT_NAME)
        join_class(db, student, classroom.join_code)
        first, second = (_submit(db, student) for _ in range(2))
        for email, name in FORMULA_STUDENTS:
            other = make_user(db, "student", email, name)
            join_class(db, other, classroom.join_code)
            _submit(db, other, {"short-xss": name, "numeric-xss": name})
        outcome = import_text(db, payload_lesson(2), f"{SLUG}.md", published_by=STAFF_NAME)
        assert outcome.status == "new-version", outcome.problems
        db.refresh(lesson)
        assert regrade(db, lesson, [first], STAFF_NAME) == 1
        attempt = start_attempt(db, student, student_lesson(db, student, SLUG))
        save_draft(db, attempt, payload_answers(attempt.version.questions))
        return XssSite(classroom.id, student.id, first, second, attempt.id)


def _submit(db, student, typed: dict[str, str] | None = None) -> int:
    """Submit an attempt of payload answers (``typed`` replaces some); its id."""
    attempt = start_attempt(db, student, student_lesson(db, student, SLUG))
    answers = payload_answers(attempt.version.questions) | (typed or {})
    submit_attempt(db, attempt, answers)
    return attempt.id
