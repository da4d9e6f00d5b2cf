"""The negotiation log: requests, offers, claims and the audit of patient identifiers.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sca_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payer", sa.String(200), nullable=False),
        sa.Column("level_of_care", sa.String(16), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("expected_units", sa.Float(), nullable=False),
        sa.Column("triggers", sa.Text(), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("opening_usd", sa.Float(), nullable=True),
        sa.Column("target_usd", sa.Float(), nullable=True),
        sa.Column("floor_usd", sa.Float(), nullable=True),
        sa.Column("market_p50_usd", sa.Float(), nullable=True),
        sa.Column("oon_expected_usd", sa.Float(), nullable=True),
        sa.Column("agreed_rate_usd", sa.Float(), nullable=True),
        sa.Column("authorization_number", sa.String(64), nullable=True),
        sa.Column("authorized_units", sa.Float(), nullable=True),
        sa.Column("authorization_end", sa.Date(), nullable=True),
        sa.Column("reauthorization_due", sa.Text(), nullable=False),
        sa.Column("payer_contact", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("acted_by", sa.String(200), nullable=False),
        sa.Column("patient_name_enc", sa.Text(), nullable=True),
        sa.Column("patient_dob_enc", sa.Text(), nullable=True),
        sa.Column("member_id_enc", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index("ix_sca_requests_payer", "sca_requests", ["payer"])
    op.create_index("ix_sca_requests_outcome", "sca_requests", ["outcome"])
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("sca_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("per_unit_usd", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_offers_request_id", "offers", ["request_id"])
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("sca_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount_usd", sa.Float(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("expected_by", sa.Date(), nullable=True),
    )
    op.create_index("ix_claims_request_id", "claims", ["request_id"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit")
    op.drop_table("claims")
    op.drop_table("offers")
    op.drop_table("sca_requests")
