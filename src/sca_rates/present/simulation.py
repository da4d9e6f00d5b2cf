"""Simulation results as text and JSON."""

from __future__ import annotations

from typing import Any

from sca_rates.models.simulate import AcceptanceCurve, SimulationResult, StrategyResult
from sca_rates.money import pct, usd
from sca_rates.present.common import cents, optional_cents


def _strategy_json(result: StrategyResult | None) -> dict[str, float] | None:
    if result is None:
        return None
    return {
        "mean_usd": cents(result.mean_usd),
        "median_usd": cents(result.median_usd),
        "p5_usd": cents(result.p5_usd),
        "p95_usd": cents(result.p95_usd),
        "p_loss": round(result.p_loss, 4),
        "fully_loaded_mean_usd": cents(result.fully_loaded_mean_usd),
        "fully_loaded_p_loss": round(result.fully_loaded_p_loss, 4),
        "units_delivered": round(result.units_delivered, 2),
        "units_paid": round(result.units_paid, 2),
    }


def acceptance_note(result: SimulationResult) -> str:
    curve = result.acceptance
    if curve == AcceptanceCurve():
        return "default acceptance curve: judgment, not yet fitted"
    return (
        f"acceptance curve: half accept {curve.midpoint:.2f} x the "
        f"{curve.reference.replace('_', ' ')}, steepness {curve.steepness:.1f}"
    )


def opening_note(result: SimulationResult, unit: str) -> str:
    """The simulator's best opening beside the recommended one, and why they differ."""
    best, recommended = result.best_opening_usd, result.recommended_opening_usd
    said = (
        f"The opening that maximizes one offer's expected value is {usd(best)} per {unit} "
        f"({acceptance_note(result)})"
    )
    if abs(best - recommended) < 1:
        return f"{said}, the recommended opening."
    if not result.room_above_floor:
        why = "It is our floor: the payer's ceiling leaves no room above it to search."
    elif best <= result.floor_usd + 0.005:
        why = "It is our floor: the curve finds no rate above it worth the risk of a refusal."
    else:
        why = "It weighs one offer taken or refused, with no turns after it."
    return (
        f"{said}; the recommended opening is {usd(recommended)} per {unit}, set from what the "
        f"facts defend with room to concede over several turns. {why}"
    )


def simulation_json(result: SimulationResult, unit: str) -> dict[str, Any]:
    """The stable JSON object of ``sca-rates simulate --json``."""
    return {
        "rate_per_unit_usd": cents(result.rate_per_unit_usd),
        "marginal_cost_per_unit_usd": cents(result.marginal_cost_per_unit_usd),
        "fully_loaded_cost_per_unit_usd": cents(result.fully_loaded_cost_per_unit_usd),
        "n": result.n,
        "seed": result.seed,
        "strategies": {
            "sca": _strategy_json(result.sca),
            "oon": _strategy_json(result.oon),
            "decline": _strategy_json(result.decline),
        },
        "break_even_rate_usd": cents(result.break_even_rate_usd),
        "fully_loaded_break_even_rate_usd": cents(result.fully_loaded_break_even_rate_usd),
        "target_margin_usd": cents(result.target_margin_usd),
        "target_probability": result.target_probability,
        "min_rate_for_target_usd": optional_cents(result.min_rate_for_target_usd),
        "best_opening_usd": cents(result.best_opening_usd),
        "recommended_opening_usd": cents(result.recommended_opening_usd),
        "opening_note": opening_note(result, unit),
        "acceptance": result.acceptance.model_dump(),
        "acceptance_curve": [
            {
                "rate_usd": cents(p.rate_usd),
                "p_accept": round(p.p_accept, 4),
                "expected_value_usd": cents(p.expected_value_usd),
            }
            for p in result.acceptance_curve
        ],
        "tornado": [
            {
                "input": bar.input,
                "low_value": round(bar.low_value, 4),
                "high_value": round(bar.high_value, 4),
                "low_usd": cents(bar.low_usd),
                "high_usd": cents(bar.high_usd),
            }
            for bar in result.tornado
        ],
        "notes": list(result.notes),
    }


def simulation_lines(result: SimulationResult, unit: str) -> list[str]:
    lines = [
        f"{result.n:,} episodes (seed {result.seed}) at {usd(result.rate_per_unit_usd)} per "
        f"{unit}; contribution over the marginal cost {usd(result.marginal_cost_per_unit_usd)} "
        f"per {unit}, and fully loaded at {usd(result.fully_loaded_cost_per_unit_usd)} per {unit}",
        f"{'per episode':<22} {'mean':>12} {'median':>12} {'p5':>12} {'p95':>12} "
        f"{'P(loss)':>8} {'fully loaded':>13} {'P(loss)':>8} {'units given/paid':>17}",
    ]
    for name, strategy in (
        ("SCA", result.sca),
        ("bill out of network", result.oon),
        ("decline", result.decline),
    ):
        if strategy is None:
            lines.append(f"{name:<22} not available")
            continue
        lines.append(
            f"{name:<22} {usd(strategy.mean_usd):>12} {usd(strategy.median_usd):>12} "
            f"{usd(strategy.p5_usd):>12} {usd(strategy.p95_usd):>12} {pct(strategy.p_loss):>8} "
            f"{usd(strategy.fully_loaded_mean_usd):>13} {pct(strategy.fully_loaded_p_loss):>8} "
            f"{strategy.units_delivered:>8.1f}/{strategy.units_paid:<8.1f}"
        )
    lines.append(
        f"Break-even rate {usd(result.break_even_rate_usd)} per {unit} (mean contribution zero); "
        f"{usd(result.fully_loaded_break_even_rate_usd)} per {unit} fully loaded"
    )
    if result.min_rate_for_target_usd is not None:
        lines.append(
            f"Lowest rate with a contribution of at least {usd(result.target_margin_usd)} in "
            f"{pct(result.target_probability, 0)} of episodes: "
            f"{usd(result.min_rate_for_target_usd)} per {unit}"
        )
    lines.append(opening_note(result, unit))
    lines.append(
        "What moves the SCA's expected contribution per episode most (input at its p10 -> p90):"
    )
    lines += [
        f"  {bar.input:<26} {usd(bar.low_usd):>12} -> {usd(bar.high_usd):>12}"
        for bar in result.tornado
    ]
    lines += [f"Note: {note}" for note in result.notes]
    return lines
