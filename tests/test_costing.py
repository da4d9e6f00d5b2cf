"""Worked examples of the costing, computed by hand in the comments."""

from pathlib import Path

import pytest

from sca_rates.costing import (
    allocation_shares,
    cost_curve,
    cost_facility,
    cost_level,
    episode_cost,
    facility_annual_cost,
    marginal_cost_per_unit,
    staff_fte,
    with_census,
)
from sca_rates.exceptions import InvalidScenario
from sca_rates.files import load_cost_model
from sca_rates.models import CostModel
from tests.conftest import PROJECT


def test_php_day_costs_worked_by_hand(tiny_php: CostModel) -> None:
    # Patient-days a year = census 10 x 5 days x 50 weeks x attendance 0.9 = 2,250
    # Therapist: ratio 5, census 10 -> ceil(10/5) = 2 FTE x $60,000 x 1.25 = $150,000
    # Nurse: 0.5 FTE x ($40 x 2,080 h = $83,200) x 1.25             =  $52,000
    # Director: 1 FTE x $100,000 x 1.2                               = $120,000
    # Rent $48,000 + EHR $12,000; meals $10 x 2,250 days             =  $22,500
    # Total = 150,000 + 52,000 + 120,000 + 48,000 + 12,000 + 22,500  = $404,500
    php = cost_level(tiny_php, "PHP")
    assert php.annual_units == pytest.approx(2250)
    assert php.annual_cost == pytest.approx(404_500)
    assert php.fully_loaded_per_unit == pytest.approx(404_500 / 2250)  # $179.78 a day
    assert php.per_patient_hour == pytest.approx(404_500 / (2250 * 6))  # $29.96 an hour
    # direct clinical labor = (150,000 + 52,000) / 404,500 = 0.4994
    assert php.direct_clinical_labor_share == pytest.approx(202_000 / 404_500)
    assert php.breakdown["clinical_direct_staff"] == pytest.approx(202_000)
    assert php.breakdown["admin_staff"] == pytest.approx(120_000)
    assert php.breakdown["facility_overhead"] == pytest.approx(48_000)
    assert php.breakdown["technology_overhead"] == pytest.approx(12_000)
    assert php.breakdown["variable"] == pytest.approx(22_500)
    assert php.groups_at_census == 2  # ceil(10 / max group 8)


def test_marginal_cost_jumps_when_a_staffing_step_is_crossed(tiny_php: CostModel) -> None:
    # At census 10 the therapists are 2 FTE; an 11th patient needs ceil(11/5) = 3 FTE:
    # + 1 x $60,000 x 1.25 = $75,000, plus meals $10 x (1 x 250 days x 0.9 = 225 days) = $2,250.
    # Marginal per day = (75,000 + 2,250) / 225 = $343.33
    assert marginal_cost_per_unit(tiny_php, "PHP") == pytest.approx(77_250 / 225)


def test_marginal_cost_is_the_variable_cost_between_steps(tiny_php: CostModel) -> None:
    # At census 9 -> 10 the therapists stay at ceil(9/5) = ceil(10/5) = 2 FTE: only meals move.
    assert marginal_cost_per_unit(with_census(tiny_php, "PHP", 9), "PHP") == pytest.approx(10)


def test_ratio_staffing_never_falls_below_min_fte(tiny_php: CostModel) -> None:
    therapist = tiny_php.staff[0]
    assert staff_fte(therapist, 3) == 2  # ceil(3/5) = 1 step, but min_fte is 2
    assert staff_fte(therapist, 15) == 3  # exactly 3 steps, not 4 from a float error
    assert staff_fte(therapist, 15.5) == 4


def test_shared_php_and_iop_worked_by_hand(shared_php_iop: CostModel) -> None:
    # PHP: 8 x 5 x 50 x 1.00 = 2,000 days; program hours 5 x 50 x 6 = 1,500
    # IOP: 11 x 3 x 50 x 0.75 = 1,237.5 sessions; program hours 3 x 50 x 3 = 450
    # Psychiatrist $120,000 by hours: PHP 1500/1950 -> $92,307.69, IOP $27,692.31
    # PHP therapist ceil(8/4) = 2 x 64,000 x 1.25 = $160,000 (PHP); IOP therapist 1 -> $80,000
    # Admin $60,000 by patient-units: PHP 2000/3237.5 -> $37,065.64, IOP $22,934.36
    # Group coordinator serves both: census 8 + 11 = 19 -> ceil(1.9) = 2 FTE x $40,000,
    #   half each: $40,000 per level
    # Rent $39,000 by hours: PHP $30,000, IOP $9,000; insurance $6,475 by units: $4,000 / $2,475
    # Meals PHP $10 x 2,000 = $20,000; screens $4: PHP $8,000, IOP $4 x 1,237.5 = $4,950
    # PHP = 92,307.69 + 160,000 + 37,065.64 + 40,000 + 30,000 + 4,000 + 20,000 + 8,000
    #     = $391,373.33 -> / 2,000 = $195.69 a day
    # IOP = 27,692.31 + 80,000 + 22,934.36 + 40,000 + 9,000 + 2,475 + 4,950
    #     = $187,051.67 -> / 1,237.5 = $151.15 a session
    facility = cost_facility(shared_php_iop)
    php, iop = facility.levels
    assert php.annual_cost == pytest.approx(391_373.33, abs=0.01)
    assert php.fully_loaded_per_unit == pytest.approx(195.69, abs=0.005)
    assert iop.annual_units == pytest.approx(1237.5)
    assert iop.annual_cost == pytest.approx(187_051.67, abs=0.01)
    assert iop.fully_loaded_per_unit == pytest.approx(151.15, abs=0.005)
    assert iop.breakdown["clinical_support_staff"] == pytest.approx(40_000)
    # The facility: 120,000 + 160,000 + 80,000 + 60,000 + 80,000 + 39,000 + 6,475 + 20,000
    #   + 12,950 = $578,425, and the two levels add up to it
    assert facility.annual_cost == pytest.approx(578_425)
    assert facility_annual_cost(shared_php_iop) == pytest.approx(578_425)


def test_iop_marginal_cost_is_its_variable_cost_between_steps(shared_php_iop: CostModel) -> None:
    # A 12th IOP patient: IOP therapist ceil(12/12) = 1 FTE still; the coordinator serves 20,
    # ceil(2.0) = 2 FTE still. Only the $4 drug screen per session is added. Admin and insurance
    # shift toward the IOP by patient-units, but that moves cost, it does not add it.
    assert marginal_cost_per_unit(shared_php_iop, "IOP") == pytest.approx(4)


def test_php_marginal_cost_counts_the_new_therapist(shared_php_iop: CostModel) -> None:
    # A 9th PHP patient: ceil(9/4) = 3 therapists, + $80,000; the coordinator serves 20 patients,
    # still 2 FTE. Meals + screens $14 x 250 days = $3,500. (80,000 + 3,500) / 250 = $334 a day
    assert marginal_cost_per_unit(shared_php_iop, "PHP") == pytest.approx(334)


def test_allocation_by_basis_gives_shares_that_add_to_one(shared_php_iop: CostModel) -> None:
    hours = allocation_shares(shared_php_iop, "hours")
    units = allocation_shares(shared_php_iop, "patient_units")
    assert hours == pytest.approx({"PHP": 1500 / 1950, "IOP": 450 / 1950})
    assert units == pytest.approx({"PHP": 2000 / 3237.5, "IOP": 1237.5 / 3237.5})
    assert allocation_shares(shared_php_iop, {"PHP": 1.0}) == {"PHP": 1.0, "IOP": 0.0}


def test_census_override_leaves_the_model_untouched(tiny_php: CostModel) -> None:
    # Census 12: therapists ceil(12/5) = 3 FTE -> $225,000; units 12 x 250 x 0.9 = 2,700;
    # meals $27,000. Total 225,000 + 52,000 + 120,000 + 60,000 + 27,000 = $484,000
    what_if = cost_level(with_census(tiny_php, "PHP", 12), "PHP")
    assert what_if.annual_cost == pytest.approx(484_000)
    assert what_if.fully_loaded_per_unit == pytest.approx(484_000 / 2700)
    assert tiny_php.level("PHP").average_census == 10


@pytest.mark.parametrize("census", [0, -1, 13])
def test_census_override_outside_capacity_is_refused(tiny_php: CostModel, census: float) -> None:
    with pytest.raises(InvalidScenario, match="capacity 12"):
        with_census(tiny_php, "PHP", census)


def test_unknown_level_is_refused_with_the_known_ones(tiny_php: CostModel) -> None:
    with pytest.raises(InvalidScenario, match="use one of PHP"):
        cost_level(tiny_php, "IOP")


def test_cost_curve_runs_over_every_census_and_marks_the_steps(tiny_php: CostModel) -> None:
    curve = cost_curve(tiny_php, "PHP")
    assert [p.census for p in curve] == list(range(1, 13))
    # Census 10 on the curve is today's figure
    assert curve[9].fully_loaded_per_unit == pytest.approx(404_500 / 2250)
    # Steps: therapists go from 2 to 3 FTE between census 10 and 11
    assert curve[9].marginal_per_unit == pytest.approx(77_250 / 225)
    assert curve[8].marginal_per_unit == pytest.approx(10)


def test_episode_cost_is_units_times_cost_per_unit(tiny_php: CostModel) -> None:
    # 18 days x $179.78 = $3,236.00; at the margin 18 x $343.33 = $6,180.00
    episode = episode_cost(cost_level(tiny_php, "PHP"), 18)
    assert episode.fully_loaded_usd == pytest.approx(18 * 404_500 / 2250)
    assert episode.marginal_usd == pytest.approx(18 * 77_250 / 225)
    assert episode.unit == "day"


@pytest.mark.parametrize(
    "path", sorted((PROJECT / "cost_models").glob("*.yaml")), ids=lambda p: p.name
)
def test_one_level_costs_what_it_costs_within_the_facility(path: Path) -> None:
    model = load_cost_model(path)
    for level in cost_facility(model).levels:
        assert cost_level(model, level.level) == level
