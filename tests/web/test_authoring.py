"""The authors' workspace: new lessons, the editor's check, preview and publish, conflicts
between authors, publication state and the differences between versions."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from lesson_app import lessons
from lesson_app.lessons.skeleton import blank_lesson
from lesson_app.models import Lesson, LessonVersion
from lesson_app.services.attempts import start_attempt, student_lesson
from lesson_app.services.classes import assign_lesson, create_class, enrol
from lesson_app.services.lessons import import_text
from tests.support import LESSON_SLUG, csrf_token, database, log_in, make_user

EDIT = f"/author/lessons/{LESSON_SLUG}/edit"
TWO_MISTAKES = {
    # line 34: a second right option of a single-choice question
    "- [ ] The Kazakh interior ministry": "- [x] The Kazakh interior ministry",
    # line 41: an evidence quote that is not in the reading
    'Evidence: "when Russian President': 'Evidence: "when Soviet President',
}


@pytest.fixture
def author(make_account, client):
    """A logged-in author."""
    user = make_account("author", "author@example.org", "Ann Author")
    log_in(client, user.email)
    return user


@pytest.fixture
def published(app, lesson_text):
    """The fixture lesson published once, from the command line."""
    with database(app) as db:
        assert import_text(db, lesson_text, "lesson.md").status == "added"


def editor_text(page: str) -> str:
    """The text in the page's editor, as a browser reads it from the textarea."""
    match = re.search(r'<textarea id="source"[^>]*>\n(.*?)</textarea>', page, re.S)
    assert match, "no editor on the page"
    return html.unescape(match.group(1))


def hidden(page: str, name: str) -> str:
    """The value of the page's hidden input ``name``."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)
    assert match, f"no hidden {name}"
    return match.group(1)


def problem_links(page: str) -> list[str]:
    """The problems listed on the page, each as the text of its link."""
    return [
        f"{line}|{html.unescape(text)}"
        for line, text in re.findall(r'<a href="#line-(\d+)" data-line="\1">(.*?)</a>', page)
    ]


def send(client, action: str, source: str, base_slug: str = "", base_version: int = 0):
    """Send the editor's form to ``action`` (check, preview or publish)."""
    data = {
        "csrf_token": csrf_token(client, "/author/new"),
        "source": source,
        "base_slug": base_slug,
        "base_version": str(base_version),
    }
    return client.post(f"/author/{action}", data=data)


def versions(app) -> list[tuple[str, int, str]]:
    """Every stored version as (slug, number, created_by)."""
    with database(app) as db:
        rows = db.execute(
            select(Lesson.slug, LessonVersion.number, LessonVersion.created_by)
            .join(Lesson, LessonVersion.lesson_id == Lesson.id)
            .order_by(Lesson.slug, LessonVersion.number)
        )
        return [tuple(row) for row in rows]


def mistaken(text: str) -> str:
    """The lesson text with the two mistakes of ``TWO_MISTAKES``."""
    for old, new in TWO_MISTAKES.items():
        text = text.replace(old, new)
    return text


# The pages


@pytest.mark.parametrize(
    "url",
    ["/author/", "/author/new", "/author/new/blank", EDIT, f"/author/lessons/{LESSON_SLUG}/diff"],
)
def test_every_page_opens_for_an_author(client, author, published, url):
    assert client.get(url).status_code == 200


def test_the_list_shows_each_lesson_with_its_versions(app, client, author, lesson_text):
    with database(app) as db:
        import_text(db, lesson_text, "lesson.md", published_by="Bo Author")
        changed = lesson_text.replace("Answer: true", "Answer: false")
        import_text(db, changed, "lesson.md", published_by="Cy Author", expected_version=1)
    page = client.get("/author/").text
    assert "Russia&#39;s neighbours and the mobilisation</h2>" in page
    assert f"<code>{LESSON_SLUG}</code>" in page and '<span class="tag">Published</span>' in page
    assert "<dt>Current version</dt><dd>v2</dd>" in page
    assert '<th scope="row">v2 <span class="muted">(current)</span></th>' in page
    assert "<td>Cy Author</td>" in page and "<td>Bo Author</td>" in page
    assert "answer key changed: tokayev-helps" in page and "<td>First version.</td>" in page
    assert f'href="{EDIT}"' in page and f'href="/lessons/{LESSON_SLUG}"' in page
    assert f'action="/author/lessons/{LESSON_SLUG}/unpublish"' in page
    assert f'action="/author/lessons/{LESSON_SLUG}/diff"' in page and 'name="from"' in page
    assert 'href="/author/new"' in page


def test_the_editor_of_a_lesson_holds_its_current_text(client, author, published, lesson_text):
    page = client.get(EDIT).text
    assert editor_text(page) == lesson_text
    assert (hidden(page, "base_slug"), hidden(page, "base_version")) == (LESSON_SLUG, "1")
    assert 'id="line-1">1</span>' in page
    assert f'id="line-{lesson_text.count(chr(10)) + 1}">' in page
    for button in ("Check", "Preview", "Publish"):
        assert f">{button}</button>" in page


def test_an_unknown_lesson_has_no_editor(client, author):
    assert client.get("/author/lessons/no-such-lesson/edit").status_code == 404


# Starting a lesson


def test_the_blank_template_is_a_valid_lesson_to_fill_in(client, author):
    page = client.get("/author/new/blank").text
    assert editor_text(page) == blank_lesson()
    assert (hidden(page, "base_slug"), hidden(page, "base_version")) == ("", "0")
    assert "No problems found" in send(client, "check", editor_text(page)).text


def test_a_pasted_article_becomes_a_skeleton(client, author):
    article = "First paragraph of the news.\n\nSecond one.\n\nFirst paragraph of the news.\n"
    data = {"csrf_token": csrf_token(client, "/author/new"), "article": article}
    page = client.post("/author/new/from-text", data=data).text
    text = editor_text(page)
    assert text.startswith("---\ntitle: First paragraph of the news\n")
    assert "---\n\nFirst paragraph of the news.\n\nSecond one.\n\n## Glossary" in text
    assert versions(client.application) == []  # nothing is stored before publishing


def test_an_empty_article_is_asked_for(client, author):
    data = {"csrf_token": csrf_token(client, "/author/new"), "article": "  "}
    response = client.post("/author/new/from-text", data=data)
    assert response.status_code == 422
    assert "Paste the text of the article." in response.text


def upload(client, name: str, content: bytes):
    """Upload a file from the new lesson page."""
    data = {"csrf_token": csrf_token(client, "/author/new"), "file": (io.BytesIO(content), name)}
    return client.post("/author/new/upload", data=data, content_type="multipart/form-data")


def test_an_uploaded_lesson_file_opens_as_it_is(client, author, lesson_text):
    response = upload(client, "my lesson.MD", lesson_text.replace("\n", "\r\n").encode())
    assert response.status_code == 200
    assert editor_text(response.text) == lesson_text


def test_an_uploaded_article_becomes_a_skeleton(client, author):
    response = upload(client, "article.txt", "Une première phrase.\n\nEt une autre.".encode())
    text = editor_text(response.text)
    assert text.startswith("---\ntitle: Une première phrase\n") and "Et une autre." in text


@pytest.mark.parametrize(
    "name, content, status, message",
    [
        ("big.md", b"a" * (512 * 1024 + 1), 413, "larger than 512 KB"),
        ("lesson.docx", b"PK\x03\x04", 415, "its name ends in .md, .markdown or .txt"),
        ("lesson.md", "caf\u00e9".encode("latin-1"), 400, "not UTF-8 text"),
    ],
)
def test_files_the_editor_cannot_open_are_refused_clearly(
    client, author, name, content, status, message
):
    response = upload(client, name, content)
    assert response.status_code == status
    assert message in response.text and 'class="error"' in response.text


def test_an_upload_without_a_file_is_asked_for(client, author):
    data = {"csrf_token": csrf_token(client, "/author/new")}
    response = client.post("/author/new/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a file to upload." in response.text


# Check, preview and publish


EXPECTED_PROBLEMS = [
    "34|line 34: a single-choice question needs exactly one right option",
    "41|line 41: the evidence quote",
]


@pytest.mark.parametrize("action, status", [("check", 200), ("preview", 422), ("publish", 422)])
def test_every_problem_is_listed_with_its_line_and_the_text_kept(
    app, client, author, lesson_text, action, status
):
    source = mistaken(lesson_text)
    response = send(client, action, source)
    assert response.status_code == status
    links = problem_links(response.text)
    assert len(links) == 2
    for link, expected in zip(links, EXPECTED_PROBLEMS, strict=True):
        assert link.startswith(expected)
    assert "2 errors and 0 warnings" in response.text
    assert editor_text(response.text) == source
    assert versions(app) == []


def test_a_checked_lesson_without_problems_says_so(client, author, lesson_text):
    page = send(client, "check", lesson_text).text
    assert "No problems found" in page and "The lesson can be published." in page


def test_an_empty_editor_is_a_problem_not_an_error_page(client, author):
    response = send(client, "check", "")
    assert response.status_code == 200 and "line 1: the file is empty" in response.text


def test_the_preview_shows_the_lesson_as_students_see_it_with_the_keys(
    app, client, author, lesson_text
):
    response = send(client, "preview", lesson_text.replace("\n", "\r\n"))
    page = response.text
    assert response.status_code == 200
    assert "<h1>Russia&#39;s neighbours and the mobilisation</h1>" in page
    assert '<p id="p3" class="para">' in page and 'class="term"' in page
    assert 'id="term-labour-migrants"' in page and 'id="all-term-labour-migrants"' in page
    assert "Also: labour migrant, migrant workers" in page
    assert '<fieldset class="plain-fieldset quiz" disabled>' in page
    assert 'name="q-who-announced"' in page and 'name="q-tokayev-helps"' in page
    assert page.count("For the author: question") == 2
    assert "<li>Vladimir Putin</li>" in page and "<p>True</p>" in page
    assert "Read paragraph 3 again." in page
    assert "Tokayev spoke about the Russians arriving, not the call-up." in page
    assert "<mark>when Russian President Vladimir Putin announced the mobilisation</mark>" in page
    assert editor_text(page) == lesson_text
    assert versions(app) == []


def test_publishing_a_new_lesson_makes_version_one(app, client, author, lesson_text):
    response = send(client, "publish", lesson_text)
    assert response.status_code == 302 and response.headers["Location"] == "/author/"
    assert f"Published {LESSON_SLUG} v1." in client.get("/author/").text
    assert versions(app) == [(LESSON_SLUG, 1, "Ann Author")]
    assert client.get(f"/lessons/{LESSON_SLUG}").status_code == 200


def test_publishing_checks_the_text_once(client, author, lesson_text, monkeypatch):
    # checking half a megabyte takes seconds: a second check would bring a large lesson near
    # the worker's timeout
    checks = []
    check_text = lessons.check_text

    def counted(*args: object):
        checks.append(args)
        return check_text(*args)

    monkeypatch.setattr("lesson_app.services.authoring.check_text", counted)
    monkeypatch.setattr("lesson_app.services.lessons.check_text", counted)
    assert send(client, "publish", lesson_text).status_code == 302
    assert len(checks) == 1


def test_editing_and_publishing_makes_a_new_version(app, client, author, published):
    source = editor_text(client.get(EDIT).text).replace("Answer: true", "Answer: false")
    response = send(client, "publish", source, LESSON_SLUG, 1)
    assert response.status_code == 302
    assert f"Published {LESSON_SLUG} v2." in client.get("/author/").text
    assert versions(app) == [(LESSON_SLUG, 1, "command line"), (LESSON_SLUG, 2, "Ann Author")]
    with database(app) as db:
        summary = db.scalar(select(LessonVersion.change_summary).where(LessonVersion.number == 2))
    assert "answer key changed: tokayev-helps" in summary
    assert editor_text(client.get(EDIT).text) == source


def test_publishing_the_same_text_again_changes_nothing(app, client, author, published):
    source = editor_text(client.get(EDIT).text)
    send(client, "publish", source, LESSON_SLUG, 1)
    assert f"Nothing to publish: {LESSON_SLUG} v1 already has this text." in (
        client.get("/author/").text
    )
    assert versions(app) == [(LESSON_SLUG, 1, "command line")]


def test_a_changed_slug_publishes_a_new_lesson(app, client, author, published, lesson_text):
    copy = lesson_text.replace(f"slug: {LESSON_SLUG}", "slug: a-copy")
    assert send(client, "publish", copy, LESSON_SLUG, 1).status_code == 302
    assert (("a-copy", 1, "Ann Author")) in versions(app)


def test_the_second_of_two_authors_editing_at_once_is_refused(
    app, client, author, make_account, published, lesson_text
):
    other = app.test_client()
    log_in(other, make_account("author", "bo@example.org", "Bo Author").email)
    theirs = editor_text(other.get(EDIT).text).replace("Read paragraph 2 again.", "Theirs.")
    mine = editor_text(client.get(EDIT).text).replace("Read paragraph 2 again.", "Mine.")
    assert send(other, "publish", theirs, LESSON_SLUG, 1).status_code == 302

    response = send(client, "publish", mine, LESSON_SLUG, 1)
    page = response.text
    assert response.status_code == 409
    assert versions(app) == [(LESSON_SLUG, 1, "command line"), (LESSON_SLUG, 2, "Bo Author")]
    assert "Someone else published version 2 of this lesson since you started" in page
    assert "editing version 1. Nothing was published" in page
    assert "by Bo Author" in page
    shown = re.search(r'<pre class="source-text" tabindex="0"><code>(.*?)</code>', page, re.S)
    assert html.unescape(shown.group(1)) == theirs
    assert '<td class="diff-change">− removed</td>' in page
    assert '<code class="diff-text">Feedback: Theirs.</code>' in page
    assert '<code class="diff-text">Feedback: Mine.</code>' in page
    assert editor_text(page) == mine
    assert (hidden(page, "base_slug"), hidden(page, "base_version")) == (LESSON_SLUG, "2")

    # having seen version 2, the author may publish over it knowingly
    assert send(client, "publish", mine, LESSON_SLUG, 2).status_code == 302
    assert versions(app)[-1] == (LESSON_SLUG, 3, "Ann Author")


def test_a_new_lesson_whose_slug_is_taken_is_refused(app, client, author, published, lesson_text):
    response = send(client, "publish", lesson_text.replace("Answer: true", "Answer: false"))
    assert response.status_code == 409
    assert f"A lesson with the slug <code>{LESSON_SLUG}</code> already exists" in response.text
    assert versions(app) == [(LESSON_SLUG, 1, "command line")]


# Publication state


@pytest.fixture
def assigned(app, published):
    """A teacher's class with the lesson assigned and a student who started it."""
    with database(app) as db:
        teacher = make_user(db, "teacher", "teacher@example.org")
        student = make_user(db, "student", "student@example.org")
        classroom = create_class(db, teacher, "10B")
        enrol(db, student, classroom)
        assign_lesson(db, classroom, db.scalar(select(Lesson.id)), None)
        start_attempt(db, student, student_lesson(db, student, LESSON_SLUG))
        return classroom.id


def post(client, url: str):
    """A POST with the CSRF token of the authors' list."""
    return client.post(url, data={"csrf_token": csrf_token(client, "/author/")})


def test_unpublishing_hides_the_lesson_from_students_but_not_results(app, client, author, assigned):
    response = post(client, f"/author/lessons/{LESSON_SLUG}/unpublish")
    assert response.status_code == 302
    page = client.get("/author/").text
    assert f"Unpublished {LESSON_SLUG}: students no longer see it." in page
    assert '<span class="tag">Unpublished</span>' in page
    assert f'action="/author/lessons/{LESSON_SLUG}/publish"' in page

    assert LESSON_SLUG not in client.get("/").text
    assert client.get(f"/lessons/{LESSON_SLUG}").status_code == 404
    student = app.test_client()
    log_in(student, "student@example.org")
    assert client.get(f"/lessons/{LESSON_SLUG}/glossary").status_code == 404
    assert student.get(f"/student/lessons/{LESSON_SLUG}").status_code == 404
    teacher = app.test_client()
    log_in(teacher, "teacher@example.org")
    results = f"/teacher/classes/{assigned}/lessons/{LESSON_SLUG}/results"
    assert teacher.get(results).status_code == 200


def test_publishing_again_brings_the_lesson_back(app, client, author, assigned):
    post(client, f"/author/lessons/{LESSON_SLUG}/unpublish")
    assert post(client, f"/author/lessons/{LESSON_SLUG}/publish").status_code == 302
    assert f"Published {LESSON_SLUG} v1 again." in client.get("/author/").text
    assert client.get(f"/lessons/{LESSON_SLUG}").status_code == 200
    student = app.test_client()
    log_in(student, "student@example.org")
    assert student.get(f"/student/lessons/{LESSON_SLUG}").status_code == 200
    assert versions(app) == [(LESSON_SLUG, 1, "command line")]


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_an_unknown_lesson_cannot_be_published(client, author, action):
    assert post(client, f"/author/lessons/nothing/{action}").status_code == 404


# Differences between versions


@pytest.fixture
def two_versions(app, published, lesson_text):
    """Version 2 changes one line of version 1."""
    with database(app) as db:
        changed = lesson_text.replace("Feedback: Read paragraph 2 again.", "Feedback: Look again.")
        assert import_text(db, changed, "lesson.md").status == "new-version"


def test_the_diff_marks_each_changed_line_in_words(client, author, two_versions):
    page = client.get(f"/author/lessons/{LESSON_SLUG}/diff?from=1&to=2").text
    assert "<h1>Differences between v1 and v2</h1>" in page
    removed = re.search(r'<tr class="diff-removed">(.*?)</tr>', page, re.S).group(1)
    added = re.search(r'<tr class="diff-added">(.*?)</tr>', page, re.S).group(1)
    assert ">49</td>" in removed and "− removed" in removed and "Read paragraph 2" in removed
    assert ">49</td>" in added and "+ added" in added and "Look again." in added
    assert page.count('<tr class="diff-same">') == 3  # the last line: three lines before it


def test_the_diff_defaults_to_the_last_change(client, author, two_versions):
    page = client.get(f"/author/lessons/{LESSON_SLUG}/diff").text
    assert "<h1>Differences between v1 and v2</h1>" in page


def test_the_same_version_twice_has_no_differences(client, author, two_versions):
    page = client.get(f"/author/lessons/{LESSON_SLUG}/diff?from=2&to=2").text
    assert "The two texts are the same." in page


@pytest.mark.parametrize(
    "query", ["from=1&to=3", "from=0&to=2", "from=abc&to=2", "from=-1", "to=%C2%B2", "to=9"]
)
def test_versions_that_do_not_exist_answer_404(client, author, two_versions, query):
    assert client.get(f"/author/lessons/{LESSON_SLUG}/diff?{query}").status_code == 404


def test_an_unknown_lesson_has_no_diff(client, author):
    assert client.get("/author/lessons/nothing/diff").status_code == 404


# Every POST needs its CSRF token


@pytest.mark.parametrize(
    "url",
    [
        "/author/new/from-text",
        "/author/new/upload",
        "/author/check",
        "/author/preview",
        "/author/publish",
        f"/author/lessons/{LESSON_SLUG}/unpublish",
        f"/author/lessons/{LESSON_SLUG}/publish",
    ],
)
def test_a_post_without_its_token_is_refused_and_changes_nothing(
    app, client, author, published, lesson_text, url
):
    changed = lesson_text.replace("Answer: true", "Answer: false")
    response = client.post(url, data={"source": changed, "article": "Text.", "base_version": "1"})
    assert response.status_code == 400
    assert versions(app) == [(LESSON_SLUG, 1, "command line")]
    with database(app) as db:
        assert db.scalar(select(func.count()).where(Lesson.published)) == 1
