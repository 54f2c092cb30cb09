"""Each fixture file holds one kind of problem; the checker must name it at the right line."""

from pathlib import Path

import pytest

from lesson_app.lessons import check_file, check_text

FIXTURES = Path(__file__).parent / "fixtures"

# fixture name -> (line, words the message must contain); severity is error unless noted.
EXPECTED = {
    "missing-front-matter": (1, "must start with front matter"),
    "unclosed-front-matter": (1, "front matter is not closed"),
    "bad-yaml": (6, "front matter could not be read"),
    "unknown-key": (7, "unknown front-matter key 'gradin'; did you mean 'grading'?"),
    "bad-slug": (3, "the slug 'Central Asia!' may only hold"),
    "missing-title": (1, "the front matter needs 'title: ...'"),
    "empty-reading": (10, "the reading is empty"),
    "misspelt-section": (19, "did you mean '## Glossary'?"),
    "term-without-definition": (25, "'Labour migrants' has no definition"),
    "duplicate-term": (28, "'Labour migrants' is already in the glossary (line 25)"),
    "missing-id": (33, "this question has no id"),
    "bad-id": (33, "the question id 'Who Announced' may only hold"),
    "duplicate-id": (42, "'who-announced' is already used on line 33"),
    "single-two-right": (33, "exactly one right option marked [x]; this one has 2"),
    "multiple-none-right": (42, "mark at least one right option with [x]"),
    "evidence-not-found": (39, "is not in the reading"),
    "unknown-type": (43, "unknown question type 'multiplee'; did you mean 'multiple'?"),
    "true-false-bad-answer": (51, "must be 'true' or 'false', not 'maybe'"),
    "numeric-bad-answer": (62, "'a hundred thousand' is not a number"),
    "bad-points": (56, "Points must be a whole number from 1 to 100, not 'zero'"),
    "ordering-one-item": (67, "an ordering question needs 2 to 12 items"),
    "matching-bad-pair": (76, "write a pair as '- left = right'"),
    "blanks-none": (80, "at least one blank written [[answer]]"),
    "evidence-type-no-quote": (83, "an evidence question needs at least one"),
    "wrong-list": (52, "a question of type 'true-false' has no list"),
    "missing-type": (67, "this question has no 'Type:' line"),
}


def test_every_fixture_has_an_expectation():
    names = {path.stem for path in FIXTURES.glob("*.md")} - {"valid", "bad-values"}
    assert names == set(EXPECTED)


def test_valid_fixture_has_no_errors():
    result = check_file(FIXTURES / "valid.md")
    assert result.ok, [p.format("valid.md") for p in result.problems]
    assert result.lesson.meta.slug == "central-asia-mobilisation"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_problem_is_reported_at_its_line(name):
    line, words = EXPECTED[name]
    result = check_file(FIXTURES / f"{name}.md")
    assert not result.ok and result.lesson is None
    errors = [(p.line, p.message) for p in result.errors]
    assert any(found_line == line and words in message for found_line, message in errors), errors


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_one_mistake_gives_one_error(name):
    """A single mistake must not drown the author in follow-on errors."""
    assert len(check_file(FIXTURES / f"{name}.md").errors) == 1


def test_term_missing_from_reading_is_only_a_warning():
    text = (
        (FIXTURES / "valid.md")
        .read_text()
        .replace("Central Asia\n: The region", "Steppe\n: The region")
    )
    result = check_text(text, "x.md")
    assert result.ok
    assert any("'Steppe' never occurs in the reading" in p.message for p in result.warnings)


def test_format_is_file_line_severity_message():
    result = check_file(FIXTURES / "unknown-key.md")
    assert result.problems[0].format("lesson.md") == (
        "lesson.md:7: error: unknown front-matter key 'gradin'; did you mean 'grading'?"
    )


def test_every_problem_in_a_file_is_reported_at_once():
    text = (FIXTURES / "valid.md").read_text()
    text = text.replace("grading: best", "gradin: best").replace(
        "{#which-true}", "{#who-announced}"
    )
    text = text.replace("Answer: true", "Answer: maybe")
    messages = [p.message for p in check_text(text, "x.md").errors]
    assert len(messages) == 3, messages


def test_unreadable_file_is_a_problem(tmp_path):
    result = check_file(tmp_path / "missing.md")
    assert not result.ok and "cannot be read" in result.problems[0].message
    assert "cannot be read" in check_file(tmp_path).problems[0].message


def test_each_bad_policy_value_is_named():
    messages = [(p.line, p.message) for p in check_file(FIXTURES / "bad-values.md").errors]
    assert messages == [
        (5, "level must be one of A1, A2, B1, B2, C1, C2, not 'Z9'"),
        (6, "attempts must be a whole number from 0 (no limit) to 100, not 'many'"),
        (7, "grading must be one of best, last, first, not 'average'"),
        (
            8,
            "review must be one of after-submit, after-due, never, not 'afer-submit'; "
            "did you mean 'after-submit'?",
        ),
    ]


def test_a_level_two_heading_in_the_reading_is_explained():
    text = (FIXTURES / "valid.md").read_text().replace("### A subheading", "## A subheading")
    errors = check_text(text).errors
    assert [p.message for p in errors] == [
        "'## A subheading about Central Asia' in the reading: '##' starts the Glossary or "
        "Questions section; write '### A subheading about Central Asia' for a subheading"
    ]
