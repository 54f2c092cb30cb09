"""Taking the quiz through the pages: start, drafts, submit, result, history, the policy,
and that no answer key or feedback reaches a student before the policy allows."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select, update

from lesson_app.models import Assignment, Attempt, AttemptAnswer, Lesson, LessonVersion, Question
from lesson_app.models.base import utcnow
from lesson_app.services.classes import assign_lesson, create_class, enrol
from lesson_app.services.lessons import import_lesson_file
from tests.support import (
    CONTENT,
    LESSON_FILE,
    csrf_token,
    database,
    log_in,
    make_user,
    right_answer,
    without_csrf_tokens,
    wrong_answer,
)

SLUG = "central-asia-mobilisation"
LESSON_URL = f"/student/lessons/{SLUG}"
JSON = {"Accept": "application/json"}


@pytest.fixture
def world(app):
    """The seed lesson assigned to a class with two students; the fixture lesson not assigned."""
    with database(app) as db:
        import_lesson_file(db, CONTENT / f"{SLUG}.md")
        import_lesson_file(db, LESSON_FILE)
        teacher = make_user(db, "teacher", "teacher@example.org")
        classroom = create_class(db, teacher, "Year 10")
        for email in ("student@example.org", "other@example.org"):
            enrol(db, make_user(db, "student", email), classroom)
        lesson_id = db.scalar(select(Lesson.id).where(Lesson.slug == SLUG))
        assign_lesson(db, classroom, lesson_id, None)
    return app


@pytest.fixture
def student(world, client):
    """The client, logged in as the student."""
    log_in(client, "student@example.org")
    return client


def token(client):
    return csrf_token(client, LESSON_URL)


def start(client) -> int:
    """Start (or resume) the quiz; answers the attempt's id."""
    response = client.post(f"{LESSON_URL}/attempts", data={"csrf_token": token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def questions(app) -> list[Question]:
    """The seed lesson's questions (current version), detached for reading."""
    with database(app) as db:
        found = list(
            db.scalars(
                select(Question)
                .join(Lesson, Lesson.current_version_id == Question.version_id)
                .where(Lesson.slug == SLUG)
                .order_by(Question.position)
            )
        )
        db.expunge_all()
        return found


def fields(question: Question, answer) -> dict[str, object]:
    """The form fields that give ``answer`` (in the shape ``read_answer`` returns)."""
    name = f"q-{question.qid}"
    if question.type in ("single", "true-false", "short", "numeric"):
        return {name: answer}
    if question.type in ("multiple", "evidence"):
        return {name: list(answer)}
    if question.type == "ordering":
        return {f"{name}-{item}": str(place) for item, place in answer.items()}
    if question.type == "matching":
        return {f"{name}-{left}": right for left, right in answer.items()}
    return {f"{name}-{index}": text for index, text in enumerate(answer)}  # blanks


def wrong(question: Question):
    return wrong_answer(question.type, question.key)


def form_for(qs, answer_of) -> dict[str, object]:
    """The quiz form answering every question with ``answer_of(question)``."""
    data: dict[str, object] = {}
    for question in qs:
        data.update(fields(question, answer_of(question)))
    return data


def right(question: Question):
    return right_answer(question.type, question.key)


def post(client, attempt_id: int, action: str, data: dict, **kwargs):
    url = f"/student/attempts/{attempt_id}/{action}"
    return client.post(url, data={"csrf_token": token(client), **data}, **kwargs)


def count(app, model) -> int:
    with database(app) as db:
        return db.scalar(select(func.count()).select_from(model))


def attempt_row(app, attempt_id: int) -> Attempt:
    with database(app) as db:
        attempt = db.get(Attempt, attempt_id)
        db.expunge(attempt)
        return attempt


def scores_by_qid(app, attempt_id: int) -> dict[str, float]:
    with database(app) as db:
        rows = db.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
        return {row.qid: row.score for row in rows}


class FormState(HTMLParser):
    """What a browser would send for the page's form: checked boxes, typed text, selections."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name", "")
        if tag == "input" and name.startswith("q-"):
            kind = attributes.get("type")
            if kind in ("radio", "checkbox") and "checked" not in attributes:
                return
            value = attributes.get("value") or ""
            if value:
                self.values.setdefault(name, []).append(value)
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.values.setdefault(self._select, []).append(attributes["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_state(page: str) -> dict[str, list[str]]:
    parser = FormState()
    parser.feed(page)
    return parser.values


def as_lists(data: dict[str, object]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in data.items() if v not in ("", [])}


def sorted_values(values: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: sorted(chosen) for name, chosen in values.items()}


def quiz_page(client, attempt_id: int) -> str:
    response = client.get(f"/student/attempts/{attempt_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- starting --------------------------------------------------------------------------------


def test_the_start_page_explains_the_quiz_and_changes_nothing(world, student):
    page = student.get(LESSON_URL).get_data(as_text=True)
    assert "19 (19 points)" in page and "0 submitted, 3 left" in page
    assert "You may submit this quiz 3 times." in page and "Your best score counts." in page
    assert "as soon as you submit" in page and "Start the quiz" in page
    assert count(world, Attempt) == 0


def test_the_home_page_links_to_the_quiz_and_the_history(world, student):
    page = student.get("/student/").get_data(as_text=True)
    assert f'href="{LESSON_URL}"' in page and "Take the quiz" in page
    assert f'href="/lessons/{SLUG}"' in page and 'href="/student/history"' in page


def test_starting_makes_one_attempt_and_starting_again_resumes_it(world, student):
    first = start(student)
    assert "Continue the quiz" in student.get(LESSON_URL).get_data(as_text=True)
    assert start(student) == first and count(world, Attempt) == 1


@pytest.mark.parametrize("slug", ["neighbours-and-mobilisation", "no-such-lesson"])
def test_a_lesson_not_assigned_to_the_student_is_not_found(world, student, slug):
    assert student.get(f"/student/lessons/{slug}").status_code == 404
    response = student.post(
        f"/student/lessons/{slug}/attempts", data={"csrf_token": token(student)}
    )
    assert response.status_code == 404 and count(world, Attempt) == 0


def test_another_students_attempt_is_not_found_like_a_missing_one(world, student, app):
    attempt_id = start(student)
    other = app.test_client()
    log_in(other, "other@example.org")
    mine, missing = (other.get(f"/student/attempts/{n}") for n in (attempt_id, 999))
    assert mine.status_code == missing.status_code == 404
    assert without_csrf_tokens(mine.get_data(as_text=True)) == without_csrf_tokens(
        missing.get_data(as_text=True)
    )
    for action in ("save", "submit"):
        assert post(other, attempt_id, action, {"confirm": "yes"}).status_code == 404
    assert not attempt_row(world, attempt_id).submitted


# --- drafts ----------------------------------------------------------------------------------


def test_a_saved_draft_of_every_type_comes_back_on_the_quiz_page(world, student):
    attempt_id = start(student)
    data = form_for(questions(world), right)
    response = post(student, attempt_id, "save", data)
    assert response.status_code == 302
    page = student.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"Draft saved at \d\d:\d\d UTC", page)
    assert sorted_values(form_state(page)) == sorted_values(as_lists(data))
    assert "19</span> of 19 questions answered" in page


def test_a_draft_survives_logging_out_and_in(world, student):
    attempt_id = start(student)
    data = form_for(questions(world)[:5], wrong)
    post(student, attempt_id, "save", data)
    student.post("/logout", data={"csrf_token": token(student)})
    log_in(student, "student@example.org")
    page = quiz_page(student, attempt_id)
    assert sorted_values(form_state(page)) == sorted_values(as_lists(data))


def test_autosave_answers_json(world, student):
    attempt_id = start(student)
    response = post(
        student,
        attempt_id,
        "save",
        {"q-who-announced": "a"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and set(response.get_json()) == {"saved_at", "message"}
    assert attempt_row(world, attempt_id).draft["who-announced"] == "a"


# --- submitting and grading --------------------------------------------------------------------


def test_every_answer_right_earns_full_marks(world, student):
    attempt_id = start(student)
    response = post(student, attempt_id, "submit", form_for(questions(world), right))
    assert response.status_code == 302
    page = student.get(response.headers["Location"]).get_data(as_text=True)
    assert "19 / 19" in page and "100 %" in page and page.count("<strong>Right</strong>") == 19
    assert set(scores_by_qid(world, attempt_id).values()) == {1.0}


def test_every_answer_wrong_earns_nothing(world, student):
    attempt_id = start(student)
    post(student, attempt_id, "submit", form_for(questions(world), wrong))
    page = quiz_page(student, attempt_id)
    assert "0 / 19" in page and page.count("<strong>Wrong</strong>") == 19


def test_partial_credit_on_multiple_ordering_matching_and_blanks(world, student):
    qs = {q.qid: q for q in questions(world)}
    facts = [o["id"] for o in qs["central-asia-facts"].key["options"] if o["correct"]][:2]
    order = [item["id"] for item in qs["time-order"].key["items"]]
    pairs = {p["left_id"]: p["right_id"] for p in qs["match-words"].key["pairs"]}
    (a, b), rest = list(pairs)[:2], list(pairs)[2:]
    swapped = {a: pairs[b], b: pairs[a], **{left: pairs[left] for left in rest}}
    blanks = right(qs["blanks-migrants"])
    data = {
        **fields(qs["central-asia-facts"], facts),
        **fields(qs["time-order"], {order[1]: 1, order[0]: 2, order[2]: 3}),
        **fields(qs["match-words"], swapped),
        **fields(qs["blanks-migrants"], [blanks[0], "nothing", blanks[2]]),
    }
    attempt_id = start(student)
    post(student, attempt_id, "submit", {**data, "confirm": "yes"})
    scores = scores_by_qid(world, attempt_id)
    assert scores["central-asia-facts"] == scores["time-order"] == 0.67
    assert scores["match-words"] == 0.5 and scores["blanks-migrants"] == 0.67
    page = quiz_page(student, attempt_id)
    assert page.count("<strong>Partly right</strong>") == 4 and "2.51 / 19" in page


def test_unanswered_questions_are_confirmed_first_then_the_draft_is_submitted(world, student):
    qs = questions(world)
    attempt_id = start(student)
    response = post(student, attempt_id, "submit", form_for(qs[:2], right))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "17 questions have no answer yet" in page
    assert f'href="/student/attempts/{attempt_id}#question-{qs[2].qid}"' in page
    assert not attempt_row(world, attempt_id).submitted
    assert attempt_row(world, attempt_id).draft[qs[0].qid] == right(qs[0])
    response = post(student, attempt_id, "submit", {"confirm": "yes"})
    assert response.status_code == 302
    assert attempt_row(world, attempt_id).score == 2
    assert "Not answered" in quiz_page(student, attempt_id)


def test_submitting_twice_stores_one_attempt(world, student):
    attempt_id = start(student)
    data = form_for(questions(world), right)
    post(student, attempt_id, "submit", data)
    again = post(student, attempt_id, "submit", form_for(questions(world), wrong))
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/{attempt_id}")
    assert count(world, Attempt) == 1 and count(world, AttemptAnswer) == 19
    assert attempt_row(world, attempt_id).score == 19


def test_a_submitted_attempt_cannot_be_saved(world, student):
    attempt_id = start(student)
    post(student, attempt_id, "submit", form_for(questions(world), right))
    response = post(student, attempt_id, "save", {"q-who-announced": "a"})
    assert response.status_code == 409
    assert "already submitted" in response.get_data(as_text=True)
    as_json = post(
        student,
        attempt_id,
        "save",
        {"q-who-announced": "a"},
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 409 and "already submitted" in as_json.get_json()["error"]
    assert attempt_row(world, attempt_id).draft["who-announced"] == "b"


def test_the_attempt_limit_is_kept(world, student):
    for _ in range(3):
        post(student, start(student), "submit", {"confirm": "yes"})
    page = student.get(LESSON_URL).get_data(as_text=True)
    assert "3 submitted, 0 left" in page and "You have used all the attempts" in page
    response = student.post(f"{LESSON_URL}/attempts", data={"csrf_token": token(student)})
    assert response.status_code == 409 and count(world, Attempt) == 3


def set_policy(app, **values):
    with database(app) as db:
        db.execute(update(LessonVersion).values(**values))
        db.commit()


def set_due(app, due_at):
    with database(app) as db:
        db.execute(update(Assignment).values(due_at=due_at))
        db.commit()


@pytest.mark.parametrize("grading, counted", [("best", 2), ("first", 1), ("last", 3)])
def test_the_counted_attempt_follows_the_grading_method(world, student, grading, counted):
    set_policy(world, grading=grading)
    right_form = form_for(questions(world), right)
    for data in ({"confirm": "yes"}, right_form, {"confirm": "yes"}):
        post(student, start(student), "submit", data)
    page = student.get(LESSON_URL).get_data(as_text=True)
    row = next(r for r in page.split("<tr>") if "This one counts" in r)
    assert f"Attempt {counted}</a>" in row


# --- reviewing -----------------------------------------------------------------------------------

FEEDBACK = "Read paragraph 5 again: who announced the mobilisation"
OPTION_FEEDBACK = "Tokayev spoke about the Russians who arrived in his country"
PASSAGE = "<mark>when Russian President Vladimir Putin announced the mobilisation</mark>"


def submitted_result(client) -> tuple[int, str]:
    """Submit an attempt answering the first question wrong; answers its id and result page."""
    attempt_id = start(client)
    post(client, attempt_id, "submit", {"q-who-announced": "a", "confirm": "yes"})
    return attempt_id, quiz_page(client, attempt_id)


def test_after_submit_the_result_shows_answers_feedback_and_evidence(world, student):
    _, page = submitted_result(student)
    assert "Right answer" in page and FEEDBACK in page and OPTION_FEEDBACK in page
    assert PASSAGE in page and "(on time)" in page


def test_a_lesson_that_never_shows_answers(world, student):
    set_policy(world, review="never")
    _, page = submitted_result(student)
    assert "Your teacher has chosen not to show answers for this lesson." in page
    assert "<strong>Wrong</strong>" in page
    for secret in ("Right answer", FEEDBACK, OPTION_FEEDBACK, PASSAGE, "Vladimir Putin"):
        assert secret not in page


def test_after_due_answers_wait_for_the_due_date(world, student):
    set_policy(world, review="after-due")
    due = (utcnow() + timedelta(days=3)).replace(hour=23, minute=59, second=0, microsecond=0)
    set_due(world, due)
    attempt_id, page = submitted_result(student)
    when = f"{due.day} {due:%B %Y, %H:%M} UTC"
    assert "Answers and feedback are shown after the due date" in page and when in page
    assert FEEDBACK not in page and PASSAGE not in page and "Right answer" not in page
    assert "(on time)" in page
    set_due(world, utcnow() - timedelta(minutes=1))
    page = quiz_page(student, attempt_id)
    assert FEEDBACK in page and PASSAGE in page and "Late</strong>" in page


def test_the_history_lists_every_attempt(world, student):
    first = start(student)
    post(student, first, "submit", form_for(questions(world), right))
    second = start(student)
    page = student.get("/student/history").get_data(as_text=True)
    assert f'href="/student/attempts/{first}"' in page
    assert "19 / 19 (100 %)" in page and "In progress" in page
    assert page.index(f"/attempts/{second}") < page.index(f"/attempts/{first}")


# --- security ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["save", "submit"])
def test_save_and_submit_without_the_csrf_token_are_refused(world, student, action):
    attempt_id = start(student)
    data = {"q-who-announced": "b", "confirm": "yes"}
    response = student.post(f"/student/attempts/{attempt_id}/{action}", data=data)
    assert response.status_code == 400
    attempt = attempt_row(world, attempt_id)
    assert attempt.draft == {} and not attempt.submitted and count(world, AttemptAnswer) == 0


def plain(fragment: str) -> str:
    """HTML as the text a reader sees (tags dropped, entities decoded, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def secrets(qs: list[Question]) -> list[str]:
    """What must not reach a student before review: every feedback, and key material that
    the article and the questions do not show anyway."""
    found = []
    for question in qs:
        found.append(plain(question.feedback["general"]))
        found.extend(plain(text) for text in question.feedback["options"].values())
        if question.type == "short":
            found.append(" | ".join(question.key["accepted"]))
        if question.type == "blanks":
            found.extend("|".join(a) for a in question.key["blanks"] if len(a) > 1)
    return [s for s in found if s] + ["100000", "95,000", "105,000"]


def test_no_page_or_response_during_an_open_attempt_holds_keys_or_feedback(world, student):
    qs = questions(world)
    attempt_id = start(student)
    draft = form_for(qs[:3], wrong)
    saved = post(student, attempt_id, "save", draft, headers=JSON)
    confirm = post(student, attempt_id, "submit", draft)
    assert confirm.status_code == 200
    pages = {
        "save (JSON)": saved.get_data(as_text=True),
        "confirmation": confirm.get_data(as_text=True),
        "quiz.js": student.get("/static/js/quiz.js").get_data(as_text=True),
    }
    for url in (
        "/student/",
        LESSON_URL,
        f"/student/attempts/{attempt_id}",
        "/student/history",
        f"/lessons/{SLUG}",
        f"/lessons/{SLUG}/glossary",
    ):
        response = student.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    forbidden = secrets(qs)
    for name, page in pages.items():
        for question in qs:  # question ids are public (and one holds a number)
            page = page.replace(question.qid, "")
        text = plain(page)
        leaked = [secret for secret in forbidden if secret in text or secret in page]
        assert not leaked, (name, leaked)
        assert not re.search(r"correct|accepted|\bkey\b|data-(correct|answer|key)\b", page, re.I), (
            name
        )
    quiz = pages[f"/student/attempts/{attempt_id}"]
    assert "<mark>" not in quiz and "Right answer" not in quiz
