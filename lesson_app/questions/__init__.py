"""Question types: one module per type, registered by name.

Each module is pure (no Flask, no database) and provides:
``NAME``, ``LABEL``, ``FIELDS`` (the ``Name:`` lines it reads besides Type, Points, Evidence
and Feedback), ``LIST_KINDS`` (the lists it reads), ``parse(block, ctx) -> spec | None``
and ``display(spec, inline) -> dict`` (what a student may see before submitting);
``load(key) -> spec`` (the spec back from its stored JSON), ``read_answer(spec, values)``
(the answer from the form fields of one question) and ``grade(spec, answer) -> Grade``;
optionally ``feedback(spec, inline)`` (per-option feedback), ``OWNS_BODY`` and ``SHUFFLED``
(the lists of ``display`` shown in an order of their own for each attempt).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from . import blanks, evidence, matching, multiple, numeric, ordering, short, single, true_false
from .base import stable_shuffle

REGISTRY: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        single,
        multiple,
        true_false,
        short,
        numeric,
        ordering,
        matching,
        blanks,
        evidence,
    )
}

# Other names authors naturally write for a type.
ALIASES = {
    "single-choice": "single",
    "choice": "single",
    "multiple-choice": "single",
    "multiple-select": "multiple",
    "select-all": "multiple",
    "checkboxes": "multiple",
    "true/false": "true-false",
    "truefalse": "true-false",
    "true-or-false": "true-false",
    "short-answer": "short",
    "text": "short",
    "number": "numeric",
    "order": "ordering",
    "sequence": "ordering",
    "match": "matching",
    "cloze": "blanks",
    "fill-in-the-blanks": "blanks",
    "gaps": "blanks",
}


def lookup(type_name: str) -> ModuleType | None:
    """The module for a type name as an author wrote it (any case, spaces or dashes)."""
    key = "-".join(type_name.strip().lower().split())
    return REGISTRY.get(ALIASES.get(key, key))


def item_feedback(module: ModuleType, spec: object, inline: Callable[[str], str]) -> dict[str, str]:
    """Per-option feedback as HTML by option id, for the types that have it."""
    feedback = getattr(module, "feedback", None)
    return feedback(spec, inline) if feedback else {}


def shuffled_display(type_name: str, display: dict, key: dict, seed: str) -> dict:
    """A question's display data with its shuffled lists in the order of one attempt.

    A type may define ``unsolved(display, key)`` so that a shuffle never shows the answer
    (an ordering question already in the right order).
    """
    module = REGISTRY[type_name]
    keys = getattr(module, "SHUFFLED", ())
    shuffled = {
        name: stable_shuffle(list(value), seed) if name in keys else value
        for name, value in display.items()
    }
    unsolved = getattr(module, "unsolved", None)
    return unsolved(shuffled, key) if unsolved else shuffled
