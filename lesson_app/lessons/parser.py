"""Read a lesson file into a Lesson, reporting every problem at once with its line.

Stages: decode -> split front matter and sections -> parse each section -> cross-checks
(evidence quotes and glossary terms against the reading). Nothing here raises on bad input.
"""

from __future__ import annotations

import difflib
import re

from markdown_it import MarkdownIt

from .. import questions
from ..questions.base import (
    Field,
    ListItem,
    ParseContext,
    QuestionBlock,
    Sentence,
    locate_quote,
)
from ..questions.text import (
    collapse_spaces,
    fold,
    slugify,
    split_sentences,
    unquote,
    whole_number,
)
from .document import CheckResult, Evidence, GlossaryEntry, Lesson, Meta, Paragraph, Question
from .frontmatter import parse_front_matter

MAX_FILE_BYTES = 512 * 1024
MAX_POINTS = 100
SECTIONS = ("glossary", "questions")
COMMON_FIELDS = frozenset({"type", "points", "evidence", "feedback"})
ALL_FIELDS = COMMON_FIELDS.union(*(m.FIELDS for m in questions.REGISTRY.values()))
QUESTION_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# The patterns below run on every line of a file of up to 512 KB: none may backtrack over a
# line (a lazy group followed by \s* took minutes on a long line of spaces), so headings take
# the whole line, trimmed in Python, and the field name's group never gives characters back.
_H2 = re.compile(r"^ {0,3}##(?!#)(.*)$")
_H3 = re.compile(r"^ {0,3}###(?!#)(.*)$")
_FIELD = re.compile(r"^([A-Za-z][A-Za-z ]*+)\s*:\s?(.*)$")
_TASK = re.compile(r"^[-*+]\s+\[( |x|X)\]\s*(.*)$")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.*)$")
_INDENTED = re.compile(r"^(?: {2,}|\t)\s*(.*)$")
_WORD = re.compile(r"\w")

# Shared by the parser (paragraph numbering) and the renderer, so both count alike.
markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

Lines = list[tuple[int, str]]


def check_text(data: bytes | str, filename: str = "<lesson>") -> CheckResult:
    """Parse and validate a lesson file's content; every problem is reported, nothing raises."""
    ctx = ParseContext()
    text = _decode(data, ctx)
    if text is None:
        return CheckResult(None, ctx.problems)
    lesson = _parse(text, ctx)
    problems = sorted(ctx.problems, key=lambda p: (p.line, p.severity != "error"))
    errors = any(p.severity == "error" for p in problems)
    return CheckResult(None if errors else lesson, problems)


def _decode(data: bytes | str, ctx: ParseContext) -> str | None:
    """UTF-8 text with Unix line ends, or None with the reason as a problem."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            ctx.error(
                1,
                f"the file is {len(data) // 1024} KB; a lesson file may be at most "
                f"{MAX_FILE_BYTES // 1024} KB",
            )
            return None
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            ctx.error(
                line,
                "the file is not UTF-8 text (it may be a Word document or use another "
                "encoding); save it as 'Plain text, UTF-8'",
            )
            return None
    elif len(data.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        ctx.error(1, f"a lesson file may be at most {MAX_FILE_BYTES // 1024} KB")
        return None
    text = data.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        ctx.error(1, "this looks like a binary file, not a lesson written in Markdown")
        return None
    if not text.strip():
        ctx.error(1, "the file is empty")
        return None
    return text


def _parse(text: str, ctx: ParseContext) -> Lesson | None:
    """The stages after decoding; returns None when a part is missing."""
    lines = _blank_comments(text).split("\n")
    meta, body_start = _split_front_matter(lines, ctx)
    if body_start is None:
        return None
    sections = _split_sections(lines, body_start, ctx)
    reading_lines = sections.get("reading", [])
    paragraphs = _parse_reading(reading_lines, ctx)
    ctx.sentences = tuple(
        Sentence(p.number, index, sentence)
        for p in paragraphs
        for index, sentence in enumerate(p.sentences, start=1)
    )
    glossary = _parse_glossary(sections.get("glossary", []), paragraphs, ctx)
    question_list = _parse_questions(sections.get("questions", []), ctx)
    if "questions" not in sections:
        ctx.warning(len(lines), "the lesson has no '## Questions' section yet")
    if meta is None or not paragraphs:
        return None
    reading = "\n".join(line for _, line in reading_lines).strip("\n")
    word_count = sum(len(p.text.split()) for p in paragraphs)
    return Lesson(
        meta,
        reading,
        reading_lines[0][0],
        tuple(paragraphs),
        tuple(glossary),
        tuple(question_list),
        word_count,
    )


def _blank_comments(text: str) -> str:
    """The text with each HTML comment's characters, but its line ends, turned into spaces (so
    that line numbers stay right).

    A scan with ``find``: the regex ``<!--.*?-->`` searched the rest of the file once for
    each ``<!--`` of a run without an end, which took minutes on a file of them. Once one
    ``<!--`` has no ``-->`` after it, no later one has either.
    """
    pieces, position = [], 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        pieces += [text[position:start], re.sub(r"[^\n]", " ", text[start : end + 3])]
        position = end + 3
    pieces.append(text[position:])
    return "".join(pieces)


def _split_front_matter(lines: list[str], ctx: ParseContext) -> tuple[Meta | None, int | None]:
    """The Meta (or None) and the index of the first line after the front matter.

    The index is None when the front matter never ends: the rest cannot be told apart.
    """
    if lines[0].strip() != "---":
        ctx.error(
            1,
            "the file must start with front matter: a line '---', then 'title: ...', "
            "'slug: ...', 'summary: ...', then another '---'",
        )
        return None, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            meta = parse_front_matter("\n".join(lines[1:index]), 2, ctx)
            return meta, index + 1
    ctx.error(1, "the front matter is not closed: add a line '---' after its last 'key: value'")
    return None, None


def _split_sections(lines: list[str], start: int, ctx: ParseContext) -> dict[str, Lines]:
    """Cut the body at '## Glossary' and '## Questions' into numbered lines per section."""
    sections: dict[str, Lines] = {"reading": []}
    current, fence = "reading", None
    for index in range(start, len(lines)):
        line, number = lines[index], index + 1
        fence_match = _FENCE.match(line)
        if fence_match and (fence is None or fence_match.group(1)[0] == fence):
            fence = fence_match.group(1)[0] if fence is None else None
        heading = _H2.match(line) if fence is None else None
        if heading:
            # the heading's text, without the '#'s that may close it
            title = heading.group(1).strip().rstrip("#").rstrip()
            name = title.lower()
            if name in SECTIONS:
                if name in sections:
                    ctx.error(
                        number,
                        f"a second '## {title}' section; a lesson has one of each",
                    )
                current = name
                sections.setdefault(name, [])
                continue
            close = difflib.get_close_matches(name, SECTIONS, n=1, cutoff=0.6)
            if close:
                ctx.error(
                    number,
                    f"unknown section '## {title}'; did you mean '## {close[0].capitalize()}'?",
                )
            elif current != "reading":
                ctx.error(
                    number,
                    f"unknown section '## {title}': after the reading "
                    "a lesson has only '## Glossary' and '## Questions'",
                )
            else:
                ctx.error(
                    number,
                    f"'## {title}' in the reading: '##' starts the Glossary or "
                    f"Questions section; write '### {title}' for a subheading",
                )
        sections[current].append((number, line))
    return sections


def _parse_reading(lines: Lines, ctx: ParseContext) -> list[Paragraph]:
    """Number the reading's top-level paragraphs and split each into sentences."""
    if not any(line.strip() for _, line in lines):
        ctx.error(
            lines[0][0] if lines else 1,
            "the reading is empty: write the article's "
            "paragraphs after the front matter, before '## Glossary'",
        )
        return []
    offset = lines[0][0]
    tokens = markdown.parse("\n".join(line for _, line in lines))
    paragraphs = []
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            text = collapse_spaces(plain_text(tokens[index + 1]))
            number = len(paragraphs) + 1
            line = offset + (token.map[0] if token.map else 0)
            paragraphs.append(Paragraph(number, line, text, tuple(split_sentences(text))))
    if not paragraphs:
        ctx.error(offset, "the reading has no paragraphs of text")
    return paragraphs


def plain_text(inline_token) -> str:
    """The visible text of an inline token (for searching quotes and counting words)."""
    parts = []
    for child in inline_token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _parse_glossary(
    lines: Lines, paragraphs: list[Paragraph], ctx: ParseContext
) -> list[GlossaryEntry]:
    """Read 'Term' / ': definition' / ': Also: alias, alias' entries."""
    entries: list[dict] = []
    for number, line in lines:
        if not line.strip():
            continue
        if line.startswith(":"):
            content = line[1:].strip()
            if not entries:
                ctx.error(
                    number,
                    "a definition line (starting with ':') comes before any term; "
                    "write the term on the line above it",
                )
            elif content.lower().startswith("also:"):
                entries[-1]["aliases"].extend(
                    (alias.strip(), number) for alias in content[5:].split(",") if alias.strip()
                )
            elif entries[-1]["definition"]:
                ctx.error(
                    number,
                    f"'{entries[-1]['term']}' already has a definition; put a second "
                    "meaning in the same definition, or aliases after ': Also:'",
                )
            else:
                entries[-1]["definition"] = content
        elif _INDENTED.match(line) and entries and entries[-1]["definition"]:
            entries[-1]["definition"] += "\n" + line.strip()
        else:
            entries.append(
                {"term": collapse_spaces(line), "line": number, "aliases": [], "definition": ""}
            )
    return _check_glossary(entries, paragraphs, ctx)


def _check_glossary(
    entries: list[dict], paragraphs: list[Paragraph], ctx: ParseContext
) -> list[GlossaryEntry]:
    """Report missing definitions, repeated names and terms that never occur in the reading."""
    result: list[GlossaryEntry] = []
    names: dict[str, int] = {}
    reading = " ".join(fold(p.text) for p in paragraphs)
    occurring = _occurring(
        {fold(name) for e in entries for name in (e["term"], *(a for a, _ in e["aliases"]))},
        reading,
    )
    for entry in entries:
        term, line = entry["term"], entry["line"]
        if len(term) > 80:
            ctx.error(
                line,
                "a glossary term may be at most 80 characters long (is a definition "
                "missing its ':' at the start?)",
            )
            continue
        if not entry["definition"]:
            ctx.error(
                line,
                f"the glossary term '{term}' has no definition: write it on the next "
                "line, starting with ': '",
            )
        variants = [(term, line)] + entry["aliases"]
        repeated = False
        for name, name_line in variants:
            if fold(name) in names:
                ctx.error(
                    name_line, f"'{name}' is already in the glossary (line {names[fold(name)]})"
                )
                repeated = repeated or name_line == line
            names.setdefault(fold(name), name_line)
        anchor = "term-" + (slugify(term) or f"{len(result) + 1}")
        if reading and not any(fold(name) in occurring for name, _ in variants):
            ctx.warning(
                line,
                f"the glossary term '{term}' never occurs in the reading; add the "
                "form the text uses as an alias (': Also: ...')",
            )
        if entry["definition"] and not repeated:
            aliases = tuple(alias for alias, _ in entry["aliases"])
            result.append(GlossaryEntry(term, aliases, entry["definition"], line, anchor))
    anchors: dict[str, str] = {}
    for entry in result:
        if entry.anchor in anchors:
            ctx.error(
                entry.line,
                f"the term '{entry.term}' has the same link name as "
                f"'{anchors[entry.anchor]}'; make the two terms differ by a letter or digit",
            )
        anchors[entry.anchor] = entry.term
    return result


def _occurring(names: set[str], folded_text: str) -> set[str]:
    """The ``names`` that occur in the text as whole words.

    One pattern of every name, longest first, finds the longest name at each place of the
    text (a search per name took minutes for thousands of terms over a long reading). A
    shorter name at the same place (``partial`` of ``partial mobilisation``) is the longer
    one's beginning up to a character that ends a word, and occurs too.
    """
    if not names:
        return set()
    alternation = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?=(?<!\w)({alternation})(?!\w))")
    found = {match.group(1) for match in pattern.finditer(folded_text)}
    beginnings = {
        name[:end] for name in found for end in range(1, len(name)) if not _WORD.match(name, end)
    }
    return found | (beginnings & names)


def _parse_questions(lines: Lines, ctx: ParseContext) -> list[Question]:
    """Cut the section at '### ' headings and parse each question."""
    blocks: list[Lines] = []
    for number, line in lines:
        if _H3.match(line):
            blocks.append([(number, line)])
        elif blocks:
            blocks[-1].append((number, line))
        elif line.strip():
            ctx.error(
                number,
                "text before the first question; each question starts with "
                "'### The question? {#question-id}'",
            )
    result: list[Question] = []
    seen: dict[str, int] = {}
    for block_lines in blocks:
        question = _parse_question(block_lines, ctx)
        if question is None:
            continue
        if question.id in seen:
            ctx.error(
                question.line,
                f"the question id '{question.id}' is already used on line "
                f"{seen[question.id]}; each question needs its own id",
            )
            continue
        seen[question.id] = question.line
        result.append(question)
    if lines and not blocks:
        ctx.warning(lines[0][0], "the '## Questions' section has no questions yet")
    return result


def _parse_question(lines: Lines, ctx: ParseContext) -> Question | None:
    """One question: heading, fields, lists, then its type's own rules."""
    block = _read_block(lines, ctx)
    if block is None:
        return None
    module = _question_type(block, ctx)
    points = _points(block, ctx)
    for name, found in block.fields.items():
        if module and name not in COMMON_FIELDS | module.FIELDS:
            ctx.warning(
                found[0].line,
                f"'{name.capitalize()}:' means nothing for a question of type '{module.NAME}' "
                "and is ignored",
            )
        if name in ("type", "points", "feedback") and len(found) > 1:
            ctx.error(found[1].line, f"'{name.capitalize()}:' is given twice in this question")
    if module:
        for item in block.items:
            if item.kind not in module.LIST_KINDS:
                ctx.error(item.line, _list_hint(module, item))
                break
    evidence = _evidence(block, module, ctx)
    spec = module.parse(block, ctx) if module else None
    if spec is None or points is None:
        return None
    feedback = block.field("feedback")
    body = "" if getattr(module, "OWNS_BODY", False) else block.body_text
    return Question(
        block.id,
        module.NAME,
        block.prompt,
        body,
        points,
        spec,
        feedback.value.strip() if feedback else "",
        evidence,
        block.line,
    )


def _read_block(lines: Lines, ctx: ParseContext) -> QuestionBlock | None:
    """Classify a question's lines into heading, body, list items and fields."""
    number, heading = lines[0]
    title = _H3.match(heading).group(1).strip()
    prompt, qid = _heading_id(title) or (title, "")
    if not qid:  # an empty '{#}' too: the question would vanish without a word
        suggestion = slugify(prompt, 40) or "question-1"
        ctx.error(
            number,
            "this question has no id: end the heading with an id in braces, "
            f"e.g. {{#{suggestion}}}; keep it when you reword the question",
        )
    if qid and not QUESTION_ID.match(qid):
        ctx.error(
            number,
            f"the question id '{qid}' may only hold lower-case letters a-z, digits "
            "and single dashes between them",
        )
    if not prompt:
        ctx.error(number, "the question has no text before its id")
    block = QuestionBlock(qid, prompt, number)
    last: ListItem | Field | None = None
    for line_number, line in lines[1:]:
        last = _read_line(block, line_number, line, last)
    return block if qid and QUESTION_ID.match(qid) and prompt else None


def _heading_id(title: str) -> tuple[str, str] | None:
    r"""The prompt and the id of a question heading ``Prompt {#id}`` (trimmed), or None.

    The id is in the heading's last ``{#...}``, which holds no ``}``. Found with ``find``: the
    regex ``^(.*?)\s*\{#([^}]*)\}\s*$`` backtracked over every space of a long heading.
    """
    if not title.endswith("}"):
        return None
    start = title.find("{#", title.rfind("}", 0, -1) + 1)
    if start == -1:
        return None
    return title[:start].strip(), title[start + 2 : -1].strip()


def _read_line(block: QuestionBlock, number: int, line: str, last):
    """Add one line to the block; returns what a following indented line would continue."""
    if not line.strip():
        return None if isinstance(last, Field) else last
    indented = _INDENTED.match(line)
    if indented and isinstance(last, ListItem):
        content = indented.group(1)
        field = _FIELD.match(content)
        if field and field.group(1).strip().lower() == "feedback":
            last.feedback = field.group(2).strip()
        elif last.feedback:
            last.feedback += " " + content.strip()
        else:
            last.text += " " + content.strip()
        return last
    stripped = line.strip()
    field = _FIELD.match(stripped) if not indented else None
    if field and field.group(1).strip().lower() in ALL_FIELDS:
        found = Field(field.group(2).strip(), number)
        block.fields.setdefault(field.group(1).strip().lower(), []).append(found)
        return found
    for kind, pattern in (("task", _TASK), ("bullet", _BULLET), ("numbered", _NUMBERED)):
        match = pattern.match(stripped) if not indented else None
        if match:
            checked = kind == "task" and match.group(1).lower() == "x"
            item = ListItem(kind, match.group(match.lastindex).strip(), number, checked)
            block.items.append(item)
            return item
    if isinstance(last, Field) and last in block.fields.get("feedback", []):
        # a long general feedback may continue on the next lines
        block.fields["feedback"][-1] = Field(last.value + " " + stripped, last.line)
        return block.fields["feedback"][-1]
    block.body.append((number, line.rstrip()))
    return None


def _question_type(block: QuestionBlock, ctx: ParseContext):
    """The question type module named by 'Type:', or single choice for a bare option list."""
    declared = block.field("type")
    if declared is None:
        if any(item.kind == "task" for item in block.items):
            return questions.REGISTRY["single"]
        ctx.error(
            block.line,
            "this question has no 'Type:' line; write one of: " + ", ".join(questions.REGISTRY),
        )
        return None
    module = questions.lookup(declared.value)
    if module is None:
        close = difflib.get_close_matches(
            declared.value.strip().lower(), list(questions.REGISTRY), n=1
        )
        hint = f"; did you mean '{close[0]}'?" if close else ""
        ctx.error(
            declared.line,
            f"unknown question type '{declared.value}'{hint} "
            f"(types: {', '.join(questions.REGISTRY)})",
        )
    return module


def _points(block: QuestionBlock, ctx: ParseContext) -> int | None:
    """The 'Points:' value, 1 by default."""
    points = block.field("points")
    if points is None:
        return 1
    value = whole_number(points.value, MAX_POINTS)
    if not value:
        ctx.error(
            points.line,
            f"Points must be a whole number from 1 to {MAX_POINTS}, not '{points.value}'",
        )
        return None
    return value


def _evidence(block: QuestionBlock, module, ctx: ParseContext) -> tuple[Evidence, ...]:
    """Locate each 'Evidence:' quote in the reading; report quotes the reading lacks."""
    found = block.fields.get("evidence", [])
    if not found and module is not None and module.NAME != "evidence":
        ctx.warning(
            block.line,
            "this question has no 'Evidence: \"...\"' line; students see the "
            "passage that holds the answer after they submit",
        )
    result = []
    for field in found:
        quote = unquote(field.value)
        sentences = locate_quote(ctx.reading, quote)
        if not quote:
            ctx.error(field.line, "the evidence quote is empty")
        elif not sentences and ctx.sentences:
            ctx.error(
                field.line,
                f'the evidence quote "{_shorten(quote)}" is not in the reading; '
                "copy it exactly from the text (quotes, case and spaces may differ)",
            )
        elif sentences:
            first = sentences[0]
            result.append(Evidence(quote, field.line, first.paragraph, first.number))
    return tuple(result)


def _list_hint(module, item: ListItem) -> str:
    """Explain which kind of list a question type expects."""
    wanted = {
        "task": "options written '- [ ] wrong' or '- [x] right'",
        "numbered": "a numbered list '1. ...', '2. ...'",
        "bullet": "pairs written '- left = right'",
    }
    if not module.LIST_KINDS:
        return f"a question of type '{module.NAME}' has no list; is the Type right?"
    expected = " or ".join(wanted[kind] for kind in sorted(module.LIST_KINDS))
    return f"a question of type '{module.NAME}' expects {expected}"


def _shorten(text: str, limit: int = 60) -> str:
    """The text cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
