"""Where a rate sits: against the market and Medicare, against the center's own cost, against what
the payer's alternative would cost it, and against billing out of network.

Conventions: US dollars; per-unit figures are per unit of service of the case's level (a PHP day,
an IOP session); an episode is the case's expected units.

- Payer's ceiling per unit = the alternative's episode cost (per diem x its length of stay) spread
  over our expected units: above it, the SCA costs the payer more than sending the patient there.
- OON expectation: allowed amount for the episode; the patient owes the remaining deductible, then
  coinsurance on the rest, capped at the out-of-pocket maximum; the payer pays the allowed amount
  less that; the center collects the payer's part and a share of the patient's. No balance billing.
"""

from __future__ import annotations

import math

from sca_rates.costing import cost_level
from sca_rates.exceptions import MissingReference
from sca_rates.market import (
    find_alternatives,
    find_distribution,
    medicare_for_case,
    position,
    provenance_of,
)
from sca_rates.models import CostModel
from sca_rates.models.case import Case, OonBenefit
from sca_rates.models.compare import (
    AlternativeComparison,
    Comparison,
    CostCoverage,
    MarketComparison,
    OonExpectation,
)
from sca_rates.models.costs import LevelCost
from sca_rates.models.market import MarketData, MedicareRate
from sca_rates.models.offers import NormalizedOffer, Offer, ServicePattern
from sca_rates.offers import normalize, parse_offer, service_pattern


def cost_plus_margin(case: Case, cost: LevelCost, pattern: ServicePattern) -> NormalizedOffer:
    """The rate that covers the fully loaded cost plus the case's required margin: what a rate is
    compared with when none is named."""
    amount = cost.fully_loaded_per_unit * (1 + case.margin_required)
    offer = Offer(
        kind="per_unit", amount=amount, text=f"cost plus {case.margin_required:.0%} margin"
    )
    return normalize(offer, pattern=pattern, billed_charge_per_unit=None, medicare=None)


def compare(
    case: Case,
    *,
    cost: LevelCost,
    pattern: ServicePattern,
    market: MarketData,
    medicare: MedicareRate | None,
    rate: NormalizedOffer,
) -> Comparison:
    """Every comparison of ``rate`` for ``case``."""
    units = pattern.expected_units
    alternatives = compare_alternatives(case, market, our_episode_usd=rate.per_episode_usd)
    ceiling, notes = _ceiling(case, alternatives)
    oon = None
    if case.oon_benefit is not None:
        allowed = _oon_allowed_per_unit(case, case.oon_benefit, pattern, medicare)
        oon = oon_expectation(
            case.oon_benefit, allowed_per_unit_usd=allowed, units=units, unit=pattern.unit
        )
    return Comparison(
        rate=rate,
        rate_basis=rate.offer.text,
        unit=pattern.unit,
        expected_units=units,
        our_episode_usd=rate.per_episode_usd,
        market=compare_market(case, rate, pattern=pattern, market=market, medicare=medicare),
        cost_coverage=cost_coverage(rate, cost, units),
        alternatives=tuple(alternatives),
        ceiling_alternative=ceiling.setting if ceiling else None,
        payer_ceiling_per_unit_usd=ceiling.episode_usd / units if ceiling else None,
        oon=oon,
        notes=tuple(notes),
    )


def compare_market(
    case: Case,
    rate: NormalizedOffer,
    *,
    pattern: ServicePattern,
    market: MarketData,
    medicare: MedicareRate | None,
) -> MarketComparison:
    distribution = find_distribution(
        market,
        payer=case.payer,
        region=case.region,
        state=case.state,
        level_of_care=case.level_of_care,
        code=case.code,
        unit=pattern.unit,
    )
    medicare_per_unit = None
    if medicare is not None:
        # Medicare's rate in our unit: the same conversion as an offer of "100% of Medicare"
        full = Offer(kind="pct_medicare", amount=1.0, text="100% of Medicare")
        medicare_per_unit = normalize(
            full, pattern=pattern, billed_charge_per_unit=None, medicare=medicare
        ).per_unit_usd
    return MarketComparison(
        distribution=distribution,
        position=position(rate.per_unit_usd, distribution) if distribution else None,
        medicare=medicare,
        medicare_per_unit_usd=medicare_per_unit,
        medicare_multiple=rate.per_unit_usd / medicare_per_unit if medicare_per_unit else None,
    )


def cost_coverage(rate: NormalizedOffer, cost: LevelCost, units: float) -> CostCoverage:
    margin = rate.per_unit_usd - cost.fully_loaded_per_unit
    marginal = cost.marginal_per_unit
    return CostCoverage(
        fully_loaded_per_unit_usd=cost.fully_loaded_per_unit,
        marginal_per_unit_usd=marginal,
        fully_loaded_ratio=rate.per_unit_usd / cost.fully_loaded_per_unit,
        marginal_ratio=rate.per_unit_usd / marginal if marginal > 0 else math.inf,
        margin_per_unit_usd=margin,
        margin_per_episode_usd=margin * units,
    )


def compare_alternatives(
    case: Case, market: MarketData, *, our_episode_usd: float
) -> list[AlternativeComparison]:
    """Each alternative setting's episode cost to the payer against ours, cheapest first."""
    named = case.alternative
    compared = []
    for row in find_alternatives(market, payer=case.payer, region=case.region, state=case.state):
        from_case = (
            named is not None and named.setting == row.setting and named.los_days is not None
        )
        los = named.los_days if from_case and named and named.los_days else row.typical_los_days
        episode = row.per_diem_usd * los
        compared.append(
            AlternativeComparison(
                setting=row.setting,
                per_diem_usd=row.per_diem_usd,
                los_days=los,
                los_from="case" if from_case else "market data",
                episode_usd=episode,
                savings_usd=episode - our_episode_usd,
                savings_pct=(episode - our_episode_usd) / episode,
                provenance=provenance_of(row),
            )
        )
    return sorted(compared, key=lambda alt: alt.episode_usd)


def _ceiling(
    case: Case, alternatives: list[AlternativeComparison]
) -> tuple[AlternativeComparison | None, list[str]]:
    """The alternative the payer's ceiling comes from: the one the case names, else the cheapest
    (the payer's least costly way out is the honest ceiling)."""
    if not alternatives:
        return None, ["no alternative setting in the market data for this payer and region"]
    if case.alternative is None:
        return alternatives[0], []
    for alternative in alternatives:
        if alternative.setting == case.alternative.setting:
            return alternative, []
    return alternatives[0], [
        f"no market figure for the named alternative "
        f"{case.alternative.setting}; the ceiling uses the cheapest found"
    ]


def _oon_allowed_per_unit(
    case: Case, benefit: OonBenefit, pattern: ServicePattern, medicare: MedicareRate | None
) -> float:
    """The OON allowed amount per unit: a share of billed charges or of Medicare's rate, read with
    the same conversion as a payer offer of that share."""
    kind = "pct_billed" if benefit.allowed_basis == "billed_charges" else "pct_medicare"
    offer = Offer(
        kind=kind, amount=benefit.allowed_pct, text=f"OON allowed: {benefit.allowed_basis}"
    )
    try:
        return normalize(
            offer,
            pattern=pattern,
            billed_charge_per_unit=case.billed_charge_per_unit,
            medicare=medicare,
        ).per_unit_usd
    except MissingReference as exc:
        raise MissingReference(f"the OON benefit's allowed amount: {exc}") from None


def oon_expectation(
    benefit: OonBenefit, *, allowed_per_unit_usd: float, units: float, unit: str
) -> OonExpectation:
    """What billing the episode out of network nets the center (see the module's conventions)."""
    allowed = allowed_per_unit_usd * units
    deductible = min(benefit.deductible_remaining_usd, allowed)
    owed = min(
        deductible + benefit.coinsurance * (allowed - deductible), benefit.oop_max_remaining_usd
    )
    payer_pays = allowed - owed
    collected = benefit.collection_rate * owed
    net = payer_pays + collected
    assumptions = (
        f"allowed ${allowed_per_unit_usd:,.2f} per {unit} x {units:g} = ${allowed:,.2f}",
        f"patient owes ${deductible:,.2f} deductible + {benefit.coinsurance:.0%} coinsurance on "
        f"the rest, capped at the ${benefit.oop_max_remaining_usd:,.2f} out-of-pocket maximum left",
        f"{benefit.collection_rate:.0%} of the patient's part is collected; no balance billing",
    )
    return OonExpectation(
        allowed_per_unit_usd=allowed_per_unit_usd,
        allowed_episode_usd=allowed,
        patient_owes_usd=owed,
        payer_pays_usd=payer_pays,
        collected_from_patient_usd=collected,
        net_episode_usd=net,
        per_unit_usd=net / units,
        assumptions=assumptions,
    )


def compare_case(
    case: Case, *, model: CostModel, market: MarketData, rate_text: str | None = None
) -> Comparison:
    """Compare the rate a person typed (any offer form), or cost plus the case's margin."""
    pattern = service_pattern(case, model)
    cost = cost_level(model, case.level_of_care)
    medicare = medicare_for_case(market, case)
    if rate_text is None:
        rate = cost_plus_margin(case, cost, pattern)
    else:
        rate = normalize(
            parse_offer(rate_text),
            pattern=pattern,
            billed_charge_per_unit=case.billed_charge_per_unit,
            medicare=medicare,
        )
    return compare(case, cost=cost, pattern=pattern, market=market, medicare=medicare, rate=rate)
