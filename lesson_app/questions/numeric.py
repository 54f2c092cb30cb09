"""Numeric: a number, with a tolerance, typed with or without thousands separators and units."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .base import ParseContext, QuestionBlock
from .grading import UNANSWERED, Grade, grade_by_fraction, words_removed
from .numbers import parse_number
from .text import collapse_spaces

NAME = "numeric"
LABEL = "Number"
FIELDS = frozenset({"answer", "tolerance", "units"})
LIST_KINDS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NumericSpec:
    """The right value and the accepted distance from it (absolute, or a percentage)."""

    value: str
    tolerance: str = "0"
    tolerance_percent: bool = False
    units: tuple[str, ...] = ()


def parse(block: QuestionBlock, ctx: ParseContext) -> NumericSpec | None:
    """Read ``Answer: 100,000`` and the optional ``Tolerance: 5%`` (or ``500``), ``Units: a, b``."""
    answer = block.field("answer")
    if answer is None:
        ctx.error(block.line, "a numeric question needs 'Answer: <number>'")
        return None
    value = parse_number(answer.value)
    if value is None:
        ctx.error(answer.line, f"'{answer.value.strip()}' is not a number")
    tolerance, percent = _parse_tolerance(block, ctx)
    units = block.field("units")
    unit_words = tuple(u.strip() for u in units.value.split(",") if u.strip()) if units else ()
    if value is None or tolerance is None:
        return None
    return NumericSpec(str(value), tolerance, percent, unit_words)


def _parse_tolerance(block: QuestionBlock, ctx: ParseContext) -> tuple[str | None, bool]:
    """Read the tolerance as a non-negative number, absolute or with a ``%`` sign."""
    tolerance = block.field("tolerance")
    if tolerance is None:
        return "0", False
    text = tolerance.value.strip()
    percent = text.endswith("%")
    number = parse_number(text.rstrip("%"))
    if number is None or number < 0:
        ctx.error(tolerance.line, f"Tolerance must be a number such as '500' or '5%', not '{text}'")
        return None, False
    return str(number), percent


def display(spec: NumericSpec, inline: Callable[[str], str]) -> dict[str, Any]:
    """A number box; units students may type are public, the value is not."""
    return {"units": list(spec.units)}


def load(key: dict[str, Any]) -> NumericSpec:
    """The spec back from its stored answer key."""
    return NumericSpec(
        key["value"], key["tolerance"], bool(key["tolerance_percent"]), tuple(key["units"])
    )


def read_answer(spec: NumericSpec, values: dict[str, list[str]]) -> str:
    """The typed number, as typed."""
    return ((values.get("") or [""])[0] or "")[:100]


def grade(spec: NumericSpec, answer: str) -> Grade:
    """All the points within the tolerance; separators, decimal comma and units allowed."""
    if not answer.strip():
        return UNANSWERED
    text = words_removed(answer, spec.units) if spec.units else answer
    number = parse_number(text)
    if number is None:
        return grade_by_fraction(0.0, ("this is not a number",))
    value, tolerance = Decimal(spec.value), Decimal(spec.tolerance)
    allowed = abs(value) * tolerance / 100 if spec.tolerance_percent else tolerance
    notes = ("units ignored",) if spec.units and text != collapse_spaces(answer) else ()
    return grade_by_fraction(1.0 if abs(number - value) <= allowed else 0.0, notes)
