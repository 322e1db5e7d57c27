"""Events say which commune wrote them (a pull's scope) and carry the server's payload hash; the sync state
keeps the device's token and clock offset

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Existing events of a device's file were all written in its own commune: they get its agency code.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("commune", sa.String(length=16), nullable=False, server_default=""))
        batch.add_column(sa.Column("payload_sha256", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    agency = bind.execute(sa.text("SELECT d.agency_code FROM local_devices l JOIN devices d ON d.id = l.device_id "
                                  "ORDER BY l.kind LIMIT 1")).scalar()
    if agency:
        bind.execute(sa.text("UPDATE events SET commune = :a"), {"a": agency})
    with op.batch_alter_table("events") as batch:
        batch.alter_column("commune", server_default=None, existing_type=sa.String(length=16),
                           existing_nullable=False)
        batch.create_index("ix_events_commune_server_seq", ["commune", "server_seq"], unique=False)
    with op.batch_alter_table("sync_state") as batch:
        batch.add_column(sa.Column("token", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("clock_offset_s", sa.Integer(), nullable=True))
    with op.batch_alter_table("sync_state") as batch:
        batch.alter_column("token", server_default=None, existing_type=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("clock_offset_s")
        batch.drop_column("token")
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_commune_server_seq")
        batch.drop_column("payload_sha256")
        batch.drop_column("commune")
