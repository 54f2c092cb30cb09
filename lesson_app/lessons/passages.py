"""Evidence passages: a paragraph of the reading with the quote that holds an answer marked."""

from __future__ import annotations

import html
import unicodedata

from ..questions.text import fold


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """The text folded like ``fold`` (spaces collapsed), and the index in ``text`` of each
    folded character, so that a match in the folded text can be mapped back."""
    chars: list[str] = []
    positions: list[int] = []
    for index, ch in enumerate(text):
        if ch.isspace():
            if not chars or chars[-1] == " ":
                continue
            piece = " "
        else:
            piece = fold(ch)
        for out in piece:
            chars.append(out)
            positions.append(index)
    return "".join(chars), positions


def highlight_quote(paragraph_text: str, quote: str) -> str:
    """The paragraph as escaped HTML with the quote in ``<mark>``, found leniently (case,
    typographic quotes and dashes, spaces: see ``fold``); without a mark when it is absent."""
    text = unicodedata.normalize("NFC", paragraph_text)
    folded, positions = _folded_with_positions(text)
    wanted = fold(quote)
    start = folded.find(wanted) if wanted else -1
    if start < 0:
        return html.escape(text)
    begin, end = positions[start], positions[start + len(wanted) - 1] + 1
    return (
        f"{html.escape(text[:begin])}<mark>{html.escape(text[begin:end])}</mark>"
        f"{html.escape(text[end:])}"
    )
