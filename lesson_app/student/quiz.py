"""What the quiz and result pages show of each question, and the words for scores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from lesson_app import questions
from lesson_app.models import Attempt, AttemptAnswer, Question
from lesson_app.questions.grading import describe
from lesson_app.services.caching import cache_for
from lesson_app.services.lessons import QuestionView

#: Rendered open questions each worker keeps (a few kilobytes each), see ``open_questions``.
QUESTION_CACHE_SIZE = 4096

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

    question: Question | QuestionView
    display: dict[str, Any]
    answer: Any
    result: AttemptAnswer | None


def quiz_items(
    attempt: Attempt, version_questions: Sequence[Question | QuestionView] | None = None
) -> list[QuizItem]:
    """The attempt's questions in order, ready for the question templates; ``version_questions``
    saves loading them (``version_view(...).questions``)."""
    # Only a submitted attempt has graded rows: an open one need not ask for them.
    results = {row.qid: row for row in attempt.answers} if attempt.submitted else {}
    draft = attempt.draft or {}
    items = []
    if version_questions is None:
        version_questions = attempt.version.questions
    for question in version_questions:
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


def open_questions(
    session: Session, attempt: Attempt, version_questions: Sequence[QuestionView]
) -> list[Markup]:
    """The fieldsets of an open attempt's questions (questions/_question.html), each rendered
    once per worker for what it shows: the version's question and its number, the order this
    attempt shows its options in (from the attempt's seed, for the types that shuffle) and the
    answer saved so far.

    Rendering the question templates is most of a quiz page's time. The key holds everything
    a fieldset depends on (versions never change), so a kept fieldset is never stale; every
    fresh attempt shares the unanswered fieldsets of the questions that do not shuffle, and a
    reloaded quiz page renders only the questions whose answers changed.
    """
    cache = cache_for(session, "open questions", QUESTION_CACHE_SIZE)
    draft = attempt.draft or {}
    fieldsets = []
    for number, question in enumerate(version_questions, start=1):
        answer = draft.get(question.qid)
        shuffles = bool(getattr(questions.REGISTRY[question.type], "SHUFFLED", ()))
        seed = attempt.shuffle_seed + question.qid
        key = (question.version_id, number, question.qid, seed if shuffles else "", _key(answer))
        html = cache.get(key)
        if html is None:
            html = cache.put(key, _render_open_question(question, seed, answer, number))
        fieldsets.append(html)
    return fieldsets


def _render_open_question(question: QuestionView, seed: str, answer: Any, number: int) -> Markup:
    """One open question's fieldset."""
    display = questions.shuffled_display(question.type, question.display, question.key, seed)
    item = QuizItem(question, display, answer, None)
    return Markup(render_template("student/_open_question.html", item=item, number=number))


def _key(answer: Any) -> str:
    """An answer as part of a key: equal answers, equal keys."""
    if answer is None:  # not answered yet: most questions of most quiz pages
        return ""
    return json.dumps(answer, sort_keys=True, ensure_ascii=False)


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
