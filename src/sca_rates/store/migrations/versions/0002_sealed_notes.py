"""Notes and payer contacts encrypted like the identifiers; the fingerprint of the log's key.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sca_requests") as batch:
        batch.add_column(sa.Column("notes_enc", sa.Text(), nullable=True))
        batch.add_column(sa.Column("payer_contact_enc", sa.Text(), nullable=True))
    op.create_table(
        "log_settings",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("log_settings")
    with op.batch_alter_table("sca_requests") as batch:
        batch.drop_column("payer_contact_enc")
        batch.drop_column("notes_enc")
