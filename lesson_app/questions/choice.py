"""Shared parts of the two choice types (single choice and multiple select)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import ParseContext, QuestionBlock
from .grading import UNANSWERED, Grade, grade_by_fraction
from .text import fold

MAX_OPTIONS = 12


@dataclass(frozen=True)
class Option:
    """An answer option; ``correct`` is part of the answer key."""

    id: str
    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class ChoiceSpec:
    """The options of a choice question, in the author's order."""

    options: tuple[Option, ...]

    @property
    def correct_ids(self) -> tuple[str, ...]:
        """The ids of the right options."""
        return tuple(option.id for option in self.options if option.correct)


def parse_options(block: QuestionBlock, ctx: ParseContext) -> ChoiceSpec | None:
    """Read ``- [ ]`` / ``- [x]`` options; report missing, duplicate or too many options."""
    items = [item for item in block.items if item.kind == "task"]
    if len(items) < 2:
        ctx.error(
            block.line,
            "a choice question needs at least two options written "
            "'- [ ] option' (wrong) or '- [x] option' (right)",
        )
        return None
    if len(items) > MAX_OPTIONS:
        ctx.error(items[MAX_OPTIONS].line, f"a question can have at most {MAX_OPTIONS} options")
        return None
    seen: dict[str, int] = {}
    for item in items:
        if not item.text.strip():
            ctx.error(item.line, "this option is empty")
        elif fold(item.text) in seen:
            ctx.error(item.line, f"this option repeats the option on line {seen[fold(item.text)]}")
        else:
            seen[fold(item.text)] = item.line
    return ChoiceSpec(
        tuple(
            Option(chr(ord("a") + index), item.text.strip(), item.checked, item.feedback)
            for index, item in enumerate(items)
        )
    )


def display_options(spec: ChoiceSpec, inline: Callable[[str], str]) -> dict[str, Any]:
    """The options as students see them: ids and text, nothing about which are right."""
    return {"options": [{"id": o.id, "html": inline(o.text)} for o in spec.options]}


def option_feedback(spec: ChoiceSpec, inline: Callable[[str], str]) -> dict[str, str]:
    """Per-option feedback as HTML, by option id."""
    return {o.id: inline(o.feedback) for o in spec.options if o.feedback}


def load_choice(key: dict[str, Any]) -> ChoiceSpec:
    """The spec back from its stored answer key."""
    return ChoiceSpec(tuple(Option(**option) for option in key["options"]))


def chosen_ids(spec: ChoiceSpec, values: dict[str, list[str]]) -> list[str]:
    """The option ids a form chose, in the options' order, ignoring anything unknown."""
    chosen = set(values.get("", []))
    return [option.id for option in spec.options if option.id in chosen]


def grade_single(spec: ChoiceSpec, answer: str | None) -> Grade:
    """All the points for the right option, none otherwise."""
    if not answer:
        return UNANSWERED
    right = answer in spec.correct_ids
    return grade_by_fraction(1.0 if right else 0.0, parts={answer: right})


def grade_multiple(spec: ChoiceSpec, answer: list[str]) -> Grade:
    """Right choices minus wrong ones, over the number of right options, never below zero."""
    if not answer:
        return UNANSWERED
    answer = list(dict.fromkeys(answer))  # an option chosen twice still counts once
    correct = set(spec.correct_ids)
    hits = sum(1 for option_id in answer if option_id in correct)
    misses = len(answer) - hits
    parts = {option_id: option_id in correct for option_id in answer}
    return grade_by_fraction((hits - misses) / len(correct), parts=parts)
