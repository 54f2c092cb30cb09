"""The ``lesson-app`` command line: database migrations, lesson files, accounts, serving.

``lesson-app`` is a Flask CLI group, so Flask's own commands (``run``, ``shell``, ``routes``)
work too; ``flask --app lesson_app ...`` offers the same commands.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

import click
from alembic import command
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from lesson_app.db import alembic_config, get_session, upgrade_database
from lesson_app.lessons import check_file, skeleton_from_article
from lesson_app.models import ROLES
from lesson_app.services.accounts import AccountError, create_user, set_roles, user_by_email
from lesson_app.services.demo import load_demo
from lesson_app.services.lessons import import_lesson_file

db_cli = AppGroup("db", help="Manage the database schema.")
lessons_cli = AppGroup("lessons", help="Check, import and start lesson files.")
users_cli = AppGroup("users", help="Create accounts and give them roles.")


def init_app(app: Flask) -> None:
    """Register the command groups on the app."""
    app.cli.add_command(db_cli)
    app.cli.add_command(lessons_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo)
    app.cli.add_command(serve)


def main() -> None:
    """Run the ``lesson-app`` console script."""
    from lesson_app import create_app

    FlaskGroup(create_app=create_app, help="Lesson App: lessons from news articles.")()


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or update the database schema to the newest version."""
    try:
        upgrade_database()
    except SQLAlchemyError as exc:
        raise click.ClickException(f"cannot upgrade the database: {_reason(exc)}") from exc
    click.echo("The database is up to date.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def db_revision(message: str) -> None:
    """Write a new migration from the differences between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)


def expand_paths(paths: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Return the lesson files named by ``paths`` (a directory gives its ``*.md`` files,
    sorted) and a message for each path that does not exist or holds no lesson file."""
    files: list[Path] = []
    missing: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.md") if p.is_file())
            files.extend(found)
            if not found:
                missing.append(f"{name}: error: no .md lesson files in this directory")
        elif path.exists():
            files.append(path)
        else:
            missing.append(f"{name}: error: no such file or directory")
    return files, missing


def _plural(count: int, word: str) -> str:
    """Return ``count`` with ``word``, adding an s unless the count is one."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _reason(exc: SQLAlchemyError) -> str:
    """Return the database driver's message for ``exc``, without the SQL."""
    return str(getattr(exc, "orig", None) or exc).strip()


@lessons_cli.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def lessons_check(paths: tuple[str, ...]) -> None:
    """Check lesson files (a directory means its .md files) and print every problem.

    Exits 0 when no file has errors (warnings allowed), 1 otherwise.
    """
    files, missing = expand_paths(paths)
    errors, warnings = len(missing), 0
    for message in missing:
        click.echo(message, err=True)
    for path in files:
        result = check_file(path)
        for problem in result.problems:
            click.echo(problem.format(str(path)))
        errors += len(result.errors)
        warnings += len(result.warnings)
    click.echo(
        f"Checked {_plural(len(files), 'file')}: "
        f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}."
    )
    if errors:
        raise SystemExit(1)


@lessons_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def lessons_import(paths: tuple[str, ...]) -> None:
    """Import lesson files (a directory means its .md files) into the database.

    Importing is idempotent: an unchanged file changes nothing, a changed file adds a new
    version of its lesson. A file with errors writes nothing and makes the command exit 1;
    the valid files given in the same run are still imported.
    """
    files, missing = expand_paths(paths)
    failed = len(missing)
    for message in missing:
        click.echo(message, err=True)
    for path in files:
        try:
            outcome = import_lesson_file(get_session(), path)
        except SQLAlchemyError as exc:
            raise click.ClickException(
                f"database error: {_reason(exc)} (has `lesson-app db upgrade` been run?)"
            ) from exc
        for problem in outcome.problems:
            click.echo(problem.format(str(path)))
        click.echo(f"{path}: {outcome.describe()}")
        failed += outcome.status == "invalid"
    if failed:
        raise SystemExit(1)


@lessons_cli.command("new")
@click.option(
    "--from", "article", required=True, type=click.Path(), help="The raw article, as text."
)
@click.option(
    "--output", type=click.Path(), help="Where to write the skeleton (default: print it)."
)
def lessons_new(article: str, output: str | None) -> None:
    """Start a lesson file from a raw article: repeated paragraphs removed, front matter
    filled in as far as possible, empty glossary and questions sections with examples."""
    try:
        text = Path(article).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise click.ClickException(f"{article}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{article}: not UTF-8 text") from exc
    except OSError as exc:
        raise click.ClickException(f"{article}: cannot read it ({exc.strerror})") from exc
    skeleton = skeleton_from_article(text)
    if output is None:
        click.echo(skeleton, nl=False)
        return
    _write_new_file(Path(output), skeleton)
    click.echo(f"Wrote {output}. Fill in the glossary and questions, then run:", err=True)
    click.echo(f"  lesson-app lessons check {output}", err=True)


def _write_new_file(path: Path, text: str) -> None:
    """Write ``text`` to a file that must not exist yet."""
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError as exc:
        raise click.ClickException(f"{path} already exists; not overwriting it") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {path} ({exc.strerror})") from exc


def _roles_option(help_text: str):
    """The repeatable --role option of the users commands."""
    return click.option(
        "--role", "roles", required=True, multiple=True, type=click.Choice(ROLES), help=help_text
    )


@users_cli.command("create")
@click.option("--email", required=True, help="The email address they log in with.")
@click.option("--name", required=True, help="Their name, as others see it.")
@_roles_option("A role; repeat the option for several.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input.",
)
def users_create(email: str, name: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Create an account (the password is asked for, twice, unless --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(get_session(), email=email, name=name, password=password, roles=roles)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")


@users_cli.command("set-role")
@click.option("--email", required=True, help="The account's email address.")
@_roles_option("A role it should have; repeat for several. Roles not given are removed.")
def users_set_role(email: str, roles: tuple[str, ...]) -> None:
    """Set the roles of an account (replacing the roles it had)."""
    session = get_session()
    user = user_by_email(session, email)
    if user is None:
        raise click.ClickException(f"no account has the email address {email}")
    set_roles(session, user, roles)
    click.echo(f"{user.email} now has the roles: {', '.join(sorted(user.roles))}.")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Create the demo class with a teacher, two students and an author, and print them.

    Running it again changes nothing and prints the same accounts.
    """
    passwords_file = current_app.config.get("DEMO_ACCOUNTS_FILE") or Path(
        current_app.instance_path, "demo-accounts.json"
    )
    result = load_demo(get_session(), Path(passwords_file))
    click.echo("Demo accounts (for trying the site; do not use them on a public server):")
    for account in result.accounts:
        click.echo(f"  {account.role:<8} {account.email:<22} password: {account.password}")
    click.echo(
        f'The class "{result.classroom.name}" has the join code {result.classroom.join_code}: '
        "a new student registers with it at /register."
    )
    if not result.lesson_assigned:
        click.echo("The seed lesson is not imported yet: run `lesson-app lessons import content`.")


def gunicorn_argv(bind: str | None = None, workers: int | None = None) -> list[str]:
    """Return the command that serves the site with gunicorn and lesson_app.gunicorn_config;
    ``bind`` and ``workers``, when given, override the config's (and LESSON_APP_BIND's,
    LESSON_APP_WORKERS's) values."""
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:lesson_app.gunicorn_config"]
    if bind is not None:
        argv += ["--bind", bind]
    if workers is not None:
        argv += ["--workers", str(workers)]
    return [*argv, "lesson_app.wsgi:app"]


@click.command("serve")
@click.option(
    "--bind",
    metavar="HOST:PORT",
    help="Where to listen (default: LESSON_APP_BIND, else 127.0.0.1:8000; also unix:PATH).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Worker processes (default: LESSON_APP_WORKERS, else one per CPU core).",
)
def serve(bind: str | None, workers: int | None) -> None:
    """Serve the site in production with gunicorn (see docs/operations.md)."""
    argv = gunicorn_argv(bind, workers)
    # Replace this process with gunicorn: it gets the signals (TERM, HUP) straight from the
    # service manager, and no idle parent stays behind.
    os.execvp(argv[0], argv)
