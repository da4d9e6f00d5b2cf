"""Invariants of the costing over generated cost models."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sca_rates.costing import (
    cost_facility,
    facility_annual_cost,
    marginal_cost_per_unit,
    units_per_patient_year,
    with_census,
)
from sca_rates.models import CostModel
from tests.strategies import cost_models


@given(cost_models())
def test_costs_are_never_negative(model: CostModel) -> None:
    for level in cost_facility(model).levels:
        assert all(line.annual_cost >= 0 for line in level.lines)
        assert level.fully_loaded_per_unit >= 0
        assert level.marginal_per_unit >= -1e-6


@given(cost_models())
def test_every_total_is_the_sum_of_its_breakdown_and_lines(model: CostModel) -> None:
    for level in cost_facility(model).levels:
        assert sum(level.breakdown.values()) == pytest.approx(level.annual_cost)
        assert sum(line.annual_cost for line in level.lines) == pytest.approx(level.annual_cost)


@given(cost_models())
def test_allocation_conserves_the_facility_cost(model: CostModel) -> None:
    facility = cost_facility(model)
    assert sum(level.annual_cost for level in facility.levels) == pytest.approx(
        facility_annual_cost(model), rel=1e-9, abs=1e-6
    )


@given(cost_models(fixed_staff=True), st.data())
def test_with_fixed_staff_cost_per_unit_never_rises_with_census(
    model: CostModel, data: st.DataObject
) -> None:
    level = data.draw(st.sampled_from(model.levels_of_care))
    low = data.draw(st.integers(min_value=1, max_value=level.capacity))
    high = data.draw(st.integers(min_value=low, max_value=level.capacity))
    at_low = _per_unit(with_census(model, level.code, low), level.code)
    at_high = _per_unit(with_census(model, level.code, high), level.code)
    assert at_high <= at_low * (1 + 1e-9) + 1e-9


@given(cost_models())
def test_marginal_cost_is_at_least_the_variable_cost(model: CostModel) -> None:
    # Staffing only ever steps up with census, so one more patient adds at least what they use.
    # The marginal cost is a difference of two facility totals: their rounding (a few parts in
    # 1e16 of the total) is spread over one patient's units, which may be under one a year
    variable_per_unit = sum(v.cost_per_unit for v in model.variable_costs)
    for level in model.levels_of_care:
        slack = 1e-13 * facility_annual_cost(model) / units_per_patient_year(level)
        assert marginal_cost_per_unit(model, level.code) >= variable_per_unit * (1 - 1e-9) - slack


def _per_unit(model: CostModel, code: str) -> float:
    return next(
        lvl.fully_loaded_per_unit for lvl in cost_facility(model).levels if lvl.level == code
    )
