"""Claims rebuilt from what was read rather than a running total: the payments recorded by hand
kept apart from the remittances', each adjudication read kept whole with its place in the file
(two adjudications of one claim in one file are both kept; the same file read again is still
skipped), its payment date and appeal window; and a case rate's terms on the request, so that a
claim is expected at what the case rate pays.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REQUEST_COLUMNS = (
    sa.Column("case_rate_usd", sa.Float(), nullable=True),
    sa.Column("case_units_covered", sa.Float(), nullable=True),
    sa.Column("beyond_per_unit_usd", sa.Float(), nullable=True),
)
REMIT_COLUMNS = (
    sa.Column("position", sa.Integer(), nullable=True),
    sa.Column("payment_date", sa.Date(), nullable=True),
    sa.Column("appeal_window_days", sa.Integer(), nullable=True),
    sa.Column("adjudication", sa.Text(), nullable=True),
)


def upgrade() -> None:
    with op.batch_alter_table("sca_requests") as batch:
        for column in REQUEST_COLUMNS:
            batch.add_column(column)
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("hand_paid_usd", sa.Float(), nullable=True))
    # what a claim received, less what its remittances moved, was recorded by hand
    op.execute(
        "UPDATE claims SET hand_paid_usd = paid_usd - COALESCE((SELECT SUM(r.paid_usd) FROM "
        "claim_remits r WHERE r.claim_id = claims.id), 0) WHERE paid_usd IS NOT NULL"
    )
    op.execute("UPDATE claims SET hand_paid_usd = 0 WHERE hand_paid_usd < 0")
    with op.batch_alter_table("claim_remits") as batch:
        for added in REMIT_COLUMNS:
            batch.add_column(added)
        batch.drop_constraint("uq_claim_remit", type_="unique")
        batch.create_unique_constraint(
            "uq_claim_remit_position", ["claim_id", "trace_number", "position"]
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_remits") as batch:
        batch.drop_constraint("uq_claim_remit_position", type_="unique")
        for dropped in reversed(REMIT_COLUMNS):
            batch.drop_column(dropped.name)
        batch.create_unique_constraint(
            "uq_claim_remit", ["claim_id", "trace_number", "payer_claim_number", "status_code"]
        )
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("hand_paid_usd")
    with op.batch_alter_table("sca_requests") as batch:
        for column in reversed(REQUEST_COLUMNS):
            batch.drop_column(column.name)
