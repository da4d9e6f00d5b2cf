"""Market reference figures: what is read from ``market_data/*.csv``, one figure per row, each
with its source, its year and whether it is illustrative; and what a lookup returns.

Amounts are US dollars per ``unit`` (a ``day``, a ``session``, 15 minutes, an hour or an episode).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from sca_rates.models.base import FieldProblem, Frozen

Statistic = Literal["p10", "p25", "p50", "p75", "p90", "mean", "single"]
RateUnit = Literal["day", "session", "15min", "hour", "episode"]
CodeType = Literal["HCPCS", "CPT", "RC", "APC"]
# The kind of plan the patient has: access rules differ by it (a state's insurance code for
# commercial plans, its Medicaid contracts, 42 CFR 422.116 for Medicare Advantage)
# Where the patient lives, as access standards tell areas apart: urban or rural (suburban too,
# for a state that tells it apart, as Maryland does by a ZIP's people per square mile), or one of
# the county types of CMS's Medicare Advantage rule (42 CFR 422.116), from Large Metro to counties
# with extreme access considerations (CEAC)
Area = Literal["urban", "suburban", "rural", "large_metro", "metro", "micro", "ceac"]
# An area read as urban or rural, for a rule that only tells those two apart
URBAN_OR_RURAL: dict[str, str] = {
    "urban": "urban",
    "suburban": "urban",
    "large_metro": "urban",
    "metro": "urban",
    "rural": "rural",
    "micro": "rural",
    "ceac": "rural",
}
PlanType = Literal["commercial", "marketplace", "medicaid", "medicare_advantage"]
# The percentile each statistic stands for; "mean" and "single" are not points of a distribution.
PERCENTILE_OF: dict[str, float] = {"p10": 10, "p25": 25, "p50": 50, "p75": 75, "p90": 90}

REGION = re.compile(r"^(US|[A-Z]{2}|\d{5})$")
_PAYER = re.compile(r"^[a-z0-9][a-z0-9 .&'-]*$")


def region_kind(region: str) -> Literal["US", "state", "cbsa"]:
    if region == "US":
        return "US"
    return "cbsa" if region.isdigit() else "state"


class _Cited(Frozen):
    """Every reference figure says where it comes from."""

    year: int = Field(ge=1990, le=2100)
    source: str = Field(min_length=1)
    source_ref: str = Field(min_length=1)  # where exactly, or the reasoning behind a made-up figure
    illustrative: bool


class _Sourced(_Cited):
    """A figure of a payer (or Medicare) in a region."""

    payer: str  # a payer's name in lower case, any-commercial, medicare, or medicaid-XX
    region: str  # US, a two-letter state, or a five-digit CBSA code

    @field_validator("payer", mode="before")
    @classmethod
    def _payer_form(cls, payer: object) -> object:
        if isinstance(payer, str):
            payer = " ".join(payer.lower().split())
            if not _PAYER.match(payer):
                raise FieldProblem(
                    (),
                    f"{payer!r} is not a payer name",
                    "use letters and digits, e.g. aetna, any-commercial, medicare",
                )
        return payer

    @field_validator("region")
    @classmethod
    def _region_form(cls, region: str) -> str:
        if not REGION.match(region):
            raise FieldProblem(
                (),
                f"{region!r} is not a region",
                "use US, a two-letter state such as MA, or a five-digit CBSA code",
            )
        return region


class RateRow(_Sourced):
    """One figure of ``rates.csv``: a statistic of what a payer pays for a code."""

    level_of_care: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{0,15}$")
    code_type: CodeType
    code: str = Field(pattern=r"^[A-Z0-9]{3,7}$")  # S0201, 90837, 0905, 5862 ...
    unit: RateUnit
    statistic: Statistic
    amount_usd: float = Field(gt=0)
    n: int | None = Field(default=None, ge=1)  # sample size, blank when unknown

    @property
    def key(self) -> tuple[object, ...]:
        """Two rows with one key would contradict each other."""
        return (
            self.payer,
            self.region,
            self.level_of_care,
            self.code_type,
            self.code,
            self.unit,
            self.statistic,
            self.year,
        )


class AlternativeRow(_Sourced):
    """One row of ``alternatives.csv``: what the payer would pay instead, per day, for how long."""

    setting: str = Field(pattern=r"^[a-z][a-z_]*$")  # residential, inpatient_psych, detox ...
    per_diem_usd: float = Field(gt=0)
    typical_los_days: float = Field(gt=0)
    # The diagnoses the setting treats, separated by ";" (an eating-disorder patient is not
    # sent to a general psychiatric unit); "any" when it takes them all
    treats: str = Field(default="any", pattern=r"^(any|[a-z_]+(;[a-z_]+)*)$")

    def fits(self, diagnosis: str) -> bool:
        return self.treats == "any" or diagnosis in self.treats.split(";")

    @property
    def key(self) -> tuple[object, ...]:
        return (self.setting, self.region, self.payer, self.year)


class BilledShareRow(_Sourced):
    """One row of ``billed_shares.csv``: a contract that pays a share of billed charges."""

    plan: str = Field(min_length=1)  # as the source names it
    setting: str = Field(min_length=1)  # inpatient, outpatient, both
    share_of_billed: float = Field(gt=0, le=1.5)

    @property
    def key(self) -> tuple[object, ...]:
        return (self.payer, self.plan, self.region, self.setting, self.year)


class WageIndexRow(_Cited):
    """One row of ``wage_index.csv``: CMS's wage index for an area, which Medicare's outpatient
    rates (PHP and IOP among them) are adjusted by."""

    area: str = Field(pattern=r"^(\d{2}|\d{5})$")  # a CBSA or division; 2 digits: a state's rural
    name: str = Field(min_length=1)
    state: str = Field(pattern=r"^[A-Z]{2}$")
    wage_index: float = Field(gt=0, lt=5)

    @property
    def key(self) -> tuple[object, ...]:
        return (self.area, self.year)

    @property
    def rural(self) -> bool:
        """A state's rural row: the least any area of the state is given (the rural floor)."""
        return len(self.area) == 2


class AccessStandardRow(_Cited):
    """One row of ``access_standards.csv``: how far a plan's member may have to travel to an
    in-network outpatient behavioral-health program, by where the member lives."""

    jurisdiction: str = Field(pattern=r"^(US|[A-Z]{2})$")  # US, or a state whose rule it is
    area: Area
    plan_type: Literal["any"] | PlanType  # "any": every plan type the rule does not single out
    miles: float = Field(gt=0)
    minutes: float | None = Field(default=None, gt=0)  # None: the rule sets no travel time

    @property
    def key(self) -> tuple[object, ...]:
        return (self.jurisdiction, self.area, self.plan_type, self.year)

    @property
    def said(self) -> str:
        """The limits as a person says them: "30 miles / 30 minutes", or "15 miles"."""
        return f"{self.miles:g} miles" + (
            "" if self.minutes is None else f" / {self.minutes:g} minutes"
        )


class MarketData(Frozen):
    """Everything read from a market-data folder, local files already applied over bundled ones."""

    rates: tuple[RateRow, ...]
    alternatives: tuple[AlternativeRow, ...]
    billed_shares: tuple[BilledShareRow, ...] = ()
    wage_index: tuple[WageIndexRow, ...] = ()
    access_standards: tuple[AccessStandardRow, ...] = ()
    files: tuple[str, ...] = ()  # what was read, in order of precedence (last wins)


class Provenance(Frozen):
    source: str
    source_ref: str
    year: int
    illustrative: bool


class Distribution(Frozen):
    """The market figures found for one lookup: statistic -> dollars per unit."""

    payer: str
    region: str
    level_of_care: str
    code: str
    unit: RateUnit
    year: int
    points: dict[str, float]  # p10 ... p90, mean, single as given
    n: int | None  # the smallest n among the rows used; None when any is unknown
    fallback: list[str]  # the steps taken from what was asked to what was found
    illustrative: bool
    sources: tuple[Provenance, ...]

    @property
    def small_sample(self) -> bool:
        return self.n is None or self.n < 10

    @property
    def p50(self) -> float | None:
        return self.points.get("p50", self.points.get("single"))

    @property
    def top(self) -> tuple[str, float] | None:
        """The highest percentile given (p90, else p75 ...) and its amount; None without any."""
        ranked = [s for s in self.points if s in PERCENTILE_OF]
        if not ranked:
            return None
        highest = max(ranked, key=PERCENTILE_OF.__getitem__)
        return highest, self.points[highest]


class Position(Frozen):
    """Where a rate sits in a distribution."""

    percentile: float | None  # interpolated; None when the distribution has no percentiles
    beyond: Literal["below", "above"] | None  # outside the given statistics: clamped to the end
    vs_p50_usd: float | None  # rate minus the median (or the single figure)


class MedicareRate(Frozen):
    code_type: str
    code: str
    amount_usd: float  # for the case's area: wage-adjusted when a wage index applies
    unit: RateUnit
    region: str
    fallback: list[str]
    provenance: Provenance
    national_usd: float | None = None  # the national rate before the wage index, when adjusted
    # How the area's amount was reached from the national one, or that it was not
    wage_note: str = ""
