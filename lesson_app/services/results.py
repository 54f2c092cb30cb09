"""Teachers' results: a class at a glance, each lesson's questions analysed, a CSV export.

Everything is aggregated in SQL (window functions pick each student's counted attempt,
GROUP BY sums the answers), so a page costs the same few queries for 5 students or 500.
A whole results page is still costly for a big class (200 students by 19 questions is 3,800
answers), so the pages are kept per ``results_key``, which changes whenever the results may.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, func, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from lesson_app import questions
from lesson_app.models import (
    Assignment,
    Attempt,
    AttemptAnswer,
    Classroom,
    Enrolment,
    Lesson,
    LessonVersion,
    Question,
    Regrade,
    User,
)
from lesson_app.services.attempts import StudentAttempt, aware, counted_attempt, is_late
from lesson_app.services.statistics import (
    discrimination,
    histogram,
    mean,
    median,
    spreadsheet_safe,
)

CHOICE_TYPES = ("single", "multiple", "true-false")
TYPED_TYPES = ("short", "numeric", "blanks")
COMMON_WRONG_ANSWERS = 5


@dataclass(frozen=True)
class StudentRow:
    """A current student of the class."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Standing:
    """Where one student is with one lesson."""

    status: str  # "not started", "in progress", "submitted" or "late"
    score: float | None = None  # counted score, under the lesson's grading method
    max_score: int | None = None
    attempts: int = 0
    submitted_at: datetime | None = None

    @property
    def percent(self) -> float | None:
        """The counted score as a percentage."""
        if self.score is None or not self.max_score:
            return None
        return 100 * self.score / self.max_score


@dataclass
class LessonSummary:
    """One assigned lesson in the class overview."""

    assignment: Assignment
    version: LessonVersion
    standings: dict[int, Standing] = field(default_factory=dict)

    @property
    def submitted(self) -> int:
        """Students with at least one submitted attempt."""
        return sum(1 for s in self.standings.values() if s.status in ("submitted", "late"))

    @property
    def late(self) -> int:
        """Students whose counted attempt came after the due date."""
        return sum(1 for s in self.standings.values() if s.status == "late")

    @property
    def percentages(self) -> list[float]:
        """The counted scores as percentages."""
        return [s.percent for s in self.standings.values() if s.percent is not None]

    @property
    def mean_percent(self) -> float | None:
        """Mean counted score, in percent."""
        return mean(self.percentages)

    @property
    def median_percent(self) -> float | None:
        """Median counted score, in percent."""
        return median(self.percentages)


@dataclass
class ClassOverview:
    """The class at a glance: its students and each assigned lesson."""

    classroom: Classroom
    students: list[StudentRow]
    lessons: list[LessonSummary]


# One query (built once): the class, its assignments and their lessons.
_CLASS_FOR_RESULTS = (
    select(Classroom)
    .where(Classroom.id == bindparam("class_id"))
    .options(joinedload(Classroom.assignments).joinedload(Assignment.lesson))
)


def class_for_results(session: Session, teacher: User, class_id: int) -> Classroom | None:
    """The class if this teacher runs it (an admin may see every class), else None; with its
    assignments and their lessons but not its roster, which the results pages read in SQL
    (loading 200 students as objects would cost more than the rest of the page)."""
    classroom = session.scalars(_CLASS_FOR_RESULTS, {"class_id": class_id}).unique().first()
    if classroom is None or (classroom.teacher_id != teacher.id and not teacher.has_role("admin")):
        return None
    return classroom


def results_key(
    session: Session, classroom: Classroom, assignments: Iterable[Assignment]
) -> tuple[Any, ...]:
    """Everything the class's results for these assignments depend on, as a key for keeping
    a rendered page: what the page reads fresh anyway (the class's name, each assignment's
    lesson, current version and due date) and ``results_fingerprint`` (one small query)."""
    lessons = tuple(
        sorted(
            (a.id, a.lesson_id, a.lesson.slug, a.lesson.current_version_id, a.due_at)
            for a in assignments
        )
    )
    fingerprint = results_fingerprint(session, classroom, [lesson[1] for lesson in lessons])
    return (classroom.id, classroom.name, lessons, fingerprint)


def results_fingerprint(
    session: Session, classroom: Classroom, lesson_ids: list[int]
) -> tuple[int, ...]:
    """Counts that change whenever the class's results for these lessons may have changed.

    Every change the results show adds a row or moves a count one way: a student joins (an
    enrolment), is removed (fewer current students; a removal and a join still add an
    enrolment), starts an attempt, submits one, or has one regraded (a regrade record). No
    count ever goes back, so equal counts mean equal results, in any worker on any host.
    Names and email addresses, which the pages show, never change in this app; if they ever
    may, they must be counted here too.
    """
    row = session.execute(_FINGERPRINT, {"class_id": classroom.id, "lesson_ids": lesson_ids}).one()
    return tuple(row)


def _fingerprint_statement() -> Select:
    """The query of ``results_fingerprint``, with the parameters class_id and lesson_ids:
    three one-row counts side by side, each table read once.

    Attempts are picked by ``student_id IN`` the class's students: SQLite then uses the index
    on (student, lesson); a join from the enrolments makes it read every attempt at the
    lessons, in every class. (PostgreSQL hashes the class's students either way.)
    """
    of_the_class = Enrolment.class_id == bindparam("class_id")
    attempts_of_the_class = (
        Attempt.student_id.in_(select(Enrolment.student_id).where(of_the_class)),
        Attempt.lesson_id.in_(bindparam("lesson_ids", expanding=True)),
    )
    enrolments = (
        select(
            func.count().label("enrolled"),
            func.count().filter(Enrolment.removed_at.is_(None)).label("current"),
        )
        .where(of_the_class)
        .subquery()
    )
    attempts = (
        select(
            func.count().label("started"),
            func.count().filter(Attempt.status == "submitted").label("submitted"),
        )
        .where(*attempts_of_the_class)
        .subquery()
    )
    regrades = (
        select(func.count().label("regraded"))
        .select_from(Regrade)
        .join(Attempt, Attempt.id == Regrade.attempt_id)
        .where(*attempts_of_the_class)
        .subquery()
    )
    return select(
        enrolments.c.enrolled,
        enrolments.c.current,
        attempts.c.started,
        attempts.c.submitted,
        regrades.c.regraded,
    ).select_from(  # three one-row tables side by side
        enrolments.join(attempts, true()).join(regrades, true())
    )


# Built once: the results pages run it on every request.
_FINGERPRINT = _fingerprint_statement()


def current_students(session: Session, classroom: Classroom) -> list[StudentRow]:
    """The class's current students, by name."""
    rows = session.execute(
        select(User.id, User.name, User.email)
        .join(Enrolment, Enrolment.student_id == User.id)
        .where(Enrolment.class_id == classroom.id, Enrolment.removed_at.is_(None))
        .order_by(func.lower(User.name), User.id)
    )
    return [StudentRow(*row) for row in rows]


def _counted_attempts(lesson_ids: Select, student_ids: Select):
    """A subquery with one row per student and lesson: the counted submitted attempt.

    The ranking follows each lesson's grading method, in SQL: best (highest score, the
    earlier attempt among equals), first (lowest number) or last (highest number).
    """
    counted_first = case(
        (LessonVersion.grading == "best", -Attempt.score),
        (LessonVersion.grading == "last", -Attempt.number),
        else_=Attempt.number,
    )
    rank = func.row_number().over(
        partition_by=(Attempt.student_id, Attempt.lesson_id),
        order_by=(counted_first, Attempt.number),
    )
    ranked = (
        select(
            Attempt.id.label("attempt_id"),
            Attempt.student_id,
            Attempt.lesson_id,
            Attempt.score,
            Attempt.max_score,
            Attempt.submitted_at,
            rank.label("rank"),
        )
        .join(Lesson, Lesson.id == Attempt.lesson_id)
        .join(LessonVersion, LessonVersion.id == Lesson.current_version_id)
        .where(
            Attempt.status == "submitted",
            Attempt.lesson_id.in_(lesson_ids),
            Attempt.student_id.in_(student_ids),
        )
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1).subquery()


def _student_ids(classroom: Classroom) -> Select:
    """The ids of the class's current students, as a subquery."""
    return select(Enrolment.student_id).where(
        Enrolment.class_id == classroom.id, Enrolment.removed_at.is_(None)
    )


def class_overview(session: Session, classroom: Classroom) -> ClassOverview:
    """Each assigned lesson with every current student's standing, in four queries."""
    students = current_students(session, classroom)
    assignments = session.execute(
        select(Assignment, LessonVersion)
        .join(Lesson, Lesson.id == Assignment.lesson_id)
        .join(LessonVersion, LessonVersion.id == Lesson.current_version_id)
        .where(Assignment.class_id == classroom.id)
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, LessonVersion.title)
    ).all()
    lesson_ids = select(Assignment.lesson_id).where(Assignment.class_id == classroom.id)
    student_ids = _student_ids(classroom)
    counted = _counted_attempts(lesson_ids, student_ids)
    counted_rows = {
        (row.student_id, row.lesson_id): row for row in session.execute(select(counted))
    }
    activity = _activity(session, lesson_ids, student_ids)
    lessons = []
    for assignment, version in assignments:
        summary = LessonSummary(assignment, version)
        for student in students:
            key = (student.id, assignment.lesson_id)
            summary.standings[student.id] = _standing(
                counted_rows.get(key), *activity.get(key, (0, 0)), due_at=assignment.due_at
            )
        lessons.append(summary)
    return ClassOverview(classroom, students, lessons)


def _activity(session: Session, lesson_ids: Select, student_ids: Select) -> dict:
    """(student id, lesson id) -> (submitted attempts, open attempts), counted in SQL."""
    rows = session.execute(
        select(
            Attempt.student_id,
            Attempt.lesson_id,
            func.count().filter(Attempt.status == "submitted"),
            func.count().filter(Attempt.status == "open"),
        )
        .where(Attempt.lesson_id.in_(lesson_ids), Attempt.student_id.in_(student_ids))
        .group_by(Attempt.student_id, Attempt.lesson_id)
    )
    return {(student, lesson): (submitted, opened) for student, lesson, submitted, opened in rows}


def _standing(counted, submitted: int, opened: int, due_at: datetime | None) -> Standing:
    """A student's standing from their counted attempt and attempt counts."""
    if counted is None:
        return Standing("in progress" if opened else "not started", attempts=submitted)
    late = due_at is not None and aware(counted.submitted_at) > aware(due_at)
    return Standing(
        "late" if late else "submitted",
        counted.score,
        counted.max_score,
        submitted,
        aware(counted.submitted_at),
    )


@dataclass
class QuestionStats:
    """How the class did on one question (counted attempts only)."""

    question: Question
    facility: float | None = None  # share of the points earned, 0 to 1
    discrimination: float | None = None
    outcomes: Counter = field(default_factory=Counter)
    option_counts: list[tuple[str, str, int]] = field(default_factory=list)  # id, html, count
    wrong_answers: list[tuple[str, int]] = field(default_factory=list)

    @property
    def answered(self) -> int:
        """How many counted attempts answered the question."""
        return sum(n for outcome, n in self.outcomes.items() if outcome != "unanswered")


@dataclass
class LessonResults:
    """A lesson's results in a class: the grid, each question, the score distribution."""

    classroom: Classroom
    version: LessonVersion
    students: list[StudentRow]
    standings: dict[int, Standing]
    grid: dict[tuple[int, str], str]  # (student id, question id) -> outcome
    scores: dict[tuple[int, str], float]  # (student id, question id) -> points earned
    questions: list[QuestionStats]

    @property
    def distribution(self) -> list[tuple[str, int]]:
        """How many students scored in each band of 10 %."""
        return histogram([s.percent for s in self.standings.values() if s.percent is not None])


def lesson_results(session: Session, classroom: Classroom, lesson: Lesson) -> LessonResults:
    """The results of a lesson assigned to the class (questions matched by their stable id)."""
    version = session.get(LessonVersion, lesson.current_version_id)
    version_questions = list(
        session.scalars(
            select(Question).where(Question.version_id == version.id).order_by(Question.position)
        )
    )
    students = current_students(session, classroom)
    lesson_ids = select(Lesson.id).where(Lesson.id == lesson.id)
    student_ids = _student_ids(classroom)
    counted = _counted_attempts(lesson_ids, student_ids)
    counted_rows = session.execute(select(counted)).all()
    answers = session.execute(
        select(
            counted.c.student_id,
            AttemptAnswer.qid,
            AttemptAnswer.outcome,
            AttemptAnswer.score,
            AttemptAnswer.max_score,
            AttemptAnswer.answer,
            AttemptAnswer.parts,
        ).join(AttemptAnswer, AttemptAnswer.attempt_id == counted.c.attempt_id)
    ).all()
    points = {
        qid: (earned, possible)
        for qid, earned, possible in session.execute(
            select(
                AttemptAnswer.qid, func.sum(AttemptAnswer.score), func.sum(AttemptAnswer.max_score)
            )
            .join(counted, AttemptAnswer.attempt_id == counted.c.attempt_id)
            .group_by(AttemptAnswer.qid)
        )
    }
    due_at = session.scalar(
        select(Assignment.due_at).where(
            Assignment.class_id == classroom.id, Assignment.lesson_id == lesson.id
        )
    )
    activity = _activity(session, lesson_ids, student_ids)
    by_student = {row.student_id: row for row in counted_rows}
    standings = {
        student.id: _standing(
            by_student.get(student.id),
            *activity.get((student.id, lesson.id), (0, 0)),
            due_at=due_at,
        )
        for student in students
    }
    grid = {(row.student_id, row.qid): row.outcome for row in answers}
    scores = {(row.student_id, row.qid): row.score for row in answers}
    by_question: dict[str, list] = {q.qid: [] for q in version_questions}
    for row in answers:
        by_question.setdefault(row.qid, []).append(row)
    totals = {s: st.percent / 100 for s, st in standings.items() if st.percent is not None}
    stats = [
        _question_stats(q, by_question[q.qid], points.get(q.qid), totals) for q in version_questions
    ]
    return LessonResults(classroom, version, students, standings, grid, scores, stats)


def _question_stats(question: Question, rows, points, totals: dict[int, float]) -> QuestionStats:
    """Facility, discrimination, choices and common wrong answers of one question, from its
    answer rows and each student's total share of the points."""
    stats = QuestionStats(question, outcomes=Counter(row.outcome for row in rows))
    if points and points[1]:
        stats.facility = points[0] / points[1]
    shares = {row.student_id: row.score / row.max_score for row in rows if row.max_score}
    stats.discrimination = discrimination(totals, shares)
    if question.type in CHOICE_TYPES:
        chosen = Counter(
            option_id
            for row in rows
            for option_id in ([row.answer] if isinstance(row.answer, str) else row.answer or [])
        )
        stats.option_counts = [
            (option["id"], option["html"], chosen[option["id"]])
            for option in question.display["options"]
        ]
    elif question.type in TYPED_TYPES:
        stats.wrong_answers = _common_wrong_answers(question, rows)
    return stats


def _common_wrong_answers(question: Question, rows) -> list[tuple[str, int]]:
    """The most frequent wrong typed answers (per blank for fill-in-the-blanks), with counts."""
    wrong: Counter = Counter()
    for row in rows:
        if question.type == "blanks":
            for index, text in enumerate(row.answer or []):
                if text.strip() and row.parts.get(str(index)) is False:
                    wrong[f"blank {index + 1}: {' '.join(text.split()).lower()}"] += 1
        elif row.outcome == "wrong" and isinstance(row.answer, str) and row.answer.strip():
            wrong[" ".join(row.answer.split()).lower()] += 1
    return wrong.most_common(COMMON_WRONG_ANSWERS)


def results_csv(results: LessonResults) -> str:
    """The results as CSV: one row per student, a column per question id, then the totals.

    UTF-8 with a byte order mark, so that spreadsheets read names in any alphabet; cells
    that a spreadsheet would run as a formula are neutralised.
    """
    qids = [stats.question.qid for stats in results.questions]
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    header = ["student", "email", *qids, "total", "max", "percent", "attempts", "submitted_utc"]
    writer.writerow(header)
    for student in results.students:
        standing = results.standings.get(student.id, Standing("not started"))
        per_question = [_number(results.scores.get((student.id, qid))) for qid in qids]
        writer.writerow(
            [
                spreadsheet_safe(student.name),
                spreadsheet_safe(student.email),
                *per_question,
                _number(standing.score),
                standing.max_score or "",
                _number(standing.percent, 1),
                standing.attempts,
                standing.submitted_at.strftime("%Y-%m-%d %H:%M") if standing.submitted_at else "",
            ]
        )
    return "\ufeff" + output.getvalue()


def _number(value: float | None, digits: int = 2) -> str:
    """A number for a CSV cell: no trailing zeros, empty when there is none."""
    if value is None:
        return ""
    return f"{round(value, digits):g}"


# --- the pages around the results: finding a lesson, sorting, a student's work, one attempt ---


def assigned_lesson(classroom: Classroom, slug: str) -> Lesson | None:
    """The published lesson with this slug if it is assigned to the class, else None.

    Reads the class's assignments, which ``class_for_results`` has already loaded.
    """
    for assignment in classroom.assignments:
        lesson = assignment.lesson
        if lesson.slug == slug and lesson.current_version_id is not None:
            return lesson
    return None


SORTS = ("name", "score")


def sorted_students(results: LessonResults, sort: str) -> list[StudentRow]:
    """The students by name, or by counted score (highest first, ties by name, no score last)."""
    if sort != "score":
        return results.students
    percents = {s: standing.percent for s, standing in results.standings.items()}
    return sorted(
        results.students,
        key=lambda s: (percents.get(s.id) is None, -(percents.get(s.id) or 0)),
    )


def right_option_ids(question: Question) -> set[str]:
    """The ids of a choice question's right options, from its answer key (teachers only)."""
    if question.type == "true-false":
        return {"true" if question.key["answer"] else "false"}
    return {option["id"] for option in question.key.get("options", []) if option["correct"]}


def question_label(type_name: str) -> str:
    """A question type's name for people: "Single choice", "Fill in the blanks"..."""
    return questions.REGISTRY[type_name].LABEL


def discrimination_words(value: float | None) -> str:
    """What a discrimination index says about a question, in a few words (Ebel's bands)."""
    if value is None:
        return "not enough submitted attempts to tell"
    if value < 0:
        return "weaker students did better than stronger ones: check the key and the wording"
    if value < 0.2:
        return "separates stronger and weaker students poorly"
    if value < 0.3:
        return "separates stronger and weaker students fairly"
    if value < 0.4:
        return "separates stronger and weaker students well"
    return "separates stronger and weaker students very well"


def csv_filename(classroom: Classroom, slug: str) -> str:
    """A safe ASCII file name for a lesson's results: ``<class>-<slug>-results.csv``."""

    def ascii_words(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")

    return f"{ascii_words(classroom.name) or 'class'}-{ascii_words(slug) or 'lesson'}-results.csv"


@dataclass(frozen=True)
class StudentWork:
    """A student of the class and their attempts at the class's lessons."""

    student: StudentRow
    attempts: list[StudentAttempt]


def _current_member(classroom: Classroom, student_id) -> Select:
    """The current enrolment of ``student_id`` (a value or a column) in the class."""
    return select(Enrolment.id).where(
        Enrolment.class_id == classroom.id,
        Enrolment.student_id == student_id,
        Enrolment.removed_at.is_(None),
    )


def student_attempts(session: Session, classroom: Classroom, student_id: int) -> StudentWork | None:
    """Every attempt of a current student at the lessons assigned to the class, by lesson
    (soonest due first) then number; None when the student is not in the class."""
    row = session.execute(
        select(User.id, User.name, User.email).where(
            User.id == student_id, _current_member(classroom, student_id).exists()
        )
    ).first()
    if row is None:
        return None
    rows = session.execute(
        select(Attempt, Assignment.due_at, LessonVersion.grading)
        .join(
            Assignment,
            (Assignment.lesson_id == Attempt.lesson_id) & (Assignment.class_id == classroom.id),
        )
        .join(Lesson, Lesson.id == Attempt.lesson_id)
        .join(LessonVersion, LessonVersion.id == Lesson.current_version_id)
        .where(Attempt.student_id == student_id)
        .options(joinedload(Attempt.version))
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, Attempt.lesson_id, Attempt.number)
    ).all()
    by_lesson: dict[int, list[Attempt]] = {}
    grading = {}
    for attempt, _, method in rows:
        by_lesson.setdefault(attempt.lesson_id, []).append(attempt)
        grading[attempt.lesson_id] = method
    counted_ids = {
        counted.id
        for lesson_id, attempts in by_lesson.items()
        if (counted := counted_attempt([a for a in attempts if a.submitted], grading[lesson_id]))
    }
    return StudentWork(
        StudentRow(*row),
        [
            StudentAttempt(attempt, is_late(attempt, aware(due_at)), attempt.id in counted_ids)
            for attempt, due_at, _ in rows
        ],
    )


@dataclass(frozen=True)
class ClassAttempt:
    """An attempt by a student of the class at one of its lessons, with the due date."""

    attempt: Attempt
    due_at: datetime | None

    @property
    def late(self) -> bool:
        """True when the attempt was submitted after the class's due date."""
        return is_late(self.attempt, self.due_at)


def class_attempt(session: Session, classroom: Classroom, attempt_id: int) -> ClassAttempt | None:
    """The attempt with its student, version, questions and answers, if a current student of
    the class made it at a lesson assigned to the class; else None."""
    row = session.execute(
        select(Attempt, Assignment.due_at)
        .join(
            Assignment,
            (Assignment.lesson_id == Attempt.lesson_id) & (Assignment.class_id == classroom.id),
        )
        .where(Attempt.id == attempt_id, _current_member(classroom, Attempt.student_id).exists())
        .options(
            joinedload(Attempt.version).selectinload(LessonVersion.questions),
            joinedload(Attempt.lesson),
            joinedload(Attempt.student),
            selectinload(Attempt.answers),
        )
    ).first()
    return ClassAttempt(row[0], aware(row[1])) if row else None
