"""The facility cost model: what a person writes in a YAML file under ``cost_models/``.

Field names are the file format (documented in ``cost_models/README.md``); keep them stable.
Money is US dollars a year unless the name says otherwise (``cost_per_unit`` is dollars per unit of
service, ``hourly_rate`` dollars per hour).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator

from sca_rates.models.base import FieldProblem, Frozen

# The 50 states, DC and the territories, as the USPS writes them
_STATES = """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT
NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"""
US_STATES = frozenset(_STATES.split())

StaffCategory = Literal["clinical_direct", "clinical_support", "admin"]
OverheadCategory = Literal["facility", "admin", "technology", "insurance", "other"]
AllocationBasis = Literal["hours", "patient_units"]
ALLOCATION_BASES: tuple[AllocationBasis, ...] = ("hours", "patient_units")
# A shared line is split between levels of care either by explicit fractions (level code -> share)
# or by a basis computed from the levels themselves.
Allocation = AllocationBasis | dict[str, float]
LevelCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_-]{0,15}$")]

SHARE_TOLERANCE = 1e-6


class Facility(Frozen):
    name: str = Field(min_length=1)
    state: str
    fiscal_year: int = Field(ge=2000, le=2100)
    illustrative: bool = False  # bundled examples say so; a real center's file leaves it false

    @field_validator("state")
    @classmethod
    def _known_state(cls, state: str) -> str:
        if state.upper() not in US_STATES:
            raise FieldProblem((), f"{state!r} is not a US state code", "use two letters, e.g. MA")
        return state.upper()


class DayIncludes(Frozen):
    """What a patient receives on an average program day, in hours (what a payer is buying)."""

    group_hours: float = Field(ge=0)
    individual_hours: float = Field(ge=0)
    family_hours: float = Field(ge=0)
    psychiatric_hours: float = Field(ge=0)

    @property
    def total_hours(self) -> float:
        return self.group_hours + self.individual_hours + self.family_hours + self.psychiatric_hours


class LevelOfCare(Frozen):
    code: LevelCode  # PHP, IOP, OP ...
    unit: Literal["day", "session"]
    days_per_week: float = Field(gt=0, le=7)
    hours_per_day: float = Field(gt=0, le=24)
    weeks_per_year: float = Field(gt=0, le=53)
    capacity: int = Field(ge=1)  # slots
    # enrolled patients on an average program day: at least one, or the program is not running
    # (a census of 0.000001 would put a day's cost in the trillions)
    average_census: float = Field(ge=1)
    attendance_rate: float = Field(default=1.0, gt=0, le=1)  # share of scheduled days attended
    max_group_size: int = Field(ge=1)
    day_includes: DayIncludes | None = None

    @model_validator(mode="after")
    def _census_fits(self) -> Self:
        if self.day_includes is not None and self.day_includes.total_hours > self.hours_per_day:
            raise FieldProblem(
                ("day_includes",),
                f"the day's services add up to {self.day_includes.total_hours:g} hours, more than "
                f"hours_per_day {self.hours_per_day:g}",
                "lower the hours of services or raise hours_per_day",
            )
        if self.average_census > self.capacity:
            raise FieldProblem(
                ("average_census",),
                f"average census {self.average_census:g} is above capacity {self.capacity}",
                "lower average_census or raise capacity",
            )
        return self


def _check_allocation(value: object) -> object:
    """One clear message for the two shapes an allocation may take."""
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, str) and value in ALLOCATION_BASES:
        return value
    raise FieldProblem(
        (),
        f"{value!r} is not an allocation",
        "write a basis (hours or patient_units) or fractions by level, e.g. {PHP: 0.6, IOP: 0.4}",
    )


class _Shared(Frozen):
    """A cost line that may be shared between levels of care."""

    allocation: Allocation | None = None

    _allocation_shape = field_validator("allocation", mode="before")(_check_allocation)

    @field_validator("allocation")
    @classmethod
    def _fractions_in_range(cls, allocation: Allocation | None) -> Allocation | None:
        if isinstance(allocation, dict):
            for code, share in allocation.items():
                if not 0 <= share <= 1:
                    raise FieldProblem(
                        (code,),
                        f"share {share:g} is not between 0 and 1",
                        "give each level a fraction from 0 to 1",
                    )
            total = sum(allocation.values())
            if abs(total - 1) > SHARE_TOLERANCE:
                raise FieldProblem(
                    (),
                    f"the fractions add up to {total:g}, not 1",
                    "make the shares of all levels add up to exactly 1",
                )
        return allocation


class StaffRole(_Shared):
    role: str = Field(min_length=1)
    category: StaffCategory
    annual_salary: float | None = Field(default=None, gt=0)
    hourly_rate: float | None = Field(default=None, gt=0)
    annual_hours: float | None = Field(default=None, gt=0, le=8784)  # paid hours per FTE-year
    benefits_load: float = Field(ge=0, le=1.5)  # payroll taxes and benefits, a fraction of pay
    fte: float | None = Field(default=None, ge=0)  # fixed staffing
    patients_per_fte: float | None = Field(default=None, gt=0)  # ratio staffing
    min_fte: float | None = Field(default=None, ge=0)
    fte_per_step: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _pay_and_staffing_are_whole(self) -> Self:
        self._check_pay()
        self._check_staffing()
        return self

    def _check_pay(self) -> None:
        if (self.annual_salary is None) == (self.hourly_rate is None):
            raise FieldProblem(
                ("annual_salary",),
                "give the pay one way",
                "set either annual_salary, or hourly_rate with annual_hours",
            )
        if self.hourly_rate is not None and self.annual_hours is None:
            raise FieldProblem(
                ("annual_hours",),
                "hourly_rate needs the paid hours per FTE-year",
                "add annual_hours (2080 for a full-time year)",
            )
        if self.annual_salary is not None and self.annual_hours is not None:
            raise FieldProblem(
                ("annual_hours",),
                "annual_hours only applies to hourly_rate",
                "remove annual_hours, or give hourly_rate instead of annual_salary",
            )

    def _check_staffing(self) -> None:
        if (self.fte is None) == (self.patients_per_fte is None):
            raise FieldProblem(
                ("fte",),
                "give the staffing one way",
                "set either fte (fixed) or patients_per_fte (a staffing ratio)",
            )
        if self.fte is not None and (self.min_fte is not None or self.fte_per_step is not None):
            raise FieldProblem(
                ("min_fte",),
                "min_fte and fte_per_step belong to a staffing ratio",
                "remove them, or replace fte with patients_per_fte",
            )

    @property
    def pay_per_fte(self) -> float:
        """Annual pay of one FTE, before benefits."""
        if self.annual_salary is not None:
            return self.annual_salary
        # validated: pay is a salary, or an hourly rate with its hours
        assert self.hourly_rate is not None
        assert self.annual_hours is not None
        return self.hourly_rate * self.annual_hours


class OverheadItem(_Shared):
    name: str = Field(min_length=1)
    category: OverheadCategory
    annual_cost: float = Field(ge=0)


class VariableCost(Frozen):
    name: str = Field(min_length=1)
    cost_per_unit: float = Field(ge=0)  # dollars per unit of service (patient-day or session)
    levels: tuple[LevelCode, ...] | None = None  # None: every level of care


class CostModel(Frozen):
    facility: Facility
    levels_of_care: tuple[LevelOfCare, ...]
    staff: tuple[StaffRole, ...] = ()
    overhead: tuple[OverheadItem, ...] = ()
    variable_costs: tuple[VariableCost, ...] = ()

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels_of_care)

    def level(self, code: str) -> LevelOfCare:
        for level in self.levels_of_care:
            if level.code == code:
                return level
        raise KeyError(code)

    @model_validator(mode="after")
    def _levels_are_consistent(self) -> Self:
        codes = self.level_codes
        if not codes:
            raise FieldProblem(
                ("levels_of_care",),
                "the model has no level of care",
                "add at least one, such as a PHP or an IOP",
            )
        if not self.staff:
            raise FieldProblem(
                ("staff",),
                "the model has no staff",
                "add the program's staff roles: a day of treatment is mostly their time",
            )
        for i, code in enumerate(codes):
            if code in codes[:i]:
                raise FieldProblem(
                    ("levels_of_care", i, "code"),
                    f"level {code} appears twice",
                    "give each level of care a distinct code",
                )
        for field in ("staff", "overhead"):
            for i, line in enumerate(getattr(self, field)):
                self._check_line_allocation((field, i, "allocation"), line.allocation)
        for i, variable in enumerate(self.variable_costs):
            for j, code in enumerate(variable.levels or ()):
                self._check_known(("variable_costs", i, "levels", j), code)
        return self

    def _check_line_allocation(
        self, loc: tuple[str | int, ...], allocation: Allocation | None
    ) -> None:
        if allocation is None and len(self.levels_of_care) > 1:
            raise FieldProblem(
                loc,
                "a model with several levels of care must say how this is shared",
                "add allocation: hours, patient_units, or fractions such as {PHP: 0.5, IOP: 0.5}",
            )
        if isinstance(allocation, dict):
            for code in allocation:
                self._check_known((*loc, code), code)

    def _check_known(self, loc: tuple[str | int, ...], code: str) -> None:
        if code not in self.level_codes:
            raise FieldProblem(
                loc,
                f"{code!r} is not a level of care of this model",
                f"use one of {', '.join(self.level_codes)}",
            )
