"""The episode simulator: closed form with no uncertainty, reproducibility, sampling error,
monotonicity, break-even, the lowest rate for a target and the best opening."""

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sca_rates.calibration import fitted_opening
from sca_rates.compare import case_facts
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.models.simulate import AcceptanceCurve, SimulationSettings, fixed
from sca_rates.money import usd
from sca_rates.offers import parse_offer
from sca_rates.present import opening_note
from sca_rates.recommend import recommend
from sca_rates.simulate import (
    best_opening,
    break_even_rate,
    expected_value,
    min_rate_for,
    sca_margin,
    simulate,
    simulate_episodes,
    simulation_inputs,
)
from tests.conftest import FIXTURES
from tests.recommend_helpers import facts_with

_case, _model = load_case(FIXTURES / "cases" / "php-case.yaml")
FACTS = case_facts(_case, model=_model, market=load_market(FIXTURES / "market"))
COST = 404_500 / 2250  # the tiny PHP's fully loaded cost, $179.78 a day (tests/test_costing.py)
MARGINAL = 77_250 / 225  # its marginal cost at this census, $343.33 a day (a staffing step)
REC = recommend(FACTS)
CASES = Path(__file__).parent.parent / "cases"
MARKET = load_market(Path(__file__).parent.parent / "market_data")
CERTAIN = SimulationSettings(
    n=1000,
    los_cv=0,
    attendance=fixed(1.0),
    reauth_approval=fixed(1.0),
    claim_denial=fixed(0.0),
    days_to_pay_sca=fixed(30),
    days_to_pay_oon=fixed(60),
    collection=fixed(0.5),
    fill_probability=0.0,
)


def test_without_uncertainty_the_simulator_is_the_closed_form() -> None:
    # 18 days, all attended, authorized and paid. A dollar paid in 30 days at 8% a year is worth
    # 1 / (1 + 0.08 x 30/365) = 0.993468. SCA at $450: 450 x 18 x 0.993468 = $8,047.09 revenue;
    # its contribution is less the marginal cost 18 x $343.33 = $6,180.00: $1,867.09 in every
    # episode; fully loaded, less 18 x $179.78 = $3,236.00: $4,811.09.
    result = simulate(FACTS, REC, rate=450, settings=CERTAIN)
    discount = 1 / (1 + 0.08 * 30 / 365)
    contribution = 450 * 18 * discount - 18 * MARGINAL
    assert result.sca.mean_usd == pytest.approx(contribution)
    assert result.sca.p5_usd == pytest.approx(contribution)
    assert result.sca.p95_usd == pytest.approx(contribution)
    assert result.sca.fully_loaded_mean_usd == pytest.approx(450 * 18 * discount - 18 * COST)
    assert (result.sca.p_loss, result.sca.units_delivered, result.sca.units_paid) == (0, 18, 18)
    # OON: allowed $500 x 18 = $9,000; the patient owes $4,800 (tests/test_compare.py), the payer
    # pays $4,200 in 60 days (x 1/(1 + 0.08 x 60/365) = 0.987021); half the $4,800 is collected
    revenue = 4200 / (1 + 0.08 * 60 / 365) + 0.5 * 4800
    assert result.oon is not None
    assert result.oon.mean_usd == pytest.approx(revenue - 18 * MARGINAL)
    assert result.oon.fully_loaded_mean_usd == pytest.approx(revenue - 18 * COST)
    # Declining with no one to take the slot: nothing either way
    assert (result.decline.mean_usd, result.decline.units_delivered) == (0, 0)
    # Break-even: 18 x $343.33 / (18 x 0.993468) = $345.59; fully loaded $179.78 / 0.993468
    assert result.break_even_rate_usd == pytest.approx(MARGINAL / discount)
    assert result.fully_loaded_break_even_rate_usd == pytest.approx(COST / discount)


def test_a_slot_that_would_stay_empty_is_never_filled_by_declining() -> None:
    # The default settings fill a declined slot half the time; the case says no one would come
    empty = FACTS.model_copy(
        update={"case": FACTS.case.model_copy(update={"slot_otherwise_empty": True})}
    )
    result = simulate(empty, recommend(empty), rate=450, settings=SimulationSettings(n=2000))
    assert (result.decline.mean_usd, result.decline.units_delivered) == (0, 0)
    assert any("otherwise stay empty" in note for note in result.notes)


@pytest.mark.parametrize("case_file", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_best_opening_is_never_below_the_floor_and_sits_beside_ours(case_file: Path) -> None:
    case, model = load_case(case_file)
    facts = case_facts(case, model=model, market=MARKET)
    rec = recommend(facts)
    result = simulate(facts, rec, rate=rec.target.per_unit_usd, settings=SimulationSettings(n=2000))
    assert result.best_opening_usd >= rec.floor.per_unit_usd
    assert result.recommended_opening_usd == rec.opening.per_unit_usd
    note = opening_note(result, rec.unit)
    assert usd(result.best_opening_usd) in note
    if abs(result.best_opening_usd - rec.opening.per_unit_usd) >= 1:
        assert f"the recommended opening is {usd(rec.opening.per_unit_usd)}" in note


def test_billing_out_of_network_is_judged_on_its_contribution() -> None:
    # Cedar Path: its empty IOP slot costs $11 a session at the margin and $291.92 fully loaded;
    # billing OON nets about $127 a session. On contribution it rarely loses; fully loaded it
    # nearly always does
    case, model = load_case(CASES / "cedar-path-bcbs-iop.yaml")
    facts = case_facts(case, model=model, market=MARKET)
    rec = recommend(facts)
    result = simulate(facts, rec, rate=rec.target.per_unit_usd, settings=SimulationSettings(n=5000))
    assert result.oon is not None
    assert result.oon.mean_usd > 0 > result.oon.fully_loaded_mean_usd
    assert result.oon.p_loss < 0.05 < 0.95 < result.oon.fully_loaded_p_loss


def test_a_refused_reauthorization_stops_the_paid_stay() -> None:
    # By default a block is two weeks of sessions (the case's 10 a week: 20 units), so the whole
    # 18-day stay fits one. Blocks of 5 days with every renewal refused: 5 days given and paid;
    # if care goes on unpaid, all 18 days are given and still only 5 paid.
    certain = CERTAIN.model_copy(update={"auth_block_units": 5, "reauth_approval": fixed(0.0)})
    result = simulate(FACTS, REC, rate=450, settings=certain)
    assert (result.sca.units_delivered, result.sca.units_paid) == (5, 5)
    unpaid = certain.model_copy(update={"on_reauth_denial": "continue_unpaid"})
    carried = simulate(FACTS, REC, rate=450, settings=unpaid)
    assert (carried.sca.units_delivered, carried.sca.units_paid) == (18, 5)


def test_the_same_seed_gives_the_same_result() -> None:
    quick = SimulationSettings(n=2000, seed=7)
    assert simulate(FACTS, REC, rate=450, settings=quick) == simulate(
        FACTS, REC, rate=450, settings=quick
    )
    other = simulate(FACTS, REC, rate=450, settings=quick.model_copy(update={"seed": 8}))
    assert other.sca.mean_usd != simulate(FACTS, REC, rate=450, settings=quick).sca.mean_usd


def _means(n: int, repeats: int = 30) -> np.ndarray:
    base = SimulationSettings(n=n)
    inputs = simulation_inputs(FACTS, base)
    return np.array(
        [
            sca_margin(
                simulate_episodes(inputs, base.model_copy(update={"seed": seed})), 450, COST
            ).mean()
            for seed in range(repeats)
        ]
    )


def test_the_standard_error_falls_like_one_over_root_n() -> None:
    # 16 times the episodes: the spread of the mean should shrink about 4 times (sampling noise
    # in the estimate of a spread from 30 means is about 13%, so allow 2.8 to 5.7)
    ratio = _means(500).std() / _means(8000).std()
    assert 2.8 < ratio < 5.7


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=0, max_value=2000), st.floats(min_value=0, max_value=500))
def test_a_higher_rate_never_lowers_the_sca_margin(rate: float, more: float) -> None:
    base = SimulationSettings(n=500, seed=3)
    episodes = simulate_episodes(simulation_inputs(FACTS, base), base)
    assert np.all(sca_margin(episodes, rate + more, COST) >= sca_margin(episodes, rate, COST))


def test_the_break_even_rate_gives_a_zero_margin_to_the_cent() -> None:
    base = SimulationSettings(n=20_000, seed=5)
    episodes = simulate_episodes(simulation_inputs(FACTS, base), base)
    rate = break_even_rate(episodes, COST)
    assert abs(sca_margin(episodes, round(rate, 2), COST).mean()) < 0.01 * episodes.paid.mean()


def test_the_lowest_rate_for_a_target_is_the_exact_quantile() -> None:
    # margin_i(r) = r X_i - Y_i >= m  <=>  r >= (m + Y_i) / X_i: the lowest rate reaching m in 90%
    # of episodes is the 90th percentile of those thresholds (episodes with X_i = 0 never do)
    base = SimulationSettings(n=5000, seed=11)
    episodes = simulate_episodes(simulation_inputs(FACTS, base), base)
    x = episodes.paid * episodes.discount_sca
    y = COST * episodes.delivered
    thresholds = np.sort(np.where(x > 0, (500 + y) / np.where(x > 0, x, 1), np.inf))
    exact = thresholds[int(np.ceil(0.9 * len(thresholds))) - 1]
    found = min_rate_for(episodes, COST, margin=500, probability=0.9)
    assert found is not None
    assert found == pytest.approx(exact, abs=0.10)  # the next thresholds lie cents apart
    # and it is the lowest such rate to the cent
    assert (sca_margin(episodes, found, COST) >= 500).mean() >= 0.9
    assert (sca_margin(episodes, found - 0.01, COST) >= 500).mean() < 0.9


def test_the_best_opening_matches_a_brute_force_grid() -> None:
    # A hand-built case: 18 discounted paid days, care costing $3,000, a $-500 fallback, the
    # reference $400, half acceptance at 115% of it
    curve = AcceptanceCurve(midpoint=1.15, steepness=12)
    kwargs = {
        "paid_value": 18.0,
        "care_cost": 3000.0,
        "fallback": -500.0,
        "reference": 400.0,
        "curve": curve,
    }
    best, points = best_opening(low=200, high=800, **kwargs)  # type: ignore[arg-type]
    grid = np.arange(200, 800, 0.01)
    brute = grid[np.argmax(expected_value(grid, **kwargs))]  # type: ignore[arg-type]
    assert best == pytest.approx(brute, abs=0.02)
    assert len(points) == 41
    assert all(a.p_accept >= b.p_accept for a, b in pairwise(points))


def test_tornado_lists_each_input_widest_swing_first() -> None:
    result = simulate(FACTS, REC, rate=450, settings=SimulationSettings(n=3000))
    swings = [abs(bar.high_usd - bar.low_usd) for bar in result.tornado]
    assert swings == sorted(swings, reverse=True)
    assert {bar.input for bar in result.tornado} == {
        "length of stay",
        "attendance",
        "reauthorization approval",
        "claim denial",
        "days to payment",
    }
    stay = next(bar for bar in result.tornado if bar.input == "length of stay")
    assert stay.high_usd > stay.low_usd  # a longer stay at a profitable rate earns more


def test_without_room_between_floor_and_ceiling_no_opening_is_searched() -> None:
    # Floor $600 above the $450 ceiling (tests/test_recommend.py): no zone of agreement. The
    # fitted opening has nowhere to be; the simulator's figure is the floor, and says why
    facts = facts_with(cost=600, marginal=20, ceiling=450)
    rec = recommend(facts)
    assert fitted_opening(facts, rec, AcceptanceCurve()) is None
    result = simulate(facts, rec, rate=600, settings=SimulationSettings(n=500))
    assert not result.room_above_floor
    assert result.best_opening_usd == rec.floor.per_unit_usd
    assert opening_note(result, "day").endswith(
        "It is our floor: the payer's ceiling leaves no room above it to search."
    )


def test_a_case_rate_is_a_fixed_amount_per_episode_with_the_stay_our_risk() -> None:
    # Every episode certain: 18 days given and paid, paid in 30 days (x 0.993468).
    # $11,000 for 25 days: the whole $11,000, 11,000 x 0.993468 = $10,928.15, less 18 x $343.33
    # marginal = $6,180.00: $4,748.15 each episode (a per diem of $440 would earn 18 x 440 less)
    discount = 1 / (1 + 0.08 * 30 / 365)
    covers_more = parse_offer("case rate $11,000 for 25 days")
    result = simulate(FACTS, REC, rate=440, settings=CERTAIN, case_rate=covers_more)
    assert result.sca.mean_usd == pytest.approx(11_000 * discount - 18 * MARGINAL)
    # $9,000 for 15 days, $550 a day after: 9,000 + 3 x 550 = $10,650 for the 18 days
    beyond = parse_offer("$9,000 for 15 days, $550 a day after")
    result = simulate(FACTS, REC, rate=600, settings=CERTAIN, case_rate=beyond)
    assert result.sca.mean_usd == pytest.approx(10_650 * discount - 18 * MARGINAL)
    # nothing after day 15: the same $9,000 for all 18 days given
    nothing = parse_offer("case rate $9,000 for 15 days, nothing after")
    result = simulate(FACTS, REC, rate=600, settings=CERTAIN, case_rate=nothing)
    assert result.sca.mean_usd == pytest.approx(9_000 * discount - 18 * MARGINAL)
    assert any("a longer stay is ours to carry" in note for note in result.notes)


def test_with_an_uncertain_stay_a_case_rate_carries_the_long_stays() -> None:
    # $9,000 for 15 days and nothing after is $600 a day for 15 days; on the same episodes as a
    # $600 per diem, its revenue stops at $9,000 while a long stay's cost goes on: its best
    # episodes (p95) earn less than the per diem's
    settings = SimulationSettings(n=4000, seed=3, claim_denial=fixed(0.0))
    per_diem = simulate(FACTS, REC, rate=600, settings=settings)
    case_rate = simulate(
        FACTS,
        REC,
        rate=600,
        settings=settings,
        case_rate=parse_offer("case rate $9,000 for 15 days, nothing after"),
    )
    assert case_rate.sca.p95_usd < per_diem.sca.p95_usd
