"""True or false: a statement to judge; full marks or none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import ParseContext, QuestionBlock
from .grading import UNANSWERED, Grade, grade_by_fraction

NAME = "true-false"
LABEL = "True or false"
FIELDS = frozenset({"answer"})
LIST_KINDS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TrueFalseSpec:
    """Whether the statement is true."""

    answer: bool


def parse(block: QuestionBlock, ctx: ParseContext) -> TrueFalseSpec | None:
    """Read ``Answer: true`` or ``Answer: false``."""
    answer = block.field("answer")
    if answer is None:
        ctx.error(block.line, "a true-false question needs 'Answer: true' or 'Answer: false'")
        return None
    value = answer.value.strip().lower()
    if value not in ("true", "false"):
        ctx.error(answer.line, f"the answer must be 'true' or 'false', not '{answer.value}'")
        return None
    return TrueFalseSpec(value == "true")


def display(spec: TrueFalseSpec, inline: Callable[[str], str]) -> dict[str, Any]:
    """The two choices, the same for every statement."""
    return {"options": [{"id": "true", "html": "True"}, {"id": "false", "html": "False"}]}


def load(key: dict[str, Any]) -> TrueFalseSpec:
    """The spec back from its stored answer key."""
    return TrueFalseSpec(bool(key["answer"]))


def read_answer(spec: TrueFalseSpec, values: dict[str, list[str]]) -> str | None:
    """'true', 'false' or None."""
    chosen = [value for value in values.get("", []) if value in ("true", "false")]
    return chosen[0] if chosen else None


def grade(spec: TrueFalseSpec, answer: str | None) -> Grade:
    """All the points for the right judgement, none otherwise."""
    if answer not in ("true", "false"):
        return UNANSWERED
    right = (answer == "true") == spec.answer
    return grade_by_fraction(1.0 if right else 0.0, parts={answer: right})
