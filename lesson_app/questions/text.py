"""Pure text helpers shared by the lesson parser, the question types and the forms."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACES = re.compile(r"\s+")


def collapse_spaces(text: str) -> str:
    """Trim and turn every run of white space (any kind) into one ordinary space."""
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Fold text for a lenient comparison: case, typographic quotes and dashes, spaces.

    Used to find an author's evidence quote in the reading, which is usually typed with
    straight quotes while the article has typographic ones.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return collapse_spaces(text).lower()


def slugify(text: str, max_length: int = 60) -> str:
    """A lower-case ASCII slug: ``Partial mobilisation`` -> ``partial-mobilisation``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1].rfind("-")
    return slug[: cut if cut > 0 else max_length].rstrip("-")


# A sentence ends at . ! or ? (plus closing quotes or brackets) followed by a space and
# something that can start a sentence. Only at the first mark of a run, taking the run whole
# (possessive: ++ and *+ never give back): otherwise each mark of a long run tried the rest.
_SENTENCE_END = re.compile(
    r"(?<![.!?])[.!?]++[\"'\u201d\u2019\u00bb)\]]*+"
    r"(?=\s+[\"'\u201c\u2018\u00ab(\[]?[A-Z0-9\u00c0-\u024f])"
)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph's plain text into sentences (simple rules, good enough for news)."""
    text = collapse_spaces(text)
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def whole_number(text: str, most: int) -> int | None:
    """``text`` as a whole number from 0 to ``most``, or None when it is anything else.

    Only the digits 0-9 count: ``str.isdigit`` also accepts '²', which ``int`` refuses, and
    ``int`` refuses more than 4,300 digits, so both are checked before converting.
    """
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > len(str(most)):
        return None
    value = int(text)
    return value if value <= most else None


_QUOTE_PAIRS = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019", "\u00ab": "\u00bb"}


def unquote(text: str) -> str:
    """Remove one pair of surrounding quotes, straight or typographic, if there is one."""
    text = text.strip()
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text
