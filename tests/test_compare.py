"""The comparator, worked by hand on the tiny PHP model (tests/test_costing.py) and the fixture
market (tests/fixtures/market)."""

import pytest

from sca_rates.compare import compare_case, oon_expectation
from sca_rates.costing import with_census
from sca_rates.exceptions import InvalidScenario
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.models.case import OonBenefit
from sca_rates.models.compare import Comparison
from tests.conftest import FIXTURES

CASE = FIXTURES / "cases" / "php-case.yaml"


def _compare(rate: str | None) -> Comparison:
    case, model = load_case(CASE)
    return compare_case(case, model=model, market=load_market(FIXTURES / "market"), rate_text=rate)


def test_episode_cost_against_the_payers_alternative() -> None:
    # Residential $1,050/day x 25 days = $26,250 against PHP $430/day x 18 days = $7,740:
    # the payer saves $18,510, 18,510 / 26,250 = 70.5%
    result = _compare("$430/day")
    residential = next(alt for alt in result.alternatives if alt.setting == "residential")
    assert result.our_episode_usd == pytest.approx(7740)
    assert residential.episode_usd == pytest.approx(26_250)
    assert residential.savings_usd == pytest.approx(18_510)
    assert residential.savings_pct == pytest.approx(0.7051, abs=5e-5)
    # The payer's ceiling: $26,250 spread over our 18 days = $1,458.33 a day
    assert result.ceiling_alternative == "residential"
    assert result.payer_ceiling_per_unit_usd == pytest.approx(26_250 / 18)


def test_market_position_and_multiple_of_medicare() -> None:
    # Aetna in CBSA 14460: p25 $400, p50 $450 -> $430 is 25 + 25 x 30/50 = the 40th percentile.
    # Medicare's CMHC PHP APC 5854 in the fixture: $200 a day -> 430 / 200 = 2.15 x Medicare
    market = _compare("$430/day").market
    assert market.position is not None
    assert market.position.percentile == pytest.approx(40)
    assert market.medicare_per_unit_usd == pytest.approx(200)
    assert market.medicare_multiple == pytest.approx(2.15)


def test_cost_coverage_against_the_hand_worked_costs() -> None:
    # Fully loaded $404,500 / 2,250 days = $179.78; marginal $77,250 / 225 = $343.33
    coverage = _compare("$430/day").cost_coverage
    fully_loaded = 404_500 / 2250
    assert coverage.fully_loaded_ratio == pytest.approx(430 / fully_loaded)  # 2.39
    assert coverage.marginal_ratio == pytest.approx(430 / (77_250 / 225))  # 1.25
    assert coverage.margin_per_unit_usd == pytest.approx(430 - fully_loaded)  # $250.22
    assert coverage.margin_per_episode_usd == pytest.approx((430 - fully_loaded) * 18)  # $4,504


def test_oon_expectation_worked_by_hand() -> None:
    # Allowed 50% of the $1,000 charge = $500 a day x 18 = $9,000. The patient owes the $2,000
    # deductible + 40% of the other $7,000 = $4,800 (under the $5,000 cap); the payer pays $4,200;
    # half the patient's $4,800 is collected: $2,400. Net $6,600 / 18 = $366.67 a day
    oon = _compare("$430/day").oon
    assert oon is not None
    assert oon.allowed_episode_usd == pytest.approx(9000)
    assert oon.patient_owes_usd == pytest.approx(4800)
    assert oon.payer_pays_usd == pytest.approx(4200)
    assert oon.net_episode_usd == pytest.approx(6600)
    assert oon.per_unit_usd == pytest.approx(6600 / 18)


def test_oon_patient_share_stops_at_the_out_of_pocket_maximum() -> None:
    # Same $9,000 allowed, cap $4,000: the patient owes $4,000, the payer $5,000; 50% of $4,000
    # collected = $2,000; net $7,000
    benefit = OonBenefit(
        allowed_basis="billed_charges",
        allowed_pct=0.5,
        coinsurance=0.4,
        deductible_remaining_usd=2000,
        oop_max_remaining_usd=4000,
        collection_rate=0.5,
    )
    oon = oon_expectation(benefit, allowed_per_unit_usd=500, units=18, unit="day")
    assert (oon.patient_owes_usd, oon.payer_pays_usd) == pytest.approx((4000, 5000))
    assert oon.net_episode_usd == pytest.approx(7000)


def test_without_a_rate_the_default_is_cost_plus_the_required_margin() -> None:
    # $179.78 x 1.15 = $206.74 a day
    result = _compare(None)
    assert result.rate.per_unit_usd == pytest.approx(404_500 / 2250 * 1.15)
    assert result.rate_basis == "cost plus 15% margin"
    assert result.cost_coverage.fully_loaded_ratio == pytest.approx(1.15)


def test_any_offer_form_can_be_compared() -> None:
    # 43% of the $1,000 charge is the same $430 a day
    assert _compare("43% of billed charges").rate.per_unit_usd == pytest.approx(430)
    assert _compare("case rate $7,740").our_episode_usd == pytest.approx(7740)


def test_no_marginal_ratio_when_one_more_patient_costs_nothing() -> None:
    case, model = load_case(CASE)
    free = model.model_copy(update={"variable_costs": ()})
    # At census 10 the 11th patient adds a therapist; at 9 nothing: marginal $0 without meals
    at_nine = with_census(free, "PHP", 9)
    result = compare_case(
        case, model=at_nine, market=load_market(FIXTURES / "market"), rate_text="$430/day"
    )
    assert result.cost_coverage.marginal_ratio is None  # $430 / $0 is no ratio


def test_a_level_with_no_cost_is_a_clear_error() -> None:
    case, model = load_case(CASE)
    free = model.model_copy(update={"staff": (), "overhead": (), "variable_costs": ()})
    with pytest.raises(InvalidScenario, match="no cost in the cost model"):
        compare_case(case, model=free, market=load_market(FIXTURES / "market"))
