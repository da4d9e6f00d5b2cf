"""What an agreement is worth: a Monte Carlo of patient episodes under three strategies.

- SCA at rate r: the payer pays r for each unit delivered within authorization and not denied;
- billing out of network: the payer pays the allowed amount less the patient's deductible and
  coinsurance (capped at the out-of-pocket maximum); a share of the patient's part is collected;
- declining: no patient, unless another takes the slot (``fill_probability``) at the
  replacement rate; never when the case says the slot would otherwise stay empty.

Each episode: scheduled program days (gamma around the case's stay, expected units / attendance);
the share of them attended (beta); authorization in blocks, each renewal approved with a chance
(beta), care stopping (or going on unpaid) after a refusal; claims denied with a chance (beta);
payment after a number of days (gamma), discounted at the cost of capital (simple interest).
Strategies are compared on their contribution: revenue - marginal cost x units delivered (what the
episode adds to the year); the fully loaded view (revenue - fully loaded cost x units) stands
beside it. The best opening is searched from the recommendation's floor up to the payer's
ceiling, with the same acceptance curve as the fitted opening. US dollars per episode.

Vectorized with numpy; the random numbers come from one ``numpy.random.Generator`` seeded
explicitly, and every rate is evaluated on the same episodes (common random numbers), so the
comparison between rates carries no sampling noise of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from sca_rates.compare import patient_owes
from sca_rates.models.compare import CaseFacts
from sca_rates.models.offers import Offer
from sca_rates.models.recommend import Recommendation
from sca_rates.models.simulate import (
    AcceptanceCurve,
    AcceptancePoint,
    Histogram,
    SimulationResult,
    SimulationSettings,
    StrategyResult,
    TornadoBar,
    Uncertain,
    fixed,
)
from sca_rates.offers import case_rate_episode

Array = NDArray[np.float64]
TORNADO_INPUTS = (
    "length of stay",
    "attendance",
    "reauthorization approval",
    "claim denial",
    "days to payment",
)
CURVE_POINTS = 41


def draw(value: Uncertain, rng: np.random.Generator, n: int) -> Array:
    """``n`` draws of an uncertain input."""
    if value.kind == "fixed" or value.spread == 0:
        return np.full(n, value.mean)
    if value.kind == "gamma":
        shape = 1 / value.spread**2
        return rng.gamma(shape, value.mean / shape, n)
    a, b = _beta_parameters(value)
    return rng.beta(a, b, n)


def quantile(value: Uncertain, q: float) -> float:
    """The ``q`` quantile of an uncertain input (its p10 is ``quantile(value, 0.1)``)."""
    if value.kind == "fixed" or value.spread == 0:
        return value.mean
    if value.kind == "gamma":
        shape = 1 / value.spread**2
        return float(stats.gamma.ppf(q, shape, scale=value.mean / shape))
    a, b = _beta_parameters(value)
    return float(stats.beta.ppf(q, a, b))


def _beta_parameters(value: Uncertain) -> tuple[float, float]:
    concentration = value.mean * (1 - value.mean) / value.spread**2 - 1
    return value.mean * concentration, (1 - value.mean) * concentration


@dataclass(frozen=True)
class SimulationInputs:
    """The uncertain inputs of a case, defaults filled in from it."""

    stay: Uncertain  # scheduled program days
    attendance: Uncertain
    reauth_approval: Uncertain
    claim_denial: Uncertain
    days_to_pay_sca: Uncertain
    days_to_pay_oon: Uncertain
    collection: Uncertain
    block_units: float


def simulation_inputs(facts: CaseFacts, settings: SimulationSettings) -> SimulationInputs:
    rate = facts.pattern.attendance_rate
    attendance = settings.attendance or Uncertain(
        kind="beta", mean=rate, spread=min(0.08, math.sqrt(rate * (1 - rate)) / 2)
    )
    oon = facts.case.oon_benefit
    collection = settings.collection or Uncertain(
        kind="beta",
        mean=oon.collection_rate if oon else 0.5,
        spread=0.15 if oon and 0 < oon.collection_rate < 1 else 0,
    )
    scheduled = facts.pattern.expected_units / attendance.mean if attendance.mean else 0
    return SimulationInputs(
        stay=Uncertain(kind="gamma", mean=scheduled, spread=settings.los_cv),
        attendance=attendance,
        reauth_approval=settings.reauth_approval,
        claim_denial=settings.claim_denial,
        days_to_pay_sca=settings.days_to_pay_sca,
        days_to_pay_oon=settings.days_to_pay_oon,
        collection=collection,
        block_units=settings.auth_block_units or 2 * facts.pattern.sessions_per_week,
    )


@dataclass(frozen=True)
class Episodes:
    """Simulated episodes, one entry per patient: what every strategy's margin is built from."""

    delivered: Array  # units of care given (what they cost)
    paid: Array  # units paid: within authorization, not denied
    discount_sca: Array  # a dollar paid under the SCA, in today's dollars
    discount_oon: Array
    collection: Array  # share of the patient's OON part collected
    filled: Array  # declining: 1 when another patient takes the slot


def simulate_episodes(
    inputs: SimulationInputs,
    settings: SimulationSettings,
    *,
    fixed_at: dict[str, float] | None = None,
) -> Episodes:
    """Draw the episodes; ``fixed_at`` pins named inputs (the tornado's p10 and p90)."""
    pinned = fixed_at or {}

    def sample(name: str, value: Uncertain) -> Array:
        return draw(fixed(pinned[name]) if name in pinned else value, rng, n)

    rng, n = np.random.default_rng(settings.seed), settings.n
    scheduled = np.maximum(1.0, np.rint(sample("length of stay", inputs.stay)))
    attend = np.clip(sample("attendance", inputs.attendance), 0, 1)
    approve = np.clip(sample("reauthorization approval", inputs.reauth_approval), 0, 1)
    renewals = rng.geometric(np.clip(1 - approve, 1e-12, 1)) - 1  # approvals before a refusal
    # Authorizations count units of service: a missed day uses none of them
    authorized = inputs.block_units * (1 + renewals)
    attended = rng.binomial(scheduled.astype(np.int64), attend).astype(float)
    covered = np.minimum(attended, np.floor(authorized))
    beyond = attended - covered  # care after a refused renewal: given unpaid, or not at all
    unpaid_care = beyond if settings.on_reauth_denial == "continue_unpaid" else np.zeros(n)
    denial = np.clip(sample("claim denial", inputs.claim_denial), 0, 1)
    paid = rng.binomial(covered.astype(np.int64), 1 - denial).astype(float)
    days_sca = sample("days to payment", inputs.days_to_pay_sca)
    days_oon = draw(inputs.days_to_pay_oon, rng, n)
    return Episodes(
        delivered=covered + unpaid_care,
        paid=paid,
        discount_sca=1 / (1 + settings.cost_of_capital * days_sca / 365),
        discount_oon=1 / (1 + settings.cost_of_capital * days_oon / 365),
        collection=np.clip(draw(inputs.collection, rng, n), 0, 1),
        filled=(rng.random(n) < settings.fill_probability).astype(float),
    )


def sca_margin(episodes: Episodes, rate: float, cost: float) -> Array:
    return rate * episodes.paid * episodes.discount_sca - cost * episodes.delivered


def case_rate_margin(episodes: Episodes, case_rate: Offer, cost: float) -> Array:
    """A case rate: what it pays for each episode the payer pays at all (its amount, and the rate
    beyond for each paid unit past those it covers). The length of stay is our risk: every unit
    delivered costs us, however long the stay."""
    paid_at_all = (episodes.paid > 0).astype(float)
    revenue: Array = case_rate_episode(case_rate, episodes.paid) * paid_at_all
    return revenue * episodes.discount_sca - cost * episodes.delivered


def oon_margin(episodes: Episodes, facts: CaseFacts, cost: float) -> Array | None:
    benefit, oon = facts.case.oon_benefit, facts.oon
    if benefit is None or oon is None or not facts.case.would_attend_oon:
        return None
    allowed = oon.allowed_per_unit_usd * episodes.paid
    owed = patient_owes(benefit, allowed)
    revenue = (allowed - owed) * episodes.discount_oon + episodes.collection * owed
    return revenue - cost * episodes.delivered


def decline_margin(episodes: Episodes, replacement_rate: float, cost: float) -> Array:
    return episodes.filled * sca_margin(episodes, replacement_rate, cost)


def summarize(margin: Array, loaded: Array, delivered: Array, paid: Array) -> StrategyResult:
    """A strategy's contribution per episode, with its fully loaded margin beside it."""
    p5, median, p95 = np.percentile(margin, [5, 50, 95]) + 0.0  # + 0.0: no "-0.0" shown
    return StrategyResult(
        mean_usd=float(margin.mean()),
        median_usd=float(median),
        p5_usd=float(p5),
        p95_usd=float(p95),
        p_loss=float((margin < 0).mean()),
        fully_loaded_mean_usd=float(loaded.mean()),
        fully_loaded_p_loss=float((loaded < 0).mean()),
        units_delivered=float(delivered.mean()),
        units_paid=float(paid.mean()),
    )


def histogram(margins: dict[str, Array | None], bins: int = 40) -> Histogram:
    """Each strategy's episode margins counted in one set of bins spanning them all."""
    present = {name: values for name, values in margins.items() if values is not None}
    edges = np.histogram_bin_edges(np.concatenate(list(present.values())), bins=bins)
    counts = {
        name: tuple(int(c) for c in np.histogram(values, bins=edges)[0])
        for name, values in present.items()
    }
    return Histogram(edges_usd=tuple(float(e) for e in edges), counts=counts)


def break_even_rate(episodes: Episodes, cost: float) -> float:
    """The rate at which the SCA's mean margin is zero: cost of the care / discounted paid units."""
    return float(
        (cost * episodes.delivered).mean() / (episodes.paid * episodes.discount_sca).mean()
    )


def min_rate_for(
    episodes: Episodes, cost: float, *, margin: float, probability: float
) -> float | None:
    """The lowest rate whose episode margin reaches ``margin`` with at least ``probability``,
    found by root-finding on the (rising, stepped) share of episodes that reach it."""

    needed = math.ceil(probability * len(episodes.paid) - 1e-9)  # episodes that must reach it

    def shortfall(rate: float) -> float:
        # Half an episode off the count, so that it is never exactly zero on a plateau and the
        # root-finder lands on the step itself
        return float((sca_margin(episodes, rate, cost) >= margin).sum()) - needed + 0.5

    high = 1.0
    while shortfall(high) < 0:
        high *= 2
        if high > 1e7:
            return None
    if shortfall(0.0) >= 0:
        return 0.0
    rate = float(optimize.brentq(shortfall, 0.0, high, xtol=1e-4))
    # brentq stops within xtol of the step: take the first whole cent at or past it
    cents = math.floor(rate * 100)
    while shortfall(cents / 100) < 0:
        cents += 1
    return cents / 100


def p_accept(rate: float | Array, reference: float, curve: AcceptanceCurve) -> float | Array:
    """The logistic chance the payer accepts ``rate``."""
    return 1 / (1 + np.exp(curve.steepness * (np.asarray(rate) / reference - curve.midpoint)))


def reference_rate(facts: CaseFacts, curve: AcceptanceCurve) -> float | None:
    """The rate the payer's acceptance is measured against: the chosen one, else the other."""
    p50 = facts.market_p50
    ceiling = facts.payer_ceiling_per_unit_usd
    first, second = (p50, ceiling) if curve.reference == "market_p50" else (ceiling, p50)
    return first if first is not None else second


def expected_value(
    rate: float | Array,
    *,
    paid_value: float,
    care_cost: float,
    fallback: float,
    reference: float,
    curve: AcceptanceCurve,
) -> float | Array:
    """EV of opening at ``rate``: accepted, the SCA's mean margin; refused, the fallback's.
    The SCA's mean margin is rate x E[discounted paid units] - E[cost of care delivered]."""
    accept = p_accept(rate, reference, curve)
    return accept * (np.asarray(rate) * paid_value - care_cost) + (1 - accept) * fallback


def best_opening(
    *,
    paid_value: float,
    care_cost: float,
    fallback: float,
    reference: float,
    curve: AcceptanceCurve,
    low: float,
    high: float,
) -> tuple[float, tuple[AcceptancePoint, ...]]:
    """The rate that maximizes the expected value (a grid, then a bounded search around its best
    point), and the curve on the grid."""
    value_at = partial(
        expected_value,
        paid_value=paid_value,
        care_cost=care_cost,
        fallback=fallback,
        reference=reference,
        curve=curve,
    )
    grid = np.linspace(low, high, CURVE_POINTS)
    values = np.asarray(value_at(grid))
    points = tuple(
        AcceptancePoint(
            rate_usd=float(r),
            p_accept=float(p_accept(float(r), reference, curve)),
            expected_value_usd=float(v),
        )
        for r, v in zip(grid, values, strict=True)
    )
    i = int(values.argmax())
    bounds = (grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)])
    found = optimize.minimize_scalar(
        lambda r: -float(value_at(r)),
        bounds=bounds,
        method="bounded",
        options={"xatol": 1e-3},
    )
    return float(found.x), points


def tornado(
    inputs: SimulationInputs, settings: SimulationSettings, *, rate: float, cost: float
) -> tuple[TornadoBar, ...]:
    """The swing of the SCA's expected margin as each uncertain input moves from its p10 to its
    p90, the others left uncertain (the same seed for both ends)."""
    values = {
        "length of stay": inputs.stay,
        "attendance": inputs.attendance,
        "reauthorization approval": inputs.reauth_approval,
        "claim denial": inputs.claim_denial,
        "days to payment": inputs.days_to_pay_sca,
    }
    bars = []
    for name in TORNADO_INPUTS:
        low, high = quantile(values[name], 0.1), quantile(values[name], 0.9)
        ends = [
            float(
                sca_margin(
                    simulate_episodes(inputs, settings, fixed_at={name: v}), rate, cost
                ).mean()
            )
            for v in (low, high)
        ]
        bars.append(
            TornadoBar(
                input=name, low_value=low, high_value=high, low_usd=ends[0], high_usd=ends[1]
            )
        )
    return tuple(sorted(bars, key=lambda bar: -abs(bar.high_usd - bar.low_usd)))


def opening_range(facts: CaseFacts, rec: Recommendation, reference: float) -> tuple[float, float]:
    """Where an opening is searched: from our floor up to the payer's ceiling (twice the reference
    without one), never below the floor."""
    low = rec.floor.per_unit_usd
    high = facts.payer_ceiling_per_unit_usd or 2 * reference
    return low, max(low, high)


def simulate(
    facts: CaseFacts,
    rec: Recommendation,
    *,
    rate: float,
    settings: SimulationSettings | None = None,
    case_rate: Offer | None = None,
) -> SimulationResult:
    """Simulate the case at ``rate`` per unit, or paid as ``case_rate`` (a fixed amount per
    episode; ``rate`` is then its amount per unit covered, for the per-unit figures); the
    recommendation gives the floor the best opening is searched from, and its target stands in
    for the replacement patient's rate and the acceptance reference when the market has none."""
    settings = settings or SimulationSettings()
    if facts.case.slot_otherwise_empty:
        settings = settings.model_copy(update={"fill_probability": 0.0})
    inputs = simulation_inputs(facts, settings)
    episodes = simulate_episodes(inputs, settings)
    marginal, loaded = facts.cost.marginal_per_unit, facts.cost.fully_loaded_per_unit
    target = rec.target.per_unit_usd
    replacement = settings.replacement_rate_usd or facts.market_p50 or target
    if case_rate is not None and case_rate.covers_units is None:
        case_rate = case_rate.model_copy(update={"covers_units": facts.pattern.expected_units})

    def agreement(cost: float) -> Array:
        if case_rate is not None:
            return case_rate_margin(episodes, case_rate, cost)
        return sca_margin(episodes, rate, cost)

    sca, oon = agreement(marginal), oon_margin(episodes, facts, marginal)
    decline = decline_margin(episodes, replacement, marginal)
    fallback = {
        "decline": float(decline.mean()),
        "oon": float(oon.mean()) if oon is not None else float(decline.mean()),
    }
    fallback["best"] = max(fallback.values())
    reference = reference_rate(facts, settings.acceptance) or target
    low, high = opening_range(facts, rec, reference)
    best, curve = best_opening(
        paid_value=float((episodes.paid * episodes.discount_sca).mean()),
        care_cost=float((marginal * episodes.delivered).mean()),
        fallback=fallback[settings.fallback],
        reference=reference,
        curve=settings.acceptance,
        low=low,
        high=high,
    )
    loaded_oon = oon_margin(episodes, facts, loaded)
    filled = episodes.filled
    return SimulationResult(
        rate_per_unit_usd=rate,
        marginal_cost_per_unit_usd=marginal,
        fully_loaded_cost_per_unit_usd=loaded,
        n=settings.n,
        seed=settings.seed,
        sca=summarize(sca, agreement(loaded), episodes.delivered, episodes.paid),
        oon=None
        if oon is None or loaded_oon is None
        else summarize(oon, loaded_oon, episodes.delivered, episodes.paid),
        decline=summarize(
            decline,
            decline_margin(episodes, replacement, loaded),
            episodes.delivered * filled,
            episodes.paid * filled,
        ),
        break_even_rate_usd=break_even_rate(episodes, marginal),
        fully_loaded_break_even_rate_usd=break_even_rate(episodes, loaded),
        target_margin_usd=settings.target_margin_usd,
        target_probability=settings.target_probability,
        min_rate_for_target_usd=min_rate_for(
            episodes,
            marginal,
            margin=settings.target_margin_usd,
            probability=settings.target_probability,
        ),
        best_opening_usd=best,
        recommended_opening_usd=rec.opening.per_unit_usd,
        floor_usd=rec.floor.per_unit_usd,
        room_above_floor=high > low,
        acceptance=settings.acceptance,
        acceptance_curve=curve,
        tornado=tornado(inputs, settings, rate=rate, cost=marginal),
        histogram=histogram({"sca": sca, "oon": oon, "decline": decline}),
        notes=tuple(_notes(facts, oon is not None, case_rate)),
    )


def _notes(facts: CaseFacts, has_oon: bool, case_rate: Offer | None) -> list[str]:
    notes = []
    if case_rate is not None:
        unit = facts.pattern.unit
        notes.append(
            f"the agreement is a case rate of ${case_rate.amount:,.2f} for "
            f"{case_rate.covers_units:g} {unit}s: a longer stay is ours to carry; break-even, "
            "the lowest rate and the best opening are per unit"
        )
    if not has_oon:
        notes.append(
            "no billing-OON strategy: the case has no OON benefit, "
            "or the patient would not come out of network"
        )
    if facts.case.slot_otherwise_empty:
        notes.append("the slot would otherwise stay empty: declining brings no other patient")
    return notes
