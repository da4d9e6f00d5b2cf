"""The negotiation log: what is recorded about each SCA request, as the core and the CLI see it
(the database tables are in ``store.schema``). US dollars per unit of service unless named."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from sca_rates.models.base import Frozen

Outcome = Literal["pending", "approved", "denied", "withdrawn"]
ClaimStatus = Literal["submitted", "paid", "denied"]


class PatientIdentifiers(Frozen):
    """Optional; stored encrypted, shown masked, revealed only with the key (and audited)."""

    name: str | None = None
    date_of_birth: dt.date | None = None
    member_id: str | None = None


class LoggedOffer(Frozen):
    side: Literal["us", "payer"]
    per_unit_usd: float = Field(gt=0)
    text: str = ""
    verdict: Literal["accept", "counter", "decline"] | None = None
    at: dt.datetime | None = None


class ClaimOutcome(Frozen):
    submitted_on: dt.date
    status: ClaimStatus = "submitted"
    amount_usd: float = Field(ge=0)
    paid_on: dt.date | None = None
    expected_by: dt.date | None = None  # when payment is due under the agreement

    @property
    def days_to_pay(self) -> int | None:
        return None if self.paid_on is None else (self.paid_on - self.submitted_on).days


class LoggedRequest(Frozen):
    """One SCA request, from benefits verification to the last claim."""

    id: int | None = None  # set by the database
    payer: str = Field(min_length=1)
    level_of_care: str = Field(min_length=1)
    code: str = ""
    region: str = ""
    unit: Literal["day", "session"] = "day"
    expected_units: float = Field(default=0, ge=0)
    triggers: tuple[str, ...] = ()  # network_inadequacy, continuity_of_care ...
    verified_on: dt.date | None = None  # benefits verification
    requested_on: dt.date
    decided_on: dt.date | None = None
    start_on: dt.date | None = None
    outcome: Outcome = "pending"
    opening_usd: float | None = None  # the recommendation at the time
    target_usd: float | None = None
    floor_usd: float | None = None
    market_p50_usd: float | None = None
    oon_expected_usd: float | None = None
    agreed_rate_usd: float | None = None
    authorization_number: str | None = None
    authorized_units: float | None = None
    authorization_end: dt.date | None = None
    reauthorization_due: tuple[dt.date, ...] = ()
    payer_contact: str | None = None
    notes: str = ""
    acted_by: str = ""
    offers: tuple[LoggedOffer, ...] = ()
    claims: tuple[ClaimOutcome, ...] = ()
    patient: PatientIdentifiers | None = None  # None when not given, or not revealed
    patient_on_file: bool = False  # identifiers are stored (encrypted), whether revealed or not

    @property
    def first_offer_usd(self) -> float | None:
        return next((o.per_unit_usd for o in self.offers if o.side == "payer"), None)

    @property
    def days_to_decision(self) -> int | None:
        return None if self.decided_on is None else (self.decided_on - self.requested_on).days
