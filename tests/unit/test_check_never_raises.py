"""Property: whatever a file holds, checking it reports problems and never raises."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lesson_app.lessons import check_text, render_lesson

VALID = (Path(__file__).parent / "fixtures" / "valid.md").read_text()
LINES = VALID.split("\n")
SNIPPETS = [
    "---",
    "## Glossary",
    "## Questions",
    "### Q {#q}",
    "### {#}",
    "Type: single",
    "Type: blanks",
    "- [x] a",
    "- [ ] b",
    "1. one",
    "- a = b",
    "Answer: 1,5",
    "Tolerance: -5%",
    'Evidence: ""',
    'Evidence: "Central Asia"',
    ": Also: ,",
    ": definition",
    "[[",
    "]]",
    "[[a||b]]",
    "```",
    "<!--",
    "-->",
    "{#q}",
    "Points: 999",
    "Typos: 9",
    "title: [",
    "slug: -",
    "Feedback:",
    "  Feedback: x",
]


@st.composite
def mutated_lesson(draw):
    """The valid lesson with lines deleted, duplicated, swapped or replaced by tricky snippets."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 8))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "snippet", "text", "cut"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "snippet":
            lines.insert(index, draw(st.sampled_from(SNIPPETS)))
        elif action == "text":
            lines[index] = draw(st.text(max_size=40))
        elif action == "cut":
            lines = lines[: index + 1]
    return "\n".join(lines)


def check_and_render(text):
    result = check_text(text, "f.md")
    for problem in result.problems:
        assert problem.line >= 1 and problem.message
    if result.ok:
        render_lesson(result.lesson, "/lessons/x/glossary")
    return result


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_lesson())
def test_mutated_lessons_never_raise(text):
    check_and_render(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data):
    result = check_text(data, "f.bin")
    assert not result.ok or result.lesson is not None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_random_text_never_raises(text):
    check_and_render(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-#:[]{}x \n`|=\"'*>1.")), max_size=600))
def test_markdown_punctuation_soup_never_raises(text):
    check_and_render("---\ntitle: t\nslug: s\nsummary: s\n---\n\nSome reading.\n\n" + text)
