"""What one unit of service really costs: from a facility cost model to costs per level of care.

Conventions: US dollars; a year is the model's fiscal year; a *unit* of service is one patient-day
for a level whose unit is ``day`` (PHP) and one attended session for ``session`` (IOP).

- Annual cost of a staff role = FTE x pay per FTE x (1 + benefits load). A ratio-staffed role has
  FTE = max(min_fte, ceil(census served / patients_per_fte) x fte_per_step), where the census served
  is the summed average census of the levels the role works in.
- Patient-units a year = average census x days per week x weeks per year x attendance rate.
- Shared staff and overhead are split between levels by explicit fractions, by program hours a year
  (``hours``) or by patient-units a year (``patient_units``); the split conserves cost.
- Marginal cost per unit = (facility cost with one more patient in the level - facility cost now)
  / the patient-units that patient adds. It is taken on the whole facility, not on the level's
  allocated share, so that moving shared overhead between levels is not mistaken for new cost; it
  equals the variable cost per unit until a staffing step is crossed.

Every function is pure: models in, models out.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from sca_rates.exceptions import InvalidScenario
from sca_rates.models import CostModel, LevelOfCare, StaffRole, VariableCost
from sca_rates.models.case import MAX_EPISODE_UNITS
from sca_rates.models.cost_model import Allocation
from sca_rates.models.costs import (
    BREAKDOWN_KEYS,
    CostLine,
    CurvePoint,
    EpisodeCost,
    FacilityCost,
    LevelCost,
)


def program_days_per_year(level: LevelOfCare) -> float:
    return level.days_per_week * level.weeks_per_year


def units_per_patient_year(level: LevelOfCare) -> float:
    """Units of service one enrolled patient receives in a year (after missed days)."""
    return program_days_per_year(level) * level.attendance_rate


def annual_units(level: LevelOfCare) -> float:
    return level.average_census * units_per_patient_year(level)


def staff_fte(role: StaffRole, census: float) -> float:
    """FTE of a role at a census: fixed, or stepped by its staffing ratio."""
    if role.fte is not None:
        return role.fte
    assert role.patients_per_fte is not None  # the model allows only these two forms
    # round() first: 24 / 8 must be 3 steps, not 4 because of a float error
    steps = math.ceil(round(census / role.patients_per_fte, 9))
    return max(role.min_fte or 0.0, steps * (role.fte_per_step or 1.0))


def allocation_shares(model: CostModel, allocation: Allocation | None) -> dict[str, float]:
    """Share of a line charged to each level of care; the shares add up to 1."""
    if isinstance(allocation, dict):
        return {code: allocation.get(code, 0.0) for code in model.level_codes}
    if allocation is None:  # validated: only a single-level model may omit it
        return {model.level_codes[0]: 1.0}
    weight = annual_units if allocation == "patient_units" else _program_hours
    weights = {level.code: weight(level) for level in model.levels_of_care}
    total = sum(weights.values())
    return {code: w / total for code, w in weights.items()}


def _program_hours(level: LevelOfCare) -> float:
    return program_days_per_year(level) * level.hours_per_day


def _served_levels(model: CostModel, allocation: Allocation | None) -> list[LevelOfCare]:
    """The levels a shared line works in: those with a share, or all of them under a basis."""
    if isinstance(allocation, dict):
        return [lvl for lvl in model.levels_of_care if allocation.get(lvl.code, 0) > 0]
    return list(model.levels_of_care)


def role_fte(model: CostModel, role: StaffRole) -> float:
    """FTE of a role at the census of the levels it serves."""
    served = _served_levels(model, role.allocation)
    return staff_fte(role, sum(lvl.average_census for lvl in served))


def role_annual_cost(model: CostModel, role: StaffRole) -> float:
    return role_fte(model, role) * role.pay_per_fte * (1 + role.benefits_load)


def _applies(variable: VariableCost, level: LevelOfCare) -> bool:
    return variable.levels is None or level.code in variable.levels


def facility_annual_cost(model: CostModel) -> float:
    """Total annual cost of the facility, added up without any allocation (so that it checks the
    allocation: the levels' costs must add up to it)."""
    staff = sum(role_annual_cost(model, role) for role in model.staff)
    overhead = sum(item.annual_cost for item in model.overhead)
    variable = sum(
        variable.cost_per_unit * annual_units(level)
        for variable in model.variable_costs
        for level in model.levels_of_care
        if _applies(variable, level)
    )
    return staff + overhead + variable


def _lines(model: CostModel) -> Iterator[tuple[str, CostLine]]:
    """Every cost line of the model, charged to each level it touches: (level code, line)."""
    for role in model.staff:
        fte, cost = role_fte(model, role), role_annual_cost(model, role)
        category = f"{role.category}_staff"
        for code, share in allocation_shares(model, role.allocation).items():
            line = CostLine(
                kind="staff",
                name=role.role,
                category=category,
                share=share,
                fte=fte * share,
                annual_cost=cost * share,
            )
            yield code, line
    for item in model.overhead:
        category = f"{item.category}_overhead"
        for code, share in allocation_shares(model, item.allocation).items():
            line = CostLine(
                kind="overhead",
                name=item.name,
                category=category,
                share=share,
                fte=None,
                annual_cost=item.annual_cost * share,
            )
            yield code, line
    for variable in model.variable_costs:
        for level in model.levels_of_care:
            if _applies(variable, level):
                cost = variable.cost_per_unit * annual_units(level)
                line = CostLine(
                    kind="variable",
                    name=variable.name,
                    category="variable",
                    share=1.0,
                    fte=None,
                    annual_cost=cost,
                )
                yield level.code, line


def with_census(model: CostModel, code: str, census: float) -> CostModel:
    """The same model with one level's average census replaced (a what-if, the file untouched)."""
    level = _level(model, code)
    if not 1 <= census <= level.capacity:
        raise InvalidScenario(
            f"census {census:g} for {code} must be at least 1 and at most its capacity "
            f"{level.capacity}; choose a census in that range or raise capacity"
        )
    levels = tuple(
        lvl.model_copy(update={"average_census": float(census)}) if lvl.code == code else lvl
        for lvl in model.levels_of_care
    )
    return model.model_copy(update={"levels_of_care": levels})


def marginal_cost_per_unit(model: CostModel, code: str) -> float:
    """What one more enrolled patient in ``code`` adds to the facility's cost, per unit of service
    that patient receives. The extra patient may exceed capacity: the arithmetic still holds."""
    level = _level(model, code)
    levels = tuple(
        lvl.model_copy(update={"average_census": lvl.average_census + 1})
        if lvl.code == code
        else lvl
        for lvl in model.levels_of_care
    )
    one_more = model.model_copy(update={"levels_of_care": levels})
    added = facility_annual_cost(one_more) - facility_annual_cost(model)
    return added / units_per_patient_year(level)


def cost_facility(model: CostModel) -> FacilityCost:
    """Costs of every level of care of the model."""
    by_level = _lines_by_level(model)
    levels = tuple(_level_cost(model, lvl, by_level[lvl.code]) for lvl in model.levels_of_care)
    return FacilityCost(
        facility=model.facility.name,
        fiscal_year=model.facility.fiscal_year,
        illustrative=model.facility.illustrative,
        annual_cost=sum(lvl.annual_cost for lvl in levels),
        levels=levels,
    )


def cost_level(model: CostModel, code: str) -> LevelCost:
    """Costs of one level of care (the others' lines are worked out, for the shared overhead,
    but not their marginal costs)."""
    return _level_cost(model, _level(model, code), _lines_by_level(model)[code])


def _lines_by_level(model: CostModel) -> dict[str, list[CostLine]]:
    """Each level's cost lines, those that cost something or carry a share."""
    by_level: dict[str, list[CostLine]] = {code: [] for code in model.level_codes}
    for code, line in _lines(model):
        if line.annual_cost or line.share:
            by_level[code].append(line)
    return by_level


def _level_cost(model: CostModel, level: LevelOfCare, lines: list[CostLine]) -> LevelCost:
    breakdown = dict.fromkeys(BREAKDOWN_KEYS, 0.0)
    for line in lines:
        breakdown[line.category] += line.annual_cost
    annual_cost = sum(breakdown.values())
    units = annual_units(level)
    return LevelCost(
        level=level.code,
        unit=level.unit,
        census=level.average_census,
        capacity=level.capacity,
        annual_units=units,
        annual_patient_hours=units * level.hours_per_day,
        annual_cost=annual_cost,
        breakdown=breakdown,
        lines=tuple(lines),
        fully_loaded_per_unit=annual_cost / units,
        marginal_per_unit=marginal_cost_per_unit(model, level.code),
        per_patient_hour=annual_cost / (units * level.hours_per_day),
        direct_clinical_labor_share=breakdown["clinical_direct_staff"] / annual_cost
        if annual_cost
        else 0.0,
        groups_at_census=math.ceil(round(level.average_census / level.max_group_size, 9)),
    )


def cost_curve(model: CostModel, code: str) -> tuple[CurvePoint, ...]:
    """Cost per unit at every whole census from 1 to the level's capacity, other levels held."""
    points = []
    for census in range(1, _level(model, code).capacity + 1):
        at = cost_level(with_census(model, code, census), code)
        points.append(
            CurvePoint(
                census=census,
                fully_loaded_per_unit=at.fully_loaded_per_unit,
                marginal_per_unit=at.marginal_per_unit,
            )
        )
    return tuple(points)


def episode_cost(level_cost: LevelCost, units: float) -> EpisodeCost:
    """Cost of an episode of ``units`` units of service of one level."""
    if not 0 < units <= MAX_EPISODE_UNITS:
        raise InvalidScenario(
            f"an episode of {units:g} units cannot be costed; give a number of units above 0 "
            f"and at most {MAX_EPISODE_UNITS:,}"
        )
    return EpisodeCost(
        level=level_cost.level,
        unit=level_cost.unit,
        units=units,
        fully_loaded_usd=level_cost.fully_loaded_per_unit * units,
        marginal_usd=level_cost.marginal_per_unit * units,
    )


def _level(model: CostModel, code: str) -> LevelOfCare:
    try:
        return model.level(code)
    except KeyError:
        raise InvalidScenario(
            f"level of care {code!r} is not in this cost model; "
            f"use one of {', '.join(model.level_codes)}"
        ) from None


def with_pay_change(model: CostModel, change: float) -> CostModel:
    """Every salary and hourly rate changed by ``change`` (0.05: a 5% raise), the file untouched."""
    if change <= -1:
        raise InvalidScenario(
            f"a pay change of {change:.0%} leaves nothing to pay; choose one above -100%"
        )
    factor = 1 + change
    staff = tuple(
        role.model_copy(
            update={
                "annual_salary": None
                if role.annual_salary is None
                else role.annual_salary * factor,
                "hourly_rate": None if role.hourly_rate is None else role.hourly_rate * factor,
            }
        )
        for role in model.staff
    )
    return model.model_copy(update={"staff": staff})


def with_overhead_change(model: CostModel, change: float) -> CostModel:
    """Every overhead item changed by ``change`` (-0.1: 10% less), the file untouched."""
    if change < -1:
        raise InvalidScenario(
            f"an overhead change of {change:.0%} is below -100%; choose one above it"
        )
    items = tuple(
        item.model_copy(update={"annual_cost": item.annual_cost * (1 + change)})
        for item in model.overhead
    )
    return model.model_copy(update={"overhead": items})
