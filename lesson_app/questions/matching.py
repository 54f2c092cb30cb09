"""Matching: pair each term with its definition; partial credit per pair."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import ParseContext, QuestionBlock, opaque_id, stable_shuffle
from .grading import UNANSWERED, Grade, grade_by_fraction
from .text import fold

NAME = "matching"
LABEL = "Matching"
FIELDS: frozenset[str] = frozenset()
# What the quiz page shows in an order of its own for each attempt.
SHUFFLED = ("rights",)
LIST_KINDS = frozenset({"bullet"})
MAX_PAIRS = 12


@dataclass(frozen=True)
class Pair:
    """A left side (shown in order) and the right side it belongs with (shown shuffled)."""

    left_id: str
    left: str
    right_id: str
    right: str


@dataclass(frozen=True)
class MatchingSpec:
    """The right pairs."""

    pairs: tuple[Pair, ...]


def parse(block: QuestionBlock, ctx: ParseContext) -> MatchingSpec | None:
    """Read ``- left = right`` lines; both sides must be unique."""
    items = [item for item in block.items if item.kind == "bullet"]
    if not 2 <= len(items) <= MAX_PAIRS:
        ctx.error(
            block.line, f"a matching question needs 2 to {MAX_PAIRS} pairs written '- left = right'"
        )
        return None
    pairs: list[Pair] = []
    seen: set[str] = set()
    for item in items:
        left, sign, right = (part.strip() for part in item.text.partition(" = "))
        if not sign or not left or not right:
            ctx.error(item.line, "write a pair as '- left = right', with spaces around '='")
            continue
        for side in (left, right):
            if fold(side) in seen:
                ctx.error(item.line, f"'{side}' appears twice in this question")
            seen.add(fold(side))
        pairs.append(
            Pair(opaque_id(block.id, "l", left), left, opaque_id(block.id, "r", right), right)
        )
    return MatchingSpec(tuple(pairs)) if len(pairs) == len(items) else None


def display(spec: MatchingSpec, inline: Callable[[str], str]) -> dict[str, Any]:
    """Lefts in the author's order; rights shuffled, with ids that do not reveal the pairs."""
    rights = stable_shuffle([(p.right_id, p.right) for p in spec.pairs], seed="matching")
    return {
        "lefts": [{"id": p.left_id, "html": inline(p.left)} for p in spec.pairs],
        "rights": [{"id": right_id, "html": inline(text)} for right_id, text in rights],
    }


def load(key: dict[str, Any]) -> MatchingSpec:
    """The spec back from its stored answer key."""
    return MatchingSpec(tuple(Pair(**pair) for pair in key["pairs"]))


def read_answer(spec: MatchingSpec, values: dict[str, list[str]]) -> dict[str, str]:
    """The right side chosen for each left side (unknown ids ignored)."""
    rights = {pair.right_id for pair in spec.pairs}
    answer = {}
    for pair in spec.pairs:
        chosen = (values.get(pair.left_id) or [""])[0]
        if chosen in rights:
            answer[pair.left_id] = chosen
    return answer


def grade(spec: MatchingSpec, answer: dict[str, str]) -> Grade:
    """The share of left sides matched with their right side."""
    if not answer:
        return UNANSWERED
    parts = {pair.left_id: answer.get(pair.left_id) == pair.right_id for pair in spec.pairs}
    return grade_by_fraction(sum(parts.values()) / len(spec.pairs), parts=parts)
