"""Integrity under load, against a real gunicorn with 4 workers, on SQLite and on PostgreSQL:
many students submitting at the same moment, one student submitting many times at once, a
worker killed in the middle of a submit, and drafts kept across a restart of the server.

Students log in through an in-process test client (cheap hashes) and use its session cookie
over HTTP; everything else goes through gunicorn.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from functools import partial

import pytest

from lesson_app.models import Attempt, AttemptAnswer, Question
from lesson_app.services.attempts import grade_question, read_answers
from tests.load.support import (
    WORKERS,
    Burst,
    Gunicorn,
    LoadWorld,
    PostgresqlRowLock,
    Response,
    SqliteWriteLock,
    all_at_once,
    form_state,
    gone,
    quiz_form,
    start_quizzes,
    wait_for,
)

pytestmark = pytest.mark.load

STUDENTS = 200
SAME_SUBMIT = 10
DRAFTS = 50


def answer_plan(questions: Sequence[Question], seed: int, skip_every: int = 0) -> dict[str, bool]:
    """Which questions a student answers right (True) or wrong (False), drawn from ``seed``;
    with ``skip_every`` n, every n-th question (shifted by the seed) is left unanswered."""
    draw = random.Random(seed)
    return {
        question.qid: draw.random() < 0.5
        for index, question in enumerate(questions)
        if not skip_every or (index + seed) % skip_every
    }


def assert_answered(
    responses: Sequence[Response | Exception], expected: set[int], server: Gunicorn
) -> None:
    """Every request got a response with a status in ``expected`` (no 5xx, no dropped
    connection); the message lists the others and the end of the server's log."""
    wrong = [
        f"#{index}: {result.status}" if isinstance(result, Response) else f"#{index}: {result!r}"
        for index, result in enumerate(responses)
        if not isinstance(result, Response) or result.status not in expected
    ]
    assert not wrong, f"{len(wrong)} of {len(responses)} failed: {wrong[:10]}\n{server.log_tail()}"


def assert_graded_consistently(world: LoadWorld, attempt_id: int, plan: dict[str, bool]) -> None:
    """The attempt is submitted with one answer row per question, each row graded as a fresh
    grading of its stored answer, and a score that is their sum and what ``plan`` earns."""
    attempt, rows = world.stored(attempt_id)
    assert attempt.status == "submitted", attempt_id
    questions = {question.id: question for question in world.questions}
    assert sorted(row.question_id for row in rows) == sorted(questions), attempt_id
    fresh_total = 0.0
    for row in rows:
        question = questions[row.question_id]
        fresh = grade_question(question, row.answer)
        fresh_total += fresh.score(question.points)
        assert (row.score, row.outcome) == (fresh.score(question.points), fresh.outcome), row.qid
        assert row.outcome == ("correct" if plan[row.qid] else "wrong"), (attempt_id, row.qid)
    expected = sum(q.points for q in world.questions if plan[q.qid])
    assert attempt.score == pytest.approx(sum(row.score for row in rows), abs=1e-9)
    assert attempt.score == pytest.approx(round(fresh_total, 2), abs=1e-9)
    assert attempt.score == expected, attempt_id


def test_two_hundred_students_submit_at_the_same_moment(world, gunicorn):
    """Each student answers differently (right or wrong per question, drawn from the attempt
    id): a score that is not the student's own would show."""
    takers = start_quizzes(world, gunicorn, STUDENTS)
    plans = {t.attempt_id: answer_plan(world.questions, seed=t.attempt_id) for t in takers}
    calls = [partial(t.submit, quiz_form(world.questions, plans[t.attempt_id])) for t in takers]

    responses = all_at_once(calls)

    assert_answered(responses, {302}, gunicorn)  # to the result page: see the next line
    assert [response.location for response in responses] == [t.page for t in takers]
    assert world.count(Attempt) == world.count(Attempt, Attempt.status == "submitted") == STUDENTS
    assert world.count(AttemptAnswer) == STUDENTS * len(world.questions)
    for attempt_id, plan in plans.items():
        assert_graded_consistently(world, attempt_id, plan)


def test_one_student_sending_the_same_submit_ten_times_at_once(world, gunicorn):
    """The database is held until every worker is inside the submit, having read the attempt
    as open: the race between them is certain, not left to timing."""
    (taker,) = start_quizzes(world, gunicorn, 1)
    plan = {question.qid: True for question in world.questions}
    form = quiz_form(world.questions, plan)
    if world.backend == "postgresql":
        lock = PostgresqlRowLock(world.database_url, taker.attempt_id)
    else:
        lock = SqliteWriteLock(world.sqlite_path, gunicorn)

    with closing(lock):
        burst = Burst([partial(taker.submit, form)] * SAME_SUBMIT)
        lock.wait_until_waiting(WORKERS)
        lock.release()
        responses = burst.results()

    assert_answered(responses, {302}, gunicorn)
    assert {response.location for response in responses} == {taker.page}
    assert world.count(Attempt) == world.count(Attempt, Attempt.status == "submitted") == 1
    assert world.count(AttemptAnswer) == len(world.questions)
    assert_graded_consistently(world, taker.attempt_id, plan)
    result = taker.browser.get(taker.page)
    assert result.status == 200 and "<dt>Submitted</dt>" in result.body
    assert f"{world.max_score} / {world.max_score}" in result.body


@contextmanager
def postgresql_submit_stuck(world: LoadWorld, attempt_id: int) -> Iterator[Callable[[], None]]:
    """Hold the attempt's row (``PostgresqlRowLock``): a submit inserts its answer rows, then
    its UPDATE of the attempt waits, inside its transaction.

    Yields a function that waits until pg_stat_activity shows that UPDATE waiting. On
    leaving, the lock is released and the waiting backend is awaited to end: its client, the
    killed worker, is gone, so it rolls back and exits.
    """
    backends = []
    with closing(PostgresqlRowLock(world.database_url, attempt_id)) as lock:

        def wait_until_stuck() -> None:
            ((pid, query),) = lock.wait_until_waiting(1)
            assert query.startswith("UPDATE attempts"), query
            backends.append(pid)

        yield wait_until_stuck
        lock.release()
        for pid in backends:
            wait_for(partial(lock.ended, pid), 15, "the killed worker's backend to end")


@contextmanager
def sqlite_submit_stuck(world: LoadWorld, attempt_id: int) -> Iterator[Callable[[], None]]:
    """Make the submit's ``UPDATE attempts`` last (almost) forever, inside its transaction:
    a trigger added to the test's database counts a cross join of 10^9 rows. The worker then
    holds the write lock with its answer rows inserted but not committed.

    Yields a function that waits until a worker has held the write lock for half a second
    (the answer INSERTs take milliseconds: it is in the trigger). On leaving, the trigger is
    dropped, which needs the write lock: the killed worker's lock must be gone.
    """
    path = world.sqlite_path

    def write_lock_held() -> bool:
        with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as probe:
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # database is locked
                return True
            probe.execute("ROLLBACK")
            return False

    def wait_until_stuck() -> None:
        wait_for(write_lock_held, 15, "a worker to take the write lock")
        time.sleep(0.5)
        assert write_lock_held(), "the submit ended before its worker could be killed"

    with closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as db:
        db.execute("CREATE TABLE load_test_numbers (n INTEGER)")
        db.execute(
            "INSERT INTO load_test_numbers WITH RECURSIVE c(n) AS "
            "(SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000) SELECT n FROM c"
        )
        db.execute(
            "CREATE TRIGGER load_test_slow_submit BEFORE UPDATE OF status ON attempts "
            f"WHEN OLD.id = {int(attempt_id)} AND NEW.status = 'submitted' BEGIN "
            "SELECT count(*) FROM load_test_numbers a, load_test_numbers b, load_test_numbers c; "
            "END"
        )
    yield wait_until_stuck
    with closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as db:
        db.execute("DROP TRIGGER load_test_slow_submit")
        db.execute("DROP TABLE load_test_numbers")


def test_a_worker_killed_in_the_middle_of_a_submit_stores_nothing(world, gunicorn):
    """The submit is held inside its transaction (answer rows inserted, attempt not yet marked)
    and every worker is killed: nothing of it may remain, and the same submit sent again to
    the workers gunicorn started instead is stored once."""
    (taker,) = start_quizzes(world, gunicorn, 1)
    plan = {question.qid: True for question in world.questions}
    form = quiz_form(world.questions, plan)
    stuck = postgresql_submit_stuck if world.backend == "postgresql" else sqlite_submit_stuck

    with stuck(world, taker.attempt_id) as wait_until_stuck:
        burst = Burst([partial(taker.submit, form)])
        wait_until_stuck()
        killed = gunicorn.workers()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: all(gone(pid) for pid in killed), 10, "the killed workers to end")
    (outcome,) = burst.results()

    assert isinstance(outcome, ConnectionError), outcome  # no response at all
    attempt, rows = world.stored(taker.attempt_id)
    assert (attempt.status, attempt.score, len(rows)) == ("open", None, 0)
    gunicorn.wait_until_ready(replacing=killed)  # the master has started new workers
    retry = taker.submit(form)
    assert (retry.status, retry.location) == (302, taker.page), gunicorn.log_tail()
    assert world.count(Attempt) == world.count(Attempt, Attempt.status == "submitted") == 1
    assert world.count(AttemptAnswer) == len(world.questions)
    assert_graded_consistently(world, taker.attempt_id, plan)


def test_drafts_survive_a_restart_of_the_server(world, start_server):
    """Each student's draft leaves every third question unanswered and answers the others
    right or wrong; after a graceful stop and a new server, the database and the quiz page
    hold exactly what was saved."""
    first = start_server()
    takers = start_quizzes(world, first, DRAFTS)
    forms = {
        taker.attempt_id: quiz_form(
            world.questions, answer_plan(world.questions, seed=taker.attempt_id, skip_every=3)
        )
        for taker in takers
    }

    saved = all_at_once([partial(t.save, forms[t.attempt_id]) for t in takers])

    assert_answered(saved, {302}, first)
    assert first.stop() == 0, first.log_tail()
    second = start_server()
    for taker in takers:
        attempt, _ = world.stored(taker.attempt_id)
        assert attempt.status == "open", taker.attempt_id
        assert attempt.draft == read_answers(world.questions, forms[taker.attempt_id])
        taker.browser.base_url = second.url
    with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
        pages = list(pool.map(lambda taker: taker.browser.get(taker.page), takers))
    for taker, page in zip(takers, pages, strict=True):
        assert page.status == 200, second.log_tail()
        form = forms[taker.attempt_id]
        assert form_state(page.body) == {name: sorted(values) for name, values in form.items()}
