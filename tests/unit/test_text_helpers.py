"""Pure helpers: folding, slugs, sentences, numbers, quotes, the skeleton of an article."""

from decimal import Decimal
from pathlib import Path

import pytest

from lesson_app.lessons import check_text, skeleton_from_article
from lesson_app.lessons.skeleton import article_paragraphs
from lesson_app.questions import lookup
from lesson_app.questions.numbers import parse_number
from lesson_app.questions.text import fold, slugify, split_sentences, unquote

SEED = Path(__file__).parents[2] / "seeds" / "000_6ba653f507f414fd.txt"


def test_fold_ignores_case_quotes_dashes_and_spaces():
    assert fold("Moscow\u2019s  \u201cALLIES\u201d \u2013 now") == 'moscow\'s "allies" - now'


def test_slugify():
    assert slugify("Partial mobilisation") == "partial-mobilisation"
    assert slugify("Ex-Soviet État!") == "ex-soviet-etat"


def test_sentences_keep_quotes_with_their_sentence():
    text = (
        "\u201cMost of them have to leave because of the hopeless situation. We have to take "
        "care of them,\u201d Tokayev said."
    )
    assert split_sentences(text) == [
        "\u201cMost of them have to leave because of the hopeless situation.",
        "We have to take care of them,\u201d Tokayev said.",
    ]


@pytest.mark.parametrize(
    "text, value",
    [
        ("100000", Decimal(100000)),
        ("100,000", Decimal(100000)),
        ("100 000", Decimal(100000)),
        ("100\u00a0000", Decimal(100000)),
        ("2,5", Decimal("2.5")),
        ("2.5", Decimal("2.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("-3", Decimal(-3)),
        ("1.000.000", Decimal(1000000)),
    ],
)
def test_numbers_people_write(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1..2", "--1", "1e5", "∞"])
def test_not_numbers(text):
    assert parse_number(text) is None


def test_unquote():
    assert unquote('"a quote"') == "a quote"
    assert unquote("\u201ca quote\u201d") == "a quote"
    assert unquote('no "quotes" around') == 'no "quotes" around'


def test_type_names_and_aliases():
    assert lookup("Single").NAME == "single"
    assert lookup("fill in the blanks").NAME == "blanks"
    assert lookup("True/False").NAME == "true-false"
    assert lookup("essay") is None


def test_article_paragraphs_removes_repeats():
    paragraphs = article_paragraphs(SEED.read_text(encoding="utf-8"))
    assert len(paragraphs) == 10
    assert paragraphs[0].startswith("Moscow\u2019s traditional allies")
    assert article_paragraphs("One.\n\nTwo\nwrapped.\n\nOne.\n") == ["One.", "Two wrapped."]


def test_skeleton_of_the_seed_is_a_valid_lesson():
    skeleton = skeleton_from_article(SEED.read_text(encoding="utf-8"))
    result = check_text(skeleton, "new.md")
    assert result.ok, [p.format("new.md") for p in result.problems]
    assert len(result.lesson.paragraphs) == 10
    assert result.lesson.questions == () and result.lesson.glossary == ()
    assert "## Glossary" in skeleton and "## Questions" in skeleton and "<!--" in skeleton


def test_skeleton_keeps_markdown_looking_paragraphs_as_text():
    skeleton = skeleton_from_article("# Not a heading\n\n- not a list\n\n1. not a number\n")
    result = check_text(skeleton)
    assert result.ok and len(result.lesson.paragraphs) == 3


def test_skeleton_of_an_empty_article_is_still_valid():
    assert check_text(skeleton_from_article("")).ok


def test_long_slugs_are_cut_between_words():
    assert slugify("Moscow's traditional allies in Central Asia are quietly making moves", 60) == (
        "moscow-s-traditional-allies-in-central-asia-are-quietly"
    )
