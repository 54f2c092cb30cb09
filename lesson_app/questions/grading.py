"""Grades and the lenient comparison of typed answers, shared by the question types."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Literal

from .text import _QUOTES, collapse_spaces

Outcome = Literal["correct", "partial", "wrong", "unanswered"]


@dataclass(frozen=True)
class Grade:
    """How an answer scored: the share of the points earned (0 to 1), and why.

    ``notes`` tell the student how their answer was read ("accepted: case ignored");
    ``parts`` say which parts were right (per option, blank, pair...), for the result page.
    """

    fraction: float
    outcome: Outcome
    notes: tuple[str, ...] = ()
    parts: dict[str, bool] = field(default_factory=dict)

    def score(self, points: int) -> float:
        """The points earned out of ``points``, to two decimals."""
        return round(points * self.fraction, 2)


def grade_by_fraction(fraction: float, notes=(), parts=None) -> Grade:
    """A grade whose outcome follows from the fraction: all, some or none of the points."""
    fraction = min(1.0, max(0.0, fraction))
    outcome: Outcome = "correct" if fraction == 1 else "partial" if fraction > 0 else "wrong"
    return Grade(fraction, outcome, tuple(notes), parts or {})


UNANSWERED = Grade(0.0, "unanswered")
TYPO = "a small typing mistake"


def _unpunctuated(text: str) -> str:
    """Punctuation (ASCII and any Unicode punctuation) turned into spaces, spaces collapsed."""
    return collapse_spaces(
        "".join(
            " " if ch in string.punctuation or unicodedata.category(ch).startswith("P") else ch
            for ch in text
        )
    )


def _unaccented(text: str) -> str:
    """The text without diacritics (and compatibility forms such as ligatures unfolded)."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


# Each step makes the comparison more lenient; its name is shown to the student when it was
# needed for the answer to count. (``upper`` before ``casefold`` also equates dotless and
# dotted i, as a Turkish keyboard types them.)
STEPS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("spaces", collapse_spaces),
    ("case", lambda text: text.upper().casefold()),
    ("punctuation", _unpunctuated),
    ("accents", _unaccented),
)

# Every combination of steps (applied in the order above), the least lenient first: the
# notes then name only the steps an answer needed, not every step that changed something.
_COMBINATIONS: tuple[tuple[int, ...], ...] = tuple(
    sorted(
        (
            combo
            for size in range(len(STEPS) + 1)
            for combo in combinations(range(len(STEPS)), size)
        ),
        key=lambda combo: (len(combo), combo),
    )
)


def _prepared(text: str) -> str:
    """Composed Unicode with plain quotes and dashes: not the student's doing, never noted."""
    return unicodedata.normalize("NFC", text).translate(_QUOTES)


# Memoised: grading a typed answer applies every combination to each accepted answer, which
# are the same for every student (the most costly part of a submission without this).
@lru_cache(maxsize=8192)
def _applied(text: str, combo: tuple[int, ...]) -> str:
    """The text after the steps of a combination, trimmed."""
    for index in combo:
        text = STEPS[index][1](text)
    return text.strip()


def match_text(
    given: str, accepted: tuple[str, ...], typos: int = 0
) -> tuple[bool, tuple[str, ...]]:
    """Whether a typed answer matches one of the accepted ones, and what had to be ignored.

    Surrounding spaces, typographic quotes and dashes never count against an answer. Then the
    fewest steps that make the answer equal to an accepted one (spaces, case, punctuation,
    accents) are named in the notes; failing that, up to ``typos`` typing mistakes are
    forgiven, but never half or more of the accepted answer's characters (so that with
    ``Typos: 2`` any two letters do not pass for ``Xi``), and never for an answer that is
    nothing but punctuation.
    """
    if not isinstance(given, str) or not given.strip():
        return False, ()
    given_now = _prepared(given)
    accepted_now = [_prepared(a) for a in accepted if isinstance(a, str) and a.strip()]
    for combo in _COMBINATIONS:
        text = _applied(given_now, combo)
        if text and any(text == _applied(a, combo) for a in accepted_now):
            return True, tuple(STEPS[index][0] for index in combo)
    if typos > 0:
        for combo in _COMBINATIONS:
            text = _applied(given_now, combo)
            for a in accepted_now:
                target = _applied(a, combo)
                allowed = min(typos, (len(target) - 1) // 2)
                if text and allowed and edit_distance(text, target, allowed) <= allowed:
                    return True, (*(STEPS[index][0] for index in combo), TYPO)
    return False, ()


def describe(notes: tuple[str, ...]) -> str:
    """How an answer was accepted, for the student: 'accepted: case and spaces ignored'."""
    ignored = [note for note in notes if note != TYPO]
    said = [_and(ignored) + " ignored"] if ignored else []
    if TYPO in notes:
        said.append("a small typing mistake forgiven")
    return "accepted: " + "; ".join(said) if said else ""


def _and(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def edit_distance(first: str, second: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning ``limit + 1``) once it exceeds ``limit``."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i]
        for j, b in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def words_removed(text: str, words: tuple[str, ...]) -> str:
    """The text without the given words (units a student may add, such as 'people')."""
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return collapse_spaces(text)
