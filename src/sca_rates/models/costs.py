"""What the costing computes from a cost model. US dollars; per-unit figures are per unit of
service of the level (one patient-day of PHP, one attended IOP session)."""

from __future__ import annotations

from typing import Literal

from sca_rates.models.base import Frozen

# The breakdown's keys, in the order a person reads them: labor first, then overhead, then
# what each patient-unit consumes.
BREAKDOWN_KEYS: tuple[str, ...] = (
    "clinical_direct_staff",
    "clinical_support_staff",
    "admin_staff",
    "facility_overhead",
    "admin_overhead",
    "technology_overhead",
    "insurance_overhead",
    "other_overhead",
    "variable",
)


class CostLine(Frozen):
    """One staff role, overhead item or variable cost as charged to one level of care."""

    kind: Literal["staff", "overhead", "variable"]
    name: str
    category: str  # a key of BREAKDOWN_KEYS
    share: float  # fraction of the line charged to this level (1 for variable costs)
    fte: float | None  # staff only: the role's FTE charged to this level
    annual_cost: float


class LevelCost(Frozen):
    """The cost of one level of care for a year at a given census."""

    level: str
    unit: Literal["day", "session"]
    census: float
    capacity: int
    annual_units: float  # patient-units a year: census x days/week x weeks x attendance
    annual_patient_hours: float
    annual_cost: float
    breakdown: dict[str, float]  # BREAKDOWN_KEYS -> annual dollars; sums to annual_cost
    lines: tuple[CostLine, ...]
    fully_loaded_per_unit: float
    marginal_per_unit: float  # what one more enrolled patient adds, per unit they receive
    per_patient_hour: float
    direct_clinical_labor_share: float  # clinical_direct_staff / annual_cost
    groups_at_census: int  # therapy groups needed at this census, given max_group_size


class FacilityCost(Frozen):
    """Every level of care of one cost model; the levels' costs add up to the facility's."""

    facility: str
    fiscal_year: int
    illustrative: bool
    annual_cost: float
    levels: tuple[LevelCost, ...]


class CurvePoint(Frozen):
    census: int
    fully_loaded_per_unit: float
    marginal_per_unit: float


class EpisodeCost(Frozen):
    """An episode of ``units`` units of service, at full cost and at the margin."""

    level: str
    unit: Literal["day", "session"]
    units: float
    fully_loaded_usd: float
    marginal_usd: float
