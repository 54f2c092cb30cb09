"""Shared parts of the two choice types (single choice and multiple select)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import ParseContext, QuestionBlock
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
