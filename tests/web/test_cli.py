"""The ``lesson-app`` commands: db upgrade, lessons check, import and new."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from lesson_app import create_app
from lesson_app.db import MIGRATIONS_DIR
from lesson_app.models import LessonVersion
from tests.support import LESSON_FILE, LESSON_SLUG, make_app

ARTICLE = """Moscow's allies are quietly making moves.

Kazakhstan's president spoke on Tuesday.

Moscow's allies are quietly making moves.

Kazakhstan's president spoke on Tuesday.
"""


def write_lessons(tmp_path, lesson_text, invalid: bool = False):
    """Copy the lesson fixture (and, if asked, a broken lesson) into a content folder."""
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(LESSON_FILE, content / LESSON_FILE.name)
    if invalid:
        broken = lesson_text.replace(f"slug: {LESSON_SLUG}", "slug: broken").replace(
            "- [x] Vladimir Putin", "- [ ] Vladimir Putin"
        )
        (content / "broken.md").write_text(broken, encoding="utf-8")
    return content


def version_count(session) -> int:
    """Return the number of lesson versions in the database."""
    return session.scalar(select(func.count()).select_from(LessonVersion))


def test_db_upgrade_creates_the_schema(tmp_path):
    app = make_app(tmp_path / "fresh.sqlite3")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_db_upgrade_explains_an_unreachable_database(tmp_path):
    broken = f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": broken})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert "cannot upgrade the database" in result.output
    assert "Traceback" not in result.output


def test_check_valid_file_exits_0(runner):
    result = runner.invoke(args=["lessons", "check", str(LESSON_FILE)])
    assert result.exit_code == 0, result.output
    assert "Checked 1 file: 0 errors, 0 warnings." in result.output


def test_check_reports_each_problem_with_file_and_line_and_exits_1(runner, tmp_path, lesson_text):
    content = write_lessons(tmp_path, lesson_text, invalid=True)
    result = runner.invoke(args=["lessons", "check", str(content)])
    assert result.exit_code == 1
    broken = content / "broken.md"
    assert any(
        line.startswith(f"{broken}:") and ": error: " in line for line in result.output.splitlines()
    ), result.output
    assert "Checked 2 files: 1 error" in result.output


def test_check_warnings_alone_exit_0(runner, tmp_path, lesson_text):
    path = tmp_path / "warned.md"
    path.write_text(lesson_text.replace("Labour migrants\n", "Steppe nomads\n"), "utf-8")
    result = runner.invoke(args=["lessons", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert ": warning: " in result.output


def test_check_missing_path_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["lessons", "check", str(tmp_path / "nope.md")])
    assert result.exit_code == 1
    assert "nope.md: error: no such file or directory" in result.output
    assert "Traceback" not in result.output


def test_import_is_idempotent_and_versions_changed_files(runner, session, tmp_path, lesson_text):
    content = write_lessons(tmp_path, lesson_text)
    first = runner.invoke(args=["lessons", "import", str(content)])
    assert first.exit_code == 0, first.output
    assert f"added {LESSON_SLUG} v1" in first.output
    second = runner.invoke(args=["lessons", "import", str(content)])
    assert second.exit_code == 0
    assert f"unchanged {LESSON_SLUG} v1" in second.output
    assert version_count(session) == 1
    lesson_file = content / LESSON_FILE.name
    lesson_file.write_text(lesson_text.replace("level: B2", "level: C1"), encoding="utf-8")
    third = runner.invoke(args=["lessons", "import", str(lesson_file)])
    assert third.exit_code == 0
    assert f"new version {LESSON_SLUG} v2" in third.output
    assert version_count(session) == 2


def test_import_of_an_invalid_file_writes_nothing_and_exits_1(
    runner, session, tmp_path, lesson_text
):
    content = write_lessons(tmp_path, lesson_text, invalid=True)
    result = runner.invoke(args=["lessons", "import", str(content / "broken.md")])
    assert result.exit_code == 1
    assert "not imported" in result.output
    assert version_count(session) == 0


def test_import_still_imports_the_valid_files_of_the_same_run(
    runner, session, tmp_path, lesson_text
):
    content = write_lessons(tmp_path, lesson_text, invalid=True)
    result = runner.invoke(args=["lessons", "import", str(content)])
    assert result.exit_code == 1
    assert f"added {LESSON_SLUG} v1" in result.output
    assert version_count(session) == 1


def test_import_before_db_upgrade_says_what_to_do(tmp_path):
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    result = app.test_cli_runner().invoke(args=["lessons", "import", str(LESSON_FILE)])
    assert result.exit_code == 1
    assert "lesson-app db upgrade" in result.output
    assert "Traceback" not in result.output


def test_new_prints_a_skeleton_without_repeated_paragraphs(runner, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = runner.invoke(args=["lessons", "new", "--from", str(article)])
    assert result.exit_code == 0, result.output
    assert result.output.count("Kazakhstan's president spoke on Tuesday.") == 1
    assert "## Glossary" in result.output and "## Questions" in result.output


def test_new_writes_the_output_file_but_never_overwrites_it(runner, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    output = tmp_path / "lesson.md"
    result = runner.invoke(args=["lessons", "new", "--from", str(article), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "## Questions" in output.read_text(encoding="utf-8")
    output.write_text("my work", encoding="utf-8")
    again = runner.invoke(args=["lessons", "new", "--from", str(article), "--output", str(output)])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert output.read_text(encoding="utf-8") == "my work"


def test_new_with_a_missing_article_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["lessons", "new", "--from", str(tmp_path / "none.txt")])
    assert result.exit_code == 1
    assert "none.txt: no such file" in result.output
    assert "Traceback" not in result.output


def test_db_revision_finds_no_difference_between_models_and_migrations(
    app, runner, tmp_path, monkeypatch
):
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr("lesson_app.db.MIGRATIONS_DIR", migrations)
    result = runner.invoke(args=["db", "revision", "-m", "nothing to do"])
    assert result.exit_code == 0, result.output
    (new,) = [p for p in (migrations / "versions").glob("*.py") if "nothing_to_do" in p.name]
    upgrade = new.read_text(encoding="utf-8").split("def upgrade()")[1].split("def downgrade()")[0]
    assert "op." not in upgrade, upgrade
