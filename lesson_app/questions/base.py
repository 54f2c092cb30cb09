"""What every question type shares: problems, the pre-parsed question block, the parse context."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from .text import fold

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or doubtful (warning) in a lesson file, at a 1-based line."""

    line: int
    message: str
    severity: Severity = "error"

    def format(self, filename: str) -> str:
        """Return the problem as ``file:line: severity: message``."""
        return f"{filename}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Field:
    """A ``Name: value`` line inside a question."""

    value: str
    line: int


@dataclass
class ListItem:
    """A list line inside a question: a task (``- [x]``), a bullet (``-``) or a number (``1.``)."""

    kind: Literal["task", "bullet", "numbered"]
    text: str
    line: int
    checked: bool = False
    feedback: str = ""


@dataclass
class QuestionBlock:
    """A question as written, before its type interprets it."""

    id: str
    prompt: str
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)
    items: list[ListItem] = field(default_factory=list)
    fields: dict[str, list[Field]] = field(default_factory=dict)

    def field(self, name: str) -> Field | None:
        """The first field called ``name`` (lower case), or None."""
        found = self.fields.get(name)
        return found[0] if found else None

    @property
    def body_text(self) -> str:
        """The body lines joined as Markdown."""
        return "\n".join(text for _, text in self.body).strip()

    @property
    def body_line(self) -> int:
        """The line of the body's first line, or of the heading when there is no body."""
        return self.body[0][0] if self.body else self.line


@dataclass(frozen=True)
class Sentence:
    """A sentence of the reading, addressed by paragraph and position (both 1-based)."""

    paragraph: int
    number: int
    text: str

    @property
    def ref(self) -> str:
        """A short stable address, e.g. ``p5s1``."""
        return f"p{self.paragraph}s{self.number}"


@dataclass(frozen=True)
class FoldedReading:
    """The reading's sentences folded (see ``fold``) into one text to find quotes in: a space
    between sentences, a line end between paragraphs (no folded quote holds one)."""

    text: str
    sentences: tuple[Sentence, ...]
    starts: tuple[int, ...]  # where each sentence starts in ``text``
    ends: tuple[int, ...]

    @classmethod
    def of(cls, sentences: tuple[Sentence, ...]) -> FoldedReading:
        """Fold the sentences once (folding them again for each quote of a file with thousands
        of quotes took minutes)."""
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for index, sentence in enumerate(sentences):
            if index:
                same = sentence.paragraph == sentences[index - 1].paragraph
                pieces.append(" " if same else "\n")
                position += 1
            folded = fold(sentence.text)
            pieces.append(folded)
            starts.append(position)
            position += len(folded)
            ends.append(position)
        return cls("".join(pieces), sentences, tuple(starts), tuple(ends))


@dataclass
class ParseContext:
    """Collects problems while a question type parses a block; knows the reading's sentences."""

    sentences: tuple[Sentence, ...] = ()
    problems: list[Problem] = field(default_factory=list)

    @cached_property
    def reading(self) -> FoldedReading:
        """The sentences folded for ``locate_quote``; made on first use, which comes after the
        parser has set ``sentences`` (it sets them once, before reading the questions)."""
        return FoldedReading.of(self.sentences)

    def error(self, line: int, message: str) -> None:
        """Record an error: the file cannot be imported."""
        self.problems.append(Problem(line, message, "error"))

    def warning(self, line: int, message: str) -> None:
        """Record a warning: the file can be imported, but the author should look."""
        self.problems.append(Problem(line, message, "warning"))


def opaque_id(*parts: str) -> str:
    """A short id that reveals nothing about order or correctness (for shuffled items)."""
    return "i" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:8]


def stable_shuffle(items: list, seed: str) -> list:
    """The items in an order that looks random but is the same for the same seed."""
    return sorted(items, key=lambda item: hashlib.sha256(f"{seed}\x1f{item}".encode()).digest())


def locate_quote(reading: FoldedReading, quote: str) -> list[Sentence]:
    """The sentences of the reading that a quote covers (empty when it is not in the reading).

    The comparison is lenient (see ``fold``); a quote must lie within one paragraph.
    """
    wanted = fold(quote)
    start = reading.text.find(wanted) if wanted else -1
    if start < 0:
        return []
    end = start + len(wanted)
    covered = []
    for index in range(max(bisect.bisect_right(reading.starts, start) - 1, 0), len(reading.starts)):
        if reading.starts[index] >= end:
            break
        if start < reading.ends[index]:
            covered.append(reading.sentences[index])
    return covered
