"""Before the call: which request fits the case, why, by when, and what must be on file."""

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.desk import open_position
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.models.case import Case, NetworkCheck, ProgramCalled
from sca_rates.models.screen import Screen
from tests.conftest import PROJECT

MARKET = load_market(PROJECT / "market_data")
TODAY = dt.date(2026, 11, 30)
NORTHSTAR = PROJECT / "cases" / "northstar-cigna-adolescent-php.yaml"


def _screen(case: Case, path: Path = NORTHSTAR, today: dt.date = TODAY) -> Screen:
    _, model = load_case(path)
    return open_position(case, model=model, market=MARKET).screen(today)


def _northstar(allowed_pct: float, *, any_program: bool = False) -> Case:
    """Northstar with this out-of-network allowed share; ``any_program``: its distances typed to
    the nearest PHP program of any kind, not to one for adolescent dual diagnosis."""
    case, _ = load_case(NORTHSTAR)
    assert case.oon_benefit is not None
    benefit = case.oon_benefit.model_copy(update={"allowed_pct": allowed_pct})
    gap = case.triggers.network_inadequacy
    assert gap is not None
    if any_program:
        gap = gap.model_copy(update={"specialty": None})
    triggers = case.triggers.model_copy(update={"network_inadequacy": gap})
    return case.model_copy(update={"oon_benefit": benefit, "triggers": triggers})


@pytest.mark.parametrize("path", sorted((PROJECT / "cases").glob("*.yaml")), ids=lambda p: p.name)
def test_every_bundled_case_needs_a_single_case_agreement(path: Path) -> None:
    # Each has a reason an SCA rests on, and an out-of-network allowed amount under its target
    case, _ = load_case(path)
    result = _screen(case, path)
    assert result.tool == "single_case_agreement"
    assert "a rate must be negotiated" in result.reason


def test_the_northstar_case_reads_as_a_single_case_agreement() -> None:
    # 60% of the $1,400 charge: $840 a day allowed, under the $897.03 target ($780.03 x 1.15)
    result = _screen(_northstar(0.6))
    assert result.reason == (
        "the request rests on network gap, specialized need and step-down, and a rate must be "
        "negotiated; the out-of-network allowed amount, $840.00 per day, is under our target of "
        "$897.03"
    )


def test_an_allowed_amount_at_our_target_is_a_gap_exception() -> None:
    # 70% of $1,400 = $980 a day allowed, over the $897.03 target. Billing it out of network
    # nets less: 20 days x $980 = $19,600; the patient owes $1,000 + 30% of $18,600 = $6,580,
    # capped at $5,000; the payer pays $14,600 and half the $5,000 is collected: $17,100, $855 a
    # day, under the target
    result = _screen(_northstar(0.7, any_program=True))
    assert result.tool == "gap_exception"
    assert "$980.00 per day, reaches our target of $897.03" in result.reason
    # The same distances typed to the nearest program for adolescent dual diagnosis do not show
    # that the plan has no program within the standard (one without it may be nearer): an SCA
    measured = _screen(_northstar(0.7))
    assert measured.tool == "single_case_agreement"
    (gap,) = (f for f in measured.factors if f.name == "network gap")
    assert gap.holds
    assert gap.detail.startswith("nearest in-network program for adolescent dual diagnosis ")


def test_an_out_of_network_benefit_that_nets_our_target_is_billed_out_of_network() -> None:
    # 80% of $1,400 = $1,120 a day: 20 days $22,400; the patient owes $5,000 (the cap), the payer
    # $17,400, half the patient's part collected: $19,900, $995 a day, which is then our target
    result = _screen(_northstar(0.8))
    assert result.tool == "bill_out_of_network"
    assert result.reason == (
        "billing out of network nets $995.00 per day, at least our target of $995.00: an SCA "
        "would add nothing"
    )


def test_a_case_without_a_reason_gets_none() -> None:
    path = PROJECT / "cases" / "harborview-tufts-iop.yaml"
    case, _ = load_case(path)
    bare = case.model_copy(
        update={
            "triggers": case.triggers.model_copy(
                update={"continuity_of_care": False, "specialized_need": None}
            )
        }
    )
    result = _screen(bare, path)
    assert result.tool == "none"
    assert not any(f.holds for f in result.factors[:4])


@pytest.mark.parametrize(
    ("today", "timing"),
    [
        # admission on Monday 2026-12-07: 72 hours before is 2026-12-04
        (dt.date(2026, 11, 30), "send the request by 2026-12-04, 72 hours before admission"),
        (dt.date(2026, 12, 5), "send the request today: admission is less than 72 hours away"),
        (
            dt.date(2026, 12, 6),
            "send the request today and ask for an expedited review: "
            "admission is less than 48 hours away",
        ),
    ],
)
def test_the_request_is_due_72_hours_before_admission(today: dt.date, timing: str) -> None:
    case = _northstar(0.6).model_copy(update={"admission_date": dt.date(2026, 12, 7)})
    result = _screen(case, today=today)
    assert result.request_by == dt.date(2026, 12, 4)
    assert result.timing == timing


def test_the_documents_and_the_gap_check_are_asked_for_until_on_file() -> None:
    case = _northstar(0.6)
    result = _screen(case)
    assert [ready for _, ready in result.documents] == [False, False, False]
    assert result.warnings[0].startswith("record the network-gap check")
    gap = case.triggers.network_inadequacy
    assert gap is not None
    check = NetworkCheck(
        date=dt.date(2026, 11, 24),
        representative="Sam Rivera",
        reference="REF-7781",
        programs=(
            ProgramCalled(name="Valley Teen PHP", waitlist_days=21),
            ProgramCalled(name="Coast Youth Partial", waitlist_days=None, note="no DBT-A"),
        ),
    )
    filed = case.model_copy(
        update={
            "documents": case.documents.model_copy(
                update={"assessment": "ready", "treatment_plan": "ready"}
            ),
            "triggers": case.triggers.model_copy(
                update={"network_inadequacy": gap.model_copy(update={"check": check})}
            ),
        }
    )
    result = _screen(filed)
    assert [ready for _, ready in result.documents] == [True, True, False]
    assert result.warnings == ()
    # the network-gap point cites the check
    _, model = load_case(NORTHSTAR)
    position = open_position(filed, model=model, market=MARKET)
    point = next(p for p in position.points if p.topic == "network_inadequacy")
    assert point.text.endswith(
        "On November 24, 2026, Sam Rivera at your plan (reference REF-7781) named 2 in-network "
        "programs; we called each: 1 could not take the patient and 1 had a waitlist, the "
        "shortest 21 days."
    )


def test_a_gap_without_a_distance_is_not_argued_and_the_screen_asks_for_one() -> None:
    case = _northstar(0.6)
    gap = case.triggers.network_inadequacy
    assert gap is not None
    unmeasured = gap.model_copy(update={"miles_to_nearest": None, "minutes_to_nearest": None})
    case = case.model_copy(
        update={"triggers": case.triggers.model_copy(update={"network_inadequacy": unmeasured})}
    )
    result = _screen(case)
    assert result.warnings[0].startswith("the network gap has no distance yet")
    assert not next(f for f in result.factors if f.name == "network gap").holds
    _, model = load_case(NORTHSTAR)
    points = open_position(case, model=model, market=MARKET).points
    assert "network_inadequacy" not in {p.topic for p in points}


def test_screen_from_the_cli() -> None:
    args = ["screen", str(NORTHSTAR), "--today", "2026-11-30", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["tool"] == "single_case_agreement"
    assert [f["name"] for f in data["factors"]] == [
        "network gap",
        "continuity of care",
        "specialized need",
        "step-down",
        "out-of-network benefit",
        "the alternative's cost",
    ]
    text = CliRunner().invoke(app, ["screen", str(NORTHSTAR), "--today", "2026-11-30"])
    assert text.stdout.startswith("Fits: a single case agreement: the request rests on")
