"""The authors' page: every lesson with its versions and counts, and how to publish."""

from __future__ import annotations

import pytest

from lesson_app.services.lessons import import_text
from tests.support import LESSON_SLUG, database, log_in


@pytest.fixture
def author(make_account, client):
    """A logged-in author."""
    user = make_account("author", "author@example.org")
    log_in(client, user.email)
    return user


@pytest.mark.parametrize(
    "role, status", [("author", 200), ("admin", 200), ("teacher", 403), ("student", 403)]
)
def test_authors_and_admins_use_the_page(client, make_account, role, status):
    log_in(client, make_account(role, f"{role}@example.org").email)
    assert client.get("/author/").status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/author/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_without_lessons_the_page_says_how_to_publish(client, author):
    html = client.get("/author/").text
    assert "No lessons are published yet" in html
    assert "lesson-app lessons check" in html and "lesson-app lessons import" in html
    assert "docs/authoring.md" in html


def test_lessons_are_listed_with_version_and_counts(app, client, author, lesson_text):
    with database(app) as db:
        import_text(db, lesson_text, "lesson.md")
        import_text(db, lesson_text.replace("level: B2", "level: B1"), "lesson.md")
    html = client.get("/author/").text
    assert (
        f'<th scope="row"><a href="/lessons/{LESSON_SLUG}">'
        "Russia&#39;s neighbours and the mobilisation</a></th>"
    ) in html
    assert f"<td><code>{LESSON_SLUG}</code></td>" in html
    assert "<td>B1</td>" in html
    assert 'v2 <span class="muted">of 2</span>' in html
    assert html.count("<td>2</td>") == 2  # two questions, two glossary terms
    assert '<time datetime="' in html
