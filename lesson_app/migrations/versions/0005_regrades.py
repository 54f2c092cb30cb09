"""Regrades: a submitted attempt's score may change only together with a record of the old one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

The triggers of 0003 that froze submitted attempts and their answers are replaced by ones
that still refuse every change, except a new score or grade backed by a row in ``regrades``
(which keeps the old score and grades). A student's answers, the version they saw and the
submission time never change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Conditions under which an update of submitted work is a documented regrade.
ATTEMPT_REGRADE = {
    "sqlite": (
        "NEW.status = OLD.status AND NEW.student_id = OLD.student_id"
        " AND NEW.lesson_id = OLD.lesson_id AND NEW.version_id = OLD.version_id"
        " AND NEW.number = OLD.number AND NEW.submitted_at IS OLD.submitted_at"
        " AND NEW.draft IS OLD.draft AND EXISTS (SELECT 1 FROM regrades WHERE"
        " attempt_id = NEW.id AND old_score = OLD.score AND new_score = NEW.score)"
    ),
    "postgresql": (
        "NEW.status = OLD.status AND NEW.student_id = OLD.student_id"
        " AND NEW.lesson_id = OLD.lesson_id AND NEW.version_id = OLD.version_id"
        " AND NEW.number = OLD.number"
        " AND NEW.submitted_at IS NOT DISTINCT FROM OLD.submitted_at"
        " AND NEW.draft::text = OLD.draft::text AND EXISTS (SELECT 1 FROM regrades WHERE"
        " attempt_id = NEW.id AND old_score = OLD.score AND new_score = NEW.score)"
    ),
}
ANSWER_REGRADE = {
    "sqlite": (
        "NEW.attempt_id = OLD.attempt_id AND NEW.question_id = OLD.question_id"
        " AND NEW.qid = OLD.qid AND NEW.answer IS OLD.answer AND NEW.max_score = OLD.max_score"
        " AND EXISTS (SELECT 1 FROM regrades WHERE attempt_id = NEW.attempt_id)"
    ),
    "postgresql": (
        "NEW.attempt_id = OLD.attempt_id AND NEW.question_id = OLD.question_id"
        " AND NEW.qid = OLD.qid AND NEW.answer::text IS NOT DISTINCT FROM OLD.answer::text"
        " AND NEW.max_score = OLD.max_score"
        " AND EXISTS (SELECT 1 FROM regrades WHERE attempt_id = NEW.attempt_id)"
    ),
}
FROZEN = (
    (
        "attempts_submitted_frozen",
        "attempts",
        "OLD.status = 'submitted'",
        ATTEMPT_REGRADE,
        "a submitted attempt never changes, except by a recorded regrade",
    ),
    (
        "attempt_answers_frozen",
        "attempt_answers",
        None,
        ANSWER_REGRADE,
        "a submitted answer never changes, except by a recorded regrade",
    ),
)


def _replace_trigger(name: str, table: str, condition: str | None, message: str) -> None:
    """Drop the trigger ``name`` and create it again refusing updates when ``condition``."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {condition or 'TRUE'} THEN RAISE EXCEPTION '{message}' "
            "USING ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
        )
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        when = f" WHEN {condition}" if condition else ""
        op.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table}{when} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def upgrade() -> None:
    """Create the regrades table and let a recorded regrade change a score."""
    op.create_table(
        "regrades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("key_version_id", sa.Integer(), nullable=False),
        sa.Column("old_score", sa.Float(), nullable=False),
        sa.Column("new_score", sa.Float(), nullable=False),
        sa.Column("old_grades", sa.JSON(), nullable=False),
        sa.Column("regraded_by", sa.String(length=200), nullable=False),
        sa.Column("regraded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_regrades_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["key_version_id"],
            ["lesson_versions.id"],
            name=op.f("fk_regrades_key_version_id_lesson_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrades")),
        sa.UniqueConstraint(
            "attempt_id", "key_version_id", name=op.f("uq_regrades_attempt_id_key_version_id")
        ),
    )
    op.create_index(op.f("ix_regrades_attempt_id"), "regrades", ["attempt_id"])
    dialect = op.get_bind().dialect.name
    for name, table, frozen, regrade, message in FROZEN:
        allowed = regrade[dialect]
        condition = f"({frozen}) AND NOT ({allowed})" if frozen else f"NOT ({allowed})"
        _replace_trigger(name, table, condition, message)


def downgrade() -> None:
    """Freeze submitted work completely again and drop the regrades table."""
    _replace_trigger(
        "attempts_submitted_frozen",
        "attempts",
        "OLD.status = 'submitted'",
        "a submitted attempt never changes",
    )
    _replace_trigger(
        "attempt_answers_frozen", "attempt_answers", None, "a submitted answer never changes"
    )
    op.drop_index(op.f("ix_regrades_attempt_id"), table_name="regrades")
    op.drop_table("regrades")
