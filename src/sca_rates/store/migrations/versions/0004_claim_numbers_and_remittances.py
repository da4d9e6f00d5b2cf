"""Each claim's number (the patient control number sent in CLM01, read back in an 835's CLP01),
what the payer's remittances said of it (the patient's share, the reasons, the remittance date,
the appeal deadline), its appeal, and each remittance adjudication read, so that reading the same
file again applies nothing twice.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CLAIM_COLUMNS = (
    sa.Column("number", sa.String(38), nullable=True),
    sa.Column("patient_responsibility_usd", sa.Float(), nullable=True),
    sa.Column("reasons", sa.Text(), nullable=True),
    sa.Column("remitted_on", sa.Date(), nullable=True),
    sa.Column("appeal_by", sa.Date(), nullable=True),
    sa.Column("appealed_on", sa.Date(), nullable=True),
    sa.Column("appeal_note_enc", sa.Text(), nullable=True),
)


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        for column in CLAIM_COLUMNS:
            batch.add_column(column)
    # claims logged before: the number sca-rates makes, SCA-{request id}-{claim id}
    op.execute(
        "UPDATE claims SET number = 'SCA-' || CAST(request_id AS VARCHAR) || '-' "
        "|| CAST(id AS VARCHAR)"
    )
    with op.batch_alter_table("claims") as batch:
        batch.create_unique_constraint("uq_claims_number", ["number"])
    op.create_table(
        "claim_remits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "claim_id",
            sa.Integer(),
            sa.ForeignKey("claims.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("trace_number", sa.String(64), nullable=False),
        sa.Column("payer_claim_number", sa.String(64), nullable=False),
        sa.Column("status_code", sa.String(4), nullable=False),
        sa.Column("paid_usd", sa.Float(), nullable=False),
        sa.Column("patient_responsibility_usd", sa.Float(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column(
            "read_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.UniqueConstraint(
            "claim_id", "trace_number", "payer_claim_number", "status_code", name="uq_claim_remit"
        ),
    )
    op.create_index("ix_claim_remits_claim_id", "claim_remits", ["claim_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_remits_claim_id", table_name="claim_remits")
    op.drop_table("claim_remits")
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint("uq_claims_number", type_="unique")
        for column in reversed(CLAIM_COLUMNS):
            batch.drop_column(column.name)
