"""Fill in the blanks (cloze): each ``[[blank]]`` graded like a short answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import ParseContext, QuestionBlock
from .grading import UNANSWERED, Grade, grade_by_fraction, match_text
from .short import MAX_ANSWER_LENGTH, parse_alternatives, parse_typos

NAME = "blanks"
LABEL = "Fill in the blanks"
FIELDS = frozenset({"typos"})
LIST_KINDS: frozenset[str] = frozenset()
# The body holds the answers, so only this module may show it (through ``display``).
OWNS_BODY = True
MAX_BLANKS = 20
# A blank holds no line end and no '[[': each '[[' of a long line without ']]' searched the
# rest of the line for its end when blanks could hold one, which took minutes.
BLANK = re.compile(r"\[\[((?:[^\[\n]|\[(?!\[))*?)\]\]")
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
# A tag of the sanitised HTML: nh3 writes every attribute value in double quotes and escapes
# the double quotes in it (older versions, such as 0.3.0, leave its < and > as they are).
_TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')


@dataclass(frozen=True)
class BlanksSpec:
    """The text with its blanks, and each blank's accepted answers."""

    text: str
    blanks: tuple[tuple[str, ...], ...]
    typos: int = 0


def parse(block: QuestionBlock, ctx: ParseContext) -> BlanksSpec | None:
    """Read the body's ``[[answer|alternative]]`` blanks and the optional ``Typos: N``."""
    blanks: list[tuple[str, ...]] = []
    for line, text in block.body:
        for match in BLANK.finditer(text):
            alternatives = parse_alternatives(match.group(1), line, ctx)
            if not alternatives:
                ctx.error(line, "a blank needs an answer inside [[ ]]")
            blanks.append(alternatives)
    if not blanks:
        ctx.error(
            block.body_line,
            "a fill-in-the-blanks question needs text with at least one "
            "blank written [[answer]] (or [[answer|other accepted answer]])",
        )
        return None
    if len(blanks) > MAX_BLANKS:
        ctx.error(block.body_line, f"a question can have at most {MAX_BLANKS} blanks")
        return None
    typos = parse_typos(block, ctx)
    return BlanksSpec(block.body_text, tuple(blanks), typos) if all(blanks) else None


def display(spec: BlanksSpec, inline: Callable[[str], str]) -> dict[str, Any]:
    """The text as HTML pieces; a blank goes between each piece and the next."""
    counter = iter(range(len(spec.blanks)))
    marked = BLANK.sub(lambda _: f"\ue000{next(counter)}\ue001", spec.text)
    pieces = _PLACEHOLDER.split(_TAG.sub(_blanks_after_tag, inline(marked)))
    return {"pieces": pieces[0::2], "blanks": len(spec.blanks)}


def _blanks_after_tag(tag: re.Match[str]) -> str:
    """The tag with the blanks written in its attributes (a link's title, an image's alt text)
    moved after it: cut there, the text would put the blank's input, and the attribute's rest
    as markup, in the middle of the tag."""
    inside = [placeholder.group() for placeholder in _PLACEHOLDER.finditer(tag.group())]
    return _PLACEHOLDER.sub("", tag.group()) + "".join(inside)


def load(key: dict[str, Any]) -> BlanksSpec:
    """The spec back from its stored answer key."""
    return BlanksSpec(key["text"], tuple(tuple(b) for b in key["blanks"]), int(key["typos"]))


def read_answer(spec: BlanksSpec, values: dict[str, list[str]]) -> list[str]:
    """The text typed in each blank, in order."""
    return [
        ((values.get(str(index)) or [""])[0] or "")[:MAX_ANSWER_LENGTH]
        for index in range(len(spec.blanks))
    ]


def grade(spec: BlanksSpec, answer: list[str]) -> Grade:
    """The share of blanks filled right, each compared like a short answer."""
    if not any(text.strip() for text in answer):
        return UNANSWERED
    parts, notes = {}, []
    for index, accepted in enumerate(spec.blanks):
        given = answer[index] if index < len(answer) else ""
        right, how = match_text(given, accepted, spec.typos)
        parts[str(index)] = right
        notes.extend(note for note in how if note not in notes)
    return grade_by_fraction(sum(parts.values()) / len(spec.blanks), notes, parts)
