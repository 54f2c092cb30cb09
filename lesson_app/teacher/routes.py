"""Views of the teacher's pages.

Every class id in a URL goes through ``class_for_teacher`` (the results pages: through
``class_for_results``, the same check without loading the roster): another teacher's class and
a class that does not exist both answer the same 404. So do a lesson not assigned to the class,
a student not in it, and an attempt that is not a student's of the class at one of its lessons.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from lesson_app.access import FORM_ERROR_STATUS
from lesson_app.db import get_session, ids_in
from lesson_app.models import Classroom, Lesson, User
from lesson_app.services.caching import cache_for
from lesson_app.services.classes import (
    ClassError,
    assign_lesson,
    assignable_lessons,
    class_for_teacher,
    class_summaries,
    create_class,
    current_enrolment,
    current_students,
    remove_student,
    rename_class,
    rotate_join_code,
    set_archived,
    unassign_lesson,
)
from lesson_app.services.regrade import affected_attempts, regrade
from lesson_app.services.results import (
    SORTS,
    LessonResults,
    assigned_lesson,
    class_attempt,
    class_for_results,
    class_overview,
    csv_filename,
    discrimination_words,
    lesson_results,
    question_label,
    results_csv,
    results_key,
    right_option_ids,
    sorted_students,
    student_attempts,
)
from lesson_app.student.quiz import quiz_items
from lesson_app.teacher import bp
from lesson_app.teacher.forms import AssignLessonForm, ClassNameForm

# The results pages' words for question types and discrimination, and the choice keys.
bp.add_app_template_filter(question_label)
bp.add_app_template_filter(discrimination_words)
bp.add_app_template_global(right_option_ids)

#: Where ``_page_around`` puts the kept content (a comment no template writes).
CONTENT_MARK = f"<!-- kept content {secrets.token_hex(8)} -->"
#: Rendered results pages each worker keeps (a lesson's for 200 students is about 600 KB).
RESULTS_CACHE_SIZE = 16

#: A grid cell of a question the student's counted attempt did not have.
NOT_IN_ATTEMPT = (
    '<td class="grid-cell"><span class="visually-hidden">Not in this attempt</span></td>'
)


@bp.app_template_global()
def grid_cells(results: LessonResults, student_id: int, signs: dict[str, Markup]) -> Markup:
    """A student's cells of the question grid, each the outcome's ``signs`` (rendered once by
    the template): built here because the grid has a cell per student and question (3,600
    for 200 students), which would take most of the page's time as template code."""
    cells = []
    for stats in results.questions:
        outcome = results.grid.get((student_id, stats.question.qid))
        cells.append(f'<td class="grid-cell">{signs[outcome]}</td>' if outcome else NOT_IN_ATTEMPT)
    return Markup("\n".join(cells))


def _teacher() -> User:
    """The logged-in teacher (the user object itself, not Flask-Login's proxy)."""
    return current_user._get_current_object()


def _class_or_404(class_id: int) -> Classroom:
    """The class if the current user may run it, else answer 404."""
    classroom = class_for_teacher(get_session(), _teacher(), class_id)
    if classroom is None:
        abort(404)
    return classroom


def _results_class_or_404(class_id: int) -> Classroom:
    """Like ``_class_or_404``, for the results pages: the class without its roster."""
    classroom = class_for_results(get_session(), _teacher(), class_id)
    if classroom is None:
        abort(404)
    return classroom


def _to_class(classroom: Classroom, message: str) -> Response:
    """Flash ``message`` and go back to the class page."""
    flash(message)
    return redirect(url_for("teacher.class_page", class_id=classroom.id))


def _index_page(form: ClassNameForm, status: int = 200) -> tuple[str, int]:
    """The list of classes with the form that creates one."""
    summaries = class_summaries(get_session(), _teacher())
    return render_template("teacher/index.html", summaries=summaries, form=form), status


def _class_page(
    classroom: Classroom,
    rename_form: ClassNameForm | None = None,
    assign_form: AssignLessonForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """A class's page; a form sent back with errors replaces its fresh counterpart."""
    if assign_form is None:
        assign_form = AssignLessonForm(assignable_lessons(get_session()), formdata=None)
    page = render_template(
        "teacher/class.html",
        classroom=classroom,
        students=current_students(classroom),
        rename_form=rename_form or ClassNameForm(formdata=None, name=classroom.name),
        assign_form=assign_form,
        register_url=url_for("auth.register", code=classroom.join_code, _external=True),
    )
    return page, status


@bp.get("/")
def index() -> tuple[str, int]:
    """The teacher's classes, current then archived, and a form to create one."""
    return _index_page(ClassNameForm())


@bp.post("/classes")
def create() -> Response | tuple[str, int]:
    """Create a class with a new join code."""
    form = ClassNameForm()
    if form.validate_on_submit():
        try:
            classroom = create_class(get_session(), _teacher(), form.name.data)
        except ClassError as error:
            form.name.errors.append(str(error))
        else:
            return _to_class(classroom, f"The class {classroom.name} is ready.")
    return _index_page(form, FORM_ERROR_STATUS)


@bp.get("/classes/<int:class_id>")
def class_page(class_id: int) -> tuple[str, int]:
    """A class: its join code, roster and assignments, and the forms that change them."""
    return _class_page(_class_or_404(class_id))


@bp.post("/classes/<int:class_id>/rename")
def rename(class_id: int) -> Response | tuple[str, int]:
    """Give the class a new name."""
    classroom = _class_or_404(class_id)
    form = ClassNameForm()
    if not form.validate_on_submit():
        return _class_page(classroom, rename_form=form, status=FORM_ERROR_STATUS)
    rename_class(get_session(), classroom, form.name.data)
    return _to_class(classroom, f"The class is now called {classroom.name}.")


@bp.post("/classes/<int:class_id>/join-code")
def new_code(class_id: int) -> Response:
    """Replace the class's join code; the old one stops working."""
    classroom = _class_or_404(class_id)
    try:
        rotate_join_code(get_session(), classroom)
    except ClassError as error:
        return _to_class(classroom, str(error))
    return _to_class(
        classroom, f"The new join code is {classroom.join_code}. The old one no longer works."
    )


@bp.post("/classes/<int:class_id>/archive")
def archive(class_id: int) -> Response:
    """Archive the class: no one can join it and its students no longer see it."""
    classroom = _class_or_404(class_id)
    set_archived(get_session(), classroom, True)
    return _to_class(classroom, "The class is archived.")


@bp.post("/classes/<int:class_id>/unarchive")
def unarchive(class_id: int) -> Response:
    """Bring an archived class back."""
    classroom = _class_or_404(class_id)
    set_archived(get_session(), classroom, False)
    return _to_class(classroom, "The class is current again.")


@bp.get("/classes/<int:class_id>/students/<int:student_id>/remove")
def confirm_remove(class_id: int, student_id: int) -> str:
    """Ask before removing a student from the class."""
    classroom = _class_or_404(class_id)
    enrolment = current_enrolment(classroom, student_id)
    if enrolment is None:
        abort(404)
    return render_template("teacher/remove_student.html", classroom=classroom, enrolment=enrolment)


@bp.post("/classes/<int:class_id>/students/<int:student_id>/remove")
def remove(class_id: int, student_id: int) -> Response:
    """Remove a student from the class; their past work is kept."""
    classroom = _class_or_404(class_id)
    enrolment = remove_student(get_session(), classroom, student_id)
    if enrolment is None:
        abort(404)
    return _to_class(classroom, f"{enrolment.student.name} is no longer in the class.")


@bp.post("/classes/<int:class_id>/assignments")
def assign(class_id: int) -> Response | tuple[str, int]:
    """Assign a published lesson to the class, or change its due date."""
    classroom = _class_or_404(class_id)
    form = AssignLessonForm(assignable_lessons(get_session()))
    if form.validate_on_submit():
        try:
            assignment = assign_lesson(get_session(), classroom, form.lesson.data, form.due_at())
        except ClassError as error:
            form.lesson.errors.append(str(error))
        else:
            title = assignment.lesson.current_version.title
            return _to_class(classroom, f"{title} is assigned to the class.")
    return _class_page(classroom, assign_form=form, status=FORM_ERROR_STATUS)


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/delete")
def unassign(class_id: int, assignment_id: int) -> Response:
    """Take a lesson off the class."""
    classroom = _class_or_404(class_id)
    if not unassign_lesson(get_session(), classroom, assignment_id):
        abort(404)
    return _to_class(classroom, "The lesson is no longer assigned to the class.")


# --- results ------------------------------------------------------------------------------------


def _lesson_or_404(classroom: Classroom, slug: str) -> Lesson:
    """The lesson if it is assigned to the class, else answer 404."""
    lesson = assigned_lesson(classroom, slug)
    if lesson is None:
        abort(404)
    return lesson


def _kept_page(key: Hashable, render: Callable[[], Any]) -> Any:
    """A results page's content, rendered once per worker for each ``key`` (see
    ``results_key``: it changes whenever the results may, so a kept page is never stale)."""
    return cache_for(get_session(), "results pages", RESULTS_CACHE_SIZE).get_or_make(key, render)


def _page_around(content: bytes, template: str, **context: Any) -> Response:
    """The page ``template`` with kept ``content`` (UTF-8) in its content block, sent in three
    pieces: a lesson's results are 600 KB, which copying into the page and encoding again
    would cost more than the rest of the request."""
    page = render_template(template, content=Markup(CONTENT_MARK), **context)
    head, tail = page.split(CONTENT_MARK)
    return Response([head.encode(), content, tail.encode()], mimetype="text/html")


@bp.get("/classes/<int:class_id>/results")
def results(class_id: int) -> Response:
    """The class at a glance: each assigned lesson's completion and scores, each student's."""
    classroom = _results_class_or_404(class_id)
    db = get_session()
    content = _kept_page(
        ("class", results_key(db, classroom, classroom.assignments)),
        lambda: render_template(
            "teacher/_class_results.html", overview=class_overview(db, classroom)
        ).encode(),
    )
    return _page_around(content, "teacher/results.html", classroom=classroom)


@bp.get("/classes/<int:class_id>/lessons/<slug>/results")
def lesson_results_page(class_id: int, slug: str) -> Response:
    """A lesson's results: the grid (sorted by ``?sort=name|score``), each question, charts."""
    classroom = _results_class_or_404(class_id)
    lesson = _lesson_or_404(classroom, slug)
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "name"
    db = get_session()
    assignments = [a for a in classroom.assignments if a.lesson_id == lesson.id]

    def render() -> tuple[str, bytes]:
        found = lesson_results(db, classroom, lesson)
        html = render_template(
            "teacher/_lesson_results.html",
            results=found,
            slug=slug,
            sort=sort,
            rows=sorted_students(found, sort),
        )
        return found.version.title, html.encode()

    title, content = _kept_page(("lesson", sort, results_key(db, classroom, assignments)), render)
    return _page_around(content, "teacher/lesson_results.html", classroom=classroom, title=title)


@bp.get("/classes/<int:class_id>/lessons/<slug>/results.csv")
def results_download(class_id: int, slug: str) -> Response:
    """A lesson's results as a CSV file for a spreadsheet."""
    classroom = _results_class_or_404(class_id)
    found = lesson_results(get_session(), classroom, _lesson_or_404(classroom, slug))
    filename = csv_filename(classroom, slug)
    return Response(
        results_csv(found),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/classes/<int:class_id>/students/<int:student_id>")
def student_page(class_id: int, student_id: int) -> str:
    """A student's attempts at the class's lessons."""
    classroom = _results_class_or_404(class_id)
    work = student_attempts(get_session(), classroom, student_id)
    if work is None:
        abort(404)
    return render_template("teacher/student.html", classroom=classroom, work=work)


@bp.get("/classes/<int:class_id>/attempts/<int:attempt_id>")
def attempt_page(class_id: int, attempt_id: int) -> str:
    """An attempt in full as the student saw it, with the key, feedback and evidence."""
    classroom = _results_class_or_404(class_id)
    found = class_attempt(get_session(), classroom, attempt_id)
    if found is None:
        abort(404)
    return render_template(
        "teacher/attempt.html",
        classroom=classroom,
        found=found,
        attempt=found.attempt,
        items=quiz_items(found.attempt),
    )


def _class_student_ids(classroom: Classroom) -> list[int]:
    """The ids of the class's current students (regrades stay within the class)."""
    return [enrolment.student_id for enrolment in current_students(classroom)]


@bp.get("/classes/<int:class_id>/lessons/<slug>/regrade")
def regrade_page(class_id: int, slug: str) -> str:
    """The class's attempts that the lesson's current answer key would grade differently."""
    classroom = _class_or_404(class_id)
    lesson = _lesson_or_404(classroom, slug)
    affected = affected_attempts(get_session(), lesson, _class_student_ids(classroom))
    return render_template(
        "regrade.html",
        lesson=lesson,
        affected=affected,
        action=url_for("teacher.regrade_attempts", class_id=class_id, slug=slug),
        back=url_for("teacher.lesson_results_page", class_id=class_id, slug=slug),
    )


@bp.post("/classes/<int:class_id>/lessons/<slug>/regrade")
def regrade_attempts(class_id: int, slug: str) -> Response:
    """Regrade the chosen attempts of the class's students with the current key."""
    classroom = _class_or_404(class_id)
    lesson = _lesson_or_404(classroom, slug)
    chosen = ids_in(request.form.getlist("attempt"))
    count = regrade(get_session(), lesson, chosen, _teacher().name, _class_student_ids(classroom))
    flash(f"Regraded {count} attempt{'s' if count != 1 else ''}; the old scores are kept.")
    return redirect(url_for("teacher.lesson_results_page", class_id=class_id, slug=slug))
