"""The lesson format, pure: Markdown file -> Lesson (with every problem) -> HTML.

No Flask and no database here, so it is tested without an app and reused by the CLI,
the services and the author pages alike.
"""

from __future__ import annotations

from pathlib import Path

from .diff import DiffLine, diff_sources
from .document import (
    CheckResult,
    Evidence,
    GlossaryEntry,
    Lesson,
    Meta,
    Paragraph,
    Problem,
    Question,
    RenderedLesson,
    RenderedQuestion,
    RenderedTerm,
)
from .parser import MAX_FILE_BYTES, check_text
from .render import render_lesson
from .skeleton import skeleton_from_article

__all__ = [
    "CheckResult",
    "DiffLine",
    "Evidence",
    "GlossaryEntry",
    "Lesson",
    "Meta",
    "Paragraph",
    "Problem",
    "Question",
    "RenderedLesson",
    "RenderedQuestion",
    "RenderedTerm",
    "check_file",
    "diff_sources",
    "check_text",
    "render_lesson",
    "skeleton_from_article",
]


def check_file(path: str | Path) -> CheckResult:
    """Read and check a lesson file; an unreadable file is reported as a problem, not raised."""
    try:
        if Path(path).stat().st_size > MAX_FILE_BYTES:
            return CheckResult(
                None,
                [
                    Problem(
                        1,
                        f"the file is too large for a lesson (at most {MAX_FILE_BYTES // 1024} KB)",
                    )
                ],
            )
        data = Path(path).read_bytes()
    except OSError as error:
        return CheckResult(None, [Problem(1, f"the file cannot be read: {error.strerror}")])
    return check_text(data, str(path))
