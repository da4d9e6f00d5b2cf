"""Per-payer analytics, the pipeline and the playbook, worked by hand on a small log."""

import datetime as dt

import pytest

from sca_rates.analytics import all_payer_stats, pipeline, playbook
from sca_rates.models.log import ClaimOutcome, LoggedOffer, LoggedRequest

D = dt.date


def _r(
    payer: str,
    outcome: str,
    requested: dt.date,
    decided: dt.date | None = None,
    agreed: float | None = None,
    first_offer: float | None = None,
    triggers: tuple[str, ...] = (),
    **extra: object,
) -> LoggedRequest:
    offers = () if first_offer is None else (LoggedOffer(side="payer", per_unit_usd=first_offer),)
    return LoggedRequest(
        payer=payer,
        level_of_care="PHP",
        requested_on=requested,
        decided_on=decided,
        outcome=outcome,
        agreed_rate_usd=agreed,
        offers=offers,
        triggers=triggers,
        expected_units=18,
        opening_usd=616,
        target_usd=600,
        floor_usd=520,
        market_p50_usd=460,
        oon_expected_usd=310,
        **extra,
    )


LOG = [
    _r(
        "aetna",
        "approved",
        D(2026, 10, 1),
        D(2026, 10, 3),
        agreed=590,
        first_offer=450,
        triggers=("network_inadequacy",),
        payer_contact="Dana, UM 800-555-0142",
        notes="DBT gap worked",
    ),
    _r(
        "aetna",
        "approved",
        D(2026, 10, 10),
        D(2026, 10, 17),
        agreed=610,
        first_offer=500,
        triggers=("network_inadequacy", "step_down"),
    ),
    _r(
        "aetna",
        "denied",
        D(2026, 10, 20),
        D(2026, 10, 22),
        first_offer=400,
        triggers=("continuity_of_care",),
    ),
    _r("aetna", "pending", D(2026, 11, 20), reauthorization_due=(D(2026, 11, 30),)),
    _r(
        "cigna",
        "withdrawn",
        D(2026, 11, 1),
        claims=(
            ClaimOutcome(submitted_on=D(2026, 11, 2), amount_usd=5000, expected_by=D(2026, 11, 20)),
        ),
    ),
]


def test_payer_stats_worked_by_hand() -> None:
    aetna, cigna = all_payer_stats(LOG)
    assert (aetna.requests, aetna.approved, aetna.denied, aetna.pending) == (4, 2, 1, 1)
    assert aetna.approval_rate == pytest.approx(2 / 3)  # 2 approved of 3 decided
    assert aetna.median_days_to_decision == 2  # days 2, 7, 2 -> median 2
    assert aetna.median_first_offer_usd == 450  # 450, 500, 400
    assert aetna.median_agreed_usd == 600  # 590 and 610
    # agreed - opening: (590 - 616 + 610 - 616) / 2 = -16; - target: 0; - floor: 80
    assert aetna.agreed_minus_opening_usd == pytest.approx(-16)
    assert aetna.agreed_minus_target_usd == pytest.approx(0)
    assert aetna.agreed_minus_floor_usd == pytest.approx(80)
    # agreed / p50: (590/460 + 610/460) / 2 = 1.3043
    assert aetna.agreed_over_market_p50 == pytest.approx(1200 / 920)
    # revenue over OON: (590 - 310) x 18 + (610 - 310) x 18 = 5,040 + 5,400 = 10,440
    assert aetna.revenue_vs_oon_usd == pytest.approx(10_440)
    gap = next(t for t in aetna.triggers if t.trigger == "network_inadequacy")
    assert (gap.requests, gap.approved, gap.approval_rate) == (2, 2, 1.0)
    continuity = next(t for t in aetna.triggers if t.trigger == "continuity_of_care")
    assert continuity.approval_rate == 0.0
    assert (cigna.withdrawn, cigna.approval_rate, cigna.median_agreed_usd) == (1, None, None)


def test_pipeline_lists_what_needs_doing() -> None:
    today = D(2026, 11, 25)
    work = pipeline(LOG, today=today)
    assert [r.requested_on for r in work.pending] == [D(2026, 11, 20)]
    assert [when for _, when in work.reauthorizations_due] == [D(2026, 11, 30)]  # within 7 days
    assert [c.amount_usd for _, c in work.unpaid_claims] == [5000]  # expected by Nov 20
    assert pipeline(LOG, today=D(2026, 11, 1)).reauthorizations_due == ()  # 29 days away


def test_playbook_collects_contacts_and_notes() -> None:
    book = playbook("aetna", LOG)
    assert book.contacts == ("Dana, UM 800-555-0142",)
    assert book.notes == ("2026-10-01: DBT gap worked",)
    assert book.stats.requests == 4
