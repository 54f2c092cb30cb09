"""What the quiz and result pages show of each question, and the words for scores."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lesson_app import questions
from lesson_app.models import Attempt, AttemptAnswer, Question
from lesson_app.questions.grading import describe

OUTCOME_WORDS = {
    "correct": "Right",
    "partial": "Partly right",
    "wrong": "Wrong",
    "unanswered": "Not answered",
}


@dataclass(frozen=True)
class QuizItem:
    """One question of an attempt: its display data in this attempt's order, the answer given
    so far (the draft, or the submitted answer) and, once submitted, its graded row."""

    question: Question
    display: dict[str, Any]
    answer: Any
    result: AttemptAnswer | None


def quiz_items(attempt: Attempt) -> list[QuizItem]:
    """The attempt's questions in order, ready for the question templates."""
    results = {row.qid: row for row in attempt.answers}
    draft = attempt.draft or {}
    items = []
    for question in attempt.version.questions:
        result = results.get(question.qid)
        seed = attempt.shuffle_seed + question.qid
        items.append(
            QuizItem(
                question,
                questions.shuffled_display(question.type, question.display, question.key, seed),
                result.answer if result else draft.get(question.qid),
                result,
            )
        )
    return items


def format_score(score: float | None) -> str:
    """A score as people write it: 14, 14.5, 14.25."""
    return f"{round(score or 0, 2):g}"


def percent(score: float | None, max_score: int) -> int:
    """The score as a whole percentage of the maximum."""
    return round(100 * (score or 0) / max_score) if max_score else 0


def notes_text(notes: list[str] | None) -> str:
    """How an answer was read, in words ('accepted: case ignored'), or ''."""
    return describe(tuple(notes or ()))


def outcome_words(outcome: str) -> str:
    """An outcome in words: Right, Partly right, Wrong, Not answered."""
    return OUTCOME_WORDS[outcome]


def numeric_key(key: dict[str, Any]) -> str:
    """A numeric question's right answer in words: '100,000 (from 95,000 to 105,000)'."""
    value, tolerance = Decimal(key["value"]), Decimal(key["tolerance"])
    allowed = abs(value) * tolerance / 100 if key["tolerance_percent"] else tolerance
    shown = _number(value)
    if not allowed:
        return shown
    return f"{shown} (anything from {_number(value - allowed)} to {_number(value + allowed)})"


def _number(value: Decimal) -> str:
    """A number with thousands separators and no needless zeros."""
    text = f"{value.normalize():,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
