"""The YAML front matter: a lesson's metadata and policy, checked key by key."""

from __future__ import annotations

import difflib
import re

import yaml

from ..questions.base import ParseContext
from ..questions.text import whole_number
from .document import Meta

LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
GRADING = ("best", "last", "first")
REVIEW = ("after-submit", "after-due", "never")
MAX_ATTEMPTS = 100
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TEXT_LIMITS = {"title": 200, "slug": 80, "summary": 300, "source": 300, "author": 120}
KEYS = ("title", "slug", "summary", "level", "attempts", "grading", "review", "source", "author")
REQUIRED = ("title", "slug", "summary")


def parse_front_matter(text: str, first_line: int, ctx: ParseContext) -> Meta | None:
    """Check the YAML between the ``---`` lines (which starts at ``first_line``) and build Meta."""
    values = _scalar_values(text, first_line, ctx)
    if values is None:
        return None
    fields: dict[str, str] = {}
    for key, (value, line) in values.items():
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(KEYS)}"
            ctx.error(line, f"unknown front-matter key '{key}'{hint}")
        elif (limit := TEXT_LIMITS.get(key)) and len(value) > limit:
            ctx.error(line, f"'{key}' is {len(value)} characters long; at most {limit}")
        else:
            fields[key] = value
    for key in REQUIRED:
        if not values.get(key, ("", 0))[0]:
            ctx.error(first_line - 1, f"the front matter needs '{key}: ...'")
    checks = {
        "slug": _check_slug,
        "level": _check_level,
        "attempts": _check_attempts,
        "grading": _check_choice(GRADING),
        "review": _check_choice(REVIEW),
    }
    for key, check in checks.items():
        if key in fields and not check(fields[key], values[key][1], key, ctx):
            del fields[key]
    if any(key not in fields for key in REQUIRED):
        return None
    return Meta(
        title=fields["title"],
        slug=fields["slug"],
        summary=fields["summary"],
        level=fields["level"].upper() if "level" in fields else None,
        attempts=int(fields.get("attempts", 0)),
        grading=fields.get("grading", "best"),
        review=fields.get("review", "after-submit"),
        source=fields.get("source"),
        author=fields.get("author"),
    )


def _scalar_values(
    text: str, first_line: int, ctx: ParseContext
) -> dict[str, tuple[str, int]] | None:
    """The front matter's ``key: value`` pairs with their lines; None if it is not a mapping."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = first_line + (mark.line if mark else 0)
        problem = getattr(error, "problem", None) or "it is not valid"
        ctx.error(
            line,
            f"the front matter could not be read: {problem} "
            "(write one 'key: value' per line; put text with ':' or '#' in quotes)",
        )
        return None
    except RecursionError:  # PyYAML composes nested lists and groups recursively
        ctx.error(
            first_line,
            "the front matter is nested too deeply to be read; write one 'key: value' per line",
        )
        return None
    if node is None:
        ctx.error(
            first_line, "the front matter is empty; it needs at least title, slug and summary"
        )
        return None
    if not isinstance(node, yaml.MappingNode):
        ctx.error(first_line, "the front matter must be 'key: value' lines")
        return None
    values: dict[str, tuple[str, int]] = {}
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        key = str(key_node.value).strip().lower() if isinstance(key_node, yaml.ScalarNode) else ""
        if not key:
            ctx.error(line, "a front-matter key is empty or not a word")
        elif key in values:
            ctx.error(line, f"'{key}' is given twice (first on line {values[key][1]})")
        elif not isinstance(value_node, yaml.ScalarNode):
            ctx.error(line, f"'{key}' must be a single value, not a list or a group")
        else:
            values[key] = (" ".join(str(value_node.value).split()), line)
    return values


def _check_slug(value: str, line: int, key: str, ctx: ParseContext) -> bool:
    if SLUG.match(value):
        return True
    ctx.error(
        line,
        f"the slug '{value}' may only hold lower-case letters a-z, digits and "
        "single dashes between them, e.g. 'central-asia-mobilisation'",
    )
    return False


def _check_level(value: str, line: int, key: str, ctx: ParseContext) -> bool:
    if value.upper() in LEVELS:
        return True
    ctx.error(line, f"level must be one of {', '.join(LEVELS)}, not '{value}'")
    return False


def _check_attempts(value: str, line: int, key: str, ctx: ParseContext) -> bool:
    if whole_number(value, MAX_ATTEMPTS) is not None:
        return True
    ctx.error(
        line, f"attempts must be a whole number from 0 (no limit) to {MAX_ATTEMPTS}, not '{value}'"
    )
    return False


def _check_choice(allowed: tuple[str, ...]):
    """A check that the value is one of ``allowed`` (with a 'did you mean')."""

    def check(value: str, line: int, key: str, ctx: ParseContext) -> bool:
        if value in allowed:
            return True
        close = difflib.get_close_matches(value, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        ctx.error(line, f"{key} must be one of {', '.join(allowed)}, not '{value}'{hint}")
        return False

    return check
