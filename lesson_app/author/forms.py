"""Forms of the authors' pages that start a new lesson (the editor's own fields are read by
``services.authoring.draft_from``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField
from wtforms.validators import DataRequired


class ArticleForm(FlaskForm):
    """The text of a news article, to turn into a lesson skeleton."""

    article = TextAreaField(
        "Article text",
        description="Paste the article: its paragraphs become the reading (a paragraph "
        "pasted twice is kept once), and the glossary and questions sections are left for "
        "you to fill in.",
        validators=[DataRequired("Paste the text of the article.")],
    )


class UploadForm(FlaskForm):
    """A lesson file, or an article as plain text, from the author's computer."""

    file = FileField(
        "Lesson or article file",
        description="A .md, .markdown or .txt file in UTF-8, at most 512 KB. A lesson file "
        "(starting with its front matter, ---) opens as it is; any other text is taken as an "
        "article and becomes a lesson skeleton.",
        validators=[FileRequired("Choose a file to upload.")],
    )
