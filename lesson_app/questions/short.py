"""Short answer: typed text compared with accepted alternatives, leniently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import ParseContext, QuestionBlock
from .grading import UNANSWERED, Grade, grade_by_fraction, match_text
from .text import fold, whole_number

NAME = "short"
LABEL = "Short answer"
FIELDS = frozenset({"answer", "typos"})
LIST_KINDS: frozenset[str] = frozenset()
MAX_TYPOS = 3


@dataclass(frozen=True)
class ShortSpec:
    """The accepted answers and how many typing mistakes are forgiven."""

    accepted: tuple[str, ...]
    typos: int = 0


def parse_alternatives(text: str, line: int, ctx: ParseContext) -> tuple[str, ...]:
    """Split ``Putin | Vladimir Putin`` into alternatives; report empty or repeated ones."""
    alternatives: list[str] = []
    for alternative in (part.strip() for part in text.split("|")):
        if not alternative:
            ctx.error(line, "an accepted answer is empty (look for '||' or a '|' at an end)")
        elif fold(alternative) in map(fold, alternatives):
            ctx.warning(line, f"the accepted answer '{alternative}' is listed twice")
        else:
            alternatives.append(alternative)
    return tuple(alternatives)


def parse_typos(block: QuestionBlock, ctx: ParseContext) -> int:
    """Read ``Typos: N`` (0 to 3 typing mistakes forgiven); 0 when absent or wrong."""
    typos = block.field("typos")
    if typos is None:
        return 0
    value = typos.value.strip()
    number = whole_number(value, MAX_TYPOS)
    if number is None:
        ctx.error(typos.line, f"Typos must be a whole number from 0 to {MAX_TYPOS}, not '{value}'")
        return 0
    return number


def parse(block: QuestionBlock, ctx: ParseContext) -> ShortSpec | None:
    """Read ``Answer: a | b`` and the optional ``Typos: N``."""
    answer = block.field("answer")
    if answer is None:
        ctx.error(
            block.line,
            "a short-answer question needs 'Answer: ...' "
            "(several accepted answers separated by '|')",
        )
        return None
    accepted = parse_alternatives(answer.value, answer.line, ctx)
    typos = parse_typos(block, ctx)
    return ShortSpec(accepted, typos) if accepted else None


def display(spec: ShortSpec, inline: Callable[[str], str]) -> dict[str, Any]:
    """Nothing but a text box: the accepted answers stay on the server."""
    return {}


MAX_ANSWER_LENGTH = 500


def load(key: dict[str, Any]) -> ShortSpec:
    """The spec back from its stored answer key."""
    return ShortSpec(tuple(key["accepted"]), int(key["typos"]))


def read_answer(spec: ShortSpec, values: dict[str, list[str]]) -> str:
    """The typed text (cut to a sensible length)."""
    return ((values.get("") or [""])[0] or "")[:MAX_ANSWER_LENGTH]


def grade(spec: ShortSpec, answer: str) -> Grade:
    """All the points when the text matches an accepted answer (leniently), none otherwise."""
    if not answer.strip():
        return UNANSWERED
    right, notes = match_text(answer, spec.accepted, spec.typos)
    return grade_by_fraction(1.0 if right else 0.0, notes)
