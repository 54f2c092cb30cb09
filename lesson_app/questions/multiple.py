"""Multiple select ("select all that apply"): partial credit for right choices minus wrong ones."""

from __future__ import annotations

from .base import ParseContext, QuestionBlock
from .choice import (
    ChoiceSpec,
    chosen_ids,
    display_options,
    grade_multiple,
    load_choice,
    option_feedback,
    parse_options,
)

NAME = "multiple"
LABEL = "Select all that apply"
FIELDS: frozenset[str] = frozenset()
# What the quiz page shows in an order of its own for each attempt.
SHUFFLED = ("options",)
LIST_KINDS = frozenset({"task"})
display = display_options
feedback = option_feedback


def parse(block: QuestionBlock, ctx: ParseContext) -> ChoiceSpec | None:
    """Read the options; at least one must be marked right with ``[x]``."""
    spec = parse_options(block, ctx)
    if spec is not None and not spec.correct_ids:
        ctx.error(block.line, "mark at least one right option with [x]")
        return None
    return spec


grade = grade_multiple
load = load_choice


def read_answer(spec: ChoiceSpec, values: dict[str, list[str]]) -> list[str]:
    """The chosen options' ids."""
    return chosen_ids(spec, values)
