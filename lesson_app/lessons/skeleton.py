"""Turn a raw article (plain text) into a lesson file to complete."""

from __future__ import annotations

import re

import yaml

from ..questions.text import collapse_spaces, slugify, split_sentences

# Characters that would make a paragraph's start mean something in Markdown.
_BLOCK_START = re.compile(r"^(#|>|[-+*]\s|\d+[.)]\s|=+$|-+$|```|~~~)")

_GLOSSARY_EXAMPLE = """\
<!-- One entry per term that occurs in the reading, for example:

Partial mobilisation
: Calling up only part of a country's reserve soldiers for military service.
: Also: partial military mobilisation

-->
"""

_QUESTIONS_EXAMPLE = """\
<!-- Each question starts with '### ', ends its heading with an id, and quotes its evidence.
See docs/authoring.md for every question type. For example:

### Who announced the mobilisation? {#who-announced}
Type: single
- [ ] Kassym-Jomart Tokayev
  Feedback: He spoke about the Russians arriving in Kazakhstan.
- [x] Vladimir Putin

Evidence: "Vladimir Putin announced the mobilisation"
Feedback: The answer is in the paragraph about the date of the announcement.

### Is this statement true? {#a-statement}
Type: true-false
Answer: false
Evidence: "a quote from the reading"

-->
"""


def article_paragraphs(text: str) -> list[str]:
    """The article's paragraphs, each once, in order.

    Paragraphs are separated by blank lines; a text without blank lines has one paragraph
    per line. Repeated paragraphs (articles often arrive pasted twice) are dropped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    blocks = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text.strip()) else text.split("\n")
    paragraphs, seen = [], set()
    for block in blocks:
        paragraph = collapse_spaces(block)
        if paragraph and paragraph.lower() not in seen:
            seen.add(paragraph.lower())
            paragraphs.append(paragraph)
    return paragraphs


def skeleton_from_article(text: str) -> str:
    """A lesson file: front matter filled from the article, its paragraphs, empty sections."""
    paragraphs = article_paragraphs(text)
    first = split_sentences(paragraphs[0])[0] if paragraphs else "Untitled lesson"
    title = _shorten(first.rstrip("."), 80)
    front = {
        "title": title,
        "slug": slugify(title, 60) or "new-lesson",
        "summary": _shorten(first, 300),
        "level": "B1",
        "attempts": 3,
        "grading": "best",
        "review": "after-submit",
    }
    front_matter = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    reading = "\n\n".join(_escape_block_start(p) for p in paragraphs) or "Write the reading here."
    return (
        f"---\n{front_matter}---\n\n{reading}\n\n"
        f"## Glossary\n\n{_GLOSSARY_EXAMPLE}\n## Questions\n\n{_QUESTIONS_EXAMPLE}"
    )


_BLANK_LESSON = """\
---
title: The title students see
slug: new-lesson
summary: One sentence that tells students what the lesson is about.
level: B1
attempts: 3
grading: best
review: after-submit
---

Replace this paragraph with the first paragraph of the article. Students see each paragraph
with its number.

Replace this paragraph with the next one, and add one paragraph after another, each separated
from the next by a blank line.

## Glossary

Paragraph
: A part of a text about one idea; a blank line separates it from the next.
: Also: paragraphs

## Questions

### How do students see each paragraph of the reading? {#paragraph-numbers}
Type: single
- [x] With its number
- [ ] Without a number
  Feedback: Look at the start of each paragraph.

Evidence: "Students see each paragraph with its number"
Feedback: Replace this question with one about the article; the evidence quotes the reading.
"""


def blank_lesson() -> str:
    """A valid lesson file whose every part is a placeholder that says what to write there."""
    return _BLANK_LESSON


def _escape_block_start(paragraph: str) -> str:
    """Escape a leading '#', '>', '-', '1.' ... so the paragraph stays a paragraph."""
    return "\\" + paragraph if _BLOCK_START.match(paragraph) else paragraph


def _shorten(text: str, limit: int) -> str:
    """The text cut at a word boundary to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
