"""Render a parsed lesson to sanitised HTML, once, at import time.

Markdown is rendered by markdown-it-py with raw HTML off, then cleaned by nh3 with an
allow-list: what the renderer and the glossary marking produce, nothing else.
"""

from __future__ import annotations

import dataclasses
import html
import re

import nh3
from markdown_it.token import Token

from .. import questions
from ..questions.text import fold
from .document import Evidence, Lesson, Paragraph, RenderedLesson, RenderedQuestion, RenderedTerm
from .parser import markdown
from .passages import highlight_quote

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "span",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "data-term"},
    "img": {"src", "alt", "title"},
    "p": {"id"},
    "span": {"aria-hidden"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
ALLOWED_CLASSES = {"p": {"para"}, "span": {"pnum"}, "a": {"term"}}
_SAFE_ID = re.compile(r"^p\d{1,4}$")
_SAFE_TERM = re.compile(r"^term-[a-z0-9-]{1,80}$")


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    """Keep only ids and term names of the shapes the renderer writes."""
    if name == "id":
        return value if _SAFE_ID.match(value) else None
    if name == "data-term":
        return value if _SAFE_TERM.match(value) else None
    if name == "style":
        return (
            value if value in ("text-align:left", "text-align:center", "text-align:right") else None
        )
    return value


def sanitise(fragment: str) -> str:
    """Clean rendered HTML with the allow-list (links get rel=noopener noreferrer)."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto"},
    )


def render_block(text: str) -> str:
    """Markdown (several paragraphs) to sanitised HTML."""
    return sanitise(markdown.render(text)) if text.strip() else ""


def render_inline(text: str) -> str:
    """One line of Markdown (emphasis, links, code) to sanitised HTML without a paragraph."""
    return sanitise(markdown.renderInline(text)) if text.strip() else ""


def render_lesson(lesson: Lesson, glossary_url: str) -> RenderedLesson:
    """The reading (numbered, glossary terms linked), the glossary and the questions as HTML."""
    terms = tuple(
        RenderedTerm(entry.anchor, entry.term, entry.aliases, render_block(entry.definition), index)
        for index, entry in enumerate(lesson.glossary, start=1)
    )
    return RenderedLesson(
        reading_html=render_reading(lesson, glossary_url),
        glossary=terms,
        questions=tuple(
            _render_question(q, i, lesson.paragraphs)
            for i, q in enumerate(lesson.questions, start=1)
        ),
    )


def render_reading(lesson: Lesson, glossary_url: str) -> str:
    """The reading with numbered paragraphs and the first mention of each term linked."""
    tokens = markdown.parse(lesson.reading)
    matcher = _term_matcher(lesson)
    number, in_heading = 0, False
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            # '##' is taken by the sections, so reading headings start at '###'; on the page
            # they sit under the lesson's h1, so each moves up one level (h3 -> h2).
            token.tag = f"h{max(2, int(token.tag[1]) - 1)}"
            in_heading = token.type == "heading_open"
        elif token.type == "paragraph_open" and token.level == 0:
            number += 1
            token.attrSet("id", f"p{number}")
            token.attrSet("class", "para")
        elif token.type == "inline" and not in_heading:
            if token.level == 1 and token.children is not None:
                label = Token("html_inline", "", 0)
                label.content = f'<span class="pnum" aria-hidden="true">{number}</span> '
                token.children.insert(0, label)
            if matcher:
                token.children = _mark_terms(token.children or [], matcher, glossary_url)
    return sanitise(markdown.renderer.render(tokens, markdown.options, {}))


def _term_matcher(lesson: Lesson) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """One regex for every term and alias (longest first) and the anchor of each name.

    Names are compared folded (see ``fold``), as the checker does, so a term typed with a
    straight apostrophe still marks the article's typographic one.
    """
    anchors: dict[str, str] = {}
    for entry in lesson.glossary:
        for name in (entry.term, *entry.aliases):
            anchors.setdefault(fold(name), entry.anchor)
    if not anchors:
        return None
    names = sorted(anchors, key=len, reverse=True)
    alternation = "|".join("".join(_LENIENT.get(c, re.escape(c)) for c in name) for name in names)
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE), anchors


# What each character of a folded name may be in the text.
_LENIENT = {
    " ": r"\s+",
    "'": "['\u2018\u2019\u201b\u2032`]",
    '"': '["\u201c\u201d\u201e\u00ab\u00bb]',
    "-": "[-\u2010-\u2015\u2212]",
}


def _mark_terms(children: list[Token], matcher, glossary_url: str) -> list[Token]:
    """Link the first occurrence of each term in one paragraph, never inside a link."""
    pattern, anchors = matcher
    marked: set[str] = set()
    result: list[Token] = []
    link_depth = 0
    for child in children:
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        if child.type != "text" or link_depth:
            result.append(child)
            continue
        position = 0
        for match in pattern.finditer(child.content):
            anchor = anchors[fold(match.group())]
            if anchor in marked:
                continue
            marked.add(anchor)
            result.append(_text(child.content[position : match.start()]))
            link = Token("html_inline", "", 0)
            link.content = (
                f'<a class="term" href="{html.escape(glossary_url)}#{anchor}" '
                f'data-term="{anchor}">{html.escape(match.group())}</a>'
            )
            result.append(link)
            position = match.end()
        result.append(_text(child.content[position:]))
    return result


def _text(content: str) -> Token:
    """A plain text token (escaped by the renderer)."""
    token = Token("text", "", 0)
    token.content = content
    return token


def _render_question(
    question, position: int, paragraphs: tuple[Paragraph, ...]
) -> RenderedQuestion:
    """A question's public display apart from its private answer key, feedback and evidence
    (each evidence quote with ``passage_html``: its paragraph, the quote in ``<mark>``)."""
    module = questions.REGISTRY[question.type]
    return RenderedQuestion(
        id=question.id,
        type=question.type,
        position=position,
        points=question.points,
        prompt_html=render_inline(question.prompt),
        body_html=render_block(question.body),
        display=module.display(question.spec, render_inline),
        key=dataclasses.asdict(question.spec),
        feedback={
            "general": render_inline(question.feedback),
            "options": questions.item_feedback(module, question.spec, render_inline),
        },
        evidence=[_evidence(evidence, paragraphs) for evidence in question.evidence],
    )


def _evidence(evidence: Evidence, paragraphs: tuple[Paragraph, ...]) -> dict:
    """An evidence quote as stored, with the passage of the reading that holds it."""
    stored = dataclasses.asdict(evidence)
    by_number = {paragraph.number: paragraph for paragraph in paragraphs}
    paragraph = by_number.get(evidence.paragraph or 0)
    if paragraph is not None:
        stored["passage_html"] = highlight_quote(paragraph.text, evidence.quote)
    return stored
