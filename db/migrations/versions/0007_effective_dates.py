"""Catalogue versions and calendar decisions by effective date: the procedures and calendar days keyed by
(code or day, effective_from), each procedure row naming its catalogue version. Both tables are projections of
the log, so they are made anew and folded again by the program when it next opens the file.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _procedures(with_dates: bool) -> None:
    cols = [sa.Column("code", sa.String(length=32), nullable=False)]
    if with_dates:
        cols += [sa.Column("effective_from", sa.Date(), nullable=False),
                 sa.Column("catalogue_version", sa.String(length=64), nullable=False)]
    cols += [
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("field", sa.String(length=128), nullable=False),
        sa.Column("competent_unit", sa.Text(), nullable=False),
        sa.Column("duration_kind", sa.String(length=16), nullable=False),
        sa.Column("duration_value", sa.Float(), nullable=False),
        sa.Column("duration_note", sa.Text(), nullable=False),
        sa.Column("fee_text", sa.Text(), nullable=False),
        sa.Column("papers", sa.Text(), nullable=False),
        sa.Column("frequency", sa.Float(), nullable=False),
        sa.Column("search_key", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    ]
    op.create_table("procedures", *cols,
                    sa.PrimaryKeyConstraint(*(("code", "effective_from") if with_dates else ("code",))))
    op.create_index(op.f("ix_procedures_field"), "procedures", ["field"], unique=False)


def _calendar_days(with_dates: bool) -> None:
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        *([sa.Column("effective_from", sa.Date(), nullable=False)] if with_dates else []),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(*(("day", "effective_from") if with_dates else ("day",))),
    )


def _task(name: str) -> None:
    op.get_bind().execute(sa.text("INSERT INTO pending_tasks (name) SELECT :n WHERE NOT EXISTS "
                                  "(SELECT 1 FROM pending_tasks WHERE name = :n)").bindparams(n=name))


def upgrade() -> None:
    op.drop_index(op.f("ix_procedures_field"), table_name="procedures")
    op.drop_table("procedures")
    op.drop_table("calendar_days")
    _procedures(True)
    _calendar_days(True)
    _task("refold_reference")  # only the catalogue and calendar streams


def downgrade() -> None:
    op.drop_index(op.f("ix_procedures_field"), table_name="procedures")
    op.drop_table("procedures")
    op.drop_table("calendar_days")
    _procedures(False)
    _calendar_days(False)
    _task("refold")  # what the program of revision 0006 knows
