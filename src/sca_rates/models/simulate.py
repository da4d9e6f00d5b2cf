"""What the episode simulator takes and returns. US dollars; a unit is a unit of service of the
case (a PHP day, an IOP session); an episode is one patient's stay."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from sca_rates.models.base import FieldProblem, Frozen


class Uncertain(Frozen):
    """An uncertain input: ``fixed``; ``gamma`` (positive; ``spread`` = coefficient of variation);
    ``beta`` (a probability; ``spread`` = standard deviation)."""

    kind: Literal["fixed", "gamma", "beta"]
    mean: float = Field(ge=0)
    spread: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _possible(self) -> Self:
        if self.kind == "gamma" and self.mean <= 0:
            raise FieldProblem(
                ("mean",),
                "a gamma-distributed input needs a mean above 0",
                "give a positive mean, or kind: fixed",
            )
        if self.kind == "beta":
            if not 0 <= self.mean <= 1:
                raise FieldProblem(
                    ("mean",),
                    "a probability's mean must be from 0 to 1",
                    "give a share such as 0.85",
                )
            if self.spread and self.spread**2 >= self.mean * (1 - self.mean):
                raise FieldProblem(
                    ("spread",),
                    "too wide for a probability with this mean",
                    "lower the standard deviation",
                )
        return self


def fixed(value: float) -> Uncertain:
    return Uncertain(kind="fixed", mean=value)


class AcceptanceCurve(Frozen):
    """P(the payer accepts rate r) = 1 / (1 + exp(steepness x (r / reference - midpoint))).

    Defaults are judgment until logged negotiations can fit them: half of payers accept 115% of
    the reference, few accept 140%, nearly all accept 90%."""

    reference: Literal["market_p50", "payer_ceiling"] = "market_p50"
    midpoint: float = Field(default=1.15, gt=0)
    steepness: float = Field(default=12.0, gt=0)


class SimulationSettings(Frozen):
    """Every uncertain input, with a documented default; ``None`` means "from the case"."""

    n: int = Field(default=100_000, ge=100, le=5_000_000)
    seed: int = Field(default=1, ge=0)
    # Scheduled program days, gamma around the case's stay (expected units / attendance)
    los_cv: float = Field(default=0.35, ge=0)
    # Share of scheduled days attended; default: beta around the level's attendance rate, sd 0.08
    attendance: Uncertain | None = None
    # Units authorized at a time; default two weeks of sessions
    auth_block_units: float | None = Field(default=None, gt=0)
    # Chance each reauthorization is approved (payers authorize in blocks and sometimes refuse)
    reauth_approval: Uncertain = Uncertain(kind="beta", mean=0.85, spread=0.08)
    # After a refused reauthorization: care stops (discharge or step-down), or goes on unpaid
    on_reauth_denial: Literal["stop", "continue_unpaid"] = "stop"
    claim_denial: Uncertain = Uncertain(kind="beta", mean=0.05, spread=0.03)
    days_to_pay_sca: Uncertain = Uncertain(kind="gamma", mean=35, spread=0.4)
    days_to_pay_oon: Uncertain = Uncertain(kind="gamma", mean=60, spread=0.5)
    cost_of_capital: float = Field(default=0.08, ge=0, le=1)  # a year, simple interest
    # Share of the patient's out-of-network balance collected; default: beta around the case's
    collection: Uncertain | None = None
    # Declining: another patient takes the slot with this chance, paying the replacement rate
    fill_probability: float = Field(default=0.5, ge=0, le=1)
    replacement_rate_usd: float | None = Field(
        default=None, gt=0
    )  # default: market p50, else target
    acceptance: AcceptanceCurve = AcceptanceCurve()
    fallback: Literal["best", "oon", "decline"] = "best"  # when the payer refuses the opening
    target_margin_usd: float = 0.0  # per episode, for the lowest rate that reaches it...
    target_probability: float = Field(default=0.9, gt=0, lt=1)  # ... with this chance

    @model_validator(mode="after")
    def _attendance_possible(self) -> Self:
        if self.attendance is not None and self.attendance.mean <= 0:
            raise FieldProblem(
                ("attendance", "mean"),
                "no one would attend",
                "give an attendance share above 0, e.g. 0.9",
            )
        return self


class StrategyResult(Frozen):
    mean_usd: float  # episode contribution: revenue - marginal cost of the care delivered
    median_usd: float
    p5_usd: float
    p95_usd: float
    p_loss: float
    fully_loaded_mean_usd: float  # revenue - fully loaded cost of the care delivered
    fully_loaded_p_loss: float
    units_delivered: float  # mean per episode
    units_paid: float


class Histogram(Frozen):
    """Episode margins in shared bins, so strategies can be drawn on one axis."""

    edges_usd: tuple[float, ...]  # len(counts) + 1 bin edges
    counts: dict[str, tuple[int, ...]]  # strategy -> episodes per bin


class AcceptancePoint(Frozen):
    rate_usd: float
    p_accept: float
    expected_value_usd: float


class TornadoBar(Frozen):
    input: str
    low_value: float  # the input at its p10
    high_value: float  # and at its p90
    low_usd: float  # expected SCA margin with the input at its p10
    high_usd: float


class SimulationResult(Frozen):
    rate_per_unit_usd: float
    marginal_cost_per_unit_usd: float  # the strategies are compared on contribution over it
    fully_loaded_cost_per_unit_usd: float  # the fully loaded view beside it
    n: int
    seed: int
    sca: StrategyResult
    oon: StrategyResult | None  # None: the case has no OON benefit
    decline: StrategyResult
    break_even_rate_usd: float  # contribution zero
    fully_loaded_break_even_rate_usd: float
    target_margin_usd: float
    target_probability: float
    min_rate_for_target_usd: float | None  # None: no rate reaches it (too many unpaid episodes)
    best_opening_usd: float  # one offer's expected value at its highest, floor to ceiling
    recommended_opening_usd: float  # the recommendation's, for comparison
    floor_usd: float
    room_above_floor: bool  # the payer's ceiling leaves room above the floor to search
    acceptance: AcceptanceCurve  # the curve the best opening was found with
    acceptance_curve: tuple[AcceptancePoint, ...]
    tornado: tuple[TornadoBar, ...]  # widest swing first
    histogram: Histogram
    notes: tuple[str, ...]
