"""Per-payer analytics, the pipeline and the playbook, worked by hand on a small log."""

import datetime as dt
import os

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from sca_rates import store
from sca_rates.analytics import all_payer_stats, pending, playbook, results
from sca_rates.cli import app
from sca_rates.models.log import ClaimOutcome, LoggedOffer, LoggedRequest
from sca_rates.present import results_csv

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


def test_pending_requests_are_listed() -> None:
    assert [r.requested_on for r in pending(LOG)] == [D(2026, 11, 20)]


def test_playbook_collects_contacts_and_notes() -> None:
    book = playbook("aetna", LOG)
    assert book.contacts == ("Dana, UM 800-555-0142",)
    assert book.notes == ("2026-10-01: DBT gap worked",)
    assert book.stats.requests == 4


def _decided(
    payer: str,
    requested: dt.date,
    decided: dt.date | None,
    outcome: str,
    rate: float | None = None,
    oon: float | None = None,
    units: float = 18,
    authorized: float | None = None,
) -> LoggedRequest:
    return LoggedRequest.model_validate(
        {
            "payer": payer,
            "level_of_care": "PHP",
            "expected_units": units,
            "requested_on": requested,
            "decided_on": decided,
            "outcome": outcome,
            "agreed_rate_usd": rate,
            "oon_expected_usd": oon,
            "authorized_units": authorized,
        }
    )


def test_results_per_payer_and_quarter_worked_by_hand() -> None:
    log = [
        # Aetna, Q4 2026: approved at $600 x 18 days (OON would have netted $311 a day); approved
        # at $640 for 12 authorized of 18 days (no OON figure logged); denied
        _decided("aetna", dt.date(2026, 10, 1), dt.date(2026, 10, 3), "approved", 600, 311),
        _decided(
            "aetna",
            dt.date(2026, 11, 2),
            dt.date(2026, 11, 6),
            "approved",
            640,
            None,
            authorized=12,
        ),
        _decided("aetna", dt.date(2026, 12, 1), dt.date(2026, 12, 2), "denied"),
        # Aetna, requested in Q3 and decided in Q4 counts in Q4; pending in Q1 2027 by its request
        _decided(
            "aetna", dt.date(2026, 9, 29), dt.date(2026, 10, 9), "approved", 500, 400, units=10
        ),
        _decided("aetna", dt.date(2027, 1, 5), None, "pending"),
        # Cigna, Q4 2026: denied only
        _decided("cigna", dt.date(2026, 11, 10), dt.date(2026, 11, 17), "denied"),
    ]
    aetna_q4, aetna_q1, cigna_q4 = results(log)
    assert (aetna_q4.payer, aetna_q4.quarter) == ("aetna", "2026-Q4")
    assert (aetna_q4.requests, aetna_q4.approved, aetna_q4.denied) == (4, 3, 1)
    assert aetna_q4.approval_rate == pytest.approx(3 / 4)
    # days to decision: 2, 4, 1, 10 -> median (2 + 4) / 2 = 3
    assert aetna_q4.median_days_to_decision == 3
    # SCA: 600 x 18 = 10,800; 640 x 12 = 7,680; 500 x 10 = 5,000 -> 23,480
    assert aetna_q4.sca_revenue_usd == pytest.approx(23_480)
    # OON, where logged: 311 x 18 = 5,598; 400 x 10 = 4,000 -> 9,598; captured over those two
    # requests: (10,800 + 5,000) - 9,598 = 6,202
    assert aetna_q4.oon_revenue_usd == pytest.approx(9_598)
    assert aetna_q4.captured_vs_oon_usd == pytest.approx(6_202)
    assert (aetna_q1.quarter, aetna_q1.requests, aetna_q1.approval_rate) == ("2027-Q1", 1, None)
    assert aetna_q1.sca_revenue_usd == 0
    assert (cigna_q4.approval_rate, cigna_q4.oon_revenue_usd) == (0, None)
    csv_text = results_csv((aetna_q4, cigna_q4)).splitlines()
    assert csv_text[0].startswith("payer,quarter,requests,approved,denied,approval rate (%)")
    assert csv_text[1] == "aetna,2026-Q4,4,3,1,75,3,23480.00,9598.00,6202.00"
    assert csv_text[2] == "cigna,2026-Q4,1,0,1,0,7,0.00,,"


def test_results_from_the_log_in_the_cli_and_on_the_log_page() -> None:
    # The log the conftest gives this test: two Aetna requests decided in 2026-Q4
    engine = store.connect(os.environ["SCA_DATABASE_URL"])
    with store.transaction(engine) as session:
        for request in (
            _decided("aetna", D(2026, 10, 1), D(2026, 10, 3), "approved", 600, 311),
            _decided("aetna", D(2026, 12, 1), D(2026, 12, 2), "denied"),
        ):
            store.add_request(session=session, request=request, actor="test")
    # 600 x 18 = 10,800 against 311 x 18 = 5,598: 5,202 captured; 1 of 2 approved; days 2 and 1
    result = CliRunner().invoke(app, ["log", "results", "--csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "aetna,2026-Q4,2,1,1,50,1.5,10800.00,5598.00,5202.00"
    text = CliRunner().invoke(app, ["log", "results"]).stdout
    assert text.startswith("aetna 2026-Q4: 2 requests, 1 approved, 1 denied (50% approved)")
    at = AppTest.from_string(
        "from sca_rates.ui import log_page\nlog_page.render_page()", default_timeout=60
    ).run()
    assert not at.exception
    table = next(t.value for t in at.dataframe if "captured vs OON ($)" in t.value.columns)
    assert list(table["captured vs OON ($)"]) == ["5202.00"]
