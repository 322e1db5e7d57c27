"""Add who holds a dossier, paused time, intake slips, list/statistics indexes and the FTS5 search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("holder", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("paused_minutes", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "intake_slips",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.String(length=20), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("clerk_id", sa.String(length=36), nullable=True),
        sa.Column("clerk_name", sa.Text(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("procedure_name", sa.Text(), nullable=False),
        sa.Column("applicant_name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_intake_slips_at", "intake_slips", ["at"])
    op.create_index("ix_dossiers_received_day_device", "dossiers", ["received_day", "device_id"])
    op.create_index("ix_dossiers_status_result", "dossiers", ["status", "result_at"])
    op.create_index("ix_dossiers_result_at", "dossiers", ["result_at"])
    op.create_index("ix_dossiers_field_day", "dossiers", ["field", "received_day"])
    op.create_index("ix_dossiers_procedure_day", "dossiers", ["procedure_code", "received_day"])
    if op.get_bind().dialect.name != "sqlite":
        return
    # Full-text index over the accent-free search key (code, name, phone, ID, address, procedure).
    # External content: the text lives once, in dossiers; triggers keep the index in step with the fold.
    op.execute(
        "CREATE VIRTUAL TABLE dossier_fts USING fts5(search_key, content='dossiers', content_rowid='rowid', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"
    )
    op.execute(
        "CREATE TRIGGER dossiers_fts_ai AFTER INSERT ON dossiers BEGIN "
        "INSERT INTO dossier_fts(rowid, search_key) VALUES (new.rowid, new.search_key); END"
    )
    op.execute(
        "CREATE TRIGGER dossiers_fts_ad AFTER DELETE ON dossiers BEGIN "
        "INSERT INTO dossier_fts(dossier_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key); END"
    )
    op.execute(
        "CREATE TRIGGER dossiers_fts_au AFTER UPDATE OF search_key ON dossiers BEGIN "
        "INSERT INTO dossier_fts(dossier_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key); "
        "INSERT INTO dossier_fts(rowid, search_key) VALUES (new.rowid, new.search_key); END"
    )
    op.execute("INSERT INTO dossier_fts(dossier_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("dossiers_fts_au", "dossiers_fts_ad", "dossiers_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS dossier_fts")
    for name in ("ix_dossiers_procedure_day", "ix_dossiers_field_day", "ix_dossiers_result_at",
                 "ix_dossiers_status_result", "ix_dossiers_received_day_device"):
        op.drop_index(name, table_name="dossiers")
    op.drop_index("ix_intake_slips_at", table_name="intake_slips")
    op.drop_table("intake_slips")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("paused_minutes")
        batch.drop_column("holder")
