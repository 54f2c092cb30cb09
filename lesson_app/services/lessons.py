"""Importing lesson files into the database, and reading the published lessons back.

An import checks the file first and writes nothing when it has errors. A valid file whose
bytes equal the newest version's is "unchanged"; otherwise it becomes a new version (v1 for a
new slug) with its rendered reading, glossary terms and questions, in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, selectinload

from lesson_app.lessons import check_file, check_text, render_lesson
from lesson_app.lessons.document import Lesson as LessonDocument
from lesson_app.lessons.document import Problem
from lesson_app.models import GlossaryTerm, Lesson, LessonVersion, Question

ImportStatus = Literal["added", "new-version", "republished", "unchanged", "invalid", "conflict"]


@dataclass(frozen=True)
class ImportOutcome:
    """What importing one file did: its status, the lesson's slug and version, the problems."""

    filename: str
    status: ImportStatus
    slug: str | None = None
    version: int | None = None
    problems: list[Problem] = field(default_factory=list)

    def describe(self) -> str:
        """Return one line for the author, e.g. ``added central-asia-mobilisation v1``."""
        if self.status == "conflict":
            return f"not published: {self.slug} has changed since (now v{self.version})"
        if self.status == "invalid":
            errors = sum(1 for problem in self.problems if problem.severity == "error")
            return f"not imported: {errors} error{'s' if errors != 1 else ''}"
        verb = {
            "added": "added",
            "new-version": "new version",
            "republished": "published again",
            "unchanged": "unchanged",
        }
        return f"{verb[self.status]} {self.slug} v{self.version}"


def glossary_path(slug: str) -> str:
    """Return the URL path of a lesson's glossary page (the ``reading.glossary`` route)."""
    return f"/lessons/{slug}/glossary"


def import_lesson_file(session: Session, path: str | Path) -> ImportOutcome:
    """Check and import the lesson file at ``path`` (see ``import_text``)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return ImportOutcome(str(path), "invalid", problems=check_file(path).problems)
    return import_text(session, data, str(path))


def import_text(
    session: Session,
    data: bytes | str,
    filename: str,
    *,
    published_by: str = "command line",
    expected_version: int | None = None,
) -> ImportOutcome:
    """Check and import the text of a lesson file; ``filename`` names it in problems.

    ``expected_version`` is the version an author started editing from (0 for a new lesson):
    when the lesson has moved on since, nothing is written and the outcome is a conflict,
    so that one author never silently overwrites another's work.
    """
    result = check_text(data, filename)
    if not result.ok or result.lesson is None:
        return ImportOutcome(filename, "invalid", problems=result.problems)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return _store(
        session, filename, raw, result.lesson, result.problems, published_by, expected_version
    )


def _store(
    session: Session,
    filename: str,
    raw: bytes,
    document: LessonDocument,
    problems: list[Problem],
    published_by: str,
    expected_version: int | None,
) -> ImportOutcome:
    """Write a checked lesson as a new version unless its newest version has the same bytes."""
    slug = document.meta.slug
    sha256 = hashlib.sha256(raw).hexdigest()
    lesson = session.scalar(select(Lesson).where(Lesson.slug == slug))
    newest = _newest_version(session, lesson) if lesson else None
    newest_number = newest.number if newest else 0
    if expected_version is not None and expected_version != newest_number:
        return ImportOutcome(filename, "conflict", slug, newest_number, problems)
    if newest is not None and newest.source_sha256 == sha256:
        if lesson.published:
            return ImportOutcome(filename, "unchanged", slug, newest.number, problems)
        lesson.published = True
        session.commit()
        return ImportOutcome(filename, "republished", slug, newest.number, problems)
    if lesson is None:
        lesson = Lesson(slug=slug)
        session.add(lesson)
    version = build_version(document, raw.decode("utf-8-sig"), sha256)
    version.change_summary = describe_changes(newest, version)  # before it joins the session
    version.number = newest_number + 1
    version.created_by = published_by
    version.lesson = lesson
    lesson.current_version = version
    lesson.published = True
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return ImportOutcome(filename, "conflict", slug, newest_number, problems)
    status: ImportStatus = "added" if version.number == 1 else "new-version"
    return ImportOutcome(filename, status, slug, version.number, problems)


def describe_changes(old: LessonVersion | None, new: LessonVersion) -> str:
    """What a new version changes, in words, for the version list and for regrading."""
    if old is None:
        return "First version."
    old_questions = {q.qid: q for q in old.questions}
    new_questions = {q.qid: q for q in new.questions}
    changes = []
    if old.reading_html != new.reading_html:
        changes.append("reading changed")
    if [(t.term, t.definition_html) for t in old.terms] != [
        (t.term, t.definition_html) for t in new.terms
    ]:
        changes.append("glossary changed")
    groups = {
        "added": sorted(set(new_questions) - set(old_questions)),
        "removed": sorted(set(old_questions) - set(new_questions)),
        "answer key changed": key_changes(old.questions, new.questions),
        "reworded": sorted(
            qid
            for qid in set(old_questions) & set(new_questions)
            if (old_questions[qid].prompt_html, old_questions[qid].display)
            != (new_questions[qid].prompt_html, new_questions[qid].display)
        ),
    }
    for what, qids in groups.items():
        if qids:
            changes.append(f"questions {what}: {', '.join(qids)}")
    if (old.title, old.summary, old.level, old.attempts, old.grading, old.review) != (
        new.title,
        new.summary,
        new.level,
        new.attempts,
        new.grading,
        new.review,
    ):
        changes.append("title, summary or policy changed")
    return ("; ".join(changes) or "no visible change").capitalize() + "."


def key_changes(old_questions, new_questions) -> list[str]:
    """The ids of questions in both lists whose answer key, points or type differ."""
    old = {q.qid: _grading_terms(q) for q in old_questions}
    return sorted(q.qid for q in new_questions if q.qid in old and old[q.qid] != _grading_terms(q))


def _grading_terms(question: Question) -> str:
    """What grading depends on, as canonical JSON (a fresh key holds tuples, a stored one
    lists), so that equal keys compare equal."""
    return json.dumps([question.type, question.points, question.key], sort_keys=True)


def set_published(session: Session, lesson: Lesson, published: bool) -> None:
    """Publish or unpublish a lesson; its versions, attempts and results are kept either way."""
    lesson.published = published
    session.commit()


def _newest_version(session: Session, lesson: Lesson) -> LessonVersion | None:
    """Return the lesson's version with the highest number."""
    return session.scalar(
        select(LessonVersion)
        .where(LessonVersion.lesson_id == lesson.id)
        .order_by(LessonVersion.number.desc())
        .limit(1)
    )


def build_version(document: LessonDocument, source_text: str, sha256: str) -> LessonVersion:
    """Build an unsaved version from a checked document, rendering its HTML once."""
    meta = document.meta
    rendered = render_lesson(document, glossary_path(meta.slug))
    return LessonVersion(
        source_text=source_text,
        source_sha256=sha256,
        title=meta.title,
        summary=meta.summary,
        level=meta.level,
        attempts=meta.attempts,
        grading=meta.grading,
        review=meta.review,
        source=meta.source,
        author=meta.author,
        reading_html=rendered.reading_html,
        word_count=document.word_count,
        reading_minutes=document.reading_minutes,
        terms=[
            GlossaryTerm(
                position=term.position,
                anchor=term.anchor,
                term=term.term,
                aliases=list(term.aliases),
                definition_html=term.definition_html,
            )
            for term in rendered.glossary
        ],
        questions=[
            Question(
                position=question.position,
                qid=question.id,
                type=question.type,
                points=question.points,
                prompt_html=question.prompt_html,
                body_html=question.body_html,
                display=question.display,
                key=question.key,
                feedback=question.feedback,
                evidence=question.evidence,
            )
            for question in rendered.questions
        ],
    )


def published_lessons(session: Session) -> list[LessonVersion]:
    """Return the current version of every lesson, by title, each with its lesson loaded."""
    statement = (
        select(LessonVersion)
        .join(Lesson, Lesson.current_version_id == LessonVersion.id)
        .where(Lesson.published)
        .options(contains_eager(LessonVersion.lesson))
        .order_by(func.lower(LessonVersion.title), Lesson.slug)
    )
    return list(session.scalars(statement))


def lesson_by_slug(session: Session, slug: str) -> LessonVersion | None:
    """Return the current version of the lesson ``slug`` with its glossary terms, or None."""
    statement = (
        select(LessonVersion)
        .join(Lesson, Lesson.current_version_id == LessonVersion.id)
        .where(Lesson.slug == slug, Lesson.published)
        .options(contains_eager(LessonVersion.lesson), selectinload(LessonVersion.terms))
    )
    return session.scalar(statement)
