"""Offers and comparisons as text and JSON."""

from __future__ import annotations

from typing import Any

from sca_rates.models.compare import Comparison, MarketComparison
from sca_rates.models.market import Provenance
from sca_rates.models.offers import NormalizedOffer
from sca_rates.money import pct, usd
from sca_rates.present.common import UNIT_PLURAL, cents, optional_cents, per, source_mark


def normalized_json(offer: NormalizedOffer) -> dict[str, Any]:
    """The stable JSON object of ``sca-rates normalize --json``."""
    return {
        "text": offer.offer.text,
        "kind": offer.kind,
        "unit": offer.unit,
        "per_unit_usd": cents(offer.per_unit_usd),
        "per_episode_usd": cents(offer.per_episode_usd),
        "assumptions": list(offer.assumptions),
        "ask_the_payer": list(offer.asks),
        "checks": list(offer.checks),
        "context": list(offer.context),
    }


def normalized_lines(offer: NormalizedOffer) -> list[str]:
    return [
        f"{offer.offer.text!r} read as {offer.kind.replace('_', ' ')}",
        f"  {usd(offer.per_unit_usd)} {per(offer.unit)}; {usd(offer.per_episode_usd)} per episode",
        *[f"  - {note}" for note in offer.assumptions],
        *[f"Ask: {ask}" for ask in offer.asks],
        *[f"Check: {check}" for check in offer.checks],
        *(["For comparison:"] if offer.context else []),
        *[f"  - {line}" for line in offer.context],
    ]


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _provenance_json(source: Provenance) -> dict[str, Any]:
    return source.model_dump()


def market_json(market: MarketComparison) -> dict[str, Any]:
    dist, pos, medicare = market.distribution, market.position, market.medicare
    return {
        "percentile": None if pos is None or pos.percentile is None else round(pos.percentile, 1),
        "beyond": None if pos is None else pos.beyond,
        "p50_usd": optional_cents(dist.p50 if dist else None),
        "points_usd": {} if dist is None else {k: cents(v) for k, v in dist.points.items()},
        "payer": None if dist is None else dist.payer,
        "region": None if dist is None else dist.region,
        "code": None if dist is None else dist.code,
        "year": None if dist is None else dist.year,
        "medicare_usd": optional_cents(market.medicare_per_unit_usd),
        "medicare_multiple": None
        if market.medicare_multiple is None
        else round(market.medicare_multiple, 4),
        "medicare_code": None if medicare is None else f"{medicare.code_type} {medicare.code}",
        "medicare_source": None if medicare is None else _provenance_json(medicare.provenance),
        "fallback": ([] if dist is None else dist.fallback)
        + ([] if medicare is None else medicare.fallback),
        "n": None if dist is None else dist.n,
        "small_sample": None if dist is None else dist.small_sample,
        "illustrative": None if dist is None else dist.illustrative,
        "sources": [] if dist is None else [_provenance_json(s) for s in dist.sources],
    }


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """The stable JSON object of ``sca-rates compare --json``."""
    coverage, oon = comparison.cost_coverage, comparison.oon
    return {
        "rate_per_unit_usd": cents(comparison.rate.per_unit_usd),
        "rate_basis": comparison.rate_basis,
        "rate_assumptions": list(comparison.rate.assumptions),
        "unit": comparison.unit,
        "expected_units": comparison.expected_units,
        "our_episode_usd": cents(comparison.our_episode_usd),
        "market": market_json(comparison.market),
        "cost_coverage": {
            "fully_loaded_per_unit_usd": cents(coverage.fully_loaded_per_unit_usd),
            "marginal_per_unit_usd": cents(coverage.marginal_per_unit_usd),
            "fully_loaded_ratio": _ratio(coverage.fully_loaded_ratio),
            "marginal_ratio": _ratio(coverage.marginal_ratio),
            "margin_per_unit_usd": cents(coverage.margin_per_unit_usd),
            "margin_per_episode_usd": cents(coverage.margin_per_episode_usd),
        },
        "alternatives": [
            {
                "setting": alt.setting,
                "per_diem_usd": cents(alt.per_diem_usd),
                "los_days": alt.los_days,
                "los_from": alt.los_from,
                "episode_usd": cents(alt.episode_usd),
                "savings_usd": cents(alt.savings_usd),
                "savings_pct": round(alt.savings_pct, 4),
                "source": _provenance_json(alt.provenance),
            }
            for alt in comparison.alternatives
        ],
        "ceiling_alternative": comparison.ceiling_alternative,
        "payer_ceiling_per_unit_usd": optional_cents(comparison.payer_ceiling_per_unit_usd),
        "oon_expected_per_unit_usd": None if oon is None else cents(oon.per_unit_usd),
        "oon": None
        if oon is None
        else {
            key: (cents(value) if isinstance(value, float) else list(value))
            for key, value in oon.model_dump().items()
        },
        "notes": list(comparison.notes),
    }


def _market_lines(market: MarketComparison, rate: float, unit: str) -> list[str]:
    dist, pos = market.distribution, market.position
    lines = ["Market"]
    if dist is None or pos is None:
        lines.append("  no market figure for this payer, region and level of care")
    else:
        where = f"{dist.payer}, {dist.region}, {dist.code}, {dist.year}"
        if pos.percentile is None:
            lines.append(f"  no percentiles in the figures found ({where})")
        else:
            at = {"below": "below the lowest figure, p", "above": "above the highest figure, p"}
            prefix = at.get(pos.beyond or "", "percentile ")
            lines.append(f"  {prefix}{pos.percentile:.0f} of {where}")
        if dist.p50 is not None:
            lines.append(
                f"  median {usd(dist.p50)} {per(unit)}; this rate is "
                f"{usd(rate - dist.p50)} {'above' if rate >= dist.p50 else 'below'} it"
            )
        if dist.small_sample:
            lines.append(f"  small sample: n = {dist.n if dist.n else 'unknown'}")
        lines += [f"  fallback: {step}" for step in dist.fallback]
        lines += [f"  source: {source_mark(s)}: {s.source_ref}" for s in dist.sources]
    if market.medicare is None or market.medicare_per_unit_usd is None:
        lines.append(
            "  Medicare: no figure for this code and region (sca-rates market import-opps)"
        )
    else:
        medicare, multiple = market.medicare, market.medicare_multiple or 0.0
        lines.append(
            f"  Medicare {medicare.code_type} {medicare.code}: "
            f"{usd(market.medicare_per_unit_usd)} {per(unit)}; this rate is "
            f"{multiple:.2f} x Medicare ({source_mark(medicare.provenance)})"
        )
        if medicare.wage_note:
            lines.append(f"    {medicare.wage_note}")
    return lines


def comparison_lines(comparison: Comparison) -> list[str]:
    """The comparison as a person reads it, every figure with its unit and source."""
    unit, rate = comparison.unit, comparison.rate.per_unit_usd
    coverage = comparison.cost_coverage
    lines = [
        f"Rate {usd(rate)} {per(unit)} ({comparison.rate_basis}); "
        f"{usd(comparison.our_episode_usd)} for {comparison.expected_units:g} {UNIT_PLURAL[unit]}",
        *[f"  - {note}" for note in comparison.rate.assumptions],
        *_market_lines(comparison.market, rate, unit),
        "Cost coverage",
        f"  fully loaded cost {usd(coverage.fully_loaded_per_unit_usd)} {per(unit)}: "
        f"the rate covers it {coverage.fully_loaded_ratio:.2f} times",
        f"  marginal cost {usd(coverage.marginal_per_unit_usd)} {per(unit)}",
        f"  margin {usd(coverage.margin_per_unit_usd)} {per(unit)}, "
        f"{usd(coverage.margin_per_episode_usd)} per episode",
        "Payer's alternatives (its cost for the stay, against this episode)",
    ]
    lines += [
        f"  {alt.setting}: {usd(alt.per_diem_usd)} per day x {alt.los_days:g} days = "
        f"{usd(alt.episode_usd)}; saves the payer {usd(alt.savings_usd)} ({pct(alt.savings_pct)}) "
        f"[{source_mark(alt.provenance)}]"
        for alt in comparison.alternatives
    ] or ["  none in the market data for this payer and region"]
    if comparison.payer_ceiling_per_unit_usd is not None:
        lines.append(
            f"Payer's ceiling {usd(comparison.payer_ceiling_per_unit_usd)} {per(unit)} "
            f"({comparison.ceiling_alternative} spread over "
            f"{comparison.expected_units:g} {UNIT_PLURAL[unit]})"
        )
    if comparison.oon is not None:
        oon = comparison.oon
        lines.append(
            f"Billing out of network would net {usd(oon.per_unit_usd)} {per(unit)} "
            f"({usd(oon.net_episode_usd)} for the episode)"
        )
        lines += [f"  - {note}" for note in oon.assumptions]
    lines += [f"Note: {note}" for note in comparison.notes]
    return lines
