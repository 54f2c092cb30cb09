"""Pathological lesson files, crafted to be slow: each is checked in bounded time or refused.

Every way a lesson comes in (an upload, the editor, ``lesson-app lessons check`` and
``import``) goes through ``check_text``, which refuses a file over 512 KB before reading it,
with a problem that says so. Below that size the checker, the renderer, the diff of two
versions and the article skeleton must each finish, reporting problems rather than raising,
on inputs made to be slow: deep nesting, long runs of Markdown's delimiters, one huge line,
hundreds of thousands of headings, glossary entries or questions.

Each runs in a child process that is stopped after ``SAFETY_BOUND`` seconds. The bound is a
safety net against runaway (super-linear) work, not a speed target: the slowest input (half a
megabyte of '![', which markdown-it reads slowly) takes 15 to 20 s to check and render on a
2-core machine. Before the fixes these tests came with, an unclosed '<!--' repeated took
five minutes to check, and a heading line of spaces or a run of dots would have taken hours.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

import pytest

from lesson_app.lessons import (
    check_file,
    check_text,
    diff_sources,
    render_lesson,
    skeleton_from_article,
)
from lesson_app.lessons.parser import MAX_FILE_BYTES

SAFETY_BOUND = 60  # seconds, for one input
UNDER = MAX_FILE_BYTES - 1024  # bytes: the largest files the checker reads
OVER = 1024 * 1024
FRONT = "---\ntitle: Pathological\nslug: pathological\nsummary: Slow to read.\n---\n\n"
READING = "A short reading. It has two sentences.\n\n"


def fill(unit: str, size: int, head: str = FRONT, tail: str = "") -> str:
    """``head``, then ``unit`` repeated (and cut) so that the text is ``size`` bytes long with
    ``tail`` at its end (the units are ASCII: one character, one byte)."""
    room = size - len(head.encode()) - len(tail.encode())
    return head + (unit * (room // len(unit) + 1))[:room] + tail


def nested_list(size: int) -> str:
    """A list item in a list item ... as deep as the size allows, the last one long."""
    lines, depth, used = [], 0, len(FRONT)
    while used + 2 * depth + 4 <= size:
        lines.append("  " * depth + "- x\n")
        used += 2 * depth + 4
        depth += 1
    return fill("x", size, FRONT + "".join(lines))


def numbered(template: str, size: int, head: str) -> str:
    """``head`` and ``template`` formatted with 0, 1, 2 ... as long as the size allows."""
    pieces, used, number = [head], len(head), 0
    while used + len(template) + 10 <= size:
        piece = template.format(number)
        pieces.append(piece)
        used += len(piece)
        number += 1
    return "".join(pieces)


# name: (a text of about ``size`` bytes, a problem the checker must report for it)
CASES: dict[str, tuple[Callable[[int], str], str]] = {
    "blockquotes": (lambda n: fill("> ", n), "the reading has no paragraphs"),
    "nested lists": (nested_list, "the reading has no paragraphs"),
    "list markers": (lambda n: fill("- ", n), "the reading has no paragraphs"),
    "asterisks": (lambda n: fill("*", n), "the reading has no paragraphs"),
    "underscores": (lambda n: fill("_", n), "the reading has no paragraphs"),
    "backticks": (lambda n: fill("`", n), "the reading has no paragraphs"),
    "brackets": (lambda n: fill("[", n), "no '## Questions' section"),
    "images": (lambda n: fill("![", n), "no '## Questions' section"),
    "emphasis": (lambda n: fill("*a _b ", n), "no '## Questions' section"),
    "angle brackets": (lambda n: fill("<", n), "no '## Questions' section"),
    "one line": (lambda n: fill("word ", n), "no '## Questions' section"),
    "dots": (lambda n: fill(".", n), "no '## Questions' section"),
    "paragraphs": (lambda n: fill("p\n\n", n), "no '## Questions' section"),
    "tables": (
        lambda n: fill("| x | y |\n", n, FRONT + "| a | b |\n|---|---|\n"),
        "the reading has no paragraphs",
    ),
    "comments": (lambda n: fill("<!--", n), "no '## Questions' section"),
    "headings": (lambda n: fill("### h\n", n), "the reading has no paragraphs"),
    "section line": (
        lambda n: fill(" ", n, FRONT + READING + "## a", "b\n"),
        "'##' starts the Glossary or Questions section",
    ),
    "definition": (
        lambda n: fill("*a _b ", n, FRONT + READING + "## Glossary\n\nTerm\n: ", "\n"),
        "never occurs in the reading",
    ),
    "question body": (
        lambda n: fill(
            "*a _b ",
            n,
            FRONT + READING + "## Questions\n\n### Q? {#q}\nType: short\nAnswer: a\n\n",
            "\n",
        ),
        "no 'Evidence: \"...\"' line",
    ),
    "glossary entries": (
        lambda n: fill("T\n: d\n", n, FRONT + READING + "## Glossary\n\n"),  # 87,000 of them
        "'T' is already in the glossary",
    ),
    "glossary terms": (
        lambda n: numbered(
            "T{0}\n: d\n",  # 28,000 terms, each looked for in 256 KB of reading
            n,
            fill("The reading. ", n // 2, tail="\n\n## Glossary\n\n"),
        ),
        "never occurs in the reading",
    ),
    "questions": (
        lambda n: numbered(
            '### Question {0}? {{#q{0}}}\nType: single\n- [x] a\n- [ ] b\nEvidence: "q{0}"\n\n',
            n,
            FRONT + READING + "## Questions\n\n",
        ),
        "is not in the reading",
    ),
    "evidence quotes": (
        lambda n: numbered(
            'Evidence: "not {0}"\n',
            n,
            fill("Some sentence. ", n // 2, tail="\n\n## Questions\n\n### Q? {#q}\nType: short\n"),
        ),
        "is not in the reading",
    ),
    "question line": (
        lambda n: fill(" ", n, FRONT + READING + "## Questions\n\n### a", "b {#q}x\n"),
        "this question has no id",
    ),
    "field line": (
        lambda n: fill(" ", n, FRONT + READING + "## Questions\n\n### Q? {#q}\nType", "x\n"),
        "this question has no 'Type:' line",
    ),
    "blanks": (
        lambda n: fill("[[", n, FRONT + READING + "## Questions\n\n### Q {#q}\nType: blanks\n"),
        "needs text with at least one blank",
    ),
    "front matter keys": (
        lambda n: numbered("key{0}: value\n", n - 20, "---\n") + "---\n\nText.\n",
        "unknown front-matter key",
    ),
    "front matter nesting": (
        lambda n: fill("[", n, "---\n", "\n---\n\nText.\n"),
        "the front matter is nested too deeply",
    ),
    "front matter value": (
        lambda n: fill("a", n, "---\ntitle: ", "\nslug: s\nsummary: s\n---\n\nText.\n"),
        "'title' is",
    ),
    "numbers": (
        lambda n: fill(
            "9",
            n,
            FRONT.replace("---\n\n", "attempts: ")
            + "9" * 5000
            + "\n---\n\n"
            + READING
            + "## Questions\n\n### Q {#q}\nType: short\nAnswer: a\nPoints: \u00b2\nTypos: ",
            "\n",
        ),
        "attempts must be a whole number",
    ),
}


def bounded(function: Callable[[], Any]) -> Any:
    """``function()`` run in a child process: its result, or the test fails if it raises or
    has not returned after ``SAFETY_BOUND`` seconds (the child is then stopped)."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_send_outcome, args=(function, sending), daemon=True)
    child.start()
    sending.close()
    try:
        if not receiving.poll(SAFETY_BOUND):
            pytest.fail(f"still running after {SAFETY_BOUND} s")
        raised, value = receiving.recv()
    finally:
        child.kill()
        child.join()
    if raised:
        pytest.fail(value)
    return value


def _send_outcome(function: Callable[[], Any], connection) -> None:
    """In the child: send (False, the result) or (True, the traceback)."""
    try:
        connection.send((False, function()))
    except BaseException:
        connection.send((True, traceback.format_exc()))


def check_and_render(text: str) -> tuple[list[tuple[int, str, str]], int]:
    """The problems of the text (line, severity, message) and, when it is a lesson, the length
    of its HTML as importing renders it (0 for a text with errors, which is never rendered)."""
    result = check_text(text, "lesson.md")
    problems = [(problem.line, problem.severity, problem.message) for problem in result.problems]
    if not result.ok:
        return problems, 0
    rendered = render_lesson(result.lesson, "/lessons/pathological/glossary")
    html = rendered.reading_html + "".join(term.definition_html for term in rendered.glossary)
    html += "".join(question.prompt_html + question.body_html for question in rendered.questions)
    return problems, len(html)


@pytest.mark.parametrize("name", CASES)
def test_a_file_over_the_limit_is_refused_at_once_by_every_path(name, tmp_path):
    text = CASES[name][0](OVER)
    path = tmp_path / "lesson.md"
    path.write_text(text, encoding="utf-8")
    results = bounded(lambda: [check_text(text), check_text(text.encode()), check_file(path)])
    for result in results:
        assert result.lesson is None
        assert len(result.problems) == 1 and result.problems[0].line == 1
        assert "at most 512 KB" in result.problems[0].message


@pytest.mark.parametrize("name", CASES)
def test_a_file_just_under_the_limit_is_checked_and_rendered(name):
    build, expected = CASES[name]
    text = build(UNDER)
    assert UNDER - 200 <= len(text.encode()) <= MAX_FILE_BYTES
    problems, html_length = bounded(lambda: check_and_render(text))
    lines = text.count("\n") + 1
    assert all(1 <= line <= lines and message for line, _, message in problems)
    assert any(expected in message for _, _, message in problems), problems[:5]
    if html_length == 0:  # not rendered: the checker found errors
        assert any(severity == "error" for _, severity, _ in problems)
    else:  # a lesson, rendered in full
        assert html_length > len(text) // 4


def test_two_versions_of_repeated_lines_are_compared_in_bounded_time():
    # difflib's matcher is quadratic on repeated lines: 250,000 blank lines took hours
    old = fill("\n", UNDER, FRONT + READING)
    new = old[: len(old) // 2] + "A new line.\n" + old[len(old) // 2 :]
    lines = bounded(lambda: diff_sources(old, new))
    assert [line.text for line in lines if line.kind == "added"] == ["A new line."]
    assert not any(line.kind == "removed" for line in lines)


def test_two_long_versions_that_differ_everywhere_get_a_true_diff():
    # too long to compare line by line: the lines between the common head and tail changed
    old = "".join(f"line {number}\nsame\n" for number in range(40_000))
    new = "".join(f"other {number}\nsame\n" for number in range(40_000)) + "end\n"
    lines = bounded(lambda: diff_sources(FRONT + old, FRONT + new))
    assert [line.text for line in lines if line.kind == "same"] == FRONT.splitlines()[-3:]
    assert [line.text for line in lines if line.kind == "removed"] == old.splitlines()
    assert [line.text for line in lines if line.kind == "added"] == new.splitlines()


@pytest.mark.parametrize(
    "article",
    [
        "." * UNDER,
        "word " * (UNDER // 5),
        "\n \n" * (UNDER // 3),
        "# " * (UNDER // 2),
        "Sentence one. " * (UNDER // 14),
    ],
    ids=["dots", "one line", "blank lines", "hashes", "sentences"],
)
def test_a_long_article_becomes_a_skeleton_in_bounded_time(article: str):
    skeleton = bounded(lambda: skeleton_from_article(article))
    assert skeleton.startswith("---\ntitle: ") and "## Questions" in skeleton


def test_a_file_of_the_limit_is_read_and_one_byte_more_is_refused():
    at_limit = fill("word ", MAX_FILE_BYTES)
    assert not any("512 KB" in problem.message for problem in check_text(at_limit).problems)
    assert "512 KB" in check_text(at_limit + "x").problems[0].message
