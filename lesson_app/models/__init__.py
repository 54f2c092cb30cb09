"""The database models, one module per area."""

from lesson_app.models.base import Base
from lesson_app.models.lessons import GlossaryTerm, Lesson, LessonVersion
from lesson_app.models.questions import Question

__all__ = ["Base", "GlossaryTerm", "Lesson", "LessonVersion", "Question"]
