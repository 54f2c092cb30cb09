"""Grading of every question type: pure functions, no app and no database.

Each type module turns a question's form values into an answer (``read_answer``), grades it
(``grade``) and reads its spec back from the stored JSON key (``load``).
"""

import json
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lesson_app.lessons import check_file, check_text, render_lesson
from lesson_app.questions import (
    REGISTRY,
    blanks,
    evidence,
    matching,
    multiple,
    numeric,
    ordering,
    short,
    shuffled_display,
    single,
    true_false,
)
from lesson_app.questions.choice import ChoiceSpec, Option
from lesson_app.questions.grading import TYPO, Grade, describe, edit_distance, match_text
from lesson_app.questions.numbers import parse_number

VALID = Path(__file__).parent / "fixtures" / "valid.md"
LESSON = check_file(VALID).lesson
# valid.md has one question of each of the nine types.
PARSED = {question.type: question.spec for question in LESSON.questions}


def json_round_trip(value):
    """What the database gives back for a value stored as JSON."""
    return json.loads(json.dumps(value))


def assert_grade(grade: Grade, fraction: float, outcome: str) -> None:
    assert grade.fraction == pytest.approx(fraction)
    assert grade.outcome == outcome


def test_every_type_is_registered_with_the_grading_functions():
    assert set(REGISTRY) == {
        "single",
        "multiple",
        "true-false",
        "short",
        "numeric",
        "ordering",
        "matching",
        "blanks",
        "evidence",
    }
    assert set(PARSED) == set(REGISTRY)
    for module in REGISTRY.values():
        assert callable(module.grade) and callable(module.read_answer) and callable(module.load)


def test_a_grade_scores_points_to_two_decimals():
    assert Grade(1 / 3, "partial").score(2) == 0.67
    assert Grade(1.0, "correct").score(3) == 3


# --- single choice and true/false: all or nothing -----------------------------------------


SINGLE = PARSED["single"]  # a, b (right), c


def test_single_right_wrong_and_unanswered():
    assert SINGLE.correct_ids == ("b",)
    right = single.grade(SINGLE, single.read_answer(SINGLE, {"": ["b"]}))
    assert_grade(right, 1, "correct")
    assert right.parts == {"b": True}
    wrong = single.grade(SINGLE, single.read_answer(SINGLE, {"": ["a"]}))
    assert_grade(wrong, 0, "wrong")
    assert wrong.parts == {"a": False}
    assert single.read_answer(SINGLE, {}) is None
    assert single.grade(SINGLE, None).outcome == "unanswered"
    assert single.grade(SINGLE, "").outcome == "unanswered"


def test_single_ignores_tampered_option_ids():
    assert single.read_answer(SINGLE, {"": ["z"]}) is None
    assert single.read_answer(SINGLE, {"": ["B", "b' or 1=1"]}) is None
    assert single.read_answer(SINGLE, {"": ["zz", "c"]}) == "c"
    assert single.read_answer(SINGLE, {"": []}) is None
    assert single.grade(SINGLE, "zz").outcome == "wrong"


def test_true_false():
    spec = PARSED["true-false"]
    assert spec.answer is True
    assert_grade(true_false.grade(spec, true_false.read_answer(spec, {"": ["true"]})), 1, "correct")
    assert_grade(true_false.grade(spec, true_false.read_answer(spec, {"": ["false"]})), 0, "wrong")
    false_spec = true_false.TrueFalseSpec(False)
    assert_grade(true_false.grade(false_spec, "false"), 1, "correct")
    assert_grade(true_false.grade(false_spec, "true"), 0, "wrong")


def test_true_false_unanswered_and_tampered():
    spec = true_false.TrueFalseSpec(False)
    assert true_false.read_answer(spec, {}) is None
    assert true_false.read_answer(spec, {"": ["maybe", "TRUE"]}) is None
    assert true_false.read_answer(spec, {"": ["maybe", "false"]}) == "false"
    # Anything but "true" or "false" is no answer, not a right answer to a false statement.
    for answer in (None, "", "maybe"):
        assert true_false.grade(spec, answer).outcome == "unanswered"


# --- multiple select: right choices minus wrong ones, over the right ones --------------------

FOUR = ChoiceSpec(
    (
        Option("a", "Right one", True),
        Option("b", "Wrong one", False),
        Option("c", "Right two", True),
        Option("d", "Wrong two", False),
    )
)


@pytest.mark.parametrize(
    ("chosen", "fraction", "outcome"),
    [
        (["a", "c"], 1, "correct"),
        (["a"], 0.5, "partial"),
        (["c"], 0.5, "partial"),
        (["a", "c", "b"], 0.5, "partial"),
        (["a", "b"], 0, "wrong"),
        (["b"], 0, "wrong"),
        (["a", "b", "d"], 0, "wrong"),  # 1 - 2 is below zero: zero
        (["a", "b", "c", "d"], 0, "wrong"),  # choosing everything earns nothing
        (["a", "a"], 0.5, "partial"),  # a stored answer naming an option twice counts it once
    ],
)
def test_multiple_partial_credit(chosen, fraction, outcome):
    assert_grade(multiple.grade(FOUR, chosen), fraction, outcome)


def test_multiple_none_chosen_is_unanswered_and_parts_say_which_were_right():
    assert multiple.read_answer(FOUR, {}) == []
    assert multiple.grade(FOUR, []).outcome == "unanswered"
    assert multiple.grade(FOUR, ["a", "b"]).parts == {"a": True, "b": False}


def test_multiple_read_answer_keeps_known_ids_once_in_option_order():
    assert multiple.read_answer(FOUR, {"": ["c", "zz", "a", "a"]}) == ["a", "c"]
    spec = PARSED["multiple"]
    assert_grade(multiple.grade(spec, multiple.read_answer(spec, {"": ["a", "c"]})), 1, "correct")


# --- short answer: lenient comparison ----------------------------------------------------

PUTIN = short.ShortSpec(("Vladimir Putin", "Putin"))


def short_grade(answer, accepted=("Vladimir Putin", "Putin"), typos=0):
    return short.grade(short.ShortSpec(tuple(accepted), typos), answer)


@pytest.mark.parametrize(
    ("answer", "notes"),
    [
        ("Putin", ()),
        ("Vladimir Putin", ()),
        ("  Putin ", ()),  # surrounding spaces are never the student's fault
        ("putin", ("case",)),
        ("VLADIMIR PUTIN", ("case",)),
        ("Vladimir   Putin", ("spaces",)),
        ("vladimir  putin", ("spaces", "case")),
        ("Putin.", ("punctuation",)),  # not "case": the case was right
        ("Vladimir-Putin!", ("punctuation",)),
        ("«Putin»", ("punctuation",)),
        ("¿putin?", ("case", "punctuation")),
        ("Pútin", ("accents",)),
        ("pútin!", ("case", "punctuation", "accents")),
    ],
)
def test_short_accepted_alternatives_and_the_steps_they_needed(answer, notes):
    grade = short_grade(answer)
    assert_grade(grade, 1, "correct")
    assert grade.notes == notes


def test_short_typographic_quotes_and_dashes_are_taken_as_plain_ones():
    grade = short_grade("Russia\u2019s \u201cneighbours\u201d", ['Russia\'s "neighbours"'])
    assert_grade(grade, 1, "correct")
    assert grade.notes == ()
    assert short_grade("Kazakh\u2013Russian border", ["Kazakh-Russian border"]).notes == ()
    assert short_grade("Kazakh\u2014Russian border", ["Kazakh-Russian border"]).notes == ()


def test_short_diacritics_either_way():
    assert short_grade("Kazakhstán", ["Kazakhstan"]).notes == ("accents",)
    assert short_grade("Kazakhstan", ["Kazakhstán"]).notes == ("accents",)
    assert short_grade("kazakhstan", ["Kazakhstán"]).notes == ("case", "accents")
    # Decomposed accents (as some keyboards send them) equal composed ones without any note.
    assert short_grade("Kazakhsta\u0301n", ["Kazakhstán"]).notes == ()


def test_short_a_different_spelling_is_not_an_accent():
    assert_grade(short_grade("Tokaiev", ["Tokayev"]), 0, "wrong")
    lenient = short_grade("Tokaiev", ["Tokayev"], typos=1)
    assert_grade(lenient, 1, "correct")
    assert lenient.notes == (TYPO,)


@pytest.mark.parametrize(
    ("answer", "typos", "right"),
    [
        ("Putn", 1, True),
        ("Putn", 0, False),
        ("Ptn", 1, False),  # two mistakes, one forgiven
        ("Ptn", 2, True),
        ("Puitn", 1, False),  # a swap is two edits
        ("Vladimir Ptin", 1, True),
        ("Vladimir Ptn", 1, False),
        ("Medvedev", 2, False),
        ("Xi Jinping", 2, False),
    ],
)
def test_short_typo_tolerance(answer, typos, right):
    grade = short_grade(answer, typos=typos)
    assert grade.outcome == ("correct" if right else "wrong")
    if right:
        assert grade.notes[-1] == TYPO


def test_short_typos_combine_with_the_other_steps():
    assert short_grade("putn", typos=1).notes == ("case", TYPO)


def test_short_typos_never_forgive_half_the_answer():
    # With two typos forgiven, any two letters would otherwise pass for "Xi".
    assert short_grade("zz", ["Xi"], typos=2).outcome == "wrong"
    assert short_grade("X", ["Xi"], typos=2).outcome == "wrong"
    assert short_grade("Xi", ["Xi"], typos=2).outcome == "correct"
    assert short_grade("Kyev", ["Kyiv"], typos=2).outcome == "correct"  # one mistake in four


def test_short_punctuation_alone_matches_nothing():
    assert short_grade("?", ["Xi"], typos=2).outcome == "wrong"
    assert short_grade("...", ["Putin"], typos=3).outcome == "wrong"
    assert short_grade("!!!", ["?"]).outcome == "wrong"


@pytest.mark.parametrize("answer", ["", "   ", "\n\t"])
def test_short_empty_is_unanswered(answer):
    assert short.grade(PUTIN, answer).outcome == "unanswered"


def test_short_read_answer():
    assert short.read_answer(PUTIN, {}) == ""
    assert short.read_answer(PUTIN, {"": []}) == ""
    assert short.read_answer(PUTIN, {"": [" Putin "]}) == " Putin "
    assert len(short.read_answer(PUTIN, {"": ["x" * 10_000]})) == short.MAX_ANSWER_LENGTH


def test_short_from_the_lesson_file_forgives_one_typo():
    spec = PARSED["short"]
    assert spec.typos == 1
    assert short.grade(spec, short.read_answer(spec, {"": ["vladimir putn"]})).notes == (
        "case",
        TYPO,
    )


@pytest.mark.parametrize(
    ("notes", "said"),
    [
        ((), ""),
        (("case",), "accepted: case ignored"),
        (("case", "spaces"), "accepted: case and spaces ignored"),
        (("spaces", "case", "accents"), "accepted: spaces, case and accents ignored"),
        ((TYPO,), "accepted: a small typing mistake forgiven"),
        (("case", TYPO), "accepted: case ignored; a small typing mistake forgiven"),
    ],
)
def test_describe_notes(notes, said):
    assert describe(notes) == said


def test_describe_what_a_student_sees():
    assert describe(short_grade("vladimir  putin").notes) == "accepted: spaces and case ignored"


def test_edit_distance_gives_up_past_the_limit():
    assert edit_distance("Putin", "Putin", 1) == 0
    assert edit_distance("Putn", "Putin", 1) == 1
    assert edit_distance("Ptn", "Putin", 3) == 2
    assert edit_distance("abcdef", "uvwxyz", 2) == 3
    assert edit_distance("a", "abcdef", 2) == 3


# --- numeric -----------------------------------------------------------------------------

RUSSIANS = PARSED["numeric"]  # 100,000 within 5%, units "Russians" and "people"


@pytest.mark.parametrize(
    "answer",
    ["100000", "100,000", "100 000", "100\u00a0000", "99 000", "95,000", "105000", "100000.0"],
)
def test_numeric_within_tolerance(answer):
    grade = numeric.grade(RUSSIANS, numeric.read_answer(RUSSIANS, {"": [answer]}))
    assert_grade(grade, 1, "correct")
    assert grade.notes == ()


@pytest.mark.parametrize("answer", ["94,000", "94 999", "105,001", "-100000", "0", "1000000"])
def test_numeric_outside_tolerance(answer):
    grade = numeric.grade(RUSSIANS, answer)
    assert_grade(grade, 0, "wrong")
    assert grade.notes == ()


def test_numeric_units_ignored_when_allowed():
    for answer in ("100,000 people", "100 000 Russians", "100000 PEOPLE", "people 100,000"):
        grade = numeric.grade(RUSSIANS, answer)
        assert_grade(grade, 1, "correct")
        assert grade.notes == ("units ignored",)
    # Repeated spaces in the number are no unit: no note.
    assert numeric.grade(RUSSIANS, "100  000").notes == ()
    # A unit glued to the number, or another word, makes it no number.
    assert numeric.grade(RUSSIANS, "100,000people").notes == ("this is not a number",)
    assert numeric.grade(RUSSIANS, "100,000 soldiers").notes == ("this is not a number",)


def test_numeric_units_refused_when_not_allowed():
    spec = numeric.NumericSpec("100000", "5", True)
    grade = numeric.grade(spec, "100,000 people")
    assert_grade(grade, 0, "wrong")
    assert grade.notes == ("this is not a number",)


@pytest.mark.parametrize("answer", ["lots", "1e5", "100,000,0", "½", "--1"])
def test_numeric_not_a_number_is_wrong_with_a_note(answer):
    grade = numeric.grade(RUSSIANS, answer)
    assert_grade(grade, 0, "wrong")
    assert grade.notes == ("this is not a number",)


def test_numeric_decimal_comma():
    spec = numeric.NumericSpec("2.5")
    for answer in ("2,5", "2.5", "2,50", " 2.5 "):
        assert numeric.grade(spec, answer).outcome == "correct"
    for answer in ("25", "2", "2,6"):
        assert numeric.grade(spec, answer).outcome == "wrong"


def test_numeric_negative_numbers():
    spec = numeric.NumericSpec("-3")
    for answer in ("-3", "\u22123", "-3,0"):
        assert numeric.grade(spec, answer).outcome == "correct"
    assert numeric.grade(spec, "3").outcome == "wrong"
    # A percentage of a negative value is a distance on either side of it.
    percent = numeric.NumericSpec("-100", "10", True)
    assert numeric.grade(percent, "-91").outcome == "correct"
    assert numeric.grade(percent, "-110").outcome == "correct"
    assert numeric.grade(percent, "-89").outcome == "wrong"
    assert numeric.grade(percent, "100").outcome == "wrong"


def test_numeric_absolute_tolerance():
    spec = numeric.NumericSpec("1991", "1")
    for answer in ("1990", "1991", "1992", "1991,5"):
        assert numeric.grade(spec, answer).outcome == "correct"
    for answer in ("1989", "1993", "1992.01"):
        assert numeric.grade(spec, answer).outcome == "wrong"
    exact = numeric.NumericSpec("7")
    assert numeric.grade(exact, "7").outcome == "correct"
    assert numeric.grade(exact, "7.001").outcome == "wrong"


def test_numeric_empty_is_unanswered():
    assert numeric.read_answer(RUSSIANS, {}) == ""
    assert numeric.grade(RUSSIANS, "").outcome == "unanswered"
    assert numeric.grade(RUSSIANS, "  ").outcome == "unanswered"


def test_numeric_spec_from_a_lesson():
    assert numeric.NumericSpec("100000", "5", True, ("Russians", "people")) == RUSSIANS


# --- ordering: pairs in the right order --------------------------------------------------

FOUR_STEPS = ordering.OrderingSpec(
    tuple(ordering.OrderItem(item_id, text) for item_id, text in zip("wxyz", "ABCD", strict=True))
)  # 6 pairs


@pytest.mark.parametrize(
    ("positions", "fraction", "outcome"),
    [
        ({"w": 1, "x": 2, "y": 3, "z": 4}, 1, "correct"),
        ({"w": 4, "x": 3, "y": 2, "z": 1}, 0, "wrong"),
        ({"w": 2, "x": 1, "y": 3, "z": 4}, 5 / 6, "partial"),  # one adjacent swap
        ({"w": 1, "x": 2, "y": 4, "z": 3}, 5 / 6, "partial"),
        ({"w": 4, "x": 2, "y": 3, "z": 1}, 1 / 6, "partial"),  # first and last swapped
        ({"w": 1, "x": 2, "y": 3}, 3 / 6, "partial"),  # z unplaced: its 3 pairs earn nothing
        ({"w": 1}, 0, "wrong"),
        ({"w": 1, "x": 1, "y": 3, "z": 4}, 5 / 6, "partial"),  # a tie earns nothing
        ({"w": 1, "x": 1, "y": 1, "z": 1}, 0, "wrong"),
        ({"w": 1, "x": 3, "y": 7, "z": 9}, 1, "correct"),  # gaps keep the order
    ],
)
def test_ordering_partial_credit_by_pairs(positions, fraction, outcome):
    assert_grade(ordering.grade(FOUR_STEPS, positions), fraction, outcome)


def test_ordering_one_adjacent_swap_loses_one_pair_of_any_length():
    for size in range(2, ordering.MAX_ITEMS + 1):
        spec = ordering.OrderingSpec(
            tuple(ordering.OrderItem(f"i{n}", str(n)) for n in range(size))
        )
        positions = {f"i{n}": n + 1 for n in range(size)}
        positions["i0"], positions["i1"] = 2, 1
        pairs = size * (size - 1) // 2
        assert ordering.grade(spec, positions).fraction == pytest.approx((pairs - 1) / pairs)


def test_ordering_parts_and_unanswered():
    grade = ordering.grade(FOUR_STEPS, {"w": 2, "x": 1, "y": 3, "z": 4})
    assert grade.parts == {"w": False, "x": False, "y": True, "z": True}
    assert ordering.grade(FOUR_STEPS, {}).outcome == "unanswered"


def test_ordering_read_answer_ignores_what_is_not_a_position():
    values = {
        "w": ["1"],
        "x": ["0"],  # below range
        "y": ["5"],  # above range
        "z": ["\u00b2"],  # a superscript two: a digit to str.isdigit, not to int()
        "elsewhere": ["2"],
    }
    assert ordering.read_answer(FOUR_STEPS, values) == {"w": 1}
    assert ordering.read_answer(FOUR_STEPS, {"w": [" 2 "], "x": [], "y": ["-1"], "z": [""]}) == {
        "w": 2
    }
    assert ordering.read_answer(FOUR_STEPS, {"w": ["\u0663"], "x": ["two"]}) == {}


def test_ordering_from_a_lesson_file():
    spec = PARSED["ordering"]
    shown = [item["id"] for item in ordering.display(spec, str)["items"]]
    assert shown != [item.id for item in spec.items]  # never shown already in order
    values = {item.id: [str(place)] for place, item in enumerate(spec.items, 1)}
    assert ordering.grade(spec, ordering.read_answer(spec, values)).outcome == "correct"


# --- matching ------------------------------------------------------------------------------

PRESIDENTS = matching.MatchingSpec(
    (
        matching.Pair("l1", "Putin", "r1", "Russian president"),
        matching.Pair("l2", "Tokayev", "r2", "Kazakh president"),
        matching.Pair("l3", "Mirziyoyev", "r3", "Uzbek president"),
    )
)


@pytest.mark.parametrize(
    ("answer", "fraction", "outcome"),
    [
        ({"l1": "r1", "l2": "r2", "l3": "r3"}, 1, "correct"),
        ({"l1": "r1", "l2": "r3", "l3": "r2"}, 1 / 3, "partial"),
        ({"l1": "r1"}, 1 / 3, "partial"),
        ({"l1": "r1", "l2": "r1", "l3": "r1"}, 1 / 3, "partial"),  # one right side for all
        ({"l1": "r2", "l2": "r3", "l3": "r1"}, 0, "wrong"),
        ({}, 0, "unanswered"),
    ],
)
def test_matching_credit_per_pair(answer, fraction, outcome):
    assert_grade(matching.grade(PRESIDENTS, answer), fraction, outcome)


def test_matching_parts():
    grade = matching.grade(PRESIDENTS, {"l1": "r1", "l2": "r3"})
    assert grade.parts == {"l1": True, "l2": False, "l3": False}


def test_matching_read_answer_ignores_unknown_ids():
    values = {"l1": ["r1"], "l2": ["r9"], "l3": [""], "l4": ["r3"], "": ["r2"]}
    assert matching.read_answer(PRESIDENTS, values) == {"l1": "r1"}
    assert matching.read_answer(PRESIDENTS, {"l1": [], "l2": ["l2"]}) == {}


def test_matching_from_a_lesson_file():
    spec = PARSED["matching"]
    values = {pair.left_id: [pair.right_id] for pair in spec.pairs}
    assert matching.grade(spec, matching.read_answer(spec, values)).outcome == "correct"


# --- fill in the blanks ----------------------------------------------------------------------

CLOZE = blanks.BlanksSpec(
    "Almost [[100,000|100 000]] Russians entered [[Kazakhstan]] after [[Putin]] spoke.",
    (("100,000", "100 000"), ("Kazakhstan",), ("Putin",)),
)


@pytest.mark.parametrize(
    ("answer", "fraction", "parts"),
    [
        (["100,000", "Kazakhstan", "Putin"], 1, [True, True, True]),
        (["100 000", "Kazakhstan", ""], 2 / 3, [True, True, False]),
        (["", "", "Putin"], 1 / 3, [False, False, True]),
        (["50,000", "Russia", "Medvedev"], 0, [False, False, False]),
        (["100,000"], 1 / 3, [True, False, False]),  # a short list: the rest are empty
    ],
)
def test_blanks_credit_per_blank(answer, fraction, parts):
    grade = blanks.grade(CLOZE, answer)
    assert grade.fraction == pytest.approx(fraction)
    assert grade.parts == {str(index): right for index, right in enumerate(parts)}


def test_blanks_each_compared_like_a_short_answer_with_notes_merged():
    grade = blanks.grade(CLOZE, ["100.000", "kazakhstán", "putin"])
    assert_grade(grade, 1, "correct")
    assert grade.notes == ("punctuation", "case", "accents")
    assert describe(grade.notes) == "accepted: punctuation, case and accents ignored"


def test_blanks_typos():
    strict = blanks.grade(CLOZE, ["100,000", "Kazakstan", "Ptin"])
    assert_grade(strict, 1 / 3, "partial")
    assert strict.notes == ()
    lenient_spec = blanks.BlanksSpec(CLOZE.text, CLOZE.blanks, 1)
    lenient = blanks.grade(lenient_spec, ["100,000", "Kazakstan", "Ptin"])
    assert_grade(lenient, 1, "correct")
    assert lenient.notes == (TYPO,)


def test_blanks_unanswered_and_read_answer():
    assert blanks.grade(CLOZE, ["", " ", ""]).outcome == "unanswered"
    assert blanks.grade(CLOZE, []).outcome == "unanswered"
    assert blanks.read_answer(CLOZE, {"0": ["a"], "2": ["c"], "7": ["x"], "": ["y"]}) == [
        "a",
        "",
        "c",
    ]
    assert blanks.read_answer(CLOZE, {"1": []}) == ["", "", ""]


def test_blanks_from_a_lesson_file():
    spec = PARSED["blanks"]
    answer = blanks.read_answer(spec, {"0": ["100 000"], "1": ["Kazakhstan"]})
    assert_grade(blanks.grade(spec, answer), 1, "correct")


# --- evidence: overlap -------------------------------------------------------------------

SENTENCES = evidence.EvidenceSpec(
    (("p1s1", "A."), ("p1s2", "B."), ("p2s1", "C."), ("p2s2", "D.")),
    ("p1s2", "p2s1"),
)


@pytest.mark.parametrize(
    ("chosen", "fraction", "outcome"),
    [
        (["p1s2", "p2s1"], 1, "correct"),
        (["p1s2"], 1 / 2, "partial"),
        (["p1s2", "p2s2"], 1 / 3, "partial"),
        (["p1s1", "p1s2", "p2s1", "p2s2"], 2 / 4, "partial"),
        (["p1s1"], 0, "wrong"),
        ([], 0, "unanswered"),
    ],
)
def test_evidence_credit_by_overlap(chosen, fraction, outcome):
    assert_grade(evidence.grade(SENTENCES, chosen), fraction, outcome)


def test_evidence_parts_and_read_answer():
    assert evidence.grade(SENTENCES, ["p1s1", "p1s2"]).parts == {"p1s1": False, "p1s2": True}
    values = {"": ["p2s1", "p9s9", "p1s2", "p2s1", ""]}
    assert evidence.read_answer(SENTENCES, values) == ["p1s2", "p2s1"]
    assert evidence.read_answer(SENTENCES, {}) == []


def test_evidence_from_a_lesson_file():
    spec = PARSED["evidence"]
    assert spec.sentences == ("p3s1",)
    assert evidence.grade(spec, evidence.read_answer(spec, {"": ["p3s1"]})).outcome == "correct"


# --- every type: the stored key and the stored answer -------------------------------------


def right_values(type_name, spec):
    """The form values that answer a question right."""
    if type_name in ("single", "multiple"):
        return {"": list(spec.correct_ids)}
    if type_name == "true-false":
        return {"": [str(spec.answer).lower()]}
    if type_name == "short":
        return {"": [spec.accepted[-1]]}
    if type_name == "numeric":
        return {"": [spec.value]}
    if type_name == "ordering":
        return {item.id: [str(place)] for place, item in enumerate(spec.items, 1)}
    if type_name == "matching":
        return {pair.left_id: [pair.right_id] for pair in spec.pairs}
    if type_name == "blanks":
        return {str(index): [accepted[0]] for index, accepted in enumerate(spec.blanks)}
    return {"": list(spec.sentences)}


SMALL_LESSON = """\
---
title: A small lesson
slug: a-small-lesson
summary: One of every type, written differently from valid.md.
level: A2
---

Ásia Central é grande. O Cazaquistão fica na Ásia Central.

Mais de 100 000 pessoas chegaram.

## Questions

### Pick {#pick}
Type: single
- [ ] one
- [x] two

### Pick many {#many}
Type: multiple
- [x] one
- [x] two
- [ ] three

### True? {#tf}
Type: true-false
Answer: false

### Which country? {#country}
Type: short
Answer: Cazaquistão | Kazakhstan
Typos: 2

### How many? {#count}
Type: numeric
Answer: 100 000
Tolerance: 500
Units: pessoas

### Order {#order}
Type: ordering
1. first
2. second
3. third
4. fourth

### Match {#match}
Type: matching
- a = b
- c = d
- e = f

### Fill {#fill}
Type: blanks
Typos: 1
[[Ásia|Asia]] Central é [[grande]].

### Evidence {#evid}
Type: evidence
Evidence: "O Cazaquistão fica na Ásia Central"
Evidence: "Mais de 100 000 pessoas chegaram"
"""

SMALL = check_text(SMALL_LESSON)
ALL_QUESTIONS = [*LESSON.questions, *SMALL.lesson.questions] if SMALL.lesson else []


def test_the_small_lesson_parses():
    assert SMALL.lesson is not None, SMALL.problems
    assert {q.type for q in SMALL.lesson.questions} == set(REGISTRY)


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: f"{q.type}-{q.id}")
def test_load_round_trips_the_stored_key(question):
    module = REGISTRY[question.type]
    key = json_round_trip(asdict(question.spec))
    assert module.load(key) == question.spec


@pytest.mark.parametrize(
    ("type_name", "spec"),
    [
        ("single", FOUR),
        ("multiple", FOUR),
        ("true-false", true_false.TrueFalseSpec(False)),
        ("short", short.ShortSpec(("Kazakhstán", "Kazakhstan"), 2)),
        ("numeric", numeric.NumericSpec("-2.5", "0.1", False, ("km", "kilometres"))),
        ("ordering", FOUR_STEPS),
        ("matching", PRESIDENTS),
        ("blanks", blanks.BlanksSpec(CLOZE.text, CLOZE.blanks, 1)),
        ("evidence", SENTENCES),
    ],
)
def test_load_round_trips_constructed_specs(type_name, spec):
    assert REGISTRY[type_name].load(json_round_trip(asdict(spec))) == spec


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: f"{q.type}-{q.id}")
def test_a_right_answer_stored_as_json_grades_correct(question):
    module = REGISTRY[question.type]
    spec = module.load(json_round_trip(asdict(question.spec)))
    answer = json_round_trip(module.read_answer(spec, right_values(question.type, spec)))
    assert module.grade(spec, answer).outcome == "correct"


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: f"{q.type}-{q.id}")
def test_an_empty_form_is_unanswered(question):
    module = REGISTRY[question.type]
    grade = module.grade(question.spec, module.read_answer(question.spec, {}))
    assert grade.outcome == "unanswered" and grade.fraction == 0


def test_the_small_lesson_grades_leniently():
    by_id = {q.id: q for q in SMALL.lesson.questions}
    country = by_id["country"].spec
    assert short.grade(country, "cazaquistao").notes == ("case", "accents")
    assert short.grade(country, "Kazakstan").notes == (TYPO,)
    count = by_id["count"].spec
    assert numeric.grade(count, "100 400 pessoas").outcome == "correct"
    assert numeric.grade(count, "99,499").outcome == "wrong"
    fill = by_id["fill"].spec
    assert blanks.grade(fill, ["asia", "grnde"]).notes == ("case", TYPO)


# --- properties --------------------------------------------------------------------------

NON_BLANK = st.text(min_size=1).filter(lambda text: text.strip())
ALPHANUMERIC = st.text(
    st.characters(categories=("Lu", "Ll", "Lt", "Lo", "Nd")), min_size=1, max_size=20
)
AROUND = st.text(
    " \t.,;:!?\"'()[]-\u2013\u2014\u201c\u201d\u2019\u00ab\u00bb\u00bf\u00a1", max_size=4
)


@given(NON_BLANK, st.integers(0, 3))
def test_any_text_matches_itself(text, typos):
    assert match_text(text, (text,), typos) == (True, ())


@given(
    ALPHANUMERIC,
    st.sampled_from([str.upper, str.lower, str.swapcase, str.title, str.capitalize]),
    AROUND,
    AROUND,
)
def test_case_spaces_and_punctuation_around_an_answer_still_match(answer, change, before, after):
    typed = before + change(answer) + after
    right, notes = match_text(typed, (answer,))
    assert right
    assert set(notes) <= {"spaces", "case", "punctuation", "accents"}


@given(ALPHANUMERIC, ALPHANUMERIC)
def test_words_separated_by_any_spaces_or_punctuation_match(first, second):
    accepted = (f"{first} {second}",)
    assert match_text(f"{first}   {second}", accepted)[0]
    assert match_text(f"{first}-{second}", accepted)[0]
    assert match_text(f"{first}, {second}.", accepted)[0]


@given(st.text(), st.lists(st.text(), max_size=3), st.integers(0, 3))
def test_match_text_never_raises(typed, accepted, typos):
    right, notes = match_text(typed, tuple(accepted), typos)
    assert isinstance(right, bool)
    assert right or notes == ()
    assert isinstance(describe(notes), str)


def levenshtein(first, second):
    """The plain, unbounded edit distance, to check the bounded one against."""
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i]
        for j, b in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


SHORT_TEXT = st.text("abc", max_size=8) | st.text(max_size=8)


@given(SHORT_TEXT, SHORT_TEXT, st.integers(0, 3))
def test_edit_distance_is_levenshtein_capped_at_limit_plus_one(first, second, limit):
    distance = edit_distance(first, second, limit)
    assert distance == min(levenshtein(first, second), limit + 1)
    assert distance == edit_distance(second, first, limit)


def some_text():
    return st.text(max_size=8)


def answer_strategies(type_name, spec):
    """Random stored answers for a spec, known ids mixed with anything."""
    if type_name in ("single", "multiple"):
        ids = st.sampled_from([o.id for o in spec.options]) | some_text()
        return st.none() | ids if type_name == "single" else st.lists(ids, max_size=6)
    if type_name == "true-false":
        return st.none() | st.sampled_from(["true", "false"]) | some_text()
    if type_name in ("short", "numeric"):
        number = st.integers(-(10**7), 10**7).map(lambda n: f"{n:,}")
        return st.text(max_size=30) | number | number.map(lambda n: n + " people")
    if type_name == "ordering":
        ids = st.sampled_from([item.id for item in spec.items]) | some_text()
        return st.dictionaries(ids, st.integers(-3, 15), max_size=14)
    if type_name == "matching":
        lefts = st.sampled_from([p.left_id for p in spec.pairs]) | some_text()
        rights = st.sampled_from([p.right_id for p in spec.pairs]) | some_text()
        return st.dictionaries(lefts, rights, max_size=6)
    if type_name == "blanks":
        return st.lists(st.text(max_size=12), max_size=len(spec.blanks) + 2)
    refs = st.sampled_from([ref for ref, _ in spec.choices]) | some_text()
    return st.lists(refs, max_size=8)


def check_grade(grade):
    assert 0 <= grade.fraction <= 1
    expected = {1: "correct", 0: "wrong"}.get(grade.fraction, "partial")
    if grade.outcome == "unanswered":
        assert grade.fraction == 0
    else:
        assert grade.outcome == expected


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: f"{q.type}-{q.id}")
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_grades_of_random_answers_stay_between_0_and_1(question, data):
    module = REGISTRY[question.type]
    answer = data.draw(answer_strategies(question.type, question.spec))
    check_grade(module.grade(question.spec, answer))


def form_suffixes(type_name, spec):
    if type_name == "ordering":
        return [item.id for item in spec.items]
    if type_name == "matching":
        return [pair.left_id for pair in spec.pairs]
    if type_name == "blanks":
        return [str(index) for index in range(len(spec.blanks))]
    return [""]


def form_values(type_name, spec):
    """Every value the form could send, right or not."""
    known = {
        "single": lambda: [o.id for o in spec.options],
        "multiple": lambda: [o.id for o in spec.options],
        "true-false": lambda: ["true", "false"],
        "ordering": lambda: [str(n) for n in range(len(spec.items) + 2)],
        "matching": lambda: [p.right_id for p in spec.pairs],
        "evidence": lambda: [ref for ref, _ in spec.choices],
    }.get(type_name, lambda: ["x"])()
    return st.sampled_from(known) | st.text(max_size=10)


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: f"{q.type}-{q.id}")
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_form_reads_into_a_storable_answer_with_a_fair_grade(question, data):
    module, spec = REGISTRY[question.type], question.spec
    suffixes = st.sampled_from(form_suffixes(question.type, spec)) | st.text(max_size=4)
    values = data.draw(
        st.dictionaries(suffixes, st.lists(form_values(question.type, spec), max_size=4))
    )
    answer = module.read_answer(spec, values)
    stored = json_round_trip(answer)
    check_grade(module.grade(spec, stored))
    assert module.grade(spec, stored) == module.grade(spec, answer)


@given(st.text())
def test_parse_number_never_raises(text):
    number = parse_number(text)
    assert number is None or number.is_finite()


@given(st.integers(-(10**15), 10**15), st.sampled_from([",", " ", "\u00a0", "\u202f", "'"]))
def test_parse_number_reads_integers_with_thousands_separators(number, separator):
    assert parse_number(str(number)) == number
    assert parse_number(f"{number:,}".replace(",", separator)) == number


@given(st.integers(10**6, 10**15), st.booleans())
def test_parse_number_reads_dots_as_thousands_when_there_are_several(number, negative):
    text = f"{number:,}".replace(",", ".")
    assert parse_number(("-" if negative else "") + text) == (-number if negative else number)


@given(st.integers(0, 10**9), st.integers(0, 99))
def test_parse_number_reads_the_decimal_comma(whole, hundredths):
    expected = Decimal(f"{whole}.{hundredths:02d}")
    assert parse_number(f"{whole},{hundredths:02d}") == expected
    assert parse_number(f"{whole:,}".replace(",", " ") + f",{hundredths:02d}") == expected
    assert parse_number(f"{whole:,}".replace(",", ".") + f",{hundredths:02d}") == expected
    assert parse_number(f"{whole:,}.{hundredths:02d}") == expected


def test_an_attempts_shuffle_never_shows_an_ordering_in_the_right_order():
    rendered = render_lesson(check_file(VALID).lesson, "/g")
    question = next(q for q in rendered.questions if q.type == "ordering")
    right = [item["id"] for item in question.key["items"]]
    for seed in range(200):
        shown = shuffled_display("ordering", question.display, question.key, f"s{seed}")
        assert [item["id"] for item in shown["items"]] != right
        assert sorted(item["id"] for item in shown["items"]) == sorted(right)
