"""The agreement in the log (its start date, the rate's unit, the payment window) and claims
entered by hand (date of service, units, the payment expected and the payments received).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sca_requests") as batch:
        batch.add_column(sa.Column("authorization_start", sa.Date(), nullable=True))
        batch.add_column(sa.Column("agreed_unit", sa.String(8), nullable=True))
        batch.add_column(sa.Column("payment_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("date_of_service", sa.Date(), nullable=True))
        batch.add_column(sa.Column("units", sa.Float(), nullable=True))
        batch.add_column(sa.Column("expected_usd", sa.Float(), nullable=True))
        batch.add_column(sa.Column("paid_usd", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        for name in ("paid_usd", "expected_usd", "units", "date_of_service"):
            batch.drop_column(name)
    with op.batch_alter_table("sca_requests") as batch:
        for name in ("payment_days", "agreed_unit", "authorization_start"):
            batch.drop_column(name)
