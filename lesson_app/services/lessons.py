"""Importing lesson files into the database, and reading the published lessons back.

An import checks the file first and writes nothing when it has errors. A valid file whose
bytes equal the newest version's is "unchanged"; otherwise it becomes a new version (v1 for a
new slug) with its rendered reading, glossary terms and questions, in one transaction.

Pages read a version's questions through ``version_view``, kept in-process by version id:
versions never change once written. Which version is current for a slug does change (on
publishing), so ``current_version_id`` keeps it for a few seconds only.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from lesson_app import questions as question_types
from lesson_app.lessons import check_file, check_text, render_lesson
from lesson_app.lessons.document import CheckResult, Problem
from lesson_app.lessons.document import Lesson as LessonDocument
from lesson_app.models import GlossaryTerm, Lesson, LessonVersion, Question
from lesson_app.services.caching import cache_for

#: How long a worker may go on answering with the version that was current for a slug when it
#: last asked the database: a version published by another worker or host shows within this
#: time (a publish in this process shows at once). Short enough that a teacher who publishes
#: and reloads sees the new version; long enough that the reading page needs no query at all
#: under load.
CURRENT_VERSION_SECONDS = 2.0
#: Lesson versions whose questions each worker keeps (a few kilobytes each).
VERSION_CACHE_SIZE = 64
#: The clock of ``current_version_id`` (tests replace it to move time on).
clock = time.monotonic

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
    return import_checked(
        session,
        data,
        check_text(data, filename),
        filename,
        published_by=published_by,
        expected_version=expected_version,
    )


def import_checked(
    session: Session,
    data: bytes | str,
    result: CheckResult,
    filename: str,
    *,
    published_by: str,
    expected_version: int | None,
) -> ImportOutcome:
    """``import_text`` of a text already checked: ``result`` is ``check_text(data, filename)``
    (checking a large file takes seconds, so a caller that needed the result does not check
    it again)."""
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
        forget_current_versions(session)
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
    forget_current_versions(session)
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
    forget_current_versions(session)


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


# --- what pages read of a version, kept in-process --------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    """A question of a lesson version as the quiz, its grading and the results read it, with
    its answer key parsed once (``spec``). Kept across requests: never change its dicts."""

    id: int
    version_id: int
    position: int
    qid: str
    type: str
    points: int
    prompt_html: str
    body_html: str
    display: dict[str, Any]
    key: dict[str, Any]
    feedback: dict[str, Any]
    evidence: list[Any]
    spec: Any  # what ``questions.REGISTRY[type].load(key)`` gives


_QUESTION_VIEW_COLUMNS = tuple(f.name for f in fields(QuestionView) if f.name != "spec")


@dataclass(frozen=True)
class VersionView:
    """A lesson version's title, its lesson's slug and its questions in order."""

    id: int
    slug: str
    title: str
    questions: tuple[QuestionView, ...]


def version_view(session: Session, version_id: int) -> VersionView:
    """The questions of a version, read from the database once per worker (two queries)."""
    cache = cache_for(session, "version views", VERSION_CACHE_SIZE)
    return cache.get_or_make(version_id, lambda: _load_version_view(session, version_id))


def _load_version_view(session: Session, version_id: int) -> VersionView:
    """Read a version's view from the database."""
    title, slug = session.execute(
        select(LessonVersion.title, Lesson.slug)
        .join(Lesson, Lesson.id == LessonVersion.lesson_id)
        .where(LessonVersion.id == version_id)
    ).one()
    rows = session.scalars(
        select(Question).where(Question.version_id == version_id).order_by(Question.position)
    )
    return VersionView(version_id, slug, title, tuple(question_view(q) for q in rows))


def question_view(question: Question) -> QuestionView:
    """A question's immutable view, its key parsed: every column the view declares, so a new
    column needs only a line in ``QuestionView``."""
    columns = {name: getattr(question, name) for name in _QUESTION_VIEW_COLUMNS}
    return QuestionView(**columns, spec=question_types.REGISTRY[question.type].load(question.key))


def current_version_id(session: Session, slug: str) -> int | None:
    """The id of the current version of the published lesson ``slug``, else None; as the
    database said at most ``CURRENT_VERSION_SECONDS`` ago (one small query otherwise)."""
    cache = cache_for(session, "current versions", 1024)
    now = clock()
    found = cache.get(slug)
    if found is not None and found[1] > now:
        return found[0]
    version_id = session.scalar(
        select(Lesson.current_version_id).where(Lesson.slug == slug, Lesson.published)
    )
    cache.put(slug, (version_id, now + CURRENT_VERSION_SECONDS))
    return version_id


def forget_current_versions(session: Session) -> None:
    """Forget which versions are current, after this process published or unpublished."""
    cache_for(session, "current versions", 1024).clear()


def reading_version(session: Session, version_id: int) -> LessonVersion:
    """A version with its lesson and glossary terms, in one query (for the reading page)."""
    return (
        session.scalars(
            select(LessonVersion)
            .where(LessonVersion.id == version_id)
            .options(joinedload(LessonVersion.lesson), joinedload(LessonVersion.terms))
        )
        .unique()
        .one()
    )
