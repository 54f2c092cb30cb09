"""The database models, one module per area."""

from lesson_app.models.accounts import ROLES, User, UserRole
from lesson_app.models.attempts import OUTCOMES, Attempt, AttemptAnswer, Regrade
from lesson_app.models.base import Base
from lesson_app.models.classes import Assignment, Classroom, Enrolment
from lesson_app.models.lessons import GlossaryTerm, Lesson, LessonVersion
from lesson_app.models.questions import Question

__all__ = [
    "OUTCOMES",
    "ROLES",
    "Assignment",
    "Attempt",
    "AttemptAnswer",
    "Base",
    "Classroom",
    "Enrolment",
    "GlossaryTerm",
    "Lesson",
    "LessonVersion",
    "Question",
    "Regrade",
    "User",
    "UserRole",
]
