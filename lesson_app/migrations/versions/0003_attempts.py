"""Attempts and their graded answers; triggers keep submitted work unchanged.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 22:21:09.073669
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# Each rule: (trigger name, table, event, condition or None, message).
IMMUTABLE_RULES = (
    (
        "attempts_submitted_frozen",
        "attempts",
        "UPDATE",
        "OLD.status = 'submitted'",
        "a submitted attempt never changes",
    ),
    (
        "attempts_submitted_kept",
        "attempts",
        "DELETE",
        "OLD.status = 'submitted'",
        "a submitted attempt is never deleted",
    ),
    (
        "attempt_answers_frozen",
        "attempt_answers",
        "UPDATE",
        None,
        "a submitted answer never changes",
    ),
    (
        "attempt_answers_kept",
        "attempt_answers",
        "DELETE",
        None,
        "a submitted answer is never deleted",
    ),
    (
        "attempt_answers_only_while_open",
        "attempt_answers",
        "INSERT",
        "(SELECT status FROM attempts WHERE id = NEW.attempt_id) <> 'open'",
        "answers are added only while the attempt is open",
    ),
)


def _create_triggers() -> None:
    """Refuse any change to submitted work, in the database itself."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, event, condition, message in IMMUTABLE_RULES:
        if postgresql:
            test = f"IF {condition} THEN " if condition else ""
            end = " END IF;" if condition else ""
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{test}RAISE EXCEPTION '{message}' "
                f"USING ERRCODE = 'integrity_constraint_violation';{end} "
                f"RETURN {'OLD' if event == 'DELETE' else 'NEW'}; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        else:
            when = f" WHEN {condition}" if condition else ""
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table}{when} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def _drop_triggers() -> None:
    """Remove the triggers of ``_create_triggers``."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, *_ in IMMUTABLE_RULES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def upgrade() -> None:
    """Create the attempt tables and the triggers that protect submitted work."""
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("shuffle_seed", sa.String(length=32), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'submitted') = (submitted_at IS NOT NULL AND score IS NOT NULL)",
            name=op.f("ck_attempts_submitted_has_time_and_score"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'submitted')", name=op.f("ck_attempts_known_status")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_attempts_number_positive")),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_attempts_lesson_id_lessons")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["users.id"], name=op.f("fk_attempts_student_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["lesson_versions.id"],
            name=op.f("fk_attempts_version_id_lesson_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
        sa.UniqueConstraint(
            "student_id",
            "lesson_id",
            "number",
            name=op.f("uq_attempts_student_id_lesson_id_number"),
        ),
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempts_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempts_student_id"), ["student_id"], unique=False)
        batch_op.create_index(
            "uq_attempts_one_open",
            ["student_id", "lesson_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "attempt_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("qid", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('correct', 'partial', 'wrong', 'unanswered')",
            name=op.f("ck_attempt_answers_known_outcome"),
        ),
        sa.CheckConstraint(
            "score >= 0 AND score <= max_score", name=op.f("ck_attempt_answers_score_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_attempt_answers_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_attempt_answers_question_id_questions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_answers")),
        sa.UniqueConstraint("attempt_id", "qid", name=op.f("uq_attempt_answers_attempt_id_qid")),
    )
    with op.batch_alter_table("attempt_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attempt_answers_question_id"), ["question_id"], unique=False
        )

    _create_triggers()


def downgrade() -> None:
    """Drop the triggers and the attempt tables."""
    _drop_triggers()
    with op.batch_alter_table("attempt_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_answers_question_id"))

    op.drop_table("attempt_answers")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_attempts_one_open",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_attempts_student_id"))
        batch_op.drop_index(batch_op.f("ix_attempts_lesson_id"))

    op.drop_table("attempts")
