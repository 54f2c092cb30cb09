"""Lessons, lesson versions, glossary terms and questions.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Hand-checked to run on SQLite and PostgreSQL. ``lessons.current_version_id`` and
``lesson_versions.lesson_id`` refer to each other, so the foreign key of
``lessons.current_version_id`` is added once both tables exist.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four tables and their constraints."""
    op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lessons")),
        sa.UniqueConstraint("slug", name=op.f("uq_lessons_slug")),
    )
    op.create_table(
        "lesson_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("grading", sa.String(length=10), nullable=False),
        sa.Column("review", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("reading_html", sa.Text(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("reading_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_versions")),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_lesson_versions_lesson_id_lessons")
        ),
        sa.UniqueConstraint(
            "lesson_id", "number", name=op.f("uq_lesson_versions_lesson_id_number")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_lesson_versions_number_positive")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_lesson_versions_attempts_non_negative")),
        sa.CheckConstraint(
            "grading IN ('best', 'last', 'first')", name=op.f("ck_lesson_versions_grading_known")
        ),
        sa.CheckConstraint(
            "review IN ('after-submit', 'after-due', 'never')",
            name=op.f("ck_lesson_versions_review_known"),
        ),
        sa.CheckConstraint(
            "level IS NULL OR level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')",
            name=op.f("ck_lesson_versions_level_known"),
        ),
        sa.CheckConstraint(
            "word_count >= 0", name=op.f("ck_lesson_versions_word_count_non_negative")
        ),
        sa.CheckConstraint(
            "reading_minutes >= 1", name=op.f("ck_lesson_versions_reading_minutes_positive")
        ),
    )
    with op.batch_alter_table("lessons") as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_lessons_current_version_id_lesson_versions"),
            "lesson_versions",
            ["current_version_id"],
            ["id"],
        )
    op.create_table(
        "glossary_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("anchor", sa.String(length=120), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("definition_html", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_terms")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["lesson_versions.id"],
            name=op.f("fk_glossary_terms_version_id_lesson_versions"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "version_id", "anchor", name=op.f("uq_glossary_terms_version_id_anchor")
        ),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("qid", sa.String(length=80), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("prompt_html", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("display", sa.JSON(), nullable=False),
        sa.Column("key", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["lesson_versions.id"],
            name=op.f("fk_questions_version_id_lesson_versions"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("version_id", "qid", name=op.f("uq_questions_version_id_qid")),
        sa.CheckConstraint("points > 0", name=op.f("ck_questions_points_positive")),
    )


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("questions")
    op.drop_table("glossary_terms")
    with op.batch_alter_table("lessons") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_lessons_current_version_id_lesson_versions"), type_="foreignkey"
        )
    op.drop_table("lesson_versions")
    op.drop_table("lessons")
