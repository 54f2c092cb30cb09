"""Ordering: put events in order; partial credit by pairs in the right order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import ParseContext, QuestionBlock, opaque_id, stable_shuffle
from .grading import UNANSWERED, Grade, grade_by_fraction
from .text import fold, whole_number

NAME = "ordering"
LABEL = "Put in order"
FIELDS: frozenset[str] = frozenset()
# What the quiz page shows in an order of its own for each attempt.
SHUFFLED = ("items",)
LIST_KINDS = frozenset({"numbered"})
MAX_ITEMS = 12


@dataclass(frozen=True)
class OrderItem:
    """One thing to put in order, with an id that does not give its place away."""

    id: str
    text: str


@dataclass(frozen=True)
class OrderingSpec:
    """The items in the right order."""

    items: tuple[OrderItem, ...]


def parse(block: QuestionBlock, ctx: ParseContext) -> OrderingSpec | None:
    """Read a numbered list written in the right order."""
    items = [item for item in block.items if item.kind == "numbered"]
    if not 2 <= len(items) <= MAX_ITEMS:
        ctx.error(
            block.line,
            f"an ordering question needs 2 to {MAX_ITEMS} items written as a "
            "numbered list ('1. first', '2. second' ...) in the right order",
        )
        return None
    texts = [fold(item.text) for item in items]
    for index, item in enumerate(items):
        if not item.text.strip():
            ctx.error(item.line, "this item is empty")
        elif texts[index] in texts[:index]:
            ctx.error(item.line, "this item repeats an earlier one")
    return OrderingSpec(
        tuple(OrderItem(opaque_id(block.id, item.text), item.text.strip()) for item in items)
    )


def display(spec: OrderingSpec, inline: Callable[[str], str]) -> dict[str, Any]:
    """The items shuffled, and never shown already in the right order."""
    shuffled = stable_shuffle(list(spec.items), seed="ordering")
    if shuffled == list(spec.items):
        shuffled = shuffled[1:] + shuffled[:1]
    return {"items": [{"id": item.id, "html": inline(item.text)} for item in shuffled]}


def unsolved(display: dict[str, Any], key: dict[str, Any]) -> dict[str, Any]:
    """The display with its items moved on by one if they happen to be in the right order."""
    items = display["items"]
    if [item["id"] for item in items] == [item["id"] for item in key["items"]]:
        return {**display, "items": items[1:] + items[:1]}
    return display


def load(key: dict[str, Any]) -> OrderingSpec:
    """The spec back from its stored answer key."""
    return OrderingSpec(tuple(OrderItem(**item) for item in key["items"]))


def read_answer(spec: OrderingSpec, values: dict[str, list[str]]) -> dict[str, int]:
    """The position (1, 2 ...) the student gave each item; items left unplaced are missing."""
    positions = {}
    for item in spec.items:
        chosen = whole_number((values.get(item.id) or [""])[0].strip(), len(spec.items))
        if chosen:
            positions[item.id] = chosen
    return positions


def grade(spec: OrderingSpec, answer: dict[str, int]) -> Grade:
    """The share of pairs of items put in the right order (ties and gaps earn nothing)."""
    if not answer:
        return UNANSWERED
    ids = [item.id for item in spec.items]
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    right = sum(1 for a, b in pairs if a in answer and b in answer and answer[a] < answer[b])
    parts = {item_id: answer.get(item_id) == place for place, item_id in enumerate(ids, 1)}
    return grade_by_fraction(right / len(pairs), parts=parts)
