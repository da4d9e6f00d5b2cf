"""What a logged agreement makes due, and what its claims should bring: the payment a claim is
expected to bring (the agreed rate x its units), payments recorded against it, claims unpaid past
the agreement's payment window, the reauthorization requests due in the coming week, and the
calendar (iCalendar) of both.

Conventions: money is US dollars for a whole claim (the agreed rate is dollars per unit of the
agreement: a day, a session or a service); dates are calendar days. A claim's payment window runs
from its date of service for the agreement's ``payment_days`` (``CLEAN_CLAIM_DAYS`` when the
letter names none, and that is said); it is unpaid past the window when, the day after the
window's last day, less than the expected payment has come. Everything here is pure: the log
keeps the rows, the CLI and the Log page show what these functions find.
"""

from __future__ import annotations

import datetime as dt

from sca_rates.exceptions import LogError
from sca_rates.models.base import Frozen
from sca_rates.models.log import ClaimOutcome, LoggedRequest
from sca_rates.money import usd
from sca_rates.terms import CLEAN_CLAIM_DAYS

WEEK_DAYS = 7  # "due this week": today and the 7 days after it
CENT = 0.005  # amounts closer than half a cent are equal
CLOSED = ("denied", "withdrawn")  # a request whose agreement makes nothing due
# What goes with every reauthorization request: the medical-necessity review reads them
REVIEW_DOCUMENTS = "the updated treatment plan and progress notes"
CALENDAR_NAME = "SCA reauthorizations and claim follow-ups"
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
) -> ClaimOutcome:
    """A claim as entered by hand, its expected payment computed from the agreement."""
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
    )


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
    short = expected_of(claim) - received > CENT
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


def calendar(
    requests: list[LoggedRequest],
    *,
    now: dt.datetime,
    patients: dict[int, str] | None = None,
) -> bytes:
    """An iCalendar file: one all-day event per reauthorization request due and one per claim
    follow-up (the day after its payment window). UIDs are made of the log's request and claim
    numbers, so a calendar that subscribes to the file again updates its events rather than
    adding them twice. ``patients`` (request id to name) adds the patient's name; without it the
    file names no patient."""
    from icalendar import Calendar, Event

    names = patients or {}
    events = [
        Event.new(
            uid=f"sca-rates-request-{item.request_id}-reauthorization-{item.number}",
            summary=reauthorization_summary(item, names.get(item.request_id)),
            description=reauthorization_description(item),
            start=item.due,
            end=item.due + dt.timedelta(days=1),
            stamp=now,
        )
        for item in reauthorizations(requests)
    ] + [
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
    made = Calendar.new(
        prodid=PRODID, name=CALENDAR_NAME, uid="sca-rates-log", subcomponents=events
    )
    data: bytes = made.to_ical()
    return data
