"""Evidence: choose the sentence(s) of the reading that support a claim; credit by overlap."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import ParseContext, QuestionBlock, locate_quote
from .grading import UNANSWERED, Grade, grade_by_fraction
from .text import unquote

NAME = "evidence"
LABEL = "Find the evidence"
FIELDS: frozenset[str] = frozenset()
LIST_KINDS: frozenset[str] = frozenset()
MAX_SENTENCES = 5


@dataclass(frozen=True)
class EvidenceSpec:
    """The sentences offered (address, text) and the addresses of those supporting the claim."""

    choices: tuple[tuple[str, str], ...]
    sentences: tuple[str, ...]


def parse(block: QuestionBlock, ctx: ParseContext) -> EvidenceSpec | None:
    """The answer key is the sentences covered by the question's ``Evidence:`` quotes.

    Quotes that are not in the reading are reported by the lesson parser for every type.
    """
    quotes = block.fields.get("evidence", [])
    if not quotes:
        ctx.error(
            block.line,
            "an evidence question needs at least one 'Evidence: \"quote\"' "
            "line: the sentence of the reading that supports the claim",
        )
        return None
    refs: list[str] = []
    for quote in quotes:
        for sentence in locate_quote(ctx.reading, unquote(quote.value)):
            if sentence.ref not in refs:
                refs.append(sentence.ref)
    if len(refs) > MAX_SENTENCES:
        ctx.error(
            block.line, f"the evidence covers {len(refs)} sentences; choose at most {MAX_SENTENCES}"
        )
        return None
    choices = tuple((sentence.ref, sentence.text) for sentence in ctx.sentences)
    return EvidenceSpec(choices, tuple(refs)) if refs else None


def display(spec: EvidenceSpec, inline: Callable[[str], str]) -> dict[str, Any]:
    """Every sentence of the reading, by paragraph, to choose from."""
    return {"sentences": [{"ref": ref, "html": html.escape(text)} for ref, text in spec.choices]}


def load(key: dict[str, Any]) -> EvidenceSpec:
    """The spec back from its stored answer key."""
    return EvidenceSpec(tuple(tuple(choice) for choice in key["choices"]), tuple(key["sentences"]))


def read_answer(spec: EvidenceSpec, values: dict[str, list[str]]) -> list[str]:
    """The sentences chosen (their addresses), in reading order."""
    chosen = set(values.get("", []))
    return [ref for ref, _ in spec.choices if ref in chosen]


def grade(spec: EvidenceSpec, answer: list[str]) -> Grade:
    """Credit by overlap: sentences shared with the key over all sentences either chose."""
    if not answer:
        return UNANSWERED
    key, chosen = set(spec.sentences), set(answer)
    parts = {ref: ref in key for ref in answer}
    return grade_by_fraction(len(key & chosen) / len(key | chosen), parts=parts)
