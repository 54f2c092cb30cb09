"""The public pages: the lesson list, the reading page and the glossary."""

from __future__ import annotations

import re

from flask import url_for
from sqlalchemy import event

from lesson_app.db import get_db
from lesson_app.services.lessons import glossary_path, import_text
from tests.support import LESSON_SLUG


def test_empty_lesson_list_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No lessons have been published yet" in response.text


def test_lesson_list_shows_title_summary_level_and_reading_time(client, session, lesson_text):
    import_text(session, lesson_text, "lesson.md")
    page = client.get("/").text
    assert "Russia&#39;s neighbours and the mobilisation" in page
    assert "Why Kazakhstan&#39;s president told his government" in page
    assert "B2" in page
    assert "1 min read" in page
    assert f'href="/lessons/{LESSON_SLUG}"' in page


def test_reading_page_shows_numbered_paragraphs_linked_terms_and_glossary(
    client, session, lesson_text
):
    import_text(session, lesson_text, "lesson.md")
    response = client.get(f"/lessons/{LESSON_SLUG}")
    page = response.text
    assert response.status_code == 200
    assert '<html lang="en">' in page
    assert "<h1>Russia&#39;s neighbours and the mobilisation</h1>" in page
    assert 'href="https://example.org/news/central-asia-mobilisation"' in page
    assert '<p id="p3" class="para">' in page
    assert (
        f'<a class="term" href="/lessons/{LESSON_SLUG}/glossary#term-partial-mobilisation" '
        'data-term="term-partial-mobilisation"'
    ) in page
    assert '<div class="glossary-entry" id="term-labour-migrants">' in page
    assert "People who move to another country to work there." in page
    assert "js/glossary.js" in page


def test_glossary_page_lists_terms_alphabetically_with_anchors_and_aliases(
    client, session, lesson_text
):
    import_text(session, lesson_text, "lesson.md")
    page = client.get(f"/lessons/{LESSON_SLUG}/glossary").text
    anchors = re.findall(r'class="glossary-entry" id="([^"]+)"', page)
    assert anchors == ["term-labour-migrants", "term-partial-mobilisation"]
    assert "Also: partial military mobilisation, partial mobilization" in page


def test_glossary_links_in_the_reading_match_the_glossary_route(app):
    with app.test_request_context():
        assert url_for("reading.glossary", slug=LESSON_SLUG) == glossary_path(LESSON_SLUG)


def test_unknown_lesson_is_a_friendly_404(client):
    for path in ("/lessons/no-such-lesson", "/lessons/no-such-lesson/glossary"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.text
        assert "Traceback" not in response.text


def _statements_for(app, client, path):
    """Return how many SQL statements answering ``path`` runs."""
    statements: list[str] = []
    engine = get_db(app).engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_reading_page_runs_the_same_number_of_queries_whatever_the_glossary_size(
    app, client, session, lesson_text
):
    bigger = lesson_text.replace(f"slug: {LESSON_SLUG}", "slug: bigger-glossary").replace(
        "## Questions",
        "Central Asia\n: The region between the Caspian Sea and China.\n\n"
        "Traditional allies\n: Countries that have long supported each other.\n\n"
        "Call-up\n: An order to join the armed forces.\n\n## Questions",
    )
    assert import_text(session, lesson_text, "small.md").status == "added"
    assert import_text(session, bigger, "bigger.md").status == "added"
    small_count = _statements_for(app, client, f"/lessons/{LESSON_SLUG}")
    bigger_count = _statements_for(app, client, "/lessons/bigger-glossary")
    assert small_count == bigger_count <= 2
    assert _statements_for(app, client, "/") == 1
