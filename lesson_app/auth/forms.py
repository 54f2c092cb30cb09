"""Forms of the accounts pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from lesson_app.services.accounts import PASSWORD_MAX_LENGTH, name_problem, password_problem


def printable(form: FlaskForm, field: StringField) -> None:
    """A name's validator: no control characters (see ``name_problem``)."""
    problem = name_problem(field.data)
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    """Email and password, and where to go afterwards."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class NewPasswordMixin:
    """A new password typed twice, checked against the password rules."""

    password = PasswordField(
        "Password",
        description="At least 8 characters; a phrase of a few words is easy to remember.",
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
    )
    confirm = PasswordField(
        "Password again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )

    def validate_password(self, field: PasswordField) -> None:
        """Refuse short, very long and common passwords, and the user's name or email."""
        email = getattr(self, "email", None)
        name = getattr(self, "name", None)
        problem = password_problem(
            field.data or "",
            email=email.data or "" if email else "",
            name=name.data or "" if name else "",
        )
        if problem:
            raise ValidationError(problem)


class TeacherRegistrationForm(NewPasswordMixin, FlaskForm):
    """A teacher's new account."""

    name = StringField("Your name", validators=[DataRequired(), Length(max=120), printable])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class StudentRegistrationForm(TeacherRegistrationForm):
    """A student's new account, in the class whose join code they were given."""

    join_code = StringField(
        "Class code",
        description="The code your teacher gave you, for example K7MX-Q2PA.",
        validators=[DataRequired(), Length(max=32)],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    """The current password and a new one."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
