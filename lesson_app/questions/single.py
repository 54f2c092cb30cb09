"""Single choice: exactly one right option; full marks or none."""

from __future__ import annotations

from .base import ParseContext, QuestionBlock
from .choice import (
    ChoiceSpec,
    chosen_ids,
    display_options,
    grade_single,
    load_choice,
    option_feedback,
    parse_options,
)

NAME = "single"
LABEL = "Single choice"
FIELDS: frozenset[str] = frozenset()
# What the quiz page shows in an order of its own for each attempt.
SHUFFLED = ("options",)
LIST_KINDS = frozenset({"task"})
display = display_options
feedback = option_feedback


def parse(block: QuestionBlock, ctx: ParseContext) -> ChoiceSpec | None:
    """Read the options; exactly one must be marked right with ``[x]``."""
    spec = parse_options(block, ctx)
    if spec is not None and len(spec.correct_ids) != 1:
        ctx.error(
            block.line,
            "a single-choice question needs exactly one right option marked "
            f"[x]; this one has {len(spec.correct_ids)}. For 'select all that apply', "
            "write 'Type: multiple'",
        )
        return None
    return spec


grade = grade_single
load = load_choice


def read_answer(spec: ChoiceSpec, values: dict[str, list[str]]) -> str | None:
    """The chosen option's id, or None."""
    chosen = chosen_ids(spec, values)
    return chosen[0] if chosen else None
