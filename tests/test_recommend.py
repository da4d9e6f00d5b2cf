"""Opening, target and floor worked by hand (18-day PHP, margin 15%, billed $950 a day, market
p25 $380, p50 $420, p75 $480, p90 $560 unless a test says otherwise), and their invariants."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sca_rates.models.recommend import Policy
from sca_rates.recommend import precise_figure, recommend
from tests.recommend_helpers import facts_with


def test_bound_by_cost() -> None:
    # floor = max(fully loaded $500, OON $311, marginal $30) = $500
    # target = max($500, $500 x 1.15 = $575, p50 $420) = $575
    # opening: p90 $560 is below the target, so the anchor is 70% of the $950 charge = $665;
    #   $665 ends in 5, so the precise figure is $663. Midpoint (500 + 1000) / 2 = $750
    rec = recommend(facts_with(cost=500, marginal=30, oon=311))
    assert (rec.floor.per_unit_usd, rec.floor.binding) == (500, "fully_loaded_cost")
    assert rec.target.per_unit_usd == pytest.approx(575)
    assert rec.target.binding == "cost_plus_margin"
    assert rec.target.rule == "target = fully loaded cost x 1.15"
    assert (rec.opening.per_unit_usd, rec.opening.binding) == (663, "anchor")
    assert "70% of billed charges" in rec.opening.rule
    assert rec.opening.per_episode_usd == 663 * 18
    assert rec.settlement_midpoint_per_unit_usd == 750
    assert rec.zopa


def test_bound_by_market_with_the_oon_floor() -> None:
    # floor = max(fully loaded $300, OON $311, marginal $20) = $311 (billing OON beats cost)
    # target = max($311, $345, p50 $420 x 1.10 for DBT = $462) = $462
    # opening: p90 $560 x 1.10 = $616, a precise figure already. Midpoint (311 + 1000)/2 = $655.50
    rec = recommend(facts_with(cost=300, marginal=20, oon=311, specialized=True))
    assert (rec.floor.per_unit_usd, rec.floor.binding) == (311, "oon_expected")
    assert rec.target.per_unit_usd == pytest.approx(462)
    assert rec.target.binding == "market_p50"
    assert rec.opening.per_unit_usd == 616
    assert rec.settlement_midpoint_per_unit_usd == pytest.approx(655.5)
    assert any("out of network" in w for w in rec.warnings)


def test_bound_by_the_payers_ceiling() -> None:
    # floor $400; target max($400, $460, $420) = $460 is above the $450 ceiling -> $450
    # opening: the anchor $560 is held at the ceiling $450; $448 as a precise figure is below
    #   the target, so the opening is the target, $450. Midpoint (400 + 450) / 2 = $425
    rec = recommend(facts_with(cost=400, marginal=20, ceiling=450))
    assert (rec.target.per_unit_usd, rec.target.binding) == (450, "payer_ceiling")
    assert rec.opening.per_unit_usd == 450
    assert rec.settlement_midpoint_per_unit_usd == 425
    assert any("capped at the payer's ceiling" in w for w in rec.warnings)


def test_no_zone_of_agreement_is_said_plainly() -> None:
    # floor $600 > ceiling $450: target max($600, $690, $420) = $690, opening = target
    rec = recommend(facts_with(cost=600, marginal=20, ceiling=450))
    assert not rec.zopa
    assert rec.floor.per_unit_usd == 600
    assert rec.target.per_unit_usd == pytest.approx(690)
    assert rec.opening.per_unit_usd == rec.target.per_unit_usd
    assert rec.settlement_midpoint_per_unit_usd is None
    assert rec.warnings[0].startswith("No zone of agreement")
    assert "non-rate moves" in rec.warnings[0]


def test_marginal_cost_floor_when_the_slot_would_stay_empty() -> None:
    # The patient would not come out of network, so the floor is the $30 marginal cost
    rec = recommend(
        facts_with(cost=500, marginal=30, oon=311, slot_empty=True, would_attend_oon=False)
    )
    assert (rec.floor.per_unit_usd, rec.floor.binding) == (30, "marginal_cost")
    assert any(w.startswith("Marginal-cost floor in use") for w in rec.warnings)


def test_without_market_figures_the_target_rests_on_cost() -> None:
    rec = recommend(facts_with(cost=500, marginal=30, points=None, billed=None))
    assert rec.target.per_unit_usd == pytest.approx(575)
    # No market top and no charge: the anchor is 80% of the $1,000 ceiling = $800, made $798
    assert rec.opening.per_unit_usd == 798
    assert any("No market figure" in w for w in rec.warnings)


@pytest.mark.parametrize(
    ("amount", "precise"),
    [(665.0, 663.0), (616.4, 616.0), (600.0, 598.0), (599.99, 599.0), (451.0, 451.0)],
)
def test_precise_figures_avoid_round_endings(amount: float, precise: float) -> None:
    assert precise_figure(amount) == precise


money = st.floats(min_value=50, max_value=2000, allow_nan=False)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    p25 = draw(money)
    p50 = p25 + draw(st.floats(min_value=0, max_value=300))
    p90 = p50 + draw(st.floats(min_value=0, max_value=500))
    return {
        "cost": draw(money),
        "marginal": draw(st.floats(min_value=0, max_value=2500)),
        "points": draw(st.none() | st.just({"p25": p25, "p50": p50, "p90": p90})),
        "ceiling": draw(st.none() | money),
        "oon": draw(st.none() | money),
        "specialized": draw(st.booleans()),
        "billed": draw(st.none() | money),
        "slot_empty": draw(st.booleans()),
        "margin": draw(st.floats(min_value=0, max_value=0.5)),
    }


aggressiveness = st.floats(min_value=0, max_value=1)


@given(scenarios(), aggressiveness)
def test_floor_target_opening_are_always_in_order(scenario: dict[str, Any], aggr: float) -> None:
    rec = recommend(facts_with(**scenario), Policy(anchor_aggressiveness=aggr))
    assert rec.floor.per_unit_usd <= rec.target.per_unit_usd <= rec.opening.per_unit_usd


@given(scenarios())
def test_floor_never_falls_below_marginal_cost(scenario: dict[str, Any]) -> None:
    rec = recommend(facts_with(**scenario))
    assert rec.floor.per_unit_usd >= scenario["marginal"]


@given(scenarios(), aggressiveness)
def test_opening_never_above_the_ceiling_when_a_deal_is_possible(
    scenario: dict[str, Any], aggr: float
) -> None:
    rec = recommend(facts_with(**scenario), Policy(anchor_aggressiveness=aggr))
    if rec.zopa and rec.payer_ceiling_per_unit_usd is not None:
        assert rec.opening.per_unit_usd <= rec.payer_ceiling_per_unit_usd


@given(scenarios(), st.floats(min_value=0, max_value=500))
def test_target_rises_with_cost(scenario: dict[str, Any], more: float) -> None:
    low = recommend(facts_with(**scenario))
    high = recommend(facts_with(**{**scenario, "cost": scenario["cost"] + more}))
    assert high.target.per_unit_usd >= low.target.per_unit_usd
