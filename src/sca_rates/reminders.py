"""What a logged agreement makes due, and what its claims should bring: the payment a claim is
expected to bring (from the agreement's rate terms), payments recorded against it by hand or read
from the payer's 835 remittance (matched by the claim's number), claims unpaid past the
agreement's payment window, denied and underpaid claims with their appeal deadlines, the
reauthorization requests due in the coming week, and the calendar (iCalendar) of all three.

Conventions: money is US dollars for a whole claim (the agreed rate is dollars per unit of the
agreement: a day, a session or a service); dates are calendar days. A claim's payment window runs
from its date of service for the agreement's ``payment_days`` (``CLEAN_CLAIM_DAYS`` when the
letter names none, and that is said); it is unpaid past the window when, the day after the
window's last day, the payer still owes on it (``owed``: expected less received and the patient's
share). What a claim received is the payments recorded by hand plus every adjudication the
remittances report, added in the order of the remittances' dates (a reversal's negative amounts
take back); its status, reasons and appeal deadline are those of the latest remittance. The
appeal deadline of a denial or an underpayment is the remittance's date plus a window the caller
gives (180 days by default: the agreement or the plan sets the real one). Everything here is
pure: the log keeps the rows, the CLI and the Log page show what these functions find.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Literal

from sca_rates.exceptions import LogError
from sca_rates.models.base import FieldProblem, Frozen
from sca_rates.models.log import (
    GENERATED_NUMBER,
    ClaimOutcome,
    ClaimReason,
    LoggedRequest,
    claim_number,
)
from sca_rates.money import CENT, usd
from sca_rates.remit import ClaimMatch, ClaimPayment, ExpectedClaim, ProviderAdjustment, Remittance
from sca_rates.remit.match import appeal_deadline, check_appeal_window, judge
from sca_rates.terms import CLEAN_CLAIM_DAYS

WEEK_DAYS = 7  # "due this week": today and the 6 days after it
CLOSED = ("denied", "withdrawn")  # a request whose agreement makes nothing due
# What goes with every reauthorization request: the medical-necessity review reads them
REVIEW_DOCUMENTS = "the updated treatment plan and progress notes"
APPEAL_WARNING_DAYS = 14  # an appeal deadline this close, with no appeal sent, is flagged
APPEALABLE = ("denied", "underpaid")
CALENDAR_NAME = "SCA reauthorizations, claim follow-ups and appeal deadlines"
PRODID = "-//sca-rates//negotiation log//EN"


class ReauthorizationReminder(Frozen):
    """A reauthorization request to send, named by the request (never by the patient)."""

    request_id: int
    payer: str
    level_of_care: str
    authorization_number: str | None
    authorization_end: dt.date | None = None
    due: dt.date
    number: int  # 1 for the first request of the agreement's schedule
    of: int

    def overdue(self, today: dt.date) -> bool:
        return self.due < today


class ClaimFollowUp(Frozen):
    """A claim not paid in full, and when its payment window ends."""

    claim_id: int
    request_id: int
    payer: str
    level_of_care: str
    authorization_number: str | None
    date_of_service: dt.date
    units: float | None
    billed_usd: float
    expected_usd: float  # what the agreement pays for it (the billed amount when unknown)
    received_usd: float
    unpaid_usd: float  # what the payer still owes: ``owed``
    window_days: int
    window_stated: bool  # False: the letter names no window, and CLEAN_CLAIM_DAYS is assumed
    window_ends: dt.date  # the last day payment is due

    @property
    def follow_up_on(self) -> dt.date:
        """The first day it is late: the day after the window."""
        return self.window_ends + dt.timedelta(days=1)


def label(payer: str, level_of_care: str) -> str:
    """ "Aetna PHP": the payer as people write it (the log keeps payers in lower case)."""
    return f"{payer.title()} {level_of_care}"


# Claims ------------------------------------------------------------------------------------


def expected_payment(request: LoggedRequest, units: float, *, units_before: float = 0.0) -> float:
    """What the agreement pays for a claim of ``units`` units after ``units_before`` units
    claimed on the request: the agreed rate x the units, or, under a case rate, what the case
    rate pays for those units of the stay (``case_rate_paid``)."""
    if request.case_rate_usd is not None and request.case_units_covered is not None:
        return case_rate_paid(request, units_before + units) - case_rate_paid(request, units_before)
    if request.agreed_rate_usd is None:
        raise LogError(
            f"request {request.id} has no agreement with a rate, so the payment a claim should "
            f"bring cannot be computed. Fix: attach the letter with `sca-rates log agreement "
            f"{request.id} --terms FILE` (or record the rate with `sca-rates log outcome "
            f"{request.id} --outcome approved --rate USD`), then enter the claim"
        )
    return request.agreed_rate_usd * units


def case_rate_paid(request: LoggedRequest, units: float) -> float:
    """What a case rate pays for the first ``units`` units of the stay: its amount spread over
    the units it covers, then the rate beyond for each unit past them (nothing when none was
    agreed). ``offers.case_rate_episode`` gives a whole stay its whole amount, however short;
    claims bill a stay in parts, so each part is paid its share of the units covered."""
    case, covered = request.case_rate_usd or 0.0, request.case_units_covered or 1.0
    past = max(units - covered, 0.0)
    return case * min(units, covered) / covered + past * (request.beyond_per_unit_usd or 0.0)


def units_claimed(request: LoggedRequest) -> float:
    """The units the request's claims bill so far."""
    return sum(claim.units or 0 for claim in request.claims)


def expected_said(request: LoggedRequest, units: float) -> str:
    """How a new claim's expected payment is worked out, for the line that reports it."""
    unit = request.agreed_unit or request.unit
    if request.case_rate_usd is None or request.case_units_covered is None:
        return f"{usd(request.agreed_rate_usd or 0)} x {units:g}"
    before = units_claimed(request)
    return (
        f"the case rate of {usd(request.case_rate_usd)} for {request.case_units_covered:g} "
        f"{unit}s, {usd(request.beyond_per_unit_usd or 0)} a {unit} past them; {units:g} "
        f"{unit}s after the {before:g} claimed before"
    )


def _finite(value: float, what: str, example: str) -> None:
    if not math.isfinite(value):
        raise LogError(f"{what}: {value:g} is not a number of dollars or units. Fix: {example}")


def new_claim(
    request: LoggedRequest,
    *,
    date_of_service: dt.date,
    units: float,
    billed_usd: float,
    submitted_on: dt.date,
    today: dt.date,
    number: str | None = None,
) -> ClaimOutcome:
    """A claim as entered by hand, its expected payment computed from the agreement. ``number``
    is the patient control number the billing system sent (CLM01); without it the log makes
    one, SCA-{request id}-{claim id}, to send."""
    _finite(units, "units", "give the days, sessions or services the claim bills, e.g. --units 5")
    _finite(billed_usd, "billed", "give the claim's billed total in dollars, e.g. --billed 4750")
    if not units > 0:
        raise LogError(
            f"units: {units:g} is not above 0. Fix: give the days, sessions or services the "
            "claim bills, e.g. --units 5"
        )
    if not billed_usd > 0:
        raise LogError(
            f"billed: {billed_usd:g} is not above $0. Fix: give the claim's billed total in "
            "dollars, e.g. --billed 4750"
        )
    if date_of_service > today:
        raise LogError(
            f"date of service: {date_of_service.isoformat()} is still to come. Fix: enter a claim "
            "once its services are given, with the first day it bills"
        )
    if submitted_on < date_of_service:
        raise LogError(
            f"submitted on: {submitted_on.isoformat()} is before the date of service "
            f"{date_of_service.isoformat()}. Fix: give the day the claim was sent"
        )
    return ClaimOutcome(
        submitted_on=submitted_on,
        amount_usd=billed_usd,
        date_of_service=date_of_service,
        units=units,
        expected_usd=expected_payment(request, units, units_before=units_claimed(request)),
        number=given_number(number),
    )


def given_number(number: str | None) -> str | None:
    """A claim number a person gives, checked; blank is none (the log makes one)."""
    if number is None or not number.strip():
        return None
    try:
        checked = claim_number(number)
    except FieldProblem as problem:
        raise LogError(f"number: {problem}") from None
    if checked is not None and GENERATED_NUMBER.fullmatch(checked):
        raise LogError(
            f"number: {checked} has the form of the numbers sca-rates makes (SCA-request-claim), "
            "kept for them. Fix: leave --number out to have the log number the claim, or give "
            "the number your billing system sent"
        )
    return checked


def claim_warnings(request: LoggedRequest, claim: ClaimOutcome) -> list[str]:
    """What in a claim the payer will likely deny: a date of service outside the authorization,
    or units past those authorized."""
    warnings = []
    start, end, day = request.authorization_start, request.authorization_end, claim.date_of_service
    if day is not None and ((start and day < start) or (end and day > end)):
        warnings.append(
            f"the date of service {day.isoformat()} is outside the authorization "
            f"({start or '?'} to {end or '?'}): the payer will likely deny it; ask for the "
            "authorization to be extended"
        )
    if request.authorized_units is not None:
        billed = sum(c.units or 0 for c in request.claims) + (claim.units or 0)
        if billed > request.authorized_units:
            warnings.append(
                f"the claims now bill {billed:g} units of the {request.authorized_units:g} "
                "authorized: the units past them will likely be denied; ask for more units"
            )
    return warnings


def expected_of(claim: ClaimOutcome) -> float:
    """What the claim should bring: the agreement's payment, or its billed amount when the claim
    was logged without one."""
    return claim.amount_usd if claim.expected_usd is None else claim.expected_usd


def received_of(claim: ClaimOutcome) -> float:
    """What came; a claim marked paid without an amount counts as paid in full."""
    if claim.paid_usd is None:
        return expected_of(claim) if claim.status == "paid" else 0.0
    return claim.paid_usd


def owed(claim: ClaimOutcome) -> float:
    """What the payer still owes on a claim: expected less received and the patient's share (the
    payer's allowed amount is its payment plus the patient's share), 0 within a cent. The one
    measure of "unpaid", "underpaid" and "short" everywhere."""
    left = expected_of(claim) - received_of(claim) - (claim.patient_responsibility_usd or 0)
    return left if left > CENT else 0.0


def with_payment(
    claim: ClaimOutcome, *, amount_usd: float, paid_on: dt.date, today: dt.date
) -> ClaimOutcome:
    """The claim with one more payment recorded by hand: paid once the payer owes nothing more,
    underpaid while it does. A claim a remittance has reported on takes its payments from the
    remittances only, so one payment is never counted twice."""
    _finite(
        amount_usd, "amount", "give the dollars the payer paid on the claim, e.g. --amount 2990"
    )
    if not amount_usd > 0:
        raise LogError(
            f"amount: {amount_usd:g} is not above $0. Fix: give the dollars the payer paid on "
            "the claim, e.g. --amount 2990"
        )
    if claim.remitted_on is not None:
        raise LogError(
            f"claim {claim.id} ({claim.number}) has a remittance read ({claim.remitted_on}): its "
            "payments are what the payer's 835 remittances report, so a payment recorded by hand "
            "would count one payment twice. Fix: read the remittance that reports this payment "
            "with `sca-rates log remit FILE.835` (or the Log page's uploader)"
        )
    if paid_on > today:
        raise LogError(
            f"paid on: {paid_on.isoformat()} is still to come. Fix: record a payment once it "
            "has come, dated the day it came"
        )
    if paid_on < claim.submitted_on:
        raise LogError(
            f"paid on: {paid_on.isoformat()} is before the claim was sent "
            f"({claim.submitted_on.isoformat()}). Fix: give the day the payment came"
        )
    hand = (received_of(claim) if claim.hand_paid_usd is None else claim.hand_paid_usd) + amount_usd
    paid = claim.model_copy(
        update={
            "hand_paid_usd": hand,
            "paid_usd": hand,
            "paid_on": max(paid_on, claim.paid_on or paid_on),
        }
    )
    return paid.model_copy(update={"status": "underpaid" if owed(paid) else "paid"})


def payment_said(claim: ClaimOutcome) -> str:
    """What a payment leaves: paid in full, underpaid by what is owed, or overpaid."""
    expected, received = expected_of(claim), received_of(claim)
    said = f"claim {claim.id}: received {usd(received)} of {usd(expected)} expected"
    patient = claim.patient_responsibility_usd or 0
    if patient:
        said += f" (the patient's share {usd(patient)})"
    if owed(claim):
        return f"{said}; underpaid by {usd(owed(claim))}"
    over = received + patient - expected
    if over > CENT:
        return (
            f"{said}; overpaid by {usd(over)} (a payer that finds it takes it back: keep it apart)"
        )
    return f"{said}; paid in full"


def claim_listed(claim: ClaimOutcome) -> str:
    """A claim in one line where claims are listed: the log's number and the number sent."""
    parts = [f"claim {claim.id} {claim.number or ''}".rstrip()]
    if claim.date_of_service is not None:
        parts.append(f"service {claim.date_of_service.isoformat()}")
    if claim.units is not None:
        parts.append(f"{claim.units:g} units")
    parts.append(
        f"billed {usd(claim.amount_usd)}, expected {usd(expected_of(claim))}, received "
        f"{usd(received_of(claim))}, {claim.status}"
    )
    if claim.appeal_by is not None and claim.status in APPEALABLE:
        sent = f", appeal sent {claim.appealed_on}" if appeal_sent(claim) else ""
        parts.append(f"appeal by {claim.appeal_by.isoformat()}{sent}")
    return "; ".join(parts)


# Remittances ----------------------------------------------------------------------------------

# One adjudication (CLP) of a logged claim in a remittance: (claim id, trace number, where it is
# among the payment's claims: "CLP 3"). The log keeps each applied, so the same file read again
# adds nothing, while two adjudications of one claim in one payment are both kept. Rows read
# before revision 0005 are named by the payer's claim number and status instead ("AET123 1").
RemitKey = tuple[int, str, str]
Judged = Literal["paid", "underpaid", "denied", "reversed"]
ReadOutcome = Literal[Judged, "already read", "other payer"]


class RemitEntry(Frozen):
    """One adjudication of a logged claim taken from a remittance, as the log keeps it."""

    key: RemitKey
    issued_on: dt.date  # the remittance's date (DTM*405, else the payment date)
    payment_date: dt.date  # BPR16
    appeal_window_days: int | None  # None: read before the log kept it
    payment: ClaimPayment  # CLP04 (negative in a reversal), CLP05, the reasons ...
    read: int | None = None  # the order it was read in; None: being read now

    @property
    def order(self) -> tuple[dt.date, float, str]:
        """Remittances by their date, then as they were read, then in file order."""
        return (self.issued_on, math.inf if self.read is None else self.read, self.key[2])


class ClaimRemitted(Frozen):
    """What reading a remittance did to one logged claim."""

    request_id: int
    claim: ClaimOutcome  # as it now stands (as it was, when nothing was applied)
    outcome: ReadOutcome
    entries: tuple[RemitEntry, ...] = ()  # the adjudications applied now
    notes: tuple[str, ...] = ()


class RemittanceRead(Frozen):
    """One payment of an 835 read into the log: each logged claim it names, and the claims it
    names that the log does not know."""

    source: str
    payer: str
    trace_number: str
    issued_on: dt.date
    payment_usd: float
    payment_date: dt.date
    appeal_window_days: int
    claims: tuple[ClaimRemitted, ...]
    unknown: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    warnings: tuple[str, ...] = ()


def same_payer(remitted: str, logged: str) -> bool:
    """Whether the remittance's payer (N1*PR, "AETNA LIFE INSURANCE CO") is the request's
    ("aetna"): one name holds the other, letters and digits compared."""
    a, b = (re.sub(r"[^0-9a-z]", "", name.lower()) for name in (remitted, logged))
    return bool(a and b) and (a in b or b in a)


def apply_remittance(
    remittance: Remittance,
    requests: list[LoggedRequest],
    read: dict[int, list[RemitEntry]],
    *,
    appeal_window_days: int,
) -> RemittanceRead:
    """Each logged claim the remittance names (by the number it was sent with, CLP01) rebuilt
    from every adjudication of it read so far (``read``, by claim id) and the remittance's new
    ones: the payment, the patient's share, the status, the reasons of a denial or an
    underpayment and its appeal deadline. Adjudications read before are skipped, so a file read
    twice counts nothing twice; a claim logged for another payer is left as it is."""
    check_appeal_window(appeal_window_days)
    logged = {
        claim.number: (request, claim)
        for request in requests
        for claim in request.claims
        if claim.number is not None
    }
    found: dict[str, list[tuple[int, ClaimPayment]]] = {}
    for place, payment in enumerate(remittance.claims, start=1):
        found.setdefault(payment.claim_id, []).append((place, payment))
    done = []
    for number, payments in found.items():
        if number not in logged:
            continue
        request, claim = logged[number]
        before = read.get(claim.id or 0, [])
        if not same_payer(remittance.payer_name, request.payer):
            done.append(_other_payer(remittance, request, claim))
            continue
        known = {entry.key for entry in before}
        fresh = [
            _entry(claim, remittance, place, payment, appeal_window_days)
            for place, payment in payments
            if not _keys(claim, remittance, place, payment) & known
        ]
        done.append(_remitted(request, claim, before, fresh))
    return RemittanceRead(
        source=remittance.source,
        payer=remittance.payer_name,
        trace_number=remittance.trace_number,
        issued_on=remittance.issued_on,
        payment_usd=remittance.payment_usd,
        payment_date=remittance.payment_date,
        appeal_window_days=appeal_window_days,
        claims=tuple(done),
        unknown=tuple(p for p in remittance.claims if p.claim_id not in logged),
        provider_adjustments=remittance.provider_adjustments,
        warnings=remittance.warnings,
    )


def _keys(
    claim: ClaimOutcome, remittance: Remittance, place: int, payment: ClaimPayment
) -> set[RemitKey]:
    """The adjudication's key, and the one a log read before revision 0005 kept for it."""
    claim_id, trace = claim.id or 0, remittance.trace_number
    legacy = f"{payment.payer_claim_number} {payment.status_code}"
    return {(claim_id, trace, f"CLP {place:05d}"), (claim_id, trace, legacy)}


def _entry(
    claim: ClaimOutcome, remittance: Remittance, place: int, payment: ClaimPayment, window: int
) -> RemitEntry:
    return RemitEntry(
        key=(claim.id or 0, remittance.trace_number, f"CLP {place:05d}"),
        issued_on=remittance.issued_on,
        payment_date=remittance.payment_date,
        appeal_window_days=window,
        payment=payment,
    )


def _other_payer(
    remittance: Remittance, request: LoggedRequest, claim: ClaimOutcome
) -> ClaimRemitted:
    note = (
        f"not applied: the claim is logged on request {request.id} with "
        f"{request.payer.title()}, and this remittance is from {remittance.payer_name}. Check "
        "the claim number the payer was sent (`sca-rates log list --json`)"
    )
    return ClaimRemitted(
        request_id=request.id or 0, claim=claim, outcome="other payer", notes=(note,)
    )


def _remitted(
    request: LoggedRequest,
    claim: ClaimOutcome,
    before: list[RemitEntry],
    fresh: list[RemitEntry],
) -> ClaimRemitted:
    if not fresh:
        return ClaimRemitted(request_id=request.id or 0, claim=claim, outcome="already read")
    notes = []
    hand = claim.hand_paid_usd or 0
    if hand > CENT and not before and sum(e.payment.paid_usd for e in fresh) > CENT:
        notes.append(
            f"{usd(hand)} was recorded on it by hand (`log paid`) before; the remittance's "
            "payment is added. If both are one payment, it now counts twice"
        )
    if before and min(e.issued_on for e in fresh) < max(e.issued_on for e in before):
        notes.append(
            "this remittance is dated before one read earlier: the claim is worked out again in "
            "the order of the remittances' dates"
        )
    updated, status, match = rebuilt(claim, [*before, *fresh])
    if (claim.hand_paid_usd or 0) + sum(e.payment.paid_usd for e in [*before, *fresh]) < -CENT:
        notes.append(
            "the remittances take back more than the log received; the claim is kept at $0.00 "
            "received: read the earlier remittance that paid it"
        )
    return ClaimRemitted(
        request_id=request.id or 0,
        claim=updated,
        outcome=status,
        entries=tuple(fresh),
        notes=tuple(notes) + match.notes,
    )


def rebuilt(
    claim: ClaimOutcome, entries: list[RemitEntry]
) -> tuple[ClaimOutcome, Judged, ClaimMatch]:
    """The claim as its remittances leave it, whatever order they were read in: the payments
    recorded by hand plus every adjudication; the patient's share of them all; the status,
    reasons and appeal deadline of the latest remittance (by its date) that names the claim."""
    ordered = sorted(entries, key=lambda entry: entry.order)
    last = ordered[-1]
    decision = [e for e in ordered if (e.issued_on, e.key[1]) == (last.issued_on, last.key[1])]
    window = last.appeal_window_days
    appeal_by = claim.appeal_by if window is None else appeal_deadline(last.issued_on, window)
    expected = ExpectedClaim(
        claim_id=claim.number or "?",
        agreement_id="log",
        date_of_service=claim.date_of_service or claim.submitted_on,
        units=claim.units or 1,
        expected_usd=expected_of(claim),
    )
    match = judge(expected, [e.payment for e in decision], appeal_by or last.issued_on)
    received = (claim.hand_paid_usd or 0) + sum(e.payment.paid_usd for e in ordered)
    paid_on = [e.payment_date for e in ordered if e.payment.paid_usd > CENT]
    update: dict[str, object] = {
        "paid_usd": max(received, 0.0),
        "patient_responsibility_usd": sum(e.payment.patient_responsibility_usd for e in ordered),
        "remitted_on": last.issued_on,
        "paid_on": max([*paid_on, *([claim.paid_on] if claim.paid_on else [])], default=None),
    }
    totals = claim.model_copy(update=update)
    status = _status(match, totals)
    late = status in APPEALABLE
    # a decision read before the log kept adjudications whole: its reasons are the claim's own
    reasons = _reasons(match) if window is not None else claim.reasons
    update |= {
        "status": status,
        "reasons": reasons if late else (),
        "appeal_by": appeal_by if late else None,
    }
    return claim.model_copy(update=update), status, match


def _status(match: ClaimMatch, claim: ClaimOutcome) -> Judged:
    """Denied or reversed as the latest remittance says; else paid or underpaid by what the
    payer still owes on all the claim received."""
    if match.outcome == "denied":
        return "denied"
    if match.outcome == "reversed":
        return "reversed"
    return "underpaid" if owed(claim) else "paid"


def _reasons(match: ClaimMatch) -> tuple[ClaimReason, ...]:
    adjustments = (
        ClaimReason(
            kind="CARC", code=a.carc, meaning=a.meaning, group=a.group, amount_usd=a.amount_usd
        )
        for a in match.reasons
    )
    remarks = (ClaimReason(kind="RARC", code=r.code, meaning=r.meaning) for r in match.remarks)
    return (*adjustments, *remarks)


def remittance_said(read: RemittanceRead) -> list[str]:
    """What reading a remittance did, a line for the payment, each claim, each claim the log
    does not know and each provider-level adjustment."""
    lines = [
        f"remittance {read.source}: {read.payer.title()}, trace {read.trace_number}, "
        f"{usd(read.payment_usd)} paid {read.payment_date.isoformat()} (remittance dated "
        f"{read.issued_on.isoformat()})"
    ]
    lines += [claim_remitted_said(item) for item in read.claims]
    lines += [unknown_said(payment) for payment in read.unknown]
    lines += [provider_adjustment_said(item) for item in read.provider_adjustments]
    if not read.claims and not read.unknown:
        lines.append("it names no claim")
    lines += [f"warning: {warning}" for warning in read.warnings]
    return lines


def provider_adjustment_said(item: ProviderAdjustment) -> str:
    """A PLB adjustment: outside any claim, so the log applies it to none."""
    reference = f" {item.reference}" if item.reference else ""
    head = f"provider adjustment (PLB) {item.reason}{reference}"
    if item.amount_usd > 0:
        return (
            f"{head}: {usd(item.amount_usd)} taken from the payment; if it recoups an earlier "
            "claim's payment, check by hand which claim (the reference names it) and what it "
            "leaves owed: the log applies it to no claim"
        )
    return f"{head}: {usd(-item.amount_usd)} added to the payment (not applied to any claim)"


def claim_remitted_said(item: ClaimRemitted) -> str:
    claim = item.claim
    head = f"claim {claim.number} (claim {claim.id}, request {item.request_id})"
    if item.outcome == "already read":
        return f"{head}: already read from this remittance; nothing applied again"
    if item.outcome == "other payer":
        return f"{head}: " + "; ".join(item.notes)
    received = f"{usd(received_of(claim))} received of {usd(expected_of(claim))} expected"
    parts = [f"{head}: {item.outcome}"]
    if item.outcome == "underpaid":
        parts[0] += f" by {usd(owed(claim))}"
    parts.append(received)
    if claim.patient_responsibility_usd:
        parts.append(f"the patient's share {usd(claim.patient_responsibility_usd)}")
    parts += [reason.said for reason in claim.reasons]
    if claim.appeal_by is not None:
        parts.append(f"appeal by {claim.appeal_by.isoformat()}")
    parts += list(item.notes)
    return "; ".join(parts)


def unknown_said(payment: ClaimPayment) -> str:
    return (
        f"not in the log: claim {payment.claim_id} (payer claim {payment.payer_claim_number}, "
        f"{payment.status.lower()}, billed {usd(payment.billed_usd)}, paid "
        f"{usd(payment.paid_usd)}); enter it with `sca-rates log claim REQUEST ... --number "
        f"{payment.claim_id}` and read the file again (what was read is not applied twice)"
    )


# Appeals ------------------------------------------------------------------------------------


def appeal_sent(claim: ClaimOutcome) -> bool:
    """An appeal was sent since the last remittance (one sent before it answered an earlier
    decision)."""
    if claim.appealed_on is None:
        return False
    return claim.remitted_on is None or claim.appealed_on >= claim.remitted_on


def with_appeal(
    claim: ClaimOutcome, *, sent_on: dt.date, note: str | None, today: dt.date
) -> ClaimOutcome:
    """The claim with the appeal sent on ``sent_on``: only a denied or underpaid claim is
    appealed, and not before the remittance that decided it."""
    if claim.status not in APPEALABLE:
        raise LogError(
            f"claim {claim.id} is {claim.status}: only a denied or underpaid claim is appealed. "
            "Fix: read the payer's remittance first (`sca-rates log remit FILE.835`), or check "
            "the claim's number (`sca-rates log list --json`)"
        )
    if sent_on > today:
        raise LogError(
            f"on: {sent_on.isoformat()} is still to come. Fix: log an appeal once it is sent, "
            "dated the day it was sent"
        )
    decided = claim.remitted_on or claim.paid_on or claim.submitted_on
    if sent_on < decided:
        raise LogError(
            f"on: {sent_on.isoformat()} is before the decision it appeals "
            f"({decided.isoformat()}). Fix: give the day the appeal was sent"
        )
    return claim.model_copy(update={"appealed_on": sent_on, "appeal_note": note or None})


def appeal_said(claim: ClaimOutcome) -> str:
    deadline = claim.appeal_by
    by = "" if deadline is None else f", by the deadline {deadline.isoformat()}"
    if deadline is not None and claim.appealed_on is not None and claim.appealed_on > deadline:
        by = f", after the deadline {deadline.isoformat()}: ask the payer whether it is heard"
    return (
        f"claim {claim.number} (claim {claim.id}): appeal of the {claim.status} claim sent "
        f"{(claim.appealed_on or dt.date.min).isoformat()}{by}; {usd(owed(claim))} at stake"
    )


class AppealItem(Frozen):
    """A denied or underpaid claim: why, what is short, by when to appeal, whether one went."""

    claim_id: int
    number: str
    request_id: int
    payer: str
    level_of_care: str
    authorization_number: str | None
    date_of_service: dt.date
    status: str
    reasons: tuple[ClaimReason, ...]
    expected_usd: float
    received_usd: float
    short_usd: float
    appeal_by: dt.date | None  # None: entered by hand, no remittance read to count from
    appealed_on: dt.date | None  # the appeal sent since the last remittance, if any

    def days_left(self, today: dt.date) -> int | None:
        return None if self.appeal_by is None else (self.appeal_by - today).days

    def flagged(self, today: dt.date) -> bool:
        """No appeal sent and the deadline within ``APPEAL_WARNING_DAYS`` (or passed)."""
        left = self.days_left(today)
        return self.appealed_on is None and left is not None and left <= APPEAL_WARNING_DAYS

    def standing(self, today: dt.date) -> str:
        """Where the appeal stands, in a few words."""
        if self.appealed_on is not None:
            return f"appeal sent {self.appealed_on.isoformat()}"
        left = self.days_left(today)
        if left is None:
            return "no remittance read: the deadline runs from its date"
        if left < 0:
            return f"deadline passed {-left} days ago"
        return f"appeal due in {left} days" + (" (flagged)" if self.flagged(today) else "")


def appeals(requests: list[LoggedRequest]) -> list[AppealItem]:
    """Every denied or underpaid claim, the nearest appeal deadline first (those without one
    last)."""
    found = [
        AppealItem(
            claim_id=claim.id or 0,
            number=claim.number or "",
            request_id=request.id or 0,
            payer=request.payer,
            level_of_care=request.level_of_care,
            authorization_number=request.authorization_number,
            date_of_service=claim.date_of_service or claim.submitted_on,
            status=claim.status,
            reasons=claim.reasons,
            expected_usd=expected_of(claim),
            received_usd=received_of(claim),
            short_usd=owed(claim),
            appeal_by=claim.appeal_by,
            appealed_on=claim.appealed_on if appeal_sent(claim) else None,
        )
        for request in requests
        for claim in request.claims
        if claim.status in APPEALABLE
    ]
    return sorted(found, key=lambda i: (i.appeal_by or dt.date.max, i.claim_id))


def appeal_deadlines(requests: list[LoggedRequest]) -> list[AppealItem]:
    """The appeal deadlines still to meet: no appeal sent since the remittance."""
    return [i for i in appeals(requests) if i.appeal_by is not None and i.appealed_on is None]


def reasons_said(reasons: Iterable[ClaimReason]) -> str:
    return "; ".join(reason.said for reason in reasons)


# What is due --------------------------------------------------------------------------------


def payment_window(request: LoggedRequest) -> tuple[int, bool]:
    """The days within which a clean claim is paid, and whether the agreement states them."""
    if request.payment_days is None:
        return CLEAN_CLAIM_DAYS, False
    return request.payment_days, True


def follow_up(request: LoggedRequest, claim: ClaimOutcome) -> ClaimFollowUp | None:
    """The claim's follow-up, or None when it is paid in full or denied (a denial is appealed,
    not waited on). A claim logged without a date of service (from a spreadsheet) keeps the date
    it was expected by, else counts from the day it was sent."""
    if claim.status == "denied" or not owed(claim):
        return None
    days, stated = payment_window(request)
    day = claim.date_of_service or claim.submitted_on
    ends = day + dt.timedelta(days=days)
    if claim.date_of_service is None and claim.expected_by is not None:
        ends, stated = claim.expected_by, True
    return ClaimFollowUp(
        claim_id=claim.id or 0,
        request_id=request.id or 0,
        payer=request.payer,
        level_of_care=request.level_of_care,
        authorization_number=request.authorization_number,
        date_of_service=day,
        units=claim.units,
        billed_usd=claim.amount_usd,
        expected_usd=expected_of(claim),
        received_usd=received_of(claim),
        unpaid_usd=owed(claim),
        window_days=days,
        window_stated=stated,
        window_ends=ends,
    )


def claim_follow_ups(requests: list[LoggedRequest]) -> list[ClaimFollowUp]:
    """Every claim not paid in full, by the day its follow-up falls."""
    found = [
        item
        for request in requests
        for claim in request.claims
        if (item := follow_up(request, claim)) is not None
    ]
    return sorted(found, key=lambda item: (item.follow_up_on, item.claim_id))


def claims_unpaid(requests: list[LoggedRequest], *, today: dt.date) -> list[ClaimFollowUp]:
    """Claims not paid in full whose payment window ended before ``today``."""
    return [item for item in claim_follow_ups(requests) if item.window_ends < today]


def reauthorizations(requests: list[LoggedRequest]) -> list[ReauthorizationReminder]:
    """Every reauthorization request of the agreements of requests still open, by due date."""
    found = [
        ReauthorizationReminder(
            request_id=request.id or 0,
            payer=request.payer,
            level_of_care=request.level_of_care,
            authorization_number=request.authorization_number,
            authorization_end=request.authorization_end,
            due=due,
            number=n,
            of=len(request.reauthorization_due),
        )
        for request in requests
        if request.outcome not in CLOSED
        for n, due in enumerate(sorted(request.reauthorization_due), start=1)
    ]
    return sorted(found, key=lambda item: (item.due, item.request_id))


def due_this_week(
    requests: list[LoggedRequest], *, today: dt.date, days: int = WEEK_DAYS
) -> list[ReauthorizationReminder]:
    """The reauthorization requests due within ``days`` days, today the first of them, and those
    overdue (due before today) while their authorization runs: an overdue request is still to
    send, and stays listed until the authorization ends."""
    last = today + dt.timedelta(days=days - 1)
    return [
        item
        for item in reauthorizations(requests)
        if item.due <= last
        and (item.due >= today or item.authorization_end is None or item.authorization_end >= today)
    ]


# The calendar -------------------------------------------------------------------------------


def _agreement(payer: str, level_of_care: str, number: str | None, request_id: int) -> str:
    auth = f"auth {number}" if number else f"request {request_id}"
    return f"{label(payer, level_of_care)}, {auth}"


def reauthorization_summary(item: ReauthorizationReminder, patient: str | None = None) -> str:
    what = _agreement(item.payer, item.level_of_care, item.authorization_number, item.request_id)
    return f"Reauthorization request due: {what}" + (f", patient {patient}" if patient else "")


def reauthorization_description(item: ReauthorizationReminder) -> str:
    return (
        f"Send reauthorization request {item.number} of {item.of} for logged request "
        f"{item.request_id} today. The payer's medical-necessity review needs "
        f"{REVIEW_DOCUMENTS}: send them with the request."
    )


def follow_up_summary(item: ClaimFollowUp, patient: str | None = None) -> str:
    what = _agreement(item.payer, item.level_of_care, item.authorization_number, item.request_id)
    return (
        f"Claim follow-up: {what}, service {item.date_of_service.isoformat()}, "
        f"{usd(item.unpaid_usd)} unpaid" + (f", patient {patient}" if patient else "")
    )


def window_said(item: ClaimFollowUp) -> str:
    if item.window_stated:
        return f"the agreement's {item.window_days}-day payment window"
    return f"{item.window_days} days (the agreement names no payment window)"


def follow_up_description(item: ClaimFollowUp) -> str:
    return (
        f"Claim {item.claim_id} of logged request {item.request_id} (date of service "
        f"{item.date_of_service.isoformat()}, billed {usd(item.billed_usd)}) was due to be paid "
        f"by {item.window_ends.isoformat()}, within {window_said(item)}: {usd(item.expected_usd)} "
        f"expected, {usd(item.received_usd)} received when this calendar was written. If it is "
        "still not paid in full, call the payer's claims line with the authorization number and "
        "ask for the claim's status."
    )


def appeal_summary(item: AppealItem, patient: str | None = None) -> str:
    what = _agreement(item.payer, item.level_of_care, item.authorization_number, item.request_id)
    return (
        f"Appeal deadline: {what}, claim {item.number} {item.status}, {usd(item.short_usd)} short"
        + (f", patient {patient}" if patient else "")
    )


def appeal_description(item: AppealItem) -> str:
    reasons = reasons_said(item.reasons) or "none given"
    return (
        f"Claim {item.number} (claim {item.claim_id} of logged request {item.request_id}, date "
        f"of service {item.date_of_service.isoformat()}) was {item.status}: "
        f"{usd(item.expected_usd)} expected, {usd(item.received_usd)} received. Reasons: "
        f"{reasons}. Send the appeal by today, with the agreement and the records the reasons "
        "call for, then log it with `sca-rates log appeal`. The deadline counts the log's "
        "appeal window from the remittance's date; the agreement or the plan sets the real one."
    )


def calendar(
    requests: list[LoggedRequest],
    *,
    now: dt.datetime,
    patients: dict[int, str] | None = None,
) -> bytes:
    """An iCalendar file: one all-day event per reauthorization request due, one per claim
    follow-up (the day after its payment window) and one per appeal deadline not yet met (no
    appeal sent). UIDs are made of the log's request and claim numbers, so a calendar that
    subscribes to the file again updates its events rather than adding them twice. ``patients``
    (request id to name) adds the patient's name; without it the file names no patient."""
    from icalendar import Calendar, Event

    names = patients or {}

    def all_day(uid: str, summary: str, description: str, day: dt.date) -> Event:
        return Event.new(
            uid=uid,
            summary=summary,
            description=description,
            start=day,
            end=day + dt.timedelta(days=1),
            stamp=now,
        )

    events = (
        [
            all_day(
                f"sca-rates-request-{item.request_id}-reauthorization-{item.number}",
                reauthorization_summary(item, names.get(item.request_id)),
                reauthorization_description(item),
                item.due,
            )
            for item in reauthorizations(requests)
        ]
        + [
            all_day(
                f"sca-rates-claim-{item.claim_id}-follow-up",
                follow_up_summary(item, names.get(item.request_id)),
                follow_up_description(item),
                item.follow_up_on,
            )
            for item in claim_follow_ups(requests)
        ]
        + [
            all_day(
                f"sca-rates-claim-{item.claim_id}-appeal",
                appeal_summary(item, names.get(item.request_id)),
                appeal_description(item),
                item.appeal_by,
            )
            for item in appeal_deadlines(requests)
            if item.appeal_by is not None
        ]
    )
    made = Calendar.new(
        prodid=PRODID, name=CALENDAR_NAME, uid="sca-rates-log", subcomponents=events
    )
    data: bytes = made.to_ical()
    return data
