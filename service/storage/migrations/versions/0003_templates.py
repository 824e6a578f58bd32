"""Template versions and their activations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "template_versions",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("activatable", sa.Boolean(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "version", name=op.f("pk_template_versions")),
    )
    op.create_table(
        "template_activations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("activated_by", sa.String(length=100), nullable=False),
        sa.Column("activated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_activations")),
        sa.UniqueConstraint("kind", "sequence", name=op.f("uq_template_activations_kind")),
    )
    op.create_index(op.f("ix_template_activations_kind"), "template_activations", ["kind"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_template_activations_kind"), table_name="template_activations")
    op.drop_table("template_activations")
    op.drop_table("template_versions")
