"""Rendering: numbered paragraphs, glossary links by the rules, sanitised HTML, no keys shown."""

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lesson_app.lessons import check_file, check_text, render_lesson
from lesson_app.lessons.passages import highlight_quote

VALID = Path(__file__).parent / "fixtures" / "valid.md"
URL = "/lessons/central-asia-mobilisation/glossary"


@pytest.fixture(scope="module")
def rendered():
    return render_lesson(check_file(VALID).lesson, URL)


def render_text(text):
    result = check_text(text)
    assert result.ok, result.problems
    return render_lesson(result.lesson, URL)


def test_paragraphs_are_numbered(rendered):
    assert (
        '<p id="p1" class="para"><span class="pnum" aria-hidden="true">1</span>'
        in rendered.reading_html
    )
    assert 'id="p3"' in rendered.reading_html and 'id="p4"' not in rendered.reading_html


def test_terms_link_to_the_glossary_longest_match_first(rendered):
    html = rendered.reading_html
    assert (
        f'<a class="term" href="{URL}#term-partial-mobilisation" '
        'data-term="term-partial-mobilisation"'
    ) in html
    assert ">partial military mobilisation</a>" in html


def test_terms_never_inside_links_or_headings(rendered):
    html = rendered.reading_html
    assert (
        '<a href="https://example.org" rel="noopener noreferrer">partial mobilisation</a>' in html
    )
    assert "<h2>A subheading about Central Asia</h2>" in html


def test_first_occurrence_per_paragraph_only():
    text = VALID.read_text().replace(
        "Moscow’s traditional allies in Central Asia are",
        "Moscow’s traditional allies in Central Asia and central asia again are",
    )
    html = render_text(text).reading_html
    first_paragraph = html.split("</p>")[0]
    assert first_paragraph.count('class="term"') == 1
    assert "central asia again" in first_paragraph


def test_terms_match_whole_words_only():
    text = VALID.read_text().replace("Central Asia\n: The region", "Asia\n: The region")
    html = render_text(text.replace("Muslim Central Asia", "Muslim Eurasian lands")).reading_html
    assert "Eur<a" not in html


def parse_elements(html):
    """Every (tag, attributes) pair in an HTML fragment, as a browser would see them."""
    elements = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            elements.append((tag, attrs))

    Collector().feed(html)
    return elements


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<svg onload="alert(1)">',
    '![x](x" onerror="alert(1))',
]


@pytest.mark.parametrize("payload", XSS)
def test_markdown_is_sanitised(payload):
    text = VALID.read_text()
    text = text.replace("quietly making moves", f"quietly {payload} making moves")
    text = text.replace("for *military* service.", f"for service {payload}.")
    text = text.replace("- [ ] The Kazakh interior ministry", f"- [ ] The Kazakh {payload}")
    rendered = render_text(text)
    everything = rendered.reading_html + json.dumps([q.display for q in rendered.questions])
    everything += "".join(t.definition_html for t in rendered.glossary)
    elements = parse_elements(everything)
    assert not [tag for tag, _ in elements if tag in ("script", "svg", "img", "iframe")]
    for tag, attrs in elements:
        assert not [name for name, _ in attrs if name.startswith("on")], (tag, attrs)
        assert not [v for n, v in attrs if n in ("href", "src") and "script:" in (v or "").lower()]


def test_display_never_holds_the_answer_key(rendered):
    by_id = {q.id: q for q in rendered.questions}
    for question in rendered.questions:
        assert "correct" not in json.dumps(question.display)
    assert by_id["short"].display == {}
    assert "Kazakhstan" not in json.dumps(by_id["blanks"].display)
    assert by_id["blanks"].display["blanks"] == 2
    order = by_id["order"]
    assert [i["id"] for i in order.display["items"]] != [i["id"] for i in order.key["items"]]
    pairs = by_id["match"].key["pairs"]
    assert [r["id"] for r in by_id["match"].display["rights"]] != [p["right_id"] for p in pairs]


def test_key_and_feedback_are_json_ready(rendered):
    for question in rendered.questions:
        json.dumps(question.key), json.dumps(question.feedback), json.dumps(question.evidence)
    single = rendered.questions[0]
    assert single.feedback["options"] == {"a": "Tokayev spoke about the Russians arriving."}
    assert single.evidence[0]["paragraph"] == 2


def test_glossary_definitions_are_html(rendered):
    assert rendered.glossary[0].definition_html.startswith("<p>Calling up")
    assert "<em>military</em>" in rendered.glossary[0].definition_html


def test_terms_match_typographic_quotes_and_dashes():
    text = VALID.read_text().replace(
        "Central Asia\n: The region", "Moscow's traditional allies\n: The region"
    )
    html = render_text(text).reading_html
    assert 'data-term="term-moscow-s-traditional-allies"' in html
    assert ">Moscow\u2019s traditional allies</a>" in html


def test_evidence_carries_its_paragraph_with_the_quote_marked(rendered):
    (evidence,) = rendered.questions[0].evidence
    passage = evidence["passage_html"]
    assert (
        "<mark>when Russian President Vladimir Putin announced the mobilisation</mark>" in passage
    )
    assert passage.startswith("Almost 100,000 Russians") and passage.count("<") == 2


def test_a_quote_is_marked_leniently_and_everything_else_escaped():
    text = "He said: \u201cGood  ties <b>matter</b>\u201d \u2013 and left."
    assert highlight_quote(text, '"good ties <B>matter</b>" - and') == (
        "He said: <mark>\u201cGood  ties &lt;b&gt;matter&lt;/b&gt;\u201d \u2013 and</mark> left."
    )
    assert highlight_quote("A & B", "not there") == "A &amp; B"
    assert highlight_quote("A & B", "") == "A &amp; B"
