"""Pure statistics for teachers' results: no database, tested on hand-computed values."""

from __future__ import annotations

import math
from collections.abc import Sequence

# The classic share for upper and lower groups in item analysis (Kelley, 1939).
GROUP_SHARE = 0.27


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None for no values."""
    return sum(values) / len(values) if values else None


def median(values: Sequence[float]) -> float | None:
    """The median (mean of the two middle values for an even count), or None."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def group_size(count: int) -> int:
    """How many students make the upper (and the lower) group: 27 %, at least one."""
    return max(1, math.floor(count * GROUP_SHARE + 0.5)) if count >= 2 else 0


def discrimination(totals: dict[int, float], item_shares: dict[int, float]) -> float | None:
    """Upper-lower discrimination index of one question.

    ``totals`` is each student's total share of the quiz's points, ``item_shares`` their
    share of this question's points. The index is the question's mean share in the upper
    27 % of students (by total) minus that in the lower 27 %: from -1 to 1; below 0.2 the
    question separates strong and weak students poorly. None with fewer than 2 students.
    """
    students = [s for s in totals if s in item_shares]
    size = group_size(len(students))
    if size == 0:
        return None
    ranked = sorted(students, key=lambda s: (totals[s], s))
    lower, upper = ranked[:size], ranked[-size:]
    return mean([item_shares[s] for s in upper]) - mean([item_shares[s] for s in lower])


def histogram(percentages: Sequence[float], bins: int = 10) -> list[tuple[str, int]]:
    """Counts of scores in equal bands of percentage ("0-9 %" ... "90-100 %")."""
    width = 100 / bins
    counts = [0] * bins
    for value in percentages:
        counts[min(bins - 1, int(value // width))] += 1
    labels = [
        f"{round(i * width)}\u2013{round((i + 1) * width) - (0 if i == bins - 1 else 1)} %"
        for i in range(bins)
    ]
    return list(zip(labels, counts, strict=True))


def spreadsheet_safe(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (= + - @ tab or CR first)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
