"""Classes: creating and running them, joining with a code, assigning lessons.

Functions that take a class id check it against the teacher and answer None when the class is
not theirs, so that views answer 404 alike for another teacher's class and for no class.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from lesson_app.models import Assignment, Classroom, Enrolment, Lesson, LessonVersion, User
from lesson_app.models.base import utcnow
from lesson_app.services.accounts import AccountError
from lesson_app.services.attempts import attempt_counts

# No 0/O, 1/I/L: a code read aloud or copied from a board is never ambiguous.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


class ClassError(AccountError):
    """A class request that cannot be done; the message says why, for the user."""


def new_join_code() -> str:
    """A random join code such as ``K7MX-Q2PA`` (8 symbols of 31: about 2^40 codes)."""
    symbols = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
    return f"{symbols[:4]}-{symbols[4:]}"


def normalise_join_code(text: str) -> str:
    """A typed code in stored form: upper case, with dashes and spaces ignored."""
    symbols = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{symbols[:4]}-{symbols[4:]}" if len(symbols) == JOIN_CODE_LENGTH else symbols


def _commit_with_fresh_code(session: Session, classroom: Classroom) -> None:
    """Commit, drawing a new join code in the (very rare) case the code is taken."""
    for _ in range(5):
        classroom.join_code = new_join_code()
        try:
            session.commit()
            return
        except IntegrityError:
            session.rollback()
            session.add(classroom)
    raise ClassError("Could not make a unique join code; please try again.")


def create_class(session: Session, teacher: User, name: str) -> Classroom:
    """Create a class for the teacher, with a new join code."""
    classroom = Classroom(name=" ".join(name.split()), teacher=teacher)
    session.add(classroom)
    _commit_with_fresh_code(session, classroom)
    return classroom


@dataclass(frozen=True)
class ClassSummary:
    """A class with the number of its current students, for the list of classes."""

    classroom: Classroom
    student_count: int


def class_summaries(session: Session, user: User) -> list[ClassSummary]:
    """The user's classes (every class for an admin), current ones first, then archived, each
    by name, with their numbers of current students counted in SQL."""
    counts = (
        select(Enrolment.class_id, func.count().label("students"))
        .where(Enrolment.removed_at.is_(None))
        .group_by(Enrolment.class_id)
        .subquery()
    )
    statement = (
        select(Classroom, func.coalesce(counts.c.students, 0))
        .outerjoin(counts, counts.c.class_id == Classroom.id)
        .options(joinedload(Classroom.teacher))
        .order_by(Classroom.archived_at.is_not(None), func.lower(Classroom.name), Classroom.id)
    )
    if not user.has_role("admin"):
        statement = statement.where(Classroom.teacher_id == user.id)
    return [ClassSummary(classroom, count) for classroom, count in session.execute(statement)]


def class_for_teacher(session: Session, teacher: User, class_id: int) -> Classroom | None:
    """The class if this teacher runs it (an admin may see every class), else None."""
    classroom = session.get(
        Classroom,
        class_id,
        options=[
            selectinload(Classroom.enrolments).joinedload(Enrolment.student),
            selectinload(Classroom.assignments)
            .joinedload(Assignment.lesson)
            .joinedload(Lesson.current_version),
        ],
    )
    if classroom is None or (classroom.teacher_id != teacher.id and not teacher.has_role("admin")):
        return None
    return classroom


def rename_class(session: Session, classroom: Classroom, name: str) -> None:
    """Give the class a new name."""
    classroom.name = " ".join(name.split())
    session.commit()


def set_archived(session: Session, classroom: Classroom, archived: bool) -> None:
    """Archive the class (no one can join; students no longer see it) or bring it back."""
    classroom.archived_at = utcnow() if archived else None
    session.commit()


def rotate_join_code(session: Session, classroom: Classroom) -> None:
    """Replace the join code; the old one stops working at once."""
    _commit_with_fresh_code(session, classroom)


def current_students(classroom: Classroom) -> list[Enrolment]:
    """The enrolments of students who have not been removed, by joining date."""
    return [enrolment for enrolment in classroom.enrolments if enrolment.removed_at is None]


def current_enrolment(classroom: Classroom, student_id: int) -> Enrolment | None:
    """The student's enrolment in the class, or None if they are not (or no longer) in it."""
    return next((e for e in current_students(classroom) if e.student_id == student_id), None)


def remove_student(session: Session, classroom: Classroom, student_id: int) -> Enrolment | None:
    """Remove a student from the class (their past work is kept); answers the ended
    enrolment, or None when the student is not in the class."""
    enrolment = current_enrolment(classroom, student_id)
    if enrolment is not None:
        enrolment.removed_at = utcnow()
        session.commit()
    return enrolment


def class_by_join_code(session: Session, code: str) -> Classroom:
    """The open class with this join code; raises ClassError when there is none."""
    classroom = session.scalar(
        select(Classroom).where(Classroom.join_code == normalise_join_code(code))
    )
    if classroom is None or classroom.archived:
        raise ClassError("No class has this join code. Check the code with your teacher.")
    return classroom


def enrol(session: Session, student: User, classroom: Classroom) -> None:
    """Put the student in the class (once); a student the teacher removed stays out."""
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.class_id == classroom.id, Enrolment.student_id == student.id
        )
    )
    if enrolment is not None and enrolment.removed_at is not None:
        raise ClassError("Your teacher removed you from this class; ask them to let you back.")
    if enrolment is None:
        session.add(Enrolment(classroom=classroom, student=student))
        try:
            session.commit()
        except IntegrityError:  # the same join sent twice at once: one enrolment is enough
            session.rollback()


def join_class(session: Session, student: User, code: str) -> Classroom:
    """Enrol the student in the class with this join code; raises ClassError otherwise."""
    classroom = class_by_join_code(session, code)
    enrol(session, student, classroom)
    return classroom


def student_classes(session: Session, student: User) -> list[Classroom]:
    """The classes the student belongs to now (not removed, not archived), by name."""
    statement = (
        select(Classroom)
        .join(Enrolment)
        .where(
            Enrolment.student_id == student.id,
            Enrolment.removed_at.is_(None),
            Classroom.archived_at.is_(None),
        )
        .options(joinedload(Classroom.teacher))
        .order_by(Classroom.name)
    )
    return list(session.scalars(statement))


@dataclass(frozen=True)
class StudentAssignment:
    """A lesson assigned to a student through one of their classes."""

    assignment: Assignment
    classroom: Classroom
    version: LessonVersion
    submitted_attempts: int = 0
    in_progress: bool = False

    @property
    def status(self) -> str:
        """Where the student is with this lesson, in words (the one place that decides it)."""
        if self.in_progress:
            return "In progress"
        if self.submitted_attempts:
            return (
                "Submitted"
                if self.submitted_attempts == 1
                else (f"Submitted ({self.submitted_attempts} attempts)")
            )
        return "Not started"

    @property
    def overdue(self) -> bool:
        """True when the due date has passed (server time)."""
        return self.assignment.due_at is not None and _aware(self.assignment.due_at) < utcnow()


def student_assignments(session: Session, student: User) -> list[StudentAssignment]:
    """The lessons assigned to the student's current classes: soonest due first, undated last."""
    statement = (
        select(Assignment, Classroom, LessonVersion)
        .join(Classroom, Assignment.class_id == Classroom.id)
        .join(Enrolment, Enrolment.class_id == Classroom.id)
        .join(Lesson, Assignment.lesson_id == Lesson.id)
        .join(LessonVersion, Lesson.current_version_id == LessonVersion.id)
        .where(
            Enrolment.student_id == student.id,
            Enrolment.removed_at.is_(None),
            Classroom.archived_at.is_(None),
            Lesson.published,
        )
        .options(joinedload(Assignment.lesson))
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, LessonVersion.title)
    )
    progress = attempt_counts(session, student)
    return [
        StudentAssignment(assignment, classroom, version, *progress.get(assignment.lesson_id, ()))
        for assignment, classroom, version in session.execute(statement)
    ]


def assignable_lessons(session: Session) -> list[LessonVersion]:
    """The current versions of all lessons, by title, for the assignment form."""
    statement = (
        select(LessonVersion)
        .join(Lesson, Lesson.current_version_id == LessonVersion.id)
        .where(Lesson.published)
        .options(joinedload(LessonVersion.lesson))
        .order_by(LessonVersion.title)
    )
    return list(session.scalars(statement))


def due_moment(day: date, at: time | None = None) -> datetime:
    """The UTC moment a lesson is due: ``day`` at ``at``, or at 23:59 when no time is given."""
    return datetime.combine(day, at or time(23, 59), tzinfo=UTC)


def assign_lesson(
    session: Session, classroom: Classroom, lesson_id: int, due_at: datetime | None
) -> Assignment:
    """Assign a published lesson to the class, or change its due date if already assigned."""
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or lesson.current_version_id is None or not lesson.published:
        raise ClassError("Choose one of the published lessons.")
    assignment = next((a for a in classroom.assignments if a.lesson_id == lesson_id), None)
    if assignment is None:
        assignment = Assignment(classroom=classroom, lesson=lesson)
        session.add(assignment)
    assignment.due_at = due_at
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise ClassError("This lesson was just assigned; reload the page.") from error
    return assignment


def unassign_lesson(session: Session, classroom: Classroom, assignment_id: int) -> bool:
    """Take an assignment off the class; False if the class has no such assignment."""
    for assignment in classroom.assignments:
        if assignment.id == assignment_id:
            session.delete(assignment)
            session.commit()
            return True
    return False


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they are stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
