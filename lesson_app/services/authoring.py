"""The authors' workspace in the browser: lessons with their versions, drafts, previews,
uploads and publishing.

The browser is a second door to the services the command line uses: publishing is
``import_checked`` with the author's name and the version the author started from, so a lesson
that changed in the meantime is refused as a conflict instead of being overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only, selectinload

from lesson_app.db import parse_id
from lesson_app.lessons import check_text, skeleton_from_article
from lesson_app.lessons.document import Problem
from lesson_app.lessons.parser import MAX_FILE_BYTES
from lesson_app.models import Lesson, LessonVersion
from lesson_app.services.lessons import ImportOutcome, build_version, import_checked

#: The name problems give the text of the browser's editor.
EDITOR_FILENAME = "lesson.md"
UPLOAD_SUFFIXES = (".md", ".markdown", ".txt")
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
_FRONT_MATTER_START = re.compile(r"\A\ufeff?---[ \t]*\r?\n")


@dataclass(frozen=True)
class Draft:
    """The text in the author's editor and where it started: the lesson's slug and version
    (empty and 0 for a new lesson)."""

    source: str
    base_slug: str = ""
    base_version: int = 0

    @property
    def line_count(self) -> int:
        """The number of lines of the text, for the editor's line numbers."""
        return self.source.count("\n") + 1


def unix_newlines(text: str) -> str:
    """The text with every line ending as ``\\n`` (browsers send ``\\r\\n``)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def draft_from(form: Mapping[str, str]) -> Draft:
    """The draft the editor sent; a missing or malformed version counts as 0, which at worst
    makes publishing a conflict, never an overwrite."""
    return Draft(
        unix_newlines(form.get("source", "")),
        form.get("base_slug", ""),
        parse_id(form.get("base_version", "")) or 0,
    )


@dataclass(frozen=True)
class LessonHistory:
    """A lesson as the authors' list shows it: its current version and all its versions,
    newest first."""

    lesson: Lesson
    current: LessonVersion
    versions: list[LessonVersion]


def lesson_histories(session: Session) -> list[LessonHistory]:
    """Every lesson, published or not, by title, with its versions (their texts not loaded)."""
    listed = load_only(
        LessonVersion.number,
        LessonVersion.title,
        LessonVersion.created_at,
        LessonVersion.created_by,
        LessonVersion.change_summary,
    )
    lessons = session.scalars(
        select(Lesson)
        .where(Lesson.current_version_id.is_not(None))
        .options(selectinload(Lesson.versions).options(listed))
    )
    histories = [
        LessonHistory(lesson, _current(lesson), sorted(lesson.versions, key=_newest_first))
        for lesson in lessons
    ]
    return sorted(histories, key=lambda h: (h.current.title.casefold(), h.lesson.slug))


def _current(lesson: Lesson) -> LessonVersion:
    """The lesson's current version, among its loaded versions."""
    return next(v for v in lesson.versions if v.id == lesson.current_version_id)


def _newest_first(version: LessonVersion) -> int:
    """Sort key: the newest version first."""
    return -version.number


def find_lesson(session: Session, slug: str) -> Lesson | None:
    """The lesson ``slug``, published or not, or None."""
    return session.scalar(select(Lesson).where(Lesson.slug == slug))


def find_version(session: Session, slug: str, number: int | None = None) -> LessonVersion | None:
    """Version ``number`` of the lesson ``slug`` (its current version when None), or None."""
    lesson = find_lesson(session, slug)
    if lesson is None or number is None:
        return lesson.current_version if lesson else None
    return session.scalar(
        select(LessonVersion).where(
            LessonVersion.lesson_id == lesson.id, LessonVersion.number == number
        )
    )


def version_pair(
    session: Session, slug: str, old: int | None, new: int | None
) -> tuple[LessonVersion, LessonVersion] | None:
    """Two versions of a lesson to compare; by default the current one and the one before.
    None when the lesson or either version does not exist."""
    current = find_version(session, slug)
    if current is None:
        return None
    new = current.number if new is None else new
    old = max(new - 1, 1) if old is None else old
    pair = find_version(session, slug, old), find_version(session, slug, new)
    return pair if pair[0] is not None and pair[1] is not None else None


def read_upload(filename: str, data: bytes) -> str:
    """The text of an uploaded file: a lesson file as it is, any other text (an article)
    as a lesson skeleton. Raises ``UploadError`` for a file too large, of the wrong type, not
    UTF-8 text, binary or empty."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(
            413,
            f"The file is larger than {MAX_UPLOAD_BYTES // 1024} KB, the most a lesson file "
            "may be. Upload the article's text only, without pictures.",
        )
    if PurePath(filename).suffix.lower() not in UPLOAD_SUFFIXES:
        raise UploadError(
            415,
            "Upload a Markdown or plain text file: its name ends in .md, .markdown or .txt. "
            "A Word document or PDF must be saved as 'Plain text' first.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(
            400,
            "The file is not UTF-8 text (it may use another encoding). Save it as "
            "'Plain text, UTF-8' and upload it again.",
        ) from None
    if "\x00" in text:  # valid UTF-8, yet a picture or a program, not a text
        raise UploadError(
            400,
            "The file is not text (it may be a picture or a program). Upload the lesson or "
            "the article saved as 'Plain text, UTF-8'.",
        )
    if not text.strip():
        raise UploadError(422, "The file is empty. Choose the file that holds your text.")
    text = unix_newlines(text)
    return text if _FRONT_MATTER_START.match(text) else skeleton_from_article(text)


class UploadError(Exception):
    """An uploaded file the editor cannot open, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Preview:
    """A draft rendered as students would see it (an unsaved version), or its problems."""

    problems: list[Problem]
    version: LessonVersion | None


def preview(source: str) -> Preview:
    """Check the draft and, when it has no errors, render it as an unsaved version that
    belongs to no database session."""
    result = check_text(source, EDITOR_FILENAME)
    if not result.ok or result.lesson is None:
        return Preview(result.problems, None)
    version = build_version(result.lesson, source, "")
    version.lesson = Lesson(slug=result.lesson.meta.slug)
    return Preview(result.problems, version)


def publish(session: Session, draft: Draft, author_name: str) -> ImportOutcome:
    """Publish the draft as the lesson's next version, unless the lesson has moved on since
    the version the author started from (a conflict; nothing is written).

    A draft whose slug differs from the lesson it was started from is a new lesson.
    """
    result = check_text(draft.source, EDITOR_FILENAME)
    slug = result.lesson.meta.slug if result.ok and result.lesson else None
    expected = draft.base_version if slug == draft.base_slug else 0
    return import_checked(
        session,
        draft.source,
        result,
        EDITOR_FILENAME,
        published_by=author_name,
        expected_version=expected,
    )


def publish_message(outcome: ImportOutcome) -> str:
    """What publishing did, in a sentence for the author."""
    if outcome.status == "unchanged":
        return f"Nothing to publish: {outcome.slug} v{outcome.version} already has this text."
    again = " again" if outcome.status == "republished" else ""
    return f"Published {outcome.slug} v{outcome.version}{again}."
