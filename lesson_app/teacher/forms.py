"""Forms of the teacher's pages."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lesson_app.auth.forms import printable
from lesson_app.db import parse_id
from lesson_app.models import LessonVersion
from lesson_app.services.classes import due_moment


class ClassNameForm(FlaskForm):
    """The name of a new class, or a new name for a class."""

    name = StringField(
        "Class name",
        description="For example: 10B English, or Tuesday evening group.",
        validators=[DataRequired("Give the class a name."), Length(max=120), printable],
    )


def _lesson_id(value: object) -> int | None:
    """The chosen lesson's id, or None when nothing (or nonsense, or a number no id can be)
    was chosen."""
    if isinstance(value, int):  # the choices' own values
        return value
    return parse_id(value) if isinstance(value, str) else None


class AssignLessonForm(FlaskForm):
    """A published lesson for the class, with an optional due date and time (UTC)."""

    lesson = SelectField("Lesson", coerce=_lesson_id, validate_choice=False)
    due_date = DateField(
        "Due date (optional)",
        description="Leave empty for no due date. Without a time, the lesson is due at the "
        "end of that day, 23:59 UTC.",
        validators=[Optional()],
    )
    due_time = TimeField(
        "Due time (optional)",
        description="In UTC, as 24-hour time, for example 17:30.",
        validators=[Optional()],
    )

    def __init__(self, lessons: list[LessonVersion], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lesson.choices = [("", "Choose a lesson")] + [
            (version.lesson_id, version.title) for version in lessons
        ]

    def validate_lesson(self, field: SelectField) -> None:
        """Ask for a lesson when none was chosen (the service checks it is published)."""
        if field.data is None:
            raise ValidationError("Choose a lesson.")

    def validate_due_time(self, field: TimeField) -> None:
        """A time needs a date."""
        if field.data is not None and not any(self.due_date.raw_data or []):
            raise ValidationError("Give a due date with the time, or leave the time empty.")

    def due_at(self) -> datetime | None:
        """The due moment in UTC, or None when no date was given."""
        if self.due_date.data is None:
            return None
        return due_moment(self.due_date.data, self.due_time.data)
