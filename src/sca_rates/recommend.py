"""Opening, target and floor: the three numbers a billing manager brings to the call.

US dollars per unit of service of the case; each number also per episode of the expected units.
With fully loaded cost C, marginal cost M, required margin m, the OON expectation B (what billing
out of network would net, when the patient would come anyway; else nothing), the market median
P50 and the payer's ceiling (its alternative's cost spread over our expected units):

- floor = max(cost floor, B), the cost floor being C, or M when the slot would otherwise stay
  empty; never below M;
- target = max(floor, C x (1 + m), P50 x (1 + specialization premium) when the case has a
  specialized need), capped at the payer's ceiling unless even the floor is above it (then there
  is no zone of agreement, and the warning says so);
- opening = the highest anchor the facts defend (the top of the market range, the payer's
  published share of billed charges on our charge, a share of the payer's ceiling, a multiple of
  Medicare), at least the policy's room above the target, never above the ceiling; then made a
  precise figure: whole dollars, never ending in 0 or 5 ($663, not $665 or $670). A precise first
  offer reads as computed rather than guessed and draws smaller counters.

The floor and the target are whole cents, rounded up (never below what they stand for), so that
an offer is compared with them as they are shown. Always floor <= target <= opening.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from sca_rates.models.compare import CaseFacts
from sca_rates.models.market import BilledShareRow
from sca_rates.models.recommend import Policy, RateFigure, Recommendation
from sca_rates.money import usd

DEFAULT_POLICY = Policy()
_LIMIT_WORDS = {"payer_ceiling": "the payer's ceiling", "billed_charge": "our billed charge"}


class _Bound(NamedTuple):
    amount: float
    binding: str  # the input that bound it
    rule: str
    inputs: dict[str, float]


def precise_figure(amount: float, *, up: bool = False) -> float:
    """Whole dollars, never ending in 0 or 5 (those read as round guesses): rounded down, or up
    when the figure is a least amount."""
    if up:
        dollars = math.ceil(amount - 1e-9)
        return float(dollars + 1 if dollars % 5 == 0 else dollars)
    dollars = math.floor(amount + 1e-9)
    return float(dollars - 2 if dollars % 5 == 0 else dollars)


def cents_up(amount: float) -> float:
    """Whole cents, rounded up (a floor or a target is never shown below what it stands for);
    a float's noise (575 computed as 575.0000000001) is not a cent."""
    cents = round(amount, 2)
    return round(cents + 0.01, 2) if cents < amount - 1e-9 else cents


def cents_down(amount: float) -> float:
    """Whole cents, rounded down (a ceiling is never shown above what it stands for)."""
    cents = round(amount, 2)
    return round(cents - 0.01, 2) if cents > amount + 1e-9 else cents


def has_specialized_need(facts: CaseFacts) -> bool:
    """A named modality, or no in-network program of the specialty within reach."""
    triggers = facts.case.triggers
    gap = triggers.network_inadequacy
    return triggers.specialized_need is not None or (gap is not None and gap.specialty is not None)


def oon_alternative(facts: CaseFacts) -> float | None:
    """What billing out of network would net per unit, when the patient would come anyway."""
    return facts.oon.per_unit_usd if facts.oon and facts.case.would_attend_oon else None


def above_target_and_floor(rate: float, rec: Recommendation) -> tuple[float, float]:
    """How far a rate per unit lies above the target and above the floor (negative: below)."""
    return rate - rec.target.per_unit_usd, rate - rec.floor.per_unit_usd


def recommend(facts: CaseFacts, policy: Policy = DEFAULT_POLICY) -> Recommendation:
    """Floor, target and opening for a case, each with its binding rule and inputs."""
    floor = _floor(facts, policy)
    ceiling = facts.payer_ceiling_per_unit_usd
    zopa = ceiling is None or floor.amount <= ceiling
    target = _target(facts, policy, floor, zopa)
    opening = _opening(facts, policy, target, zopa)
    units = facts.pattern.expected_units

    def figure(bound: _Bound) -> RateFigure:
        amount, binding, rule, inputs = bound
        return RateFigure(
            per_unit_usd=amount,
            per_episode_usd=amount * units,
            binding=binding,
            rule=rule,
            inputs=inputs,
        )

    return Recommendation(
        unit=facts.pattern.unit,
        expected_units=units,
        floor=figure(floor),
        target=figure(target),
        opening=figure(opening),
        zopa=zopa,
        payer_ceiling_per_unit_usd=ceiling,
        warnings=tuple(_warnings(facts, policy, (floor, target, opening), zopa)),
    )


def floor_basis(facts: CaseFacts, policy: Policy) -> str:
    """The cost the floor stands on: marginal only when the slot would otherwise stay empty."""
    if policy.floor_basis != "auto":
        return policy.floor_basis
    return "marginal" if facts.case.slot_otherwise_empty else "fully_loaded"


def _floor(facts: CaseFacts, policy: Policy) -> _Bound:
    cost = facts.cost
    if floor_basis(facts, policy) == "marginal":
        why = "marginal cost (the slot would otherwise stay empty)"
        candidates = [(cost.marginal_per_unit, "marginal_cost", why)]
    else:
        candidates = [(cost.fully_loaded_per_unit, "fully_loaded_cost", "fully loaded cost")]
    batna = oon_alternative(facts)
    if batna is not None:
        candidates.append((batna, "oon_expected", "what billing out of network would net"))
    candidates.append((cost.marginal_per_unit, "marginal_cost", "marginal cost (never below it)"))
    amount, binding, rule = max(candidates, key=lambda c: c[0])  # the first of equals: the basis
    amount = cents_up(amount)
    inputs = {
        "fully_loaded_cost": cost.fully_loaded_per_unit,
        "marginal_cost": cost.marginal_per_unit,
    }
    if batna is not None:
        inputs["oon_expected"] = batna
    return _Bound(amount, binding, f"floor = {rule}", inputs)


def _target(facts: CaseFacts, policy: Policy, floor: _Bound, zopa: bool) -> _Bound:
    cost, margin = facts.cost.fully_loaded_per_unit, facts.case.margin_required
    premium = policy.specialization_premium if has_specialized_need(facts) else 0.0
    candidates = [
        (floor.amount, "floor", "the floor"),
        (cost * (1 + margin), "cost_plus_margin", f"fully loaded cost x {1 + margin:g}"),
    ]
    inputs = {"floor": floor.amount, "fully_loaded_cost": cost, "margin_share": margin}
    p50 = facts.market_p50
    if p50 is not None:
        why = f" x {1 + premium:g} for the specialized need" if premium else ""
        candidates.append((p50 * (1 + premium), "market_p50", f"market median{why}"))
        inputs |= {"market_p50": p50, "specialization_premium_share": premium}
    amount, binding, rule = max(candidates, key=lambda c: c[0])
    amount = cents_up(amount)
    ceiling = facts.payer_ceiling_per_unit_usd
    if ceiling is not None:
        inputs["payer_ceiling"] = ceiling
        if zopa and amount > ceiling:
            amount, binding = max(floor.amount, cents_down(ceiling)), "payer_ceiling"
            rule = f"the payer's ceiling ({rule} would cost the payer more than its alternative)"
    return _Bound(amount, binding, f"target = {rule}", inputs)


def published_billed_share(facts: CaseFacts) -> BilledShareRow | None:
    """The share of billed charges this payer is published to pay, nearest region first."""
    payer = facts.case.payer.lower()
    return next((row for row in facts.billed_shares if row.payer.lower() == payer), None)


def _anchors(facts: CaseFacts, policy: Policy) -> list[tuple[float, str]]:
    """Every anchor the facts defend for the opening, with the words that name it."""
    premium = policy.specialization_premium if has_specialized_need(facts) else 0.0
    anchors = []
    top = facts.distribution.top if facts.distribution is not None else None
    if top is not None:
        statistic, amount = top
        why = f" x {1 + premium:g} for the specialized need" if premium else ""
        anchors.append((amount * (1 + premium), f"the top of the market range ({statistic}){why}"))
    billed = facts.case.billed_charge_per_unit
    if billed is not None:
        published = published_billed_share(facts)
        if published is not None:
            name = f"{published.share_of_billed:.1%} of our charge, the payer's published share"
            anchors.append((billed * published.share_of_billed, name))
        else:
            share = policy.anchor_billed_share
            anchors.append((billed * share, f"{share:.0%} of our charge"))
    ceiling = facts.payer_ceiling_per_unit_usd
    if ceiling is not None:
        share = policy.anchor_ceiling_share
        anchors.append((ceiling * share, f"{share:.0%} of the payer's ceiling"))
    medicare = facts.medicare_per_unit_usd
    if medicare is not None:
        multiple = policy.anchor_medicare_multiple
        anchors.append((medicare * multiple, f"{multiple:g} x Medicare"))
    return anchors


def _opening(facts: CaseFacts, policy: Policy, target: _Bound, zopa: bool) -> _Bound:
    """The highest anchor, moved toward by the policy's aggressiveness, at least the policy's room
    above the target, under the payer's ceiling, made a precise figure; the rule names each step."""
    inputs = {"target": target.amount, "room_share": policy.opening_room_share}
    if not zopa:
        return _Bound(target.amount, "target", "opening = target (no zone of agreement)", inputs)
    anchors = [a for a in _anchors(facts, policy) if a[0] > target.amount]
    steps, binding, raw = [], "room", target.amount
    if anchors:
        level, name = max(anchors, key=lambda a: a[0])
        raw = target.amount + policy.anchor_aggressiveness * (level - target.amount)
        inputs |= {"anchor": level, "anchor_aggressiveness": policy.anchor_aggressiveness}
        moved = (
            ""
            if policy.anchor_aggressiveness == 1
            else (f" {policy.anchor_aggressiveness:.0%} of the way from the target")
        )
        steps.append(f"the highest anchor, {name} ({usd(level)}){moved}")
        binding = "anchor"
    least = target.amount * (1 + policy.opening_room_share)
    if raw < least:
        raw, binding = least, "room"
        steps.append(f"raised to {policy.opening_room_share:.0%} above the target")
    # Never above what the payer's alternative costs it, nor above what we charge anyone
    limits = [
        (value, name)
        for name, value in (
            ("payer_ceiling", facts.payer_ceiling_per_unit_usd),
            ("billed_charge", facts.case.billed_charge_per_unit),
        )
        if value is not None
    ]
    inputs |= {name: value for value, name in limits}
    limit, limit_name = min(limits, default=(math.inf, "none"))
    if raw > limit:
        raw, binding = limit, limit_name
        steps.append(f"held under {_LIMIT_WORDS[limit_name]}")
    amount = precise_figure(raw, up=binding == "room")
    if amount < least:  # rounding down must not eat into the room
        amount = precise_figure(least, up=True)
    if amount > limit:
        amount = precise_figure(limit)
        if binding not in _LIMIT_WORDS:
            binding = limit_name
            steps.append(f"held under {_LIMIT_WORDS[limit_name]}")
    if amount <= target.amount:  # a limit, or a policy that asks for no room
        if limit_name in _LIMIT_WORDS and amount == precise_figure(limit):
            why = f"{_LIMIT_WORDS[limit_name]} leaves no room above it"
            return _Bound(target.amount, limit_name, f"opening = target ({why})", inputs)
        return _Bound(target.amount, "target", "opening = target (no room asked)", inputs)
    steps.append("made a precise figure")
    return _Bound(amount, binding, "opening = " + ", ".join(steps), inputs)


def _warnings(
    facts: CaseFacts, policy: Policy, bounds: tuple[_Bound, _Bound, _Bound], zopa: bool
) -> list[str]:
    floor, target, opening = bounds
    unit, ceiling, dist = facts.pattern.unit, facts.payer_ceiling_per_unit_usd, facts.distribution
    warnings = []
    room = policy.opening_room_share
    short = opening.amount < target.amount * (1 + room) - 0.005
    if zopa and short and opening.binding in _LIMIT_WORDS:
        warnings.append(
            f"{_LIMIT_WORDS[opening.binding].capitalize()} leaves the opening only "
            f"{opening.amount / target.amount - 1:.1%} above the target, not the {room:.0%} "
            "the policy asks: little room to concede."
        )
    if not zopa and ceiling is not None:
        warnings.append(
            f"No zone of agreement: the floor {usd(floor.amount)} per {unit} is above what the "
            f"payer's alternative costs it per {unit} ({usd(ceiling)}). Look for non-rate moves: "
            "a shorter stay or fewer days a week, a step-down plan, or a case rate for a set stay."
        )
    if ceiling is None:
        warnings.append(
            "No payer's ceiling: no alternative setting was found for this payer and region."
        )
    if dist is None:
        warnings.append(
            "No market figure for this payer, region and level of care: the target "
            "rests on cost alone."
        )
    elif dist.illustrative:
        warnings.append(
            "The market figures are illustrative, not survey data: replace them with your own."
        )
    if dist is not None and dist.small_sample:
        warnings.append(f"Thin market data: n = {dist.n or 'unknown'}.")
    if floor_basis(facts, policy) == "marginal":
        warnings.append(
            "Marginal-cost floor in use: agreeing below the fully loaded cost makes sense only "
            "to fill a slot that would otherwise stay empty."
        )
    if floor.binding == "oon_expected":
        warnings.append(
            "Billing out of network would net more than the cost floor, so that is the floor."
        )
    if target.binding == "payer_ceiling":
        warnings.append(
            "The target is capped at the payer's ceiling: more would cost the payer "
            "more than its alternative."
        )
    return warnings
