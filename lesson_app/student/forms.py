"""Forms of the student's pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class JoinClassForm(FlaskForm):
    """The join code of another class."""

    join_code = StringField(
        "Class code",
        description="The code your teacher gave you, for example K7MX-Q2PA.",
        validators=[DataRequired("Type the class code."), Length(max=32)],
    )
