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
    # opening: the anchors above the target are 70% of the $950 charge = $665 and 80% of the
    #   $1,000 ceiling = $800 (p90 $560 is below the target); the highest, $800, is under both
    #   the ceiling and the charge and at least 10% above the target ($632.50); $800 ends in 0,
    #   so the precise figure is $798
    rec = recommend(facts_with(cost=500, marginal=30, oon=311))
    assert (rec.floor.per_unit_usd, rec.floor.binding) == (500, "fully_loaded_cost")
    assert rec.target.per_unit_usd == 575
    assert rec.target.binding == "cost_plus_margin"
    assert rec.target.rule == "target = fully loaded cost x 1.15"
    assert (rec.opening.per_unit_usd, rec.opening.binding) == (798, "anchor")
    assert rec.opening.rule == (
        "opening = the highest anchor, 80% of the payer's ceiling ($800.00), made a precise figure"
    )
    assert rec.opening.per_episode_usd == 798 * 18
    assert rec.zopa


def test_bound_by_market_with_the_oon_floor() -> None:
    # floor = max(fully loaded $300, OON $311, marginal $20) = $311 (billing OON beats cost)
    # target = max($311, $345, p50 $420 x 1.10 for DBT = $462) = $462
    # opening: p90 $560 x 1.10 = $616 for the specialized need, 70% of $950 = $665, 80% of the
    #   ceiling = $800: the highest is $800, made $798; the rule names the premium only when the
    #   market top is the anchor (next case)
    rec = recommend(facts_with(cost=300, marginal=20, oon=311, specialized=True))
    assert (rec.floor.per_unit_usd, rec.floor.binding) == (311, "oon_expected")
    assert rec.target.per_unit_usd == pytest.approx(462)
    assert rec.target.binding == "market_p50"
    assert rec.opening.per_unit_usd == 798
    assert any("out of network" in w for w in rec.warnings)


def test_the_market_top_anchor_names_the_specialization_premium() -> None:
    # No ceiling and no charge: the only anchor is p90 $560 x 1.10 = $616 (precise already);
    # target = p50 $420 x 1.10 = $462, and $616 is more than 10% above it
    rec = recommend(facts_with(cost=300, marginal=20, specialized=True, ceiling=None, billed=None))
    assert rec.opening.per_unit_usd == 616
    assert rec.opening.rule == (
        "opening = the highest anchor, the top of the market range (p90) x 1.1 for the "
        "specialized need ($616.00), made a precise figure"
    )


def test_the_payers_published_share_of_billed_charges_is_an_anchor() -> None:
    # 90% (the payer's published share) of our $950 charge = $855, above 80% of the ceiling
    # ($800): the opening is $855 made precise, $853
    rec = recommend(facts_with(cost=500, marginal=30, published_share=0.9))
    assert rec.opening.per_unit_usd == 853
    assert "90.0% of our charge, the payer's published share ($855.00)" in rec.opening.rule


def test_a_multiple_of_medicare_is_an_anchor() -> None:
    # 1.5 x Medicare's $600 = $900 beats $800 (80% of the ceiling): $898
    rec = recommend(facts_with(cost=500, marginal=30, medicare=600))
    assert rec.opening.per_unit_usd == 898
    assert "1.5 x Medicare ($900.00)" in rec.opening.rule


def test_the_opening_keeps_its_room_above_the_target() -> None:
    # No anchor at all (no market, no charge, no ceiling): target $575, the opening the least
    # room above it, $575 x 1.10 = $632.50, made a precise figure rounded up: $633
    rec = recommend(facts_with(cost=500, marginal=30, points=None, billed=None, ceiling=None))
    assert rec.opening.per_unit_usd == 633
    assert (rec.opening.binding, rec.opening.rule) == (
        "room",
        "opening = raised to 10% above the target, made a precise figure",
    )


def test_the_opening_is_held_under_our_billed_charge() -> None:
    # Target $897.03 (cost $780.02 x 1.15 = $897.023, up to the cent); the room asks for $986.73;
    # our charge is $950: held under it and made precise, $948, with the room short said
    rec = recommend(facts_with(cost=780.02, marginal=20))
    assert rec.target.per_unit_usd == 897.03
    assert rec.opening.per_unit_usd == 948
    assert rec.opening.binding == "billed_charge"
    assert "held under our billed charge" in rec.opening.rule
    assert any("only 5.7% above the target" in w for w in rec.warnings)  # 948 / 897.03


def test_rounding_to_a_precise_figure_never_eats_the_room() -> None:
    # Target $1,213.25 (cost $1,055 x 1.15); the room asks for $1,334.58. The highest anchor is
    # 80% of the $1,668.375 ceiling = $1,334.70, just above it; made precise downward it would
    # be $1,334, under the room, so the room is rounded up instead: $1,335 ends in 5 -> $1,336
    rec = recommend(facts_with(cost=1055, marginal=30, ceiling=1668.375, billed=1764, points=None))
    assert rec.target.per_unit_usd == 1213.25
    assert rec.opening.per_unit_usd == 1336


def test_a_ceiling_just_above_the_room_is_named_and_warned() -> None:
    # Target $600.01 (cost $521.74 x 1.15 = $600.001, up to the cent); the room asks $660.01,
    # made precise upward $661, above the $660.50 ceiling: held under it, $658 (660 ends in 0),
    # 9.7% above the target, and both the rule and a warning say so
    rec = recommend(facts_with(cost=521.74, marginal=30, ceiling=660.5, billed=None, points=None))
    assert (rec.opening.per_unit_usd, rec.opening.binding) == (658, "payer_ceiling")
    assert rec.opening.rule == (
        "opening = raised to 10% above the target, held under the payer's ceiling, "
        "made a precise figure"
    )
    assert any("only 9.7% above the target" in w for w in rec.warnings)


def test_a_policy_asking_no_room_may_open_at_the_target() -> None:
    rec = recommend(
        facts_with(cost=520, marginal=30, ceiling=None, billed=None, points=None),
        Policy(opening_room_share=0, anchor_aggressiveness=0),
    )
    assert rec.opening.per_unit_usd == rec.target.per_unit_usd == 598  # 520 x 1.15
    assert rec.opening.rule == "opening = target (no room asked)"


def test_bound_by_the_payers_ceiling() -> None:
    # floor $400; target max($400, $460, $420) = $460 is above the $450.50 ceiling -> $450.50
    # opening: the highest anchor $665 is held at the ceiling $450.50; $450 as a precise figure
    #   is $448, below the target, so the opening is the target, $450.50, and the room is short
    rec = recommend(facts_with(cost=400, marginal=20, ceiling=450.5))
    assert (rec.target.per_unit_usd, rec.target.binding) == (450.5, "payer_ceiling")
    assert (rec.opening.per_unit_usd, rec.opening.binding) == (450.5, "payer_ceiling")
    assert rec.opening.rule == "opening = target (the payer's ceiling leaves no room above it)"
    assert any("capped at the payer's ceiling" in w for w in rec.warnings)
    assert any("only 0.0% above the target" in w for w in rec.warnings)


def test_no_zone_of_agreement_is_said_plainly() -> None:
    # floor $600 > ceiling $450: target max($600, $690, $420) = $690, opening = target
    rec = recommend(facts_with(cost=600, marginal=20, ceiling=450))
    assert not rec.zopa
    assert rec.floor.per_unit_usd == 600
    assert rec.target.per_unit_usd == pytest.approx(690)
    assert rec.opening.per_unit_usd == rec.target.per_unit_usd
    assert rec.warnings[0].startswith("No zone of agreement")
    assert "non-rate moves" in rec.warnings[0]


def test_the_floor_and_the_target_are_whole_cents_rounded_up() -> None:
    # fully loaded $780.004 -> floor $780.01 (never shown below the cost it stands for);
    # x 1.15 = $897.0046 -> target $897.01
    rec = recommend(facts_with(cost=780.004, marginal=20))
    assert (rec.floor.per_unit_usd, rec.target.per_unit_usd) == (780.01, 897.01)


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
    assert rec.floor.per_unit_usd >= scenario["marginal"] - 1e-9  # up to the cent, less noise


@given(scenarios(), aggressiveness)
def test_the_opening_has_its_room_unless_a_limit_forbids_it(
    scenario: dict[str, Any], aggr: float
) -> None:
    rec = recommend(facts_with(**scenario), Policy(anchor_aggressiveness=aggr))
    limits = [
        limit for limit in (rec.payer_ceiling_per_unit_usd, scenario["billed"]) if limit is not None
    ]
    room = rec.target.per_unit_usd * 1.10
    if rec.zopa and all(limit >= room + 5 for limit in limits):
        # within the rounding to a precise figure (never ending in 0 or 5)
        assert rec.opening.per_unit_usd >= room - 1e-9
    if rec.zopa and scenario["billed"] is not None:
        assert rec.opening.per_unit_usd <= max(scenario["billed"], rec.target.per_unit_usd)


@given(scenarios(), aggressiveness)
def test_opening_never_above_the_ceiling_when_a_deal_is_possible(
    scenario: dict[str, Any], aggr: float
) -> None:
    rec = recommend(facts_with(**scenario), Policy(anchor_aggressiveness=aggr))
    if rec.zopa and rec.payer_ceiling_per_unit_usd is not None:
        # within a float's noise: a ceiling of 50.99999999999977 is $51.00 as computed and shown
        assert rec.opening.per_unit_usd <= rec.payer_ceiling_per_unit_usd + 1e-6


@given(scenarios(), st.floats(min_value=0, max_value=500))
def test_target_rises_with_cost(scenario: dict[str, Any], more: float) -> None:
    low = recommend(facts_with(**scenario))
    high = recommend(facts_with(**{**scenario, "cost": scenario["cost"] + more}))
    assert high.target.per_unit_usd >= low.target.per_unit_usd
