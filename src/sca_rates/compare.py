"""Where a rate sits: against the market and Medicare, against the center's own cost, against what
the payer's alternative would cost it, and against billing out of network.

Conventions: US dollars; per-unit figures are per unit of service of the case's level (a PHP day,
an IOP session); an episode is the case's expected units.

- Payer's ceiling per unit = the alternative's episode cost (per diem x its length of stay) spread
  over our expected units: above it, the SCA costs the payer more than sending the patient there.
  The alternative is the one the case names, else the cheapest found (the payer's least costly way
  out is the honest ceiling).
- OON expectation: allowed amount for the episode; the patient owes the remaining deductible, then
  coinsurance on the rest, capped at the out-of-pocket maximum; the payer pays the allowed amount
  less that; the center collects the payer's part and a share of the patient's. No balance billing.

``case_facts`` does the work that does not depend on the rate, once per case; ``compare`` and
``offer_for`` are then cheap enough to run on every keystroke of a call.
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

from sca_rates.costing import cost_level
from sca_rates.exceptions import InvalidCase, InvalidScenario, MissingReference, Problem
from sca_rates.market import (
    find_access_standard,
    find_alternatives,
    find_billed_shares,
    find_distribution,
    medicare_for_case,
    position,
    provenance_of,
)
from sca_rates.models import CostModel
from sca_rates.models.case import Case, OonBenefit
from sca_rates.models.compare import (
    AlternativeComparison,
    AlternativeStay,
    CaseFacts,
    Comparison,
    CostCoverage,
    MarketComparison,
    OonExpectation,
)
from sca_rates.models.market import AccessStandardRow, MarketData, MedicareRate, region_kind
from sca_rates.models.offers import NormalizedOffer, Offer, ServicePattern
from sca_rates.money import usd
from sca_rates.offers import normalize, parse_offer, service_pattern

Money = TypeVar("Money", float, NDArray[np.float64])


def case_facts(case: Case, *, model: CostModel, market: MarketData) -> CaseFacts:
    """Cost, market figures, Medicare, the payer's alternatives and ceiling, and the OON
    expectation of a case."""
    pattern = service_pattern(case, model)
    cost = cost_level(model, case.level_of_care)
    if cost.fully_loaded_per_unit <= 0:
        raise InvalidScenario(
            f"{case.level_of_care} has no cost in the cost model {model.facility.name}: "
            "give it a share of staff or overhead before negotiating its rate"
        )
    _check_alternative(case, market)
    medicare = medicare_for_case(market, case)
    alternatives = _alternative_stays(case, market)
    ceiling, notes = _ceiling(case, alternatives)
    oon, oon_notes = _oon(case, pattern, medicare)
    units = pattern.expected_units
    return CaseFacts(
        case=case,
        facility=model.facility.name,
        fiscal_year=model.facility.fiscal_year,
        cost_illustrative=model.facility.illustrative,
        day_includes=model.level(case.level_of_care).day_includes,
        pattern=pattern,
        cost=cost,
        distribution=find_distribution(
            market,
            payer=case.payer,
            region=case.region,
            state=case.state,
            level_of_care=case.level_of_care,
            code=case.code,
            unit=pattern.unit,
        ),
        medicare=medicare,
        medicare_per_unit_usd=_medicare_per_unit(pattern, medicare),
        alternatives=tuple(alternatives),
        ceiling=ceiling,
        payer_ceiling_per_unit_usd=ceiling.episode_usd / units if ceiling else None,
        oon=oon,
        billed_shares=tuple(find_billed_shares(market, region=case.region, state=case.state)),
        access_standard=case_access_standard(case, market),
        notes=tuple(notes + oon_notes),
    )


# Below this a unit's rate is a slip (a missing digit, cents for dollars), not an offer
LEAST_PLAUSIBLE_USD = 5.0
# More than this multiple of the top of the market range is a slip too (an extra digit)
MARKET_TOP_MULTIPLE = 3.0


def case_access_standard(case: Case, market: MarketData) -> AccessStandardRow | None:
    """The access standard the case's network gap is held to: its state's, area's, plan type's."""
    gap = case.triggers.network_inadequacy
    state = case.state or (case.region if region_kind(case.region) == "state" else None)
    area = gap.area if gap else "urban"
    return find_access_standard(market, state=state, area=area, plan_type=case.plan_type)


def offer_for(facts: CaseFacts, text: str) -> NormalizedOffer:
    """What the payer said, in dollars per unit and per episode of this case, with what to ask
    and what to check before it counts; a share of billed charges comes with the shares that
    published contracts pay."""
    offer = parse_offer(text)
    normalized = _normalize(facts, offer)
    asks = normalized.asks
    if offer.code is not None and offer.code.replace("RC ", "") != facts.case.code:
        asks += (
            f"the payer named code {offer.code}; this case bills {facts.case.code}: ask which "
            "code the rate pays",
        )
    context: tuple[str, ...] = ()
    if offer.kind == "pct_billed":
        context = tuple(
            f"{row.payer} ({row.plan}, {row.region}) pays {row.share_of_billed:.1%} of billed "
            f"charges [{row.source}, {row.year}{', illustrative' if row.illustrative else ''}]"
            for row in facts.billed_shares
        )
    checks = plausibility(facts, normalized.per_unit_usd)
    return normalized.model_copy(update={"context": context, "asks": asks, "checks": checks})


def plausibility(facts: CaseFacts, per_unit_usd: float) -> tuple[str, ...]:
    """Why a rate per unit looks like a slip for this case: above our billed charge, above what
    the payer's alternative costs it, far above the market, or a few dollars."""
    unit, checks = facts.pattern.unit, []
    billed = facts.case.billed_charge_per_unit
    if billed is not None and per_unit_usd > billed:
        checks.append(f"above our billed charge of {usd(billed)} per {unit}")
    ceiling = facts.payer_ceiling_per_unit_usd
    if ceiling is not None and per_unit_usd > ceiling:
        checks.append(f"above what the payer's alternative costs it, {usd(ceiling)} per {unit}")
    top = facts.distribution.top[1] if facts.distribution and facts.distribution.top else None
    if top is not None and per_unit_usd > MARKET_TOP_MULTIPLE * top:
        checks.append(
            f"more than {MARKET_TOP_MULTIPLE:g} times the top of the market range, "
            f"{usd(top)} per {unit}"
        )
    if per_unit_usd < LEAST_PLAUSIBLE_USD:
        checks.append(f"under {usd(LEAST_PLAUSIBLE_USD)} per {unit}")
    return tuple(checks)


def rate_offer(facts: CaseFacts, per_unit_usd: float, text: str) -> NormalizedOffer:
    """A rate in the case's own unit (a slider's, our standing ask), without writing it out as
    text to be parsed back."""
    return _normalize(facts, Offer(kind="per_unit", amount=per_unit_usd, text=text))


def cost_plus_margin(facts: CaseFacts) -> NormalizedOffer:
    """The rate that covers the fully loaded cost plus the case's required margin: what a rate is
    compared with when none is named."""
    margin = facts.case.margin_required
    amount = facts.cost.fully_loaded_per_unit * (1 + margin)
    return rate_offer(facts, amount, f"cost plus {margin:.0%} margin")


def compare(facts: CaseFacts, rate: NormalizedOffer) -> Comparison:
    """Every comparison of ``rate`` for the case."""
    distribution, medicare_per_unit = facts.distribution, facts.medicare_per_unit_usd
    market = MarketComparison(
        distribution=distribution,
        position=position(rate.per_unit_usd, distribution) if distribution else None,
        medicare=facts.medicare,
        medicare_per_unit_usd=medicare_per_unit,
        medicare_multiple=rate.per_unit_usd / medicare_per_unit if medicare_per_unit else None,
    )
    units = facts.pattern.expected_units
    return Comparison(
        rate=rate,
        rate_basis=rate.offer.text,
        unit=facts.pattern.unit,
        expected_units=units,
        our_episode_usd=rate.per_episode_usd,
        market=market,
        cost_coverage=_cost_coverage(rate, facts),
        alternatives=tuple(_savings(stay, rate.per_episode_usd) for stay in facts.alternatives),
        ceiling_alternative=facts.ceiling.setting if facts.ceiling else None,
        payer_ceiling_per_unit_usd=facts.payer_ceiling_per_unit_usd,
        oon=facts.oon,
        notes=facts.notes,
    )


def compare_case(
    case: Case, *, model: CostModel, market: MarketData, rate_text: str | None = None
) -> Comparison:
    """Compare the rate a person typed (any offer form), or cost plus the case's margin."""
    facts = case_facts(case, model=model, market=market)
    rate = cost_plus_margin(facts) if rate_text is None else offer_for(facts, rate_text)
    return compare(facts, rate)


def _normalize(facts: CaseFacts, offer: Offer) -> NormalizedOffer:
    return normalize(
        offer,
        pattern=facts.pattern,
        billed_charge_per_unit=facts.case.billed_charge_per_unit,
        medicare=facts.medicare,
    )


def _medicare_per_unit(pattern: ServicePattern, medicare: MedicareRate | None) -> float | None:
    """Medicare's rate in our unit: the same conversion as an offer of "100% of Medicare"."""
    if medicare is None:
        return None
    full = Offer(kind="pct_medicare", amount=1.0, text="100% of Medicare")
    return normalize(
        full, pattern=pattern, billed_charge_per_unit=None, medicare=medicare
    ).per_unit_usd


def _cost_coverage(rate: NormalizedOffer, facts: CaseFacts) -> CostCoverage:
    cost, units = facts.cost, facts.pattern.expected_units
    margin = rate.per_unit_usd - cost.fully_loaded_per_unit
    marginal = cost.marginal_per_unit
    return CostCoverage(
        fully_loaded_per_unit_usd=cost.fully_loaded_per_unit,
        marginal_per_unit_usd=marginal,
        fully_loaded_ratio=rate.per_unit_usd / cost.fully_loaded_per_unit,
        marginal_ratio=rate.per_unit_usd / marginal if marginal > 0 else None,
        margin_per_unit_usd=margin,
        margin_per_episode_usd=margin * units,
    )


def _check_alternative(case: Case, market: MarketData) -> None:
    """A named alternative the market data does not know is a slip, not "no ceiling": left
    unchecked, the payer's ceiling would quietly come from another setting or none."""
    settings = sorted({row.setting for row in market.alternatives})
    if case.alternative is not None and case.alternative.setting not in settings:
        raise InvalidCase(
            "the case",
            [
                Problem(
                    "alternative.setting",
                    f"{case.alternative.setting} is not a setting of the market data",
                    f"use one of {', '.join(settings)}, or add its row to alternatives.csv",
                )
            ],
        )


def _alternative_stays(case: Case, market: MarketData) -> list[AlternativeStay]:
    """Each alternative setting that treats the case's diagnosis, with its stay and its cost to
    the payer, cheapest first; the case's own length of stay for the setting it names."""
    named = case.alternative
    stays = []
    found = find_alternatives(
        market, payer=case.payer, region=case.region, state=case.state, diagnosis=case.diagnosis
    )
    for row in found:
        los = row.typical_los_days
        own = named is not None and named.setting == row.setting and named.los_days is not None
        if own and named is not None and named.los_days is not None:
            los = named.los_days
        stays.append(
            AlternativeStay(
                setting=row.setting,
                per_diem_usd=row.per_diem_usd,
                los_days=los,
                los_from="case" if own else "market data",
                episode_usd=row.per_diem_usd * los,
                provenance=provenance_of(row),
            )
        )
    return sorted(stays, key=lambda stay: stay.episode_usd)


def savings(stay: AlternativeStay, our_episode_usd: float) -> tuple[float, float]:
    """What the payer saves by paying our episode instead of the alternative's stay: dollars,
    and the share of the stay's cost."""
    saved = stay.episode_usd - our_episode_usd
    return saved, saved / stay.episode_usd


def _savings(stay: AlternativeStay, our_episode_usd: float) -> AlternativeComparison:
    saved, share = savings(stay, our_episode_usd)
    return AlternativeComparison(**stay.model_dump(), savings_usd=saved, savings_pct=share)


def _ceiling(case: Case, stays: list[AlternativeStay]) -> tuple[AlternativeStay | None, list[str]]:
    """The payer's alternative for this patient: the level a step-down comes from, else the
    setting the case names when a day of ours stands in for it (a PHP day for an inpatient or
    residential one; an IOP session for neither, unless the patient steps down from it). It
    must treat the patient's diagnosis. Otherwise there is no ceiling: guessing one would
    put a figure before the payer that the case does not support."""
    step = case.triggers.step_down
    wanted = step.from_level if step else None
    if wanted is None and case.alternative is not None:
        if case.level_of_care == "IOP":
            return None, [
                f"the named alternative {case.alternative.setting} is not where an IOP patient "
                "would otherwise go (unless stepping down from it: triggers.step_down); no "
                "ceiling"
            ]
        wanted = case.alternative.setting
    if wanted is None:
        return None, ["no alternative named or stepped down from: no payer's ceiling"]
    stay = next((s for s in stays if s.setting == wanted), None)
    if stay is None:
        diagnosis = case.diagnosis.replace("_", " ")
        return None, [
            f"no market figure for {wanted} treating {diagnosis} for this payer and region: "
            "no payer's ceiling"
        ]
    return stay, []


def _oon(
    case: Case, pattern: ServicePattern, medicare: MedicareRate | None
) -> tuple[OonExpectation | None, list[str]]:
    """Billing OON, or why it cannot be worked out (the rest of the comparison still stands)."""
    benefit = case.oon_benefit
    if benefit is None:
        return None, []
    # The allowed amount reads like a payer offer of that share of billed charges or of Medicare
    kind = "pct_billed" if benefit.allowed_basis == "billed_charges" else "pct_medicare"
    offer = Offer(
        kind=kind, amount=benefit.allowed_pct, text=f"OON allowed: {benefit.allowed_basis}"
    )
    try:
        allowed = normalize(
            offer,
            pattern=pattern,
            billed_charge_per_unit=case.billed_charge_per_unit,
            medicare=medicare,
        ).per_unit_usd
    except MissingReference as exc:
        return None, [f"no OON expectation: {exc}"]
    expectation = oon_expectation(
        benefit, allowed_per_unit_usd=allowed, units=pattern.expected_units, unit=pattern.unit
    )
    return expectation, []


def patient_owes(benefit: OonBenefit, allowed: Money) -> Money:
    """The patient's share of an out-of-network allowed amount (dollars, or an array of them):
    the deductible left, then coinsurance on the rest, capped at the out-of-pocket maximum left."""
    deductible = np.minimum(benefit.deductible_remaining_usd, allowed)
    return np.minimum(  # type: ignore[no-any-return]
        deductible + benefit.coinsurance * (allowed - deductible), benefit.oop_max_remaining_usd
    )


def oon_expectation(
    benefit: OonBenefit, *, allowed_per_unit_usd: float, units: float, unit: str
) -> OonExpectation:
    """What billing the episode out of network nets the center (see the module's conventions)."""
    allowed = allowed_per_unit_usd * units
    deductible = min(benefit.deductible_remaining_usd, allowed)
    owed = float(patient_owes(benefit, allowed))
    payer_pays = allowed - owed
    collected = benefit.collection_rate * owed
    net = payer_pays + collected
    assumptions = (
        f"allowed {usd(allowed_per_unit_usd)} per {unit} x {units:g} = {usd(allowed)}",
        f"patient owes {usd(deductible)} deductible + {benefit.coinsurance:.0%} coinsurance on "
        f"the rest, capped at the {usd(benefit.oop_max_remaining_usd)} out-of-pocket maximum left",
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


class GapMeasure(NamedTuple):
    """A distance to the nearest in-network program, with the access standard's limit for it.
    ``value`` None: the payer's files list no program for the case's codes at all."""

    value: float | None
    limit: float
    unit: str  # miles or minutes

    def said(self) -> str:
        if self.value is None:
            return "none in the payer's files"
        return f"{round(self.value, 1):g} {self.unit}"


def standard_measures_gap(facts: CaseFacts) -> bool:
    """Whether an access standard can judge the case's gap. A rule counts the nearest program
    of the level (42 CFR 422.116: any outpatient behavioral health facility; a state's chart,
    its facility types): a distance typed to a program of one specialty says nothing of that,
    as a nearer program without the specialty may be in network. The payer's files are
    searched for any program billing the case's code, so their miles are the rule's."""
    gap = facts.case.triggers.network_inadequacy
    return gap is not None and (gap.evidence is not None or gap.specialty is None)


def network_gap(facts: CaseFacts) -> tuple[GapMeasure, ...] | None:
    """The distances to the nearest in-network program, each with its limit, when it lies
    beyond the access standard for where the patient lives on every measure the case gives;
    None when it does not (or the case gives no gap). A search of the payer's files gives the
    miles in place of typed ones: straight-line miles, so beyond them is beyond by road too."""
    gap, standard = facts.case.triggers.network_inadequacy, facts.access_standard
    if gap is None or standard is None:
        return None
    found = gap.evidence
    if found is not None and not found.covers(standard.miles):
        return None  # searched for a nearer standard: it cannot show none within this one
    miles = gap.miles_to_nearest if found is None else found.nearest_miles
    measures = []
    if found is not None or miles is not None:
        measures.append(GapMeasure(miles, standard.miles, "miles"))
    if gap.minutes_to_nearest is not None and standard.minutes is not None:
        measures.append(GapMeasure(gap.minutes_to_nearest, standard.minutes, "minutes"))
    beyond = all(m.value is None or m.value > m.limit for m in measures)
    return tuple(measures) if measures and beyond else None  # none: nothing the rule measures
