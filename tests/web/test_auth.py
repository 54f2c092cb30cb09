"""Accounts: logging in and out, registering, passwords, sessions and rate limits."""

from __future__ import annotations

import uuid

import pytest
from argon2 import Type
from sqlalchemy import func, select

from lesson_app.db import get_db
from lesson_app.models import Enrolment, User
from lesson_app.services.accounts import authenticate, create_user
from lesson_app.services.classes import create_class
from tests.support import PASSWORD, csrf_token, database, make_app, make_user, post_form


def log_in(client, email, password=PASSWORD, **request):
    """Send the login form (whatever the answer)."""
    return post_form(client, "/login", {"email": email, "password": password}, **request)


@pytest.fixture
def teacher(session):
    return create_user(
        session, email="t@example.org", name="Tess", password=PASSWORD, roles=["teacher"]
    )


@pytest.fixture
def student(session):
    return create_user(
        session, email="s@example.org", name="Sam", password=PASSWORD, roles=["student"]
    )


@pytest.fixture
def classroom(session, teacher):
    return create_class(session, teacher, "Year 10")


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


# --- logging in -------------------------------------------------------------------------------


def test_login_sends_each_role_to_its_home(client, student, teacher):
    assert log_in(client, "s@example.org").headers["Location"] == "/student/"
    other = client.application.test_client()
    assert log_in(other, "T@Example.org ").headers["Location"] == "/teacher/"


@pytest.mark.parametrize(
    "email, password", [("s@example.org", "wrong password"), ("nobody@example.org", PASSWORD)]
)
def test_wrong_email_or_password_says_the_same(client, student, email, password):
    response = log_in(client, email, password)
    assert response.status_code == 422
    assert "The email address or the password is not right." in response.get_data(as_text=True)
    assert client.get("/student/").status_code == 302


def test_login_without_csrf_token_is_refused(client, student):
    response = client.post("/login", data={"email": "s@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    assert client.get("/student/").status_code == 302


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/lessons/x", "/lessons/x"),
        ("//evil.example/", "/student/"),
        ("https://evil.example/", "/student/"),
        ("/\\evil.example", "/student/"),
        ("javascript:alert(1)", "/student/"),
    ],
)
def test_next_redirect_stays_on_the_site(client, student, target, expected):
    response = post_form(
        client, "/login", {"email": "s@example.org", "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == expected


def test_protected_page_sends_anonymous_visitors_to_login_and_back(client, student):
    response = client.get("/student/")
    assert response.status_code == 302
    assert "/login?next=%2Fstudent%2F" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/student/"' in html


# --- registering ------------------------------------------------------------------------------


def registration(code, **changes):
    data = {
        "name": "New Student",
        "email": "new@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "join_code": code,
    }
    return {**data, **changes}


def test_student_registers_with_a_join_code_and_is_in_the_class(client, session, classroom):
    code = classroom.join_code.lower().replace("-", "")
    response = post_form(client, "/register", registration(code))
    assert response.status_code == 302 and response.headers["Location"] == "/student/"
    user = session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.roles == {"student"}
    assert session.scalar(select(Enrolment.class_id).where(Enrolment.student_id == user.id)) == (
        classroom.id
    )
    assert "Year 10" in client.get("/student/").get_data(as_text=True)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"join_code": "ZZZZ-ZZZZ"}, "No class has this join code"),
        ({"password": "short", "confirm": "short"}, "Use at least 8 characters."),
        (
            {"password": "x" * 129, "confirm": "x" * 129},
            "Field cannot be longer than 128 characters.",
        ),
        ({"password": "password123", "confirm": "password123"}, "one of the most common"),
        ({"password": "new@example.org", "confirm": "new@example.org"}, "your name or email"),
        ({"confirm": "something else"}, "The two passwords differ."),
        ({"email": "not an email"}, "Invalid email address."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_registration_errors_are_explained_and_store_nothing(
    client, session, classroom, changes, message
):
    before = count(session, User)
    response = post_form(client, "/register", registration(classroom.join_code, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(session, User) == before


def test_registering_a_taken_email_is_refused(client, session, student, classroom):
    response = post_form(
        client, "/register", registration(classroom.join_code, email="S@example.org")
    )
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_any_unicode_password_works(client, session, classroom):
    password = "ünïcødé пароль 密码"
    post_form(
        client, "/register", registration(classroom.join_code, password=password, confirm=password)
    )
    assert authenticate(session, "new@example.org", password) is not None


def test_registration_without_csrf_token_stores_nothing(client, session, classroom):
    before = count(session, User)
    assert client.post("/register", data=registration(classroom.join_code)).status_code == 400
    assert count(session, User) == before


def test_teacher_registration(client, session):
    data = {"name": "Tina", "email": "tina@example.org", "password": PASSWORD, "confirm": PASSWORD}
    response = post_form(client, "/register/teacher", data)
    assert response.headers["Location"] == "/teacher/"
    assert session.scalar(select(User).where(User.email == "tina@example.org")).roles == {"teacher"}


def test_teacher_registration_can_be_turned_off(tmp_path):
    from tests.support import make_app

    app = make_app(tmp_path / "db.sqlite3", TEACHER_SIGNUP=False)
    client = app.test_client()
    assert client.get("/register/teacher").status_code == 404
    assert "a teacher account" not in client.get("/login").get_data(as_text=True)


# --- passwords and sessions -------------------------------------------------------------------


def change_password(client, current, new):
    return post_form(client, "/account", {"current": current, "password": new, "confirm": new})


def test_password_change_needs_the_current_password(client, session, student):
    log_in(client, "s@example.org")
    response = change_password(client, "not it at all", "a brand new phrase")
    assert response.status_code == 422 and "current password is not right" in response.text
    assert authenticate(session, "s@example.org", PASSWORD) is not None


def test_password_change_ends_other_sessions_but_not_this_one(client, session, student):
    other = client.application.test_client()
    log_in(client, "s@example.org")
    log_in(other, "s@example.org")
    assert change_password(client, PASSWORD, "a brand new phrase").status_code == 302
    assert client.get("/student/").status_code == 200
    assert other.get("/student/").status_code == 302
    assert authenticate(session, "s@example.org", "a brand new phrase") is not None
    assert authenticate(session, "s@example.org", PASSWORD) is None


def session_cookie(client):
    return client.get_cookie("session").value


def test_login_starts_a_new_session(client, student):
    token_before = csrf_token(client, "/login")
    cookie_before = session_cookie(client)
    log_in(client, "s@example.org")
    assert session_cookie(client) != cookie_before
    # a token from before the login belongs to the old session and no longer works
    response = client.post(
        "/account",
        data={
            "csrf_token": token_before,
            "current": PASSWORD,
            "password": "another new phrase",
            "confirm": "another new phrase",
        },
    )
    assert response.status_code == 400


def test_logout_ends_the_session_and_a_copied_cookie(client, student):
    log_in(client, "s@example.org")
    copied = session_cookie(client)
    token = csrf_token(client, "/account")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/student/").status_code == 302
    replay = client.application.test_client()
    replay.set_cookie("session", copied)
    assert replay.get("/student/").status_code == 302


def test_logout_is_a_post_with_csrf(client, student):
    log_in(client, "s@example.org")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/student/").status_code == 200


def test_passwords_are_hashed_with_argon2id(session, student, cheap_password_hashing):
    assert student.password_hash.startswith("$argon2id$")
    assert PASSWORD not in student.password_hash
    # the tests hash cheaply (see conftest); the site uses RFC 9106's low-memory profile
    site = cheap_password_hashing
    assert (site.type, site.time_cost, site.memory_cost, site.parallelism) == (Type.ID, 3, 65536, 4)


# --- rate limits ------------------------------------------------------------------------------


def address(n):
    """The ``environ_base`` of a request from the n-th of many client addresses."""
    return {"REMOTE_ADDR": f"10.0.{n // 200}.{n % 200 + 1}"}


def test_failed_logins_on_one_account_are_refused_from_any_address_after_the_limit(
    client, student, teacher
):
    # 10 failures per account (LOGIN_LIMIT_PER_ACCOUNT); each guess from another address, the
    # email spelled three ways as a guesser would to dodge the count
    spellings = ["s@example.org", "S@EXAMPLE.ORG", " s@Example.org "]
    statuses = [
        log_in(client, spellings[n % 3], "wrong password", environ_base=address(n)).status_code
        for n in range(20)
    ]
    assert statuses == [422] * 10 + [429] * 10
    # the right password is refused too while the limit lasts, so guessing cannot go on
    refused = log_in(client, "s@example.org", PASSWORD, environ_base=address(20))
    assert refused.status_code == 429
    assert "Too many tries" in refused.text and "wait a few minutes" in refused.text
    assert client.get("/student/").status_code == 302  # not logged in
    # another account, from the same addresses, is not locked
    other = client.application.test_client()
    wrong = log_in(other, "t@example.org", "wrong password", environ_base=address(0))
    assert wrong.status_code == 422
    assert log_in(other, "t@example.org", environ_base=address(1)).status_code == 302


def test_failed_logins_from_one_address_are_limited_across_accounts(client, student):
    for attempt in range(30):
        assert log_in(client, f"user{attempt}@example.org", "wrong").status_code == 422
    assert log_in(client, "s@example.org").status_code == 429


def test_successful_logins_do_not_count(client, student):
    for _ in range(12):
        assert log_in(client, "s@example.org").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})


def join(client, code, **request):
    """Send the student's form that joins a class (whatever the answer)."""
    return post_form(client, "/student/", {"join_code": code}, action="/student/join", **request)


def wrong_code(n):
    """The n-th of many wrong join codes (no code holds the digit 1)."""
    return f"ZZZZ-Z1{n:02d}"


def test_join_code_guesses_when_registering_are_limited_per_address_and_store_nothing(
    client, session, classroom
):
    for n in range(20):  # JOIN_CODE_LIMIT: 20 wrong codes from one address
        data = registration(wrong_code(n), email=f"n{n}@example.org")
        assert post_form(client, "/register", data).status_code == 422
    before = count(session, User)
    refused = post_form(client, "/register", registration(classroom.join_code))
    assert refused.status_code == 429 and "Too many tries" in refused.text
    assert count(session, User) == before
    # the same registration from another address goes through: only the limit refused it
    response = post_form(
        client, "/register", registration(classroom.join_code), environ_base=address(1)
    )
    assert response.status_code == 302 and count(session, User) == before + 1


def test_join_code_guesses_by_one_student_are_limited_across_addresses(
    client, session, student, classroom
):
    log_in(client, "s@example.org")
    statuses = [join(client, wrong_code(n), environ_base=address(n)).status_code for n in range(21)]
    assert statuses == [422] * 20 + [429]
    # the right code is refused too while the limit lasts, and nothing is stored
    refused = join(client, classroom.join_code, environ_base=address(21))
    assert refused.status_code == 429 and "Too many tries" in refused.text
    assert count(session, Enrolment) == 0
    # another student, from the same addresses, is not locked
    create_user(session, email="s2@example.org", name="Sue", password=PASSWORD, roles=["student"])
    other = client.application.test_client()
    log_in(other, "s2@example.org")
    assert join(other, classroom.join_code, environ_base=address(0)).status_code == 302
    assert count(session, Enrolment) == 1


def test_join_code_guesses_from_one_address_are_limited_across_students(
    client, session, student, classroom
):
    create_user(session, email="s2@example.org", name="Sue", password=PASSWORD, roles=["student"])
    second = client.application.test_client()
    log_in(client, "s@example.org")
    log_in(second, "s2@example.org")
    for n in range(10):  # 20 wrong codes from one address, 10 by each student
        assert join(client, wrong_code(n)).status_code == 422
        assert join(second, wrong_code(n)).status_code == 422
    assert join(second, classroom.join_code).status_code == 429
    assert count(session, Enrolment) == 0


@pytest.fixture
def redis_limited_apps(tmp_path):
    """Two apps (two workers, or two hosts) on one database counting failures in one Redis;
    skips when no Redis answers on 127.0.0.1:6379."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"no Redis server at 127.0.0.1:6379: {exc}")
    settings = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # counts of this test alone
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
    }
    first = make_app(tmp_path / "shared.sqlite3", **settings)
    second = make_app(None, DATABASE_URL=first.config["DATABASE_URL"], **settings)
    with database(first) as db:
        make_user(db, "student", "s@example.org")
    yield first, second
    for app in (first, second):
        get_db(app).engine.dispose()


def test_with_redis_every_worker_counts_the_same_failures(redis_limited_apps):
    first, second = (app.test_client() for app in redis_limited_apps)
    for client in (first, second, first):
        assert log_in(client, "s@example.org", "wrong password").status_code == 422
    assert log_in(second, "s@example.org").status_code == 429


def test_without_its_redis_the_site_counts_in_memory_instead_of_failing(tmp_path):
    app = make_app(
        tmp_path / "db.sqlite3",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1",  # nothing listens there
        LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes",
    )
    client = app.test_client()
    assert [log_in(client, "nobody@example.org", "wrong").status_code for _ in range(3)] == [
        422,
        422,
        429,
    ]
    get_db(app).engine.dispose()
