"""Talking points carry the right figures, with units and sources."""

import pytest

from sca_rates.compare import case_facts
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.models.talking_points import TalkingPoint
from sca_rates.recommend import recommend
from sca_rates.talking_points import talking_points
from tests.conftest import PROJECT


def _points(case: str) -> dict[str, TalkingPoint]:
    facts_case, model = load_case(PROJECT / "cases" / case)
    facts = case_facts(facts_case, model=model, market=load_market(PROJECT / "market_data"))
    points = talking_points(facts, recommend(facts))
    return {p.heading: p for p in points}


def _figure(point: TalkingPoint, label: str) -> float:
    return next(f.value for f in point.figures if f.label == label)


def test_network_gap_cites_the_distance_and_the_standard() -> None:
    point = _points("harborview-aetna-php.yaml")["No in-network program within reach"]
    assert _figure(point, "distance to the nearest in-network program") == 42
    assert _figure(point, "travel time to it") == 55
    assert "42 miles / 55 minutes" in point.text
    standard = next(f for f in point.figures if f.label == "access standard, distance")
    assert standard.illustrative  # a general reference, said as such


def test_cost_offset_uses_the_target_and_the_named_alternative() -> None:
    # Harborview PHP target $599.41 (fully loaded $521.22 x 1.15 = $599.40, up to the cent) x 18
    # days = $10,789.38 against the case's 7 further inpatient days at $1,800 = $12,600: saving
    # $1,810.62, 14.4%
    point = _points("harborview-aetna-php.yaml")["Cost against the plan's alternative"]
    assert _figure(point, "inpatient psych episode") == 12_600
    assert _figure(point, "saving to the plan") == pytest.approx(12_600 - 18 * 599.41, abs=0.005)
    assert "(14.4%)" in point.text
    los = next(f for f in point.figures if f.label == "inpatient psych length of stay")
    assert (los.value, los.source) == (7, "case file")


def test_what_a_day_includes_comes_from_the_cost_model() -> None:
    point = _points("harborview-aetna-php.yaml")["What one day includes"]
    assert _figure(point, "group therapy") == 4.5
    assert _figure(point, "psychiatric care") == 0.2
    assert all(f.unit == "hours per day" for f in point.figures)
    assert all(f.source == "cost model: Harborview Behavioral Health" for f in point.figures)


def test_medicare_reference_cites_the_real_figure() -> None:
    # Harborview IOP, CMHC: Medicare APC 5851, $127.74 national (CMS OPPS, CY2026), in the
    # Boston area at MA's rural floor 1.2884: 127.74 x (0.60 x 1.2884 + 0.40) = $149.84
    point = _points("harborview-tufts-iop.yaml")["Medicare as a reference"]
    medicare = point.figures[0]
    assert medicare.value == pytest.approx(149.84, abs=0.005)
    assert (medicare.year, medicare.illustrative) == (2026, False)
    assert medicare.source == "CMS OPPS Pricer rate file, CY2026"


def test_answers_to_payer_lines() -> None:
    points = _points("harborview-aetna-php.yaml")
    share = points['"We can do 50% of billed charges"']
    assert "$475.00 per day on our $950.00 charge" in share.text  # 50% of $950
    assert _figure(share, "cigna share of billed charges") == 50
    standard = points['"We pay our standard out-of-network rate"']
    # Allowed 50% x $950 x 18 = $8,550; deductible $2,500 + 40% x $6,050 = $4,920 (under $6,000)
    assert _figure(standard, "patient's share out of network") == pytest.approx(4920)
    options = points['"We have in-network options"']
    assert "offers DBT" in options.text


def test_only_the_triggers_a_case_has_become_points() -> None:
    topics = {p.topic for p in _points("cedar-path-bcbs-iop.yaml").values()}
    assert "continuity_of_care" in topics
    assert "step_down" not in topics
    assert "specialized_need" not in topics
