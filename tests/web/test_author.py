"""The authors' list: who may see it, and what it shows without lessons or unpublished.

The rest of the authors' workspace is tested in ``test_authoring``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lesson_app.models import Lesson
from lesson_app.services.lessons import import_text, set_published
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


def test_without_lessons_the_page_says_how_to_start(client, author):
    html = client.get("/author/").text
    assert "There are no lessons yet." in html and 'href="/author/new"' in html
    assert "lesson-app lessons check" in html and "lesson-app lessons import" in html
    assert "docs/authoring.md" in html


def test_unpublished_lessons_are_listed_too(app, client, author, lesson_text):
    with database(app) as db:
        import_text(db, lesson_text, "lesson.md")
        set_published(db, db.scalar(select(Lesson)), False)
    html = client.get("/author/").text
    assert f"<code>{LESSON_SLUG}</code>" in html and '<span class="tag">Unpublished</span>' in html
    assert f'href="/lessons/{LESSON_SLUG}"' not in html  # its reading page answers 404
