"""What a logged agreement makes due, and what its claims should bring: the payment a claim is
expected to bring (the agreed rate x its units), payments recorded against it by hand or read from
the payer's 835 remittance (matched by the claim's number), claims unpaid past the agreement's
payment window, denied and underpaid claims with their appeal deadlines, the reauthorization
requests due in the coming week, and the calendar (iCalendar) of all three.

Conventions: money is US dollars for a whole claim (the agreed rate is dollars per unit of the
agreement: a day, a session or a service); dates are calendar days. A claim's payment window runs
from its date of service for the agreement's ``payment_days`` (``CLEAN_CLAIM_DAYS`` when the
letter names none, and that is said); it is unpaid past the window when, the day after the
window's last day, less than the expected payment has come. A remittance's payment adds to what a
claim received (a reversal's negative amounts take back); the appeal deadline of a denial or an
underpayment is the remittance's date plus a window the caller gives (180 days by default: the
agreement or the plan sets the real one). Everything here is pure: the log keeps the rows, the
CLI and the Log page show what these functions find.
"""

from __future__ import annotations

import datetime as dt
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
from sca_rates.money import usd
from sca_rates.remit import ClaimMatch, ClaimPayment, ExpectedClaim, Remittance, match_remittance
from sca_rates.terms import CLEAN_CLAIM_DAYS

WEEK_DAYS = 7  # "due this week": today and the 7 days after it
CENT = 0.005  # amounts closer than half a cent are equal
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
    due: dt.date
    number: int  # 1 for the first request of the agreement's schedule
    of: int


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
    window_days: int
    window_stated: bool  # False: the letter names no window, and CLEAN_CLAIM_DAYS is assumed
    window_ends: dt.date  # the last day payment is due

    @property
    def unpaid_usd(self) -> float:
        return max(self.expected_usd - self.received_usd, 0.0)

    @property
    def follow_up_on(self) -> dt.date:
        """The first day it is late: the day after the window."""
        return self.window_ends + dt.timedelta(days=1)


def label(payer: str, level_of_care: str) -> str:
    """ "Aetna PHP": the payer as people write it (the log keeps payers in lower case)."""
    return f"{payer.title()} {level_of_care}"


# Claims ------------------------------------------------------------------------------------


def expected_payment(request: LoggedRequest, units: float) -> float:
    """What the agreement pays for ``units`` units: the agreed rate x the units."""
    if request.agreed_rate_usd is None:
        raise LogError(
            f"request {request.id} has no agreement with a rate, so the payment a claim should "
            f"bring cannot be computed. Fix: attach the letter with `sca-rates log agreement "
            f"{request.id} --terms FILE` (or record the rate with `sca-rates log outcome "
            f"{request.id} --outcome approved --rate USD`), then enter the claim"
        )
    return request.agreed_rate_usd * units


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
        expected_usd=expected_payment(request, units),
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


def with_payment(
    claim: ClaimOutcome, *, amount_usd: float, paid_on: dt.date, today: dt.date
) -> ClaimOutcome:
    """The claim with one more payment added to what it received: paid when it reaches the
    expected payment, underpaid by the difference while it does not."""
    if not amount_usd > 0:
        raise LogError(
            f"amount: {amount_usd:g} is not above $0. Fix: give the dollars the payer paid on "
            "the claim, e.g. --amount 2990"
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
    received = received_of(claim) + amount_usd
    short = expected_of(claim) - received - (claim.patient_responsibility_usd or 0) > CENT
    return claim.model_copy(
        update={
            "paid_usd": received,
            "paid_on": max(paid_on, claim.paid_on or paid_on),
            "status": "underpaid" if short else "paid",
        }
    )


def payment_said(claim: ClaimOutcome) -> str:
    """What a payment leaves: paid in full, underpaid by the difference, or overpaid."""
    expected, received = expected_of(claim), received_of(claim)
    said = f"claim {claim.id}: received {usd(received)} of {usd(expected)} expected"
    if expected - received > CENT:
        return f"{said}; underpaid by {usd(expected - received)}"
    if received - expected > CENT:
        return (
            f"{said}; overpaid by {usd(received - expected)} (a payer that finds it takes it "
            "back: keep it apart)"
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

# One adjudication (CLP) of a logged claim in a remittance: (claim id, trace number, payer claim
# number, CLP02 status code). The log keeps each applied, so the same file read again adds nothing
RemitKey = tuple[int, str, str, str]
Judged = Literal["paid", "underpaid", "denied", "reversed"]
ReadOutcome = Literal[Judged, "already read"]


class RemitEntry(Frozen):
    """One adjudication of a logged claim taken from a remittance, as the log keeps it."""

    key: tuple[int, str, str, str]
    paid_usd: float  # CLP04, negative in a reversal
    patient_responsibility_usd: float  # CLP05


class ClaimRemitted(Frozen):
    """What reading a remittance did to one logged claim."""

    request_id: int
    claim: ClaimOutcome  # as it now stands (as it was, when the file was read before)
    outcome: ReadOutcome
    moved_usd: float = 0.0  # what this file paid on it, reversals taken off
    short_usd: float = 0.0  # expected less received and the patient's share, when positive
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
    warnings: tuple[str, ...] = ()


def short_of(claim: ClaimOutcome) -> float:
    """What the payer still owes on a claim: expected less received and the patient's share (the
    whole expected payment of a denial)."""
    left = expected_of(claim) - received_of(claim) - (claim.patient_responsibility_usd or 0)
    return left if left > CENT else 0.0


def apply_remittance(
    remittance: Remittance,
    requests: list[LoggedRequest],
    applied: set[RemitKey],
    *,
    appeal_window_days: int,
) -> RemittanceRead:
    """Each logged claim the remittance names (by the number it was sent with, CLP01) with the
    remittance's adjudications added: the payment, the patient's share, the status, the reasons
    of a denial or an underpayment and its appeal deadline. Adjudications in ``applied`` were
    read before and are skipped, so a file read twice counts nothing twice."""
    if appeal_window_days < 0:
        raise LogError(
            f"appeal days: {appeal_window_days} is below 0. Fix: give the days the agreement or "
            "the plan allows for an appeal after the remittance, e.g. --appeal-days 180"
        )
    logged = {
        claim.number: (request, claim)
        for request in requests
        for claim in request.claims
        if claim.number is not None
    }
    found: dict[str, list[ClaimPayment]] = {}
    for payment in remittance.claims:
        found.setdefault(payment.claim_id, []).append(payment)
    seen = set(applied)
    done = []
    for number, payments in found.items():
        if number not in logged:
            continue
        request, claim = logged[number]
        fresh = []
        for payment in payments:
            key = _key(claim, remittance, payment)
            if key not in seen:
                seen.add(key)
                fresh.append(payment)
        done.append(_remitted(remittance, request, claim, fresh, appeal_window_days))
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
        warnings=remittance.warnings,
    )


def _key(claim: ClaimOutcome, remittance: Remittance, payment: ClaimPayment) -> RemitKey:
    return (claim.id or 0, remittance.trace_number, payment.payer_claim_number, payment.status_code)


def _remitted(
    remittance: Remittance,
    request: LoggedRequest,
    claim: ClaimOutcome,
    fresh: list[ClaimPayment],
    window: int,
) -> ClaimRemitted:
    if not fresh:
        return ClaimRemitted(request_id=request.id or 0, claim=claim, outcome="already read")
    expected = ExpectedClaim(
        claim_id=claim.number or "",
        agreement_id=str(request.id),
        date_of_service=claim.date_of_service or claim.submitted_on,
        units=claim.units or 1,
        expected_usd=expected_of(claim),
    )
    (match,) = match_remittance(
        remittance.model_copy(update={"claims": tuple(fresh)}),
        [expected],
        appeal_window_days=window,
    ).claims
    updated, status, notes = _outcome(claim, match, fresh, remittance, window)
    return ClaimRemitted(
        request_id=request.id or 0,
        claim=updated,
        outcome=status,
        moved_usd=match.net_paid_usd,
        short_usd=short_of(updated),
        entries=tuple(
            RemitEntry(
                key=_key(claim, remittance, payment),
                paid_usd=payment.paid_usd,
                patient_responsibility_usd=payment.patient_responsibility_usd,
            )
            for payment in fresh
        ),
        notes=tuple(notes) + match.notes,
    )


def _outcome(
    claim: ClaimOutcome,
    match: ClaimMatch,
    fresh: list[ClaimPayment],
    remittance: Remittance,
    window: int,
) -> tuple[ClaimOutcome, Judged, list[str]]:
    """The claim with the file's adjudications added, and what to tell the person about it."""
    notes = []
    before = received_of(claim)
    if before > CENT and match.net_paid_usd > CENT and claim.remitted_on is None:
        notes.append(
            f"{usd(before)} was recorded on it by hand (`log paid`) before; the remittance's "
            f"{usd(match.net_paid_usd)} is added. If both are one payment, it now counts twice"
        )
    received = before + match.net_paid_usd
    if received < -CENT:
        notes.append(
            f"the remittance takes back {usd(-received)} more than the log had received; the "
            "claim is kept at $0.00 received: read the earlier remittance that paid it"
        )
    patient = (claim.patient_responsibility_usd or 0) + sum(
        p.patient_responsibility_usd for p in fresh
    )
    update: dict[str, object] = {
        "paid_usd": max(received, 0.0),
        "patient_responsibility_usd": patient,
        "remitted_on": remittance.issued_on,
    }
    if match.net_paid_usd > CENT:
        update["paid_on"] = max(remittance.payment_date, claim.paid_on or remittance.payment_date)
    status = _status(match, claim.model_copy(update=update))
    late = status in APPEALABLE
    update |= {
        "status": status,
        "reasons": _reasons(match) if late else (),
        "appeal_by": remittance.issued_on + dt.timedelta(days=window) if late else None,
    }
    return claim.model_copy(update=update), status, notes


def _status(match: ClaimMatch, claim: ClaimOutcome) -> Judged:
    """Denied or reversed as the file says; else paid or underpaid by all the claim received."""
    if match.outcome == "denied":
        return "denied"
    if match.outcome == "reversed":
        return "reversed"
    return "underpaid" if short_of(claim) > CENT else "paid"


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
    """What reading a remittance did, a line for the payment, each claim and each claim the log
    does not know."""
    lines = [
        f"remittance {read.source}: {read.payer.title()}, trace {read.trace_number}, "
        f"{usd(read.payment_usd)} paid {read.payment_date.isoformat()} (remittance dated "
        f"{read.issued_on.isoformat()})"
    ]
    lines += [claim_remitted_said(item) for item in read.claims]
    lines += [unknown_said(payment) for payment in read.unknown]
    if not read.claims and not read.unknown:
        lines.append("it names no claim")
    lines += [f"warning: {warning}" for warning in read.warnings]
    return lines


def claim_remitted_said(item: ClaimRemitted) -> str:
    claim = item.claim
    head = f"claim {claim.number} (claim {claim.id}, request {item.request_id})"
    if item.outcome == "already read":
        return f"{head}: already read from this remittance; nothing applied again"
    received = f"{usd(received_of(claim))} received of {usd(expected_of(claim))} expected"
    parts = [f"{head}: {item.outcome}"]
    if item.outcome == "underpaid":
        parts[0] += f" by {usd(item.short_usd)}"
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
        f"{(claim.appealed_on or dt.date.min).isoformat()}{by}; {usd(short_of(claim))} at stake"
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
            short_usd=short_of(claim),
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
    if claim.status == "denied" or expected_of(claim) - received_of(claim) <= CENT:
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
    """The reauthorization requests due from ``today`` to ``days`` days after it."""
    last = today + dt.timedelta(days=days)
    return [item for item in reauthorizations(requests) if today <= item.due <= last]


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
    events = (
        [
            Event.new(
                uid=f"sca-rates-request-{item.request_id}-reauthorization-{item.number}",
                summary=reauthorization_summary(item, names.get(item.request_id)),
                description=reauthorization_description(item),
                start=item.due,
                end=item.due + dt.timedelta(days=1),
                stamp=now,
            )
            for item in reauthorizations(requests)
        ]
        + [
            Event.new(
                uid=f"sca-rates-claim-{item.claim_id}-follow-up",
                summary=follow_up_summary(item, names.get(item.request_id)),
                description=follow_up_description(item),
                start=item.follow_up_on,
                end=item.follow_up_on + dt.timedelta(days=1),
                stamp=now,
            )
            for item in claim_follow_ups(requests)
        ]
        + [
            Event.new(
                uid=f"sca-rates-claim-{item.claim_id}-appeal",
                summary=appeal_summary(item, names.get(item.request_id)),
                description=appeal_description(item),
                start=item.appeal_by,
                end=item.appeal_by + dt.timedelta(days=1),
                stamp=now,
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
