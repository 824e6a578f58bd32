"""The registry's first schema: meetings, documents, the 发文字号 register, idempotency, files, archive runs.

Revision ID: 0001
Revises:
Create Date: 2026-05-01

Written out by hand rather than imported from models.py, so that this revision stays what it was when
the models change; tests/storage/test_migrations.py checks that the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    # models.UTCDateTime stores through this type: timestamptz on PostgreSQL, naive-UTC text on SQLite.
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("organizer", sa.String(length=200), server_default="", nullable=False),
        sa.Column("location", sa.String(length=200), server_default="", nullable=False),
        sa.Column("start", _utc(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index(op.f("ix_meetings_created_at"), "meetings", ["created_at"], unique=False)

    op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("original_name", sa.String(length=255), server_default="", nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_files")),
    )

    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("doc_number", sa.String(length=60), server_default="", nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("secrecy", sa.String(length=20), server_default="", nullable=False),
        sa.Column("request_body", sa.JSON(), nullable=False),
        sa.Column("effective_body", sa.JSON(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("template_sha256", sa.String(length=64), nullable=False),
        sa.Column("docx_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_documents_meeting_id_meetings")),
        sa.ForeignKeyConstraint(
            ["docx_sha256"], ["stored_files.sha256"], name=op.f("fk_documents_docx_sha256_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["pdf_sha256"], ["stored_files.sha256"], name=op.f("fk_documents_pdf_sha256_stored_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(op.f("ix_documents_meeting_id"), "documents", ["meeting_id"], unique=False)

    op.create_table(
        "number_series",
        sa.Column("prefix", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_number_series")),
    )

    op.create_table(
        "number_allocations",
        sa.Column("prefix", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.CheckConstraint("status IN ('reserved', 'issued', 'voided')", name=op.f("ck_number_allocations_status")),
        sa.ForeignKeyConstraint(
            ["prefix", "year"],
            ["number_series.prefix", "number_series.year"],
            name=op.f("fk_number_allocations_prefix_number_series"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_number_allocations_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("prefix", "year", "serial", name=op.f("pk_number_allocations")),
    )

    op.create_table(
        "idempotency_records",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'done')", name=op.f("ck_idempotency_records_status")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_idempotency_records_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("key", "scope", name=op.f("pk_idempotency_records")),
    )

    op.create_table(
        "archive_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("current", sa.String(length=200), server_default="", nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", _utc(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("started_at", _utc(), nullable=True),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_runs")),
    )
    op.create_index(op.f("ix_archive_runs_status"), "archive_runs", ["status"], unique=False)

    op.create_table(
        "archive_run_items",
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=True),
        sa.Column("upload_sha256", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("responsible", sa.String(length=100), nullable=False),
        sa.Column("doc_number", sa.String(length=60), server_default="", nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=False),
        sa.Column("remarks", sa.String(length=100), server_default="", nullable=False),
        sa.Column("item_no", sa.Integer(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("stamped_sha256", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["archive_runs.id"], name=op.f("fk_archive_run_items_run_id_archive_runs")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_archive_run_items_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("run_id", "position", name=op.f("pk_archive_run_items")),
    )


def downgrade() -> None:
    op.drop_table("archive_run_items")
    op.drop_index(op.f("ix_archive_runs_status"), table_name="archive_runs")
    op.drop_table("archive_runs")
    op.drop_table("idempotency_records")
    op.drop_table("number_allocations")
    op.drop_table("number_series")
    op.drop_index(op.f("ix_documents_meeting_id"), table_name="documents")
    op.drop_table("documents")
    op.drop_table("stored_files")
    op.drop_index(op.f("ix_meetings_created_at"), table_name="meetings")
    op.drop_table("meetings")
