"""Pure statistics of teachers' results, against values worked out by hand."""

import pytest

from lesson_app.services.statistics import (
    discrimination,
    group_size,
    histogram,
    mean,
    median,
    spreadsheet_safe,
)


def test_mean_and_median():
    assert mean([]) is None and median([]) is None
    assert mean([1, 2, 6]) == 3
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 2]) == 2.5


@pytest.mark.parametrize("count, size", [(0, 0), (1, 0), (2, 1), (4, 1), (10, 3), (30, 8)])
def test_groups_are_27_percent_of_the_class(count, size):
    assert group_size(count) == size


def test_discrimination_upper_minus_lower_group():
    # 10 students, totals 0.0 .. 0.9; groups of 3: lower s0-s2, upper s7-s9
    totals = {s: s / 10 for s in range(10)}
    item = {0: 0, 1: 0, 2: 1, 3: 1, 4: 0, 5: 1, 6: 1, 7: 1, 8: 1, 9: 0.5}
    # upper mean (1 + 1 + 0.5) / 3 = 0.8333; lower mean (0 + 0 + 1) / 3 = 0.3333
    assert discrimination(totals, item) == pytest.approx(0.5)


def test_a_question_the_weak_get_right_discriminates_negatively():
    totals = {1: 0.1, 2: 0.2, 3: 0.9, 4: 1.0}
    assert discrimination(totals, {1: 1, 2: 1, 3: 0, 4: 0}) == pytest.approx(-1)


def test_discrimination_needs_two_students():
    assert discrimination({1: 0.5}, {1: 1}) is None


def test_histogram_bands():
    bands = histogram([0, 9.9, 10, 55, 100, 99.9])
    assert bands[0] == ("0\u20139 %", 2)
    assert bands[1] == ("10\u201319 %", 1)
    assert bands[5] == ("50\u201359 %", 1)
    assert bands[9] == ("90\u2013100 %", 2)
    assert sum(n for _, n in bands) == 6


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("+31 6", "'+31 6"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Zoë", "Zoë"),
        (None, ""),
        (3, "3"),
    ],
)
def test_spreadsheet_safe_cells(value, cell):
    assert spreadsheet_safe(value) == cell
