"""What the log says, per payer: how often and how fast it approves, where agreements land
against our numbers and the market, what billing out of network would have brought instead,
which triggers came before approval; the requests pending; each payer's playbook; and the results
per payer and quarter.

US dollars per unit of service unless named; "revenue captured" is (agreed rate - what billing
OON would have netted) x expected units, summed over approved requests that logged both.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable

from sca_rates.models.base import Frozen
from sca_rates.models.log import LoggedRequest


class TriggerStats(Frozen):
    trigger: str
    requests: int
    approved: int
    approval_rate: float | None  # approved / decided, where decided


class PayerStats(Frozen):
    payer: str
    requests: int
    approved: int
    denied: int
    pending: int
    withdrawn: int
    approval_rate: float | None  # approved / (approved + denied)
    median_days_to_decision: float | None
    median_first_offer_usd: float | None
    median_agreed_usd: float | None
    agreed_minus_opening_usd: float | None  # mean over approved requests
    agreed_minus_target_usd: float | None
    agreed_minus_floor_usd: float | None
    agreed_over_market_p50: float | None  # mean ratio
    revenue_vs_oon_usd: float | None
    triggers: tuple[TriggerStats, ...]


class Playbook(Frozen):
    payer: str
    stats: PayerStats
    contacts: tuple[str, ...]
    notes: tuple[str, ...]  # newest first


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def _rate(approved: int, denied: int) -> float | None:
    return approved / (approved + denied) if approved + denied else None


def payer_stats(payer: str, requests: list[LoggedRequest]) -> PayerStats:
    mine = [r for r in requests if r.payer == payer]
    # (the request, its agreed rate) for every approved request that logged the rate
    agreed = [
        (r, r.agreed_rate_usd)
        for r in mine
        if r.outcome == "approved" and r.agreed_rate_usd is not None
    ]

    def against(field: str) -> float | None:
        """The mean of agreed rate - the request's ``field`` (opening, target, floor)."""
        pairs = [(rate, getattr(r, field)) for r, rate in agreed]
        return _mean(rate - ours for rate, ours in pairs if ours is not None)

    revenue = [
        (rate - r.oon_expected_usd) * r.expected_units
        for r, rate in agreed
        if r.oon_expected_usd is not None
    ]
    outcomes = ("approved", "denied", "pending", "withdrawn")
    count = {o: sum(r.outcome == o for r in mine) for o in outcomes}
    return PayerStats(
        payer=payer,
        requests=len(mine),
        **count,
        approval_rate=_rate(count["approved"], count["denied"]),
        median_days_to_decision=_median(r.days_to_decision for r in mine),
        median_first_offer_usd=_median(r.first_offer_usd for r in mine),
        median_agreed_usd=_median(rate for _, rate in agreed),
        agreed_minus_opening_usd=against("opening_usd"),
        agreed_minus_target_usd=against("target_usd"),
        agreed_minus_floor_usd=against("floor_usd"),
        agreed_over_market_p50=_mean(
            rate / r.market_p50_usd for r, rate in agreed if r.market_p50_usd
        ),
        revenue_vs_oon_usd=sum(revenue) if revenue else None,
        triggers=tuple(_trigger_stats(mine)),
    )


def _trigger_stats(requests: list[LoggedRequest]) -> list[TriggerStats]:
    names = sorted({t for r in requests for t in r.triggers})
    stats = []
    for name in names:
        with_it = [r for r in requests if name in r.triggers]
        approved = sum(r.outcome == "approved" for r in with_it)
        denied = sum(r.outcome == "denied" for r in with_it)
        stats.append(
            TriggerStats(
                trigger=name,
                requests=len(with_it),
                approved=approved,
                approval_rate=_rate(approved, denied),
            )
        )
    return stats


def all_payer_stats(requests: list[LoggedRequest]) -> list[PayerStats]:
    return [payer_stats(payer, requests) for payer in sorted({r.payer for r in requests})]


def playbook(payer: str, requests: list[LoggedRequest]) -> Playbook:
    mine = sorted(
        (r for r in requests if r.payer == payer), key=lambda r: r.requested_on, reverse=True
    )
    return Playbook(
        payer=payer,
        stats=payer_stats(payer, requests),
        contacts=tuple(dict.fromkeys(r.payer_contact for r in mine if r.payer_contact)),
        notes=tuple(f"{r.requested_on.isoformat()}: {r.notes}" for r in mine if r.notes),
    )


def pending(requests: list[LoggedRequest]) -> tuple[LoggedRequest, ...]:
    """The requests still waiting for the payer's decision (what is due and unpaid after an
    agreement: ``reminders``)."""
    return tuple(r for r in requests if r.outcome == "pending")


class QuarterResult(Frozen):
    """One payer's requests decided (or, while pending, made) in one quarter, and what the
    approved ones are worth against the other ways the center could have gone."""

    payer: str
    quarter: str  # "2026-Q4"
    requests: int
    approved: int
    denied: int
    approval_rate: float | None  # approved / (approved + denied)
    median_days_to_decision: float | None
    # agreed rate x units, over the approved requests that logged their rate: against declining
    # the patient (which brings nothing) all of it is captured
    sca_revenue_usd: float
    oon_revenue_usd: float | None  # what billing out of network would have netted them instead
    captured_vs_oon_usd: float | None  # sca - oon, over the requests that logged both


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def results(requests: list[LoggedRequest]) -> tuple[QuarterResult, ...]:
    """Per payer and quarter, oldest first: approval rate, days to decision, and the revenue
    captured through SCAs against billing out of network and against declining the patient. An
    approved request counts its authorized units, else its expected units."""
    groups: dict[tuple[str, str], list[LoggedRequest]] = {}
    for request in requests:
        when = request.decided_on or request.requested_on
        groups.setdefault((request.payer, quarter_of(when)), []).append(request)
    return tuple(
        _quarter(payer, quarter, mine) for (payer, quarter), mine in sorted(groups.items())
    )


def _quarter(payer: str, quarter: str, mine: list[LoggedRequest]) -> QuarterResult:
    approved = [r for r in mine if r.outcome == "approved" and r.agreed_rate_usd is not None]
    units = {id(r): r.authorized_units or r.expected_units for r in approved}
    sca = [(r, (r.agreed_rate_usd or 0) * units[id(r)]) for r in approved]
    with_oon = [(r, revenue) for r, revenue in sca if r.oon_expected_usd is not None]
    oon = [(r.oon_expected_usd or 0) * units[id(r)] for r, _ in with_oon]
    count = {o: sum(r.outcome == o for r in mine) for o in ("approved", "denied")}
    return QuarterResult(
        payer=payer,
        quarter=quarter,
        requests=len(mine),
        **count,
        approval_rate=_rate(count["approved"], count["denied"]),
        median_days_to_decision=_median(r.days_to_decision for r in mine),
        sca_revenue_usd=sum(revenue for _, revenue in sca),
        oon_revenue_usd=sum(oon) if with_oon else None,
        captured_vs_oon_usd=sum(rev for _, rev in with_oon) - sum(oon) if with_oon else None,
    )
