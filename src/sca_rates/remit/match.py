"""Matching a remittance to the claims we expect to be paid at the agreed rate.

A claim is matched by its id (CLP01, the patient control number we sent). Its payment as it now
stands is the sum of the file's non-reversal adjudications of it; a reversal (CLP02 = 22) takes
back an earlier payment and is counted only in ``net_paid_usd``. The agreed rate is the allowed
amount: the payer's payment plus the patient's share, so a claim is underpaid by
``expected - (paid + patient responsibility)`` when that is above a cent.

A denial or an underpayment gets an appeal deadline: the date of the remittance plus a window the
caller gives. 180 days is a common default (it is also the least time ERISA lets a group health
plan give a member for an internal appeal, 29 CFR 2560.503-1(h)(3)(i)); the agreement or the plan
sets the real one, and a single case agreement may set a shorter one.

Amounts are US dollars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sca_rates.exceptions import InvalidAppealWindow
from sca_rates.money import CENT, usd
from sca_rates.remit.models import (
    Adjustment,
    ClaimMatch,
    ClaimPayment,
    ExpectedClaim,
    Outcome,
    Remark,
    Remittance,
    RemittanceMatch,
)

DEFAULT_APPEAL_WINDOW_DAYS = 180  # common; the agreement or the plan sets the real window
PATIENT_RESPONSIBILITY = "PR"


def match_remittance(
    remittance: Remittance,
    expected: Sequence[ExpectedClaim],
    *,
    appeal_window_days: int = DEFAULT_APPEAL_WINDOW_DAYS,
) -> RemittanceMatch:
    """Each expected claim's outcome in the remittance, and the file's claims we did not expect."""
    appeal_by = appeal_deadline(remittance.issued_on, appeal_window_days)
    by_id: dict[str, list[ClaimPayment]] = {}
    for claim in remittance.claims:
        by_id.setdefault(claim.claim_id, []).append(claim)
    known = {e.claim_id for e in expected}
    return RemittanceMatch(
        trace_number=remittance.trace_number,
        issued_on=remittance.issued_on,
        appeal_window_days=appeal_window_days,
        claims=tuple(judge(e, by_id.get(e.claim_id, []), appeal_by) for e in expected),
        unknown_claims=tuple(c for c in remittance.claims if c.claim_id not in known),
    )


def check_appeal_window(days: int) -> int:
    """The days to appeal after a remittance, refused below 0."""
    if days < 0:
        raise InvalidAppealWindow(
            f"appeal days: {days} is below 0. Fix: give the days the agreement or the plan "
            "allows for an appeal after the remittance, e.g. --appeal-days 180"
        )
    return days


def appeal_deadline(issued_on: dt.date, window_days: int) -> dt.date:
    """The last day to appeal a denial or an underpayment: the remittance's date + the window."""
    return issued_on + dt.timedelta(days=check_appeal_window(window_days))


def judge(expected: ExpectedClaim, found: list[ClaimPayment], appeal_by: dt.date) -> ClaimMatch:
    """One expected claim against the adjudications of it (``found``, in file order) that make
    one decision: reversals take back, the others are what stands."""
    if not found:
        return ClaimMatch(
            claim_id=expected.claim_id,
            agreement_id=expected.agreement_id,
            expected_usd=expected.expected_usd,
            matched=False,
            outcome="not_in_file",
        )
    current = [c for c in found if not c.is_reversal]
    reversed_ = len(current) < len(found)
    paid = sum(c.paid_usd for c in current)
    patient = sum(c.patient_responsibility_usd for c in current)
    denied = bool(current) and _is_denied(current)
    underpaid = max(0.0, expected.expected_usd - paid - patient) if current and not denied else 0.0
    outcome = _outcome(current, denied=denied, underpaid=underpaid > CENT)
    late = outcome in {"denied", "underpaid"}
    adjustments = [a for c in current for a in c.all_adjustments]
    return ClaimMatch(
        claim_id=expected.claim_id,
        agreement_id=expected.agreement_id,
        expected_usd=expected.expected_usd,
        matched=True,
        outcome=outcome,
        paid_usd=paid,
        patient_responsibility_usd=patient,
        net_paid_usd=sum(c.paid_usd for c in found),
        underpaid_usd=underpaid if underpaid > CENT else 0.0,
        denied=denied,
        reversed=reversed_,
        reasons=tuple(_reasons(adjustments, denied=denied)) if late else (),
        remarks=tuple(_unique(r for c in current for r in c.all_remarks)),
        appeal_by=appeal_by if late else None,
        notes=tuple(_notes(expected, found, current)),
    )


def _is_denied(current: list[ClaimPayment]) -> bool:
    """Denied: the payer says so (CLP02 = 4), or nothing is allowed on a billed claim."""
    if all(c.status_code == "4" for c in current):
        return True
    allowed = sum(c.paid_usd + c.patient_responsibility_usd for c in current)
    return abs(allowed) <= CENT and sum(c.billed_usd for c in current) > CENT


def _outcome(current: list[ClaimPayment], *, denied: bool, underpaid: bool) -> Outcome:
    if not current:
        return "reversed"
    if denied:
        return "denied"
    return "underpaid" if underpaid else "paid"


def _reasons(adjustments: Iterable[Adjustment], *, denied: bool) -> list[Adjustment]:
    """The adjustments behind a denial (all of them), or behind an underpayment (those the payer
    made, not the patient's share), added up by group and reason code."""
    totals: dict[tuple[str, str], Adjustment] = {}
    for a in adjustments:
        if not denied and a.group == PATIENT_RESPONSIBILITY:
            continue
        key = (a.group, a.carc)
        before = totals.get(key)
        amount = a.amount_usd + (before.amount_usd if before else 0.0)
        totals[key] = a.model_copy(update={"amount_usd": amount, "quantity": None})
    return list(totals.values())


def _unique(remarks: Iterable[Remark]) -> list[Remark]:
    return list({r.code: r for r in remarks}.values())


def _notes(
    expected: ExpectedClaim, found: list[ClaimPayment], current: list[ClaimPayment]
) -> list[str]:
    notes = []
    taken_back = sum(c.paid_usd for c in found if c.is_reversal)
    if taken_back:
        notes.append(f"the payer reversed {usd(-taken_back)} paid earlier on this claim")
    if not current:
        return notes
    units = sum(line.units for c in current for line in c.lines)
    if any(c.lines for c in current) and abs(units - expected.units) > CENT:
        notes.append(f"{units:g} units paid of the {expected.units:g} expected")
    dates = _service_dates(current)
    if dates and not dates[0] <= expected.date_of_service <= dates[1]:
        notes.append(
            f"the file's dates of service ({dates[0]:%Y-%m-%d} to {dates[1]:%Y-%m-%d}) do not "
            f"include {expected.date_of_service:%Y-%m-%d}: check that the claim id is ours"
        )
    return notes


def _service_dates(claims: list[ClaimPayment]) -> tuple[dt.date, dt.date] | None:
    days = [d for c in claims for d in (c.statement_from, c.statement_to) if d]
    days += [
        d for c in claims for line in c.lines for d in (line.service_from, line.service_to) if d
    ]
    return (min(days), max(days)) if days else None
