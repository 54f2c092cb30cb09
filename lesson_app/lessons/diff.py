"""Differences between two versions of a lesson file, line by line (pure)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

LineKind = Literal["same", "added", "removed", "gap"]
#: Beyond this many pairs of lines (about 3,000 lines each), comparing line by line may take
#: minutes (difflib is quadratic on repeated lines, and a lesson file may hold 250,000 blank
#: ones): the lines between the texts' common beginning and end then count as all changed.
MAX_LINE_PAIRS = 10_000_000


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: its kind, its numbers in the old and new file, and its text."""

    kind: LineKind
    old_number: int | None
    new_number: int | None
    text: str


def diff_sources(old: str, new: str, context: int = 3) -> list[DiffLine]:
    """The changed lines of ``new`` against ``old`` with ``context`` lines around each change;
    a 'gap' line stands for unchanged lines left out."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    if len(old_lines) * len(new_lines) > MAX_LINE_PAIRS:
        matcher: difflib.SequenceMatcher = _HeadAndTail(a=old_lines, b=new_lines)
    else:
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    result: list[DiffLine] = []
    for group in matcher.get_grouped_opcodes(context):
        if result:
            result.append(DiffLine("gap", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.extend(
                    DiffLine("same", i + 1, j + 1, old_lines[i])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                )
                continue
            result.extend(DiffLine("removed", i + 1, None, old_lines[i]) for i in range(i1, i2))
            result.extend(DiffLine("added", None, j + 1, new_lines[j]) for j in range(j1, j2))
    return result


class _HeadAndTail(difflib.SequenceMatcher):
    """A comparison in linear time: the common first and last lines are the same, all the
    lines between them changed (a true diff, if not the shortest)."""

    def get_opcodes(self) -> list[tuple[str, int, int, int, int]]:
        """The opcodes of ``SequenceMatcher``: equal head, replaced middle, equal tail."""
        old, new = self.a, self.b
        shortest = min(len(old), len(new))
        head = 0
        while head < shortest and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < shortest - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        old_end, new_end = len(old) - tail, len(new) - tail
        opcodes = [
            ("equal", 0, head, 0, head),
            ("replace", head, old_end, head, new_end),
            ("equal", old_end, len(old), new_end, len(new)),
        ]
        return [op for op in opcodes if op[1] != op[2] or op[3] != op[4]]
