"""The negotiation log: what is recorded about each SCA request, as the core and the CLI see it
(the database tables are in ``store.schema``). US dollars per unit of service unless named."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from sca_rates.models.base import FieldProblem, Frozen
from sca_rates.money import usd

# The validation context of a record read back from the log: it was checked when written, and a
# rule added since must not make it unreadable
LOGGED = "logged"

Outcome = Literal["pending", "approved", "denied", "withdrawn"]
# underpaid: a payment came, short of what the agreement pays for the claim; reversed: the payer
# took back what it had paid (a remittance's CLP02 = 22) and has not adjudicated the claim again
ClaimStatus = Literal["submitted", "paid", "underpaid", "denied", "reversed"]
# A claim's number is the patient control number sent in CLM01 and read back in the remittance's
# CLP01: 1 to 38 characters (the 837's and 835's element size), none of them an X12 separator
CLAIM_NUMBER = re.compile(r"[^*~:^|>]{1,38}")
# The form of the numbers sca-rates makes, SCA-{request id}-{claim id}: kept for them
GENERATED_NUMBER = re.compile(r"SCA-\d+-\d+")
AgreedUnit = Literal["day", "session", "service"]


class PatientIdentifiers(Frozen):
    """Optional; stored encrypted, shown masked, revealed only with the key (and audited)."""

    name: str | None = None
    date_of_birth: dt.date | None = None
    member_id: str | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _born(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return value if info.context == LOGGED else born(value)


def born(value: dt.date | None) -> dt.date | None:
    """A date of birth is not in the future (a slip of the year, most often)."""
    if value is not None and value > dt.date.today():
        raise FieldProblem(
            (), f"the date of birth {value.isoformat()} is in the future", "check the year"
        )
    return value


def decided_after(decided: dt.date | None, requested: dt.date | None) -> dt.date | None:
    """A payer decides on a request after it is made, not before."""
    if decided is not None and requested is not None and decided < requested:
        raise FieldProblem(
            (),
            f"the decision date {decided.isoformat()} is before the request's date "
            f"{requested.isoformat()}",
            "give the date the payer decided, on or after the request's",
        )
    return decided


def agreed(value: float | None) -> float | None:
    if value is not None and value <= 0:
        raise FieldProblem(
            (), f"the agreed rate {value:g} is not above $0", "give the agreed dollars per unit"
        )
    return value


class LoggedOffer(Frozen):
    side: Literal["us", "payer"]
    per_unit_usd: float = Field(gt=0)
    text: str = ""
    verdict: Literal["accept", "counter", "decline"] | None = None
    at: dt.datetime | None = None


def claim_number(value: str | None) -> str | None:
    """A claim number a person gives: what their billing system sent in CLM01."""
    if value is None:
        return None
    value = value.strip()
    if not CLAIM_NUMBER.fullmatch(value):
        raise FieldProblem(
            (),
            f"the claim number {value!r} is not 1 to 38 characters without * ~ : ^ | >",
            "give the patient control number your billing system sent on the claim (CLM01), "
            "or leave it out to use the one sca-rates makes",
        )
    return value


class ClaimReason(Frozen):
    """Why a remittance paid a claim less than the agreement: an adjustment (a CARC, with its
    group and amount) or a remark (a RARC), each with its meaning as X12 publishes it."""

    kind: Literal["CARC", "RARC"]
    code: str
    meaning: str
    group: str | None = None  # CO, PR, OA, PI: who carries an adjustment
    amount_usd: float | None = None  # an adjustment's dollars on the claim

    @property
    def said(self) -> str:
        meaning = self.meaning.rstrip(".")  # said inside a sentence
        if self.kind == "RARC":
            return f"RARC {self.code}: {meaning}"
        amount = "" if self.amount_usd is None else f" {usd(self.amount_usd)}"
        return f"{self.group or ''} CARC {self.code}{amount}: {meaning}".strip()


class ClaimOutcome(Frozen):
    """A claim sent for a request's services, in dollars for the whole claim (not per unit)."""

    id: int | None = None  # set by the database
    submitted_on: dt.date
    status: ClaimStatus = "submitted"
    amount_usd: float = Field(ge=0)  # billed
    paid_on: dt.date | None = None  # the last payment's date
    expected_by: dt.date | None = None  # when payment is due under the agreement
    date_of_service: dt.date | None = None  # the first day the claim bills
    units: float | None = Field(default=None, gt=0)  # days, sessions or services billed
    expected_usd: float | None = Field(default=None, ge=0)  # the agreed rate x the units
    paid_usd: float | None = Field(default=None, ge=0)  # every payment received, added up
    # revision 0005: the payments recorded by hand (`log paid`), kept apart from those the
    # remittances report, so that the claim's total is rebuilt from both
    hand_paid_usd: float | None = Field(default=None, ge=0)
    # revision 0004: the claim's number (CLM01 sent, CLP01 read back), what the payer's
    # remittances said of it, and its appeal
    number: str | None = None  # set by the log when not given: SCA-{request id}-{claim id}
    patient_responsibility_usd: float | None = None  # the patient's share, as the payer put it
    reasons: tuple[ClaimReason, ...] = ()  # behind a denial or an underpayment
    remitted_on: dt.date | None = None  # the date of the last remittance read for it
    appeal_by: dt.date | None = None  # the remittance date + the appeal window
    appealed_on: dt.date | None = None  # the day an appeal was sent
    appeal_note: str | None = None  # may name the patient: stored encrypted, like notes

    @field_validator("number")
    @classmethod
    def _number(cls, value: str | None, info: ValidationInfo) -> str | None:
        return value if info.context == LOGGED else claim_number(value)

    @field_validator("reasons", mode="before")
    @classmethod
    def _reasons(cls, value: Any) -> Any:
        """As the log keeps them: a JSON list (or nothing, for a claim no remittance named)."""
        if value is None:
            return ()
        return json.loads(value) if isinstance(value, str) else value

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
    # The agreement as the payer wrote it (``sca-rates log agreement``): the authorization, the
    # rate's unit when the letter names it, each reauthorization request's due date and the days
    # within which a clean claim is paid
    authorization_number: str | None = None
    authorization_start: dt.date | None = None
    authorized_units: float | None = None
    authorization_end: dt.date | None = None
    agreed_unit: AgreedUnit | None = None
    reauthorization_due: tuple[dt.date, ...] = ()
    payment_days: int | None = Field(default=None, ge=1)
    # revision 0005: a case rate as the letter states it (``agreed_rate_usd`` is then what it
    # pays a unit it covers): its amount, the units it covers and the rate for each unit past them
    case_rate_usd: float | None = Field(default=None, gt=0)
    case_units_covered: float | None = Field(default=None, gt=0)
    beyond_per_unit_usd: float | None = Field(default=None, ge=0)
    payer_contact: str | None = None  # may name the patient: stored encrypted, like notes
    notes: str = ""
    acted_by: str = ""
    offers: tuple[LoggedOffer, ...] = ()
    claims: tuple[ClaimOutcome, ...] = ()
    patient: PatientIdentifiers | None = None  # None when not given, or not revealed
    patient_on_file: bool = False  # identifiers are stored (encrypted), whether revealed or not
    notes_sealed: bool = False  # notes or contact are stored, but read without the key

    @field_validator("decided_on")
    @classmethod
    def _decided(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if info.context == LOGGED:
            return value
        return decided_after(value, info.data.get("requested_on"))

    @field_validator("agreed_rate_usd")
    @classmethod
    def _agreed(cls, value: float | None, info: ValidationInfo) -> float | None:
        return value if info.context == LOGGED else agreed(value)

    @property
    def first_offer_usd(self) -> float | None:
        return next((o.per_unit_usd for o in self.offers if o.side == "payer"), None)

    @property
    def days_to_decision(self) -> int | None:
        return None if self.decided_on is None else (self.decided_on - self.requested_on).days
