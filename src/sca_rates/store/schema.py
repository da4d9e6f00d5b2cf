"""The log's tables (SQLAlchemy 2). Alembic migrations in ``migrations/`` create and change them;
``test_store`` checks the two agree."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class RequestRow(Base):
    __tablename__ = "sca_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    payer: Mapped[str] = mapped_column(String(200), index=True)
    level_of_care: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(16), default="")
    region: Mapped[str] = mapped_column(String(16), default="")
    unit: Mapped[str] = mapped_column(String(8), default="day")
    expected_units: Mapped[float] = mapped_column(Float, default=0)
    triggers: Mapped[str] = mapped_column(Text, default="")  # ";"-separated trigger names
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    requested_on: Mapped[dt.date] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    opening_usd: Mapped[float | None] = mapped_column(Float)
    target_usd: Mapped[float | None] = mapped_column(Float)
    floor_usd: Mapped[float | None] = mapped_column(Float)
    market_p50_usd: Mapped[float | None] = mapped_column(Float)
    oon_expected_usd: Mapped[float | None] = mapped_column(Float)
    agreed_rate_usd: Mapped[float | None] = mapped_column(Float)
    authorization_number: Mapped[str | None] = mapped_column(String(64))
    authorization_start: Mapped[dt.date | None] = mapped_column(Date)  # revision 0003
    authorized_units: Mapped[float | None] = mapped_column(Float)
    authorization_end: Mapped[dt.date | None] = mapped_column(Date)
    agreed_unit: Mapped[str | None] = mapped_column(String(8))  # revision 0003
    reauthorization_due: Mapped[str] = mapped_column(Text, default="")  # ";"-separated ISO dates
    payment_days: Mapped[int | None] = mapped_column(Integer)  # revision 0003
    case_rate_usd: Mapped[float | None] = mapped_column(Float)  # revision 0005
    case_units_covered: Mapped[float | None] = mapped_column(Float)
    beyond_per_unit_usd: Mapped[float | None] = mapped_column(Float)
    # In the clear only in logs written before notes were encrypted (revision 0001); the first
    # use of a key moves them into the _enc columns
    payer_contact: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    acted_by: Mapped[str] = mapped_column(String(200), default="")
    # Patient identifiers, and the notes and payer contact that may name the patient: Fernet
    # ciphertext only, the key never reaches the database
    patient_name_enc: Mapped[str | None] = mapped_column(Text)
    patient_dob_enc: Mapped[str | None] = mapped_column(Text)
    member_id_enc: Mapped[str | None] = mapped_column(Text)
    notes_enc: Mapped[str | None] = mapped_column(Text)
    payer_contact_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    offers: Mapped[list[OfferRow]] = relationship(
        back_populates="request", order_by="OfferRow.seq", cascade="all, delete-orphan"
    )
    claims: Mapped[list[ClaimRow]] = relationship(
        back_populates="request", order_by="ClaimRow.submitted_on", cascade="all, delete-orphan"
    )


class OfferRow(Base):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sca_requests.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(8))
    per_unit_usd: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[str | None] = mapped_column(String(8))
    at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    request: Mapped[RequestRow] = relationship(back_populates="offers")


class ClaimRow(Base):
    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("number", name="uq_claims_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("sca_requests.id", ondelete="CASCADE"), index=True
    )
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    amount_usd: Mapped[float] = mapped_column(Float)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    expected_by: Mapped[dt.date | None] = mapped_column(Date)
    # revision 0003: claims entered by hand, and what the agreement pays for them
    date_of_service: Mapped[dt.date | None] = mapped_column(Date)
    units: Mapped[float | None] = mapped_column(Float)
    expected_usd: Mapped[float | None] = mapped_column(Float)
    paid_usd: Mapped[float | None] = mapped_column(Float)
    # revision 0004: the number sent in CLM01 (and read back in an 835's CLP01), what the
    # remittances said, and the appeal
    number: Mapped[str | None] = mapped_column(String(38))
    patient_responsibility_usd: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[str | None] = mapped_column(Text)  # a JSON list of CARCs and RARCs
    remitted_on: Mapped[dt.date | None] = mapped_column(Date)
    appeal_by: Mapped[dt.date | None] = mapped_column(Date)
    appealed_on: Mapped[dt.date | None] = mapped_column(Date)
    appeal_note_enc: Mapped[str | None] = mapped_column(Text)  # Fernet ciphertext only
    hand_paid_usd: Mapped[float | None] = mapped_column(Float)  # revision 0005: `log paid`

    request: Mapped[RequestRow] = relationship(back_populates="claims")
    remits: Mapped[list[ClaimRemitRow]] = relationship(
        back_populates="claim", order_by="ClaimRemitRow.id", cascade="all, delete-orphan"
    )


class ClaimRemitRow(Base):
    """One adjudication of a claim read from a payer's 835 (one CLP): what it moved, and the
    trace number and the CLP's place among the payment's claims that make a second reading of
    the same file skip it (revision 0004; the place, the payment date, the appeal window and the
    whole adjudication since revision 0005, so that a claim is rebuilt from its rows)."""

    __tablename__ = "claim_remits"
    __table_args__ = (
        UniqueConstraint("claim_id", "trace_number", "position", name="uq_claim_remit_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    trace_number: Mapped[str] = mapped_column(String(64))  # TRN02, the check or EFT number
    payer_claim_number: Mapped[str] = mapped_column(String(64))  # CLP07
    status_code: Mapped[str] = mapped_column(String(4))  # CLP02: 1 paid, 4 denied, 22 reversal
    paid_usd: Mapped[float] = mapped_column(Float)  # CLP04, negative in a reversal
    patient_responsibility_usd: Mapped[float] = mapped_column(Float)  # CLP05
    issued_on: Mapped[dt.date] = mapped_column(Date)  # the remittance's date
    source: Mapped[str] = mapped_column(Text)  # the file it was read from
    read_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # revision 0005 (none in rows read before it)
    position: Mapped[int | None] = mapped_column(Integer)  # the CLP's place in the payment
    payment_date: Mapped[dt.date | None] = mapped_column(Date)  # BPR16
    appeal_window_days: Mapped[int | None] = mapped_column(Integer)
    adjudication: Mapped[str | None] = mapped_column(Text)  # the CLP loop read, as JSON

    claim: Mapped[ClaimRow] = relationship(back_populates="remits")


class AuditRow(Base):
    """Who stored, viewed or exported patient identifiers, or exported or backed up the log,
    and when."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))  # store, view, export, backup, remit
    request_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")


class LogSettingRow(Base):
    """Facts about the log itself, such as the fingerprint of the key it was started with."""

    __tablename__ = "log_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
