"""The parser turns a valid file into typed objects, answer keys included."""

from decimal import Decimal
from pathlib import Path

import pytest

from lesson_app.lessons import check_file, check_text

VALID = Path(__file__).parent / "fixtures" / "valid.md"


@pytest.fixture(scope="module")
def lesson():
    return check_file(VALID).lesson


def questions_by_id(lesson):
    return {q.id: q for q in lesson.questions}


def test_front_matter(lesson):
    meta = lesson.meta
    assert (meta.title, meta.slug, meta.level) == (
        "Russia's neighbours and the mobilisation",
        "central-asia-mobilisation",
        "B2",
    )
    assert (meta.attempts, meta.grading, meta.review) == (3, "best", "after-submit")


def test_defaults_when_policy_is_not_given():
    text = VALID.read_text().replace("attempts: 3\ngrading: best\nreview: after-submit\n", "")
    meta = check_text(text).lesson.meta
    assert (meta.attempts, meta.grading, meta.review) == (0, "best", "after-submit")


def test_paragraphs_are_numbered_with_lines_and_sentences(lesson):
    assert [p.number for p in lesson.paragraphs] == [1, 2, 3]
    assert [p.line for p in lesson.paragraphs] == [11, 13, 17]
    assert lesson.paragraphs[1].sentences[1].startswith("Tokayev instructed")
    assert lesson.word_count > 50 and lesson.reading_minutes == 1


def test_glossary_terms_aliases_and_anchors(lesson):
    entry = lesson.glossary[0]
    assert entry.term == "Partial mobilisation"
    assert entry.aliases == ("partial military mobilisation",)
    assert entry.anchor == "term-partial-mobilisation"
    assert "*military*" in entry.definition


def test_choice_questions_keep_their_key_and_option_feedback(lesson):
    single = questions_by_id(lesson)["who-announced"]
    assert single.type == "single" and single.points == 1
    assert single.spec.correct_ids == ("b",)
    assert single.spec.options[0].feedback.startswith("Tokayev spoke")
    assert single.feedback == "Read paragraph 2 again."
    assert single.evidence[0].paragraph == 2
    assert questions_by_id(lesson)["which-true"].spec.correct_ids == ("a", "c")


def test_typed_answer_questions(lesson):
    by_id = questions_by_id(lesson)
    assert by_id["tf"].spec.answer is True
    assert by_id["short"].spec.accepted == ("Vladimir Putin", "Putin")
    assert by_id["short"].spec.typos == 1
    numeric = by_id["num"].spec
    assert Decimal(numeric.value) == 100000 and numeric.tolerance_percent
    assert numeric.units == ("Russians", "people")


def test_structured_questions(lesson):
    by_id = questions_by_id(lesson)
    assert [i.text for i in by_id["order"].spec.items][0] == "Putin announced the mobilisation"
    assert [(p.left, p.right) for p in by_id["match"].spec.pairs][1] == (
        "Tokayev",
        "Kazakh president",
    )
    assert by_id["blanks"].spec.blanks == (("100,000", "100 000"), ("Kazakhstan",))
    assert by_id["blanks"].body == "", "the blanks text holds answers: only display may show it"
    assert by_id["evid"].spec.sentences == ("p3s1",)


def test_windows_line_ends_and_bom_are_accepted():
    data = b"\xef\xbb\xbf" + VALID.read_bytes().replace(b"\n", b"\r\n")
    assert check_text(data).ok


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"---\ntitle: caf\xe9\n---\n", "not UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8 text"),
        ("---\ntitle: x\x00\n---\n", "binary file"),
        (b"x" * (600 * 1024), "at most 512 KB"),
    ],
)
def test_files_that_are_not_lessons(data, words):
    result = check_text(data, "f.md")
    assert not result.ok and words in result.problems[0].message


def test_a_file_cut_in_half_reports_problems():
    text = VALID.read_text()
    result = check_text(text[: len(text) // 2])
    assert not result.ok or result.warnings


def test_fenced_code_in_the_reading_hides_section_headings():
    text = VALID.read_text().replace(
        "### A subheading", "```\n## Questions\n```\n\n### A subheading"
    )
    assert check_text(text).ok


def test_html_comments_are_ignored():
    text = VALID.read_text().replace(
        "## Questions\n", "## Questions\n\n<!-- ### Draft {#draft}\n-->\n"
    )
    result = check_text(text)
    assert result.ok and "draft" not in [q.id for q in result.lesson.questions]
