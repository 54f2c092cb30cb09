"""Views of the authors' pages: the lessons and their versions, new lessons, the editor with
its check, preview and publish, publication state and the differences between versions.

Nothing is stored until the author publishes; every answer carries the editor's text back,
so no typing is lost to a problem, a preview or a conflict.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lesson_app import questions
from lesson_app.access import FORM_ERROR_STATUS
from lesson_app.author import bp
from lesson_app.author.forms import ArticleForm, UploadForm
from lesson_app.db import get_session, ids_in, parse_id
from lesson_app.lessons import check_text, diff_sources, skeleton_from_article
from lesson_app.lessons.skeleton import blank_lesson
from lesson_app.models import LessonVersion, Question
from lesson_app.services import authoring
from lesson_app.services.authoring import Draft, UploadError
from lesson_app.services.lessons import ImportOutcome, set_published
from lesson_app.services.regrade import affected_attempts, regrade
from lesson_app.student.quiz import QuizItem

Page = tuple[str, int]


@bp.get("/")
def index() -> str:
    """Every lesson with its versions (when, who, what changed) and publication state."""
    return render_template("author/index.html", histories=authoring.lesson_histories(get_session()))


def _new_page(article: ArticleForm, upload: UploadForm, status: int = 200) -> Page:
    """The three ways to start a lesson; a form sent back with errors replaces its own."""
    return render_template("author/new.html", article=article, upload=upload), status


def _editor(draft: Draft, problems: list | None = None, status: int = 200) -> Page:
    """The editor with the draft and, after a check, its problems (None: not checked)."""
    return render_template("author/editor.html", draft=draft, problems=problems), status


@bp.get("/new")
def new() -> Page:
    """Start a lesson from the blank template, an article's text or a file."""
    return _new_page(ArticleForm(formdata=None), UploadForm(formdata=None))


@bp.get("/new/blank")
def new_blank() -> Page:
    """The editor with the blank template."""
    return _editor(Draft(blank_lesson()))


@bp.post("/new/from-text")
def new_from_text() -> Page:
    """The editor with a skeleton made from the pasted article."""
    form = ArticleForm()
    if not form.validate_on_submit():
        return _new_page(form, UploadForm(formdata=None), FORM_ERROR_STATUS)
    return _editor(Draft(skeleton_from_article(form.article.data)))


@bp.post("/new/upload")
def new_upload() -> Page:
    """The editor with an uploaded lesson file, or the skeleton of an uploaded article."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _new_page(ArticleForm(formdata=None), form, FORM_ERROR_STATUS)
    upload = form.file.data
    try:
        text = authoring.read_upload(
            upload.filename or "", upload.stream.read(authoring.MAX_UPLOAD_BYTES + 1)
        )
    except UploadError as error:
        form.file.errors = [str(error)]
        return _new_page(ArticleForm(formdata=None), form, error.status)
    return _editor(Draft(text))


@bp.get("/lessons/<slug>/edit")
def edit(slug: str) -> Page:
    """The editor with the text of the lesson's current version."""
    version = _version_or_404(slug)
    return _editor(Draft(version.source_text, slug, version.number))


@bp.post("/check")
def check() -> Page:
    """The editor with every problem of the draft, each linked to its line."""
    draft = authoring.draft_from(request.form)
    return _editor(draft, check_text(draft.source, authoring.EDITOR_FILENAME).problems)


@bp.post("/preview")
def preview() -> Page:
    """The draft as students will see it, with the answer keys; or its problems."""
    draft = authoring.draft_from(request.form)
    shown = authoring.preview(draft.source)
    if shown.version is None:
        return _editor(draft, shown.problems, FORM_ERROR_STATUS)
    items = [_preview_item(question) for question in shown.version.questions]
    page = render_template(
        "author/preview.html",
        draft=draft,
        version=shown.version,
        items=items,
        problems=shown.problems,
    )
    return page, 200


def _preview_item(question: Question) -> QuizItem:
    """A question as the quiz shows it to a student who has not answered yet."""
    display = questions.shuffled_display(
        question.type, question.display, question.key, "preview" + question.qid
    )
    return QuizItem(question, display, None, None)


@bp.post("/publish")
def publish() -> Response | Page:
    """Publish the draft as a new version; its problems (422) or a conflict (409) otherwise."""
    draft = authoring.draft_from(request.form)
    outcome = authoring.publish(get_session(), draft, current_user.name)
    if outcome.status == "invalid":
        return _editor(draft, outcome.problems, FORM_ERROR_STATUS)
    if outcome.status == "conflict":
        return _conflict_page(draft, outcome)
    flash(authoring.publish_message(outcome))
    return redirect(url_for("author.index"))


def _conflict_page(draft: Draft, outcome: ImportOutcome) -> Page:
    """The version published since the author started, the differences, and the author's text
    in an editor that now starts from that version."""
    theirs = _version_or_404(outcome.slug or "")
    page = render_template(
        "author/conflict.html",
        theirs=theirs,
        started_from=draft.base_version if draft.base_slug == outcome.slug else 0,
        diff=diff_sources(theirs.source_text, draft.source),
        draft=Draft(draft.source, theirs.lesson.slug, theirs.number),
        problems=None,
    )
    return page, 409


@bp.post("/lessons/<slug>/unpublish")
def unpublish(slug: str) -> Response:
    """Hide the lesson from students; its versions, attempts and results are kept."""
    version = _version_or_404(slug)
    set_published(get_session(), version.lesson, False)
    flash(f"Unpublished {slug}: students no longer see it. Its versions and results are kept.")
    return redirect(url_for("author.index"))


@bp.post("/lessons/<slug>/publish")
def republish(slug: str) -> Response:
    """Publish the lesson's current version again, unchanged."""
    version = _version_or_404(slug)
    set_published(get_session(), version.lesson, True)
    flash(f"Published {slug} v{version.number} again.")
    return redirect(url_for("author.index"))


@bp.get("/lessons/<slug>/regrade")
def regrade_page(slug: str) -> str:
    """Every attempt that the lesson's current answer key would grade differently."""
    lesson = _version_or_404(slug).lesson
    return render_template(
        "regrade.html",
        lesson=lesson,
        affected=affected_attempts(get_session(), lesson),
        action=url_for("author.regrade_attempts", slug=slug),
        back=url_for("author.index"),
    )


@bp.post("/lessons/<slug>/regrade")
def regrade_attempts(slug: str) -> Response:
    """Regrade the chosen attempts with the current answer key (old scores are kept)."""
    lesson = _version_or_404(slug).lesson
    chosen = ids_in(request.form.getlist("attempt"))
    count = regrade(get_session(), lesson, chosen, current_user.name)
    flash(f"Regraded {count} attempt{'s' if count != 1 else ''}; the old scores are kept.")
    return redirect(url_for("author.index"))


@bp.get("/lessons/<slug>/diff")
def diff(slug: str) -> str:
    """The differences between two versions' texts (``?from=N&to=M``)."""
    pair = authoring.version_pair(get_session(), slug, _number("from"), _number("to"))
    if pair is None:
        abort(404)
    old, new = pair
    lines = diff_sources(old.source_text, new.source_text)
    return render_template("author/diff.html", old=old, new=new, lines=lines)


def _number(name: str) -> int | None:
    """The version number in the query argument ``name``; None when absent, 404 when bad."""
    value = request.args.get(name)
    if value is None:
        return None
    number = parse_id(value)
    if number is None:
        abort(404)
    return number


def _version_or_404(slug: str) -> LessonVersion:
    """The current version of the lesson ``slug``, published or not, or answer 404."""
    version = authoring.find_version(get_session(), slug)
    if version is None:
        abort(404)
    return version
