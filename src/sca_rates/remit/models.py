"""What an 835 remittance says (read from the file), what we expected to be paid (given by the
caller), and how the two compare (computed). Amounts are US dollars as the payer wrote them: a
reversal's amounts are negative. Units are the payer's units of service (a PHP day, an IOP
session)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from sca_rates.models.base import Frozen

# Read from the file


class Adjustment(Frozen):
    """One CAS triplet: why part of a charge was not paid, and who carries it."""

    group: str  # CO, PR, OA, PI (CR in files older than 5010)
    group_meaning: str
    carc: str  # claim adjustment reason code
    amount_usd: float
    quantity: float | None = None
    meaning: str


class Remark(Frozen):
    """A remittance advice remark code (RARC) from LQ, MOA or MIA."""

    code: str
    meaning: str


class ServiceLine(Frozen):
    """One SVC loop: a procedure or revenue code as the payer adjudicated it."""

    qualifier: str  # HC (HCPCS/CPT), NU (revenue code), ...
    procedure_code: str
    modifiers: tuple[str, ...] = ()
    revenue_code: str | None = None  # SVC04, when both a HCPCS code and a revenue code were billed
    units: float  # units paid (SVC05; the guide makes it 1 when left out)
    original_units: float | None = None  # SVC07, when the payer changed the units billed
    billed_usd: float
    paid_usd: float
    allowed_usd: float | None = None  # AMT*B6
    service_from: dt.date | None = None
    service_to: dt.date | None = None
    control_number: str | None = None  # REF*6R, the line number we sent
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[Remark, ...] = ()


class ClaimPayment(Frozen):
    """One CLP loop: the payer's decision on one of our claims."""

    segment: int  # where the CLP is in the file, counting the ISA as 1
    claim_id: str  # CLP01, the patient control number we sent (CLM01)
    status_code: str
    status: str
    billed_usd: float
    paid_usd: float
    patient_responsibility_usd: float
    payer_claim_number: str
    statement_from: dt.date | None = None
    statement_to: dt.date | None = None
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    remarks: tuple[Remark, ...] = ()  # MOA / MIA remark codes
    lines: tuple[ServiceLine, ...] = ()

    @property
    def is_reversal(self) -> bool:
        return self.status_code == "22"

    @property
    def all_adjustments(self) -> tuple[Adjustment, ...]:
        return self.adjustments + tuple(a for line in self.lines for a in line.adjustments)

    @property
    def all_remarks(self) -> tuple[Remark, ...]:
        return self.remarks + tuple(r for line in self.lines for r in line.remarks)


class ProviderAdjustment(Frozen):
    """A PLB adjustment: money added to or taken from the payment outside any claim. A positive
    amount reduces the payment (a recovered overpayment); a negative one adds to it (interest)."""

    reason: str  # L6 interest, WO overpayment recovery, FB forwarding balance, ...
    reference: str | None = None
    amount_usd: float


class Remittance(Frozen):
    """One 835 transaction set: one payment (or notice of no payment) and the claims it covers."""

    source: str
    payer_name: str
    payer_id: str | None = None
    payee_name: str
    payee_id: str | None = None  # the NPI or tax ID the payer paid
    payment_usd: float  # BPR02, negative when BPR03 says the provider is debited
    payment_method: str  # ACH, CHK, NON (no payment) ...
    payment_date: dt.date  # BPR16, the check or EFT effective date
    produced_on: dt.date | None = None  # DTM*405
    trace_number: str  # TRN02, the check or EFT trace number
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    warnings: tuple[str, ...] = ()  # claims or lines that do not balance, as the guide requires

    @property
    def issued_on(self) -> dt.date:
        """The date of the remittance: the day the payer produced it, else the payment date."""
        return self.produced_on or self.payment_date


# Given by the caller


class ExpectedClaim(Frozen):
    """A claim we sent and what the agreement says it should be paid."""

    claim_id: str = Field(min_length=1)
    agreement_id: str = Field(min_length=1)
    date_of_service: dt.date  # the first day of service on the claim
    units: float = Field(gt=0)
    expected_usd: float = Field(ge=0)  # agreed rate x units: the payer's payment plus the patient's


# Computed

Outcome = Literal["paid", "underpaid", "denied", "reversed", "not_in_file"]


class ClaimMatch(Frozen):
    """How one expected claim fared in the remittance."""

    claim_id: str
    agreement_id: str
    matched: bool  # the file has a claim with this id
    outcome: Outcome
    expected_usd: float
    paid_usd: float = 0.0  # the payer's payment on the claim as it now stands (reversals left out)
    patient_responsibility_usd: float = 0.0
    net_paid_usd: float = 0.0  # what this file moves for the claim, reversals included
    underpaid_usd: float = 0.0  # expected less (paid + patient responsibility), when positive
    denied: bool = False
    reversed: bool = False
    reasons: tuple[Adjustment, ...] = ()  # the adjustments behind a denial or an underpayment
    remarks: tuple[Remark, ...] = ()
    appeal_by: dt.date | None = None
    notes: tuple[str, ...] = ()


class RemittanceMatch(Frozen):
    """Every expected claim's outcome, and the claims in the file that we did not expect."""

    trace_number: str
    issued_on: dt.date
    appeal_window_days: int
    claims: tuple[ClaimMatch, ...]
    unknown_claims: tuple[ClaimPayment, ...]
