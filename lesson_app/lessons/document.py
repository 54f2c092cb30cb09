"""Typed objects for a parsed lesson file: what the parser produces and the renderer reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..questions.base import Problem


@dataclass(frozen=True)
class Meta:
    """The front matter: a lesson's metadata and its attempt, grading and review policy."""

    title: str
    slug: str
    summary: str
    level: str | None = None
    attempts: int = 0
    grading: str = "best"
    review: str = "after-submit"
    source: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """A numbered top-level paragraph of the reading, as plain text (for evidence search)."""

    number: int
    line: int
    text: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class GlossaryEntry:
    """A glossary term with its aliases (other spellings, inflections) and Markdown definition."""

    term: str
    aliases: tuple[str, ...]
    definition: str
    line: int
    anchor: str


@dataclass(frozen=True)
class Evidence:
    """A quote from the reading that holds a question's answer, located in its paragraph."""

    quote: str
    line: int
    paragraph: int | None = None
    sentence: int | None = None


@dataclass(frozen=True)
class Question:
    """One question: stable id, type, points, prompt and body (Markdown), type-specific spec."""

    id: str
    type: str
    prompt: str
    body: str
    points: int
    spec: Any
    feedback: str
    evidence: tuple[Evidence, ...]
    line: int


@dataclass(frozen=True)
class Lesson:
    """A whole parsed lesson file."""

    meta: Meta
    reading: str
    reading_line: int
    paragraphs: tuple[Paragraph, ...]
    glossary: tuple[GlossaryEntry, ...]
    questions: tuple[Question, ...]
    word_count: int

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time at 200 words a minute, at least one minute."""
        return max(1, round(self.word_count / 200))


@dataclass
class CheckResult:
    """The outcome of checking a file: the lesson when it has no errors, and every problem."""

    lesson: Lesson | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that prevent import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems an author should look at but that do not prevent import."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when the file can be imported (warnings allowed)."""
        return self.lesson is not None and not self.errors


@dataclass(frozen=True)
class RenderedQuestion:
    """A question ready for storage: public display data apart from the answer key."""

    id: str
    type: str
    position: int
    points: int
    prompt_html: str
    body_html: str
    display: dict[str, Any]
    key: dict[str, Any]
    feedback: dict[str, Any]
    evidence: list[dict[str, Any]]


@dataclass(frozen=True)
class RenderedTerm:
    """A glossary term ready for storage."""

    anchor: str
    term: str
    aliases: tuple[str, ...]
    definition_html: str
    position: int


@dataclass(frozen=True)
class RenderedLesson:
    """The HTML of a lesson, rendered and sanitised once at import."""

    reading_html: str
    glossary: tuple[RenderedTerm, ...]
    questions: tuple[RenderedQuestion, ...]
