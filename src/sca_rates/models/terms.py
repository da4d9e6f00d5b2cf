"""The terms of an agreement as written down (a YAML file under ``agreements/``), what the checker
finds in them, and when each reauthorization request is due. Every field may be left out: saying
what is missing is the checker's job."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from sca_rates.models.base import FieldProblem, Frozen
from sca_rates.models.log import born

Severity = Literal["error", "warning", "info"]


class Subscriber(Frozen):
    """The person who holds the coverage, when it is not the patient (a minor's parent)."""

    name: str | None = None
    date_of_birth: dt.date | None = None
    relationship: str | None = None  # parent, guardian ...


class Patient(Frozen):
    name: str | None = None
    date_of_birth: dt.date | None = None
    member_id: str | None = None
    group_number: str | None = None
    subscriber: Subscriber | None = None

    _born = field_validator("date_of_birth")(born)


class Provider(Frozen):
    """Us, as the claims must name us: a mismatch with the payer's records rejects the claim."""

    npi: str | None = Field(default=None, pattern=r"^\d{10}$")
    tin: str | None = Field(default=None, pattern=r"^\d{2}-?\d{7}$")
    taxonomy: str | None = Field(default=None, pattern=r"^\d{3}[0-9A-Z]{6}X$")  # 261QM0801X ...


# What a program day may hold besides its therapy, that a payer may later call separately billable
BundledService = Literal[
    "family_sessions", "prescriber_visits", "drug_screens", "meals", "transportation"
]


class CoveredService(Frozen):
    code: str | None = None  # S0201, 90837, 0913 ...
    code_type: Literal["HCPCS", "CPT", "RC"] | None = None
    description: str | None = None
    units: float | None = Field(default=None, gt=0)  # authorized units of this code
    modifiers: tuple[str, ...] = ()


class RateTerm(Frozen):
    """A rate per unit, or a case rate: a fixed amount for the units it covers, and what each
    unit past them is paid (0: nothing)."""

    per_unit_usd: float | None = Field(default=None, gt=0)
    unit: Literal["day", "session", "service"] | None = None
    basis: Literal["bundled_per_diem", "per_code", "per_session"] | None = None
    case_rate_usd: float | None = Field(default=None, gt=0)
    units_covered: float | None = Field(default=None, gt=0)
    beyond_per_unit_usd: float | None = Field(default=None, ge=0)
    # What the letter says the rate includes: each is then paid by the per diem, not coded apart
    bundle_includes: tuple[BundledService, ...] = ()


class Authorization(Frozen):
    number: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    authorized_units: float | None = Field(default=None, gt=0)
    period_days: int | None = Field(default=None, ge=1)  # reviewed in blocks of this many days

    @model_validator(mode="after")
    def _plausible(self) -> Self:
        if self.start_date and self.end_date and (self.end_date - self.start_date).days > 3 * 366:
            raise FieldProblem(
                ("end_date",),
                "the authorization runs more than three years",
                "check the end date (an SCA covers one episode of care)",
            )
        return self


class Reauthorization(Frozen):
    process: str | None = None  # who asks, with what documents, decided how fast
    contact: str | None = None
    lead_business_days: int = Field(default=3, ge=3, le=5)  # ask this long before a period ends


class Claims(Frozen):
    method: Literal["edi", "paper", "portal"] | None = None
    modifier: str | None = None
    note: str | None = None  # e.g. "SCA" and the authorization number in box 23
    timely_filing_days: int | None = Field(default=None, ge=1)
    payment_days: int | None = Field(default=None, ge=1)  # clean claims paid within this many days


class Contact(Frozen):
    name: str | None = None
    phone: str | None = None
    email: str | None = None


class AgreementTerms(Frozen):
    payer: str | None = None
    patient: Patient = Patient()
    services: tuple[CoveredService, ...] = ()
    service_description: str | None = None  # the payer's own wording of what is covered
    rate: RateTerm = RateTerm()
    cost_sharing: Literal["in_network", "out_of_network", "waived"] | None = None
    authorization: Authorization = Authorization()
    reauthorization: Reauthorization = Reauthorization()
    claims: Claims = Claims()
    payer_contact: Contact = Contact()
    confirmation: Literal["written", "verbal"] | None = None
    holidays: tuple[dt.date, ...] = ()  # days the payer does not work, besides weekends
    provider: Provider = Provider()
    # True: the patient is held harmless, billed nothing past in-network cost-sharing (no balance
    # billing); False: the letter lets us, or the payer, bill the patient the difference
    hold_harmless: bool | None = None


class AgreedCall(Frozen):
    """What the call settled, to check the payer's letter against."""

    per_unit_usd: float  # the rate agreed (or, before an agreement, our standing ask)
    agreed: bool  # False: the call has not closed; the figure is our ask
    unit: Literal["day", "session"]
    expected_units: float
    services: tuple[BundledService, ...]  # what the program gives besides its therapy
    code: str  # the code the SCA pays
    # A case rate agreed, with the payer's words ("$16,000 for the 20 days, nothing after"):
    # the letter must pay the stay what they do, which a rate per unit may not show (a case
    # rate over more units than the stay pays its whole amount)
    case_rate: RateTerm | None = None
    case_rate_said: str | None = None
    # The payer's words that left services out of the rate agreed, or limited it to some
    # ("excluding labs"): the letter must say how what is left out is paid
    limits: tuple[str, ...] = ()


class Finding(Frozen):
    severity: Severity  # error: a likely denial; warning: a risk; info: worth asking
    term: str  # the field it is about, e.g. authorization.number
    message: str
    ask: str | None = None  # the sentence to ask the payer for, when the letter must change


class ReauthorizationDue(Frozen):
    period_start: dt.date
    period_end: dt.date
    due: dt.date  # the lead business days before the period ends


class TermsReport(Frozen):
    findings: tuple[Finding, ...]
    schedule: tuple[ReauthorizationDue, ...]

    @property
    def ready(self) -> bool:
        """Nothing that would likely lead to a denial."""
        return not any(f.severity == "error" for f in self.findings)
