"""Answering the payer's offers during a call: accept, counter or decline, with the next counter,
the non-rate terms to trade and one line to say.

US dollars per unit of service of the case. Rules (policy knobs in ``models.recommend.Policy``):

- an offer at or above the target is accepted (and we ask for the non-rate terms that matter);
- an offer below the floor is declined, with the numbers that show why;
- in between we counter. Our first answer is the opening. Then each concession is smaller than
  the one before: the first is a share of the room from opening to floor, each later one a
  fraction of the last. Down to the target we concede on every turn; at or below it we move only
  when the payer has moved since its last offer, and by no more than a share of its move. A counter
  is whole dollars, never below the floor, and when the payer's offer already meets the counter we
  would make, we accept it instead.
"""

from __future__ import annotations

import math
from itertools import pairwise

from sca_rates.models.compare import CaseFacts
from sca_rates.models.negotiate import Exchange, NegotiationState, Response, Verdict
from sca_rates.models.offers import NormalizedOffer
from sca_rates.models.recommend import Policy, Recommendation
from sca_rates.money import usd
from sca_rates.recommend import DEFAULT_POLICY


def next_counter(
    rec: Recommendation, state: NegotiationState, offer_usd: float, policy: Policy = DEFAULT_POLICY
) -> float:
    """Our next ask, by the rules of this module, for an offer between floor and target."""
    # Asks are whole dollars, so the target and floor are too (rounded up: never below either)
    opening = math.ceil(rec.opening.per_unit_usd)  # already whole, unless it is the target
    target, floor = math.ceil(rec.target.per_unit_usd), math.ceil(rec.floor.per_unit_usd)
    asks, offers = state.asks, state.offers
    if not asks:
        return opening
    last = asks[-1]
    steps = [a - b for a, b in pairwise([opening, *asks]) if a > b]
    first_step = policy.first_concession_share * (opening - floor)
    if last > target:
        step = first_step if not steps else steps[-1] * policy.concession_decay
        raw = max(target, last - step)
    elif not offers or offer_usd > offers[-1]:
        # below the target: half the last concession (or the first, when the opening was the
        # target and none was made yet)
        step = steps[-1] * policy.concession_decay if steps else first_step
        if offers:
            step = min(step, policy.reciprocity * (offer_usd - offers[-1]))
        raw = max(floor, last - step)
    else:
        raw = last  # the payer has not moved: neither do we
    return min(last, math.ceil(raw))


def respond(
    facts: CaseFacts,
    rec: Recommendation,
    state: NegotiationState,
    offer: NormalizedOffer,
    policy: Policy = DEFAULT_POLICY,
) -> Response:
    """The verdict on the payer's latest offer, our counter, the trades and the line to say."""
    offered = offer.per_unit_usd
    counter: float | None = None
    if offered >= rec.target.per_unit_usd:
        verdict: Verdict = "accept"
    elif offered < rec.floor.per_unit_usd:
        verdict = "decline"
    else:
        counter = next_counter(rec, state, offered, policy)
        verdict = "accept" if counter <= offered else "counter"
    standing = _standing(verdict, offered, counter, state, rec)
    turns = (
        Exchange(side="payer", per_unit_usd=offered, text=offer.offer.text),
        Exchange(
            side="us",
            per_unit_usd=standing,
            text=f"{usd(standing)} per {rec.unit}",
            verdict=verdict,
        ),
    )
    asks = state.asks
    countered = counter if verdict == "counter" else None
    return Response(
        verdict=verdict,
        offer=offer,
        counter_per_unit_usd=countered,
        counter_per_episode_usd=None if countered is None else countered * rec.expected_units,
        concession_usd=None if countered is None or not asks else asks[-1] - countered,
        trades=_trades(verdict, facts, rec, countered),
        line=_line(verdict, facts, rec, offered, countered),
        reasons=_reasons(verdict, facts, rec, offered),
        state=NegotiationState(exchanges=(*state.exchanges, *turns)),
    )


def _standing(
    verdict: Verdict,
    offered: float,
    counter: float | None,
    state: NegotiationState,
    rec: Recommendation,
) -> float:
    """Where we stand after answering: the offer accepted, the counter, or our last ask."""
    if verdict == "accept":
        return offered
    if counter is not None:
        return counter
    return standing_ask(state, rec)


def standing_ask(state: NegotiationState, rec: Recommendation) -> float:
    """Our last ask on the call, or the opening before we have made one (per unit)."""
    return state.asks[-1] if state.asks else rec.opening.per_unit_usd


def _trades(
    verdict: Verdict, facts: CaseFacts, rec: Recommendation, counter: float | None
) -> tuple[str, ...]:
    units, unit = rec.expected_units, rec.unit
    stay = f"authorization of the whole stay ({units:g} {unit}s) up front, not two-week blocks"
    cost_share = "in-network cost-sharing for the patient (deductible, copays and coinsurance)"
    if verdict == "accept":
        return (
            cost_share,
            stay,
            "the agreement in writing before the first day: codes, rate, "
            "authorization number, start and end dates",
        )
    if verdict == "decline":
        return (
            "a shorter authorized stay at a rate that covers the care, reviewed for extension",
            f"a case rate for a defined stay of {units:g} {unit}s",
            cost_share,
        )
    trades = [
        stay,
        "reauthorization requested by us 3-5 business days before each period ends, "
        "decided within 2 business days",
        "clean claims paid within 30 days",
        cost_share,
    ]
    if counter is not None and counter <= rec.target.per_unit_usd:
        trades.append(
            f"{usd(math.ceil(counter * 0.97))} per {unit} (3% less) for payment within 15 days"
        )
    return tuple(trades)


def _why_it_is_worth_it(facts: CaseFacts, rec: Recommendation, rate: float) -> str:
    """The strongest reason the payer should pay ``rate``, as a clause: what its alternative would
    cost it, else where the rate sits in the market."""
    stay = facts.ceiling
    if stay is not None and stay.episode_usd > rate * rec.expected_units:
        saved = stay.episode_usd - rate * rec.expected_units
        setting = stay.setting.replace("_", " ")
        return f"still saves you {usd(saved)} against {setting} for this patient"
    p50 = facts.market_p50
    if p50 is not None:
        return f"sits near the {usd(p50)} per {rec.unit} programs like ours are paid here"
    return "covers the care this patient needs"


def _line(
    verdict: Verdict, facts: CaseFacts, rec: Recommendation, offered: float, counter: float | None
) -> str:
    unit, units = rec.unit, rec.expected_units
    if verdict == "accept":
        return (
            f"We can accept {usd(offered)} per {unit}. Please send it in writing with the "
            f"authorization number, the dates and the {units:g} {unit}s authorized."
        )
    if verdict == "decline":
        why = _why_it_is_worth_it(facts, rec, rec.target.per_unit_usd)
        return (
            f"At {usd(offered)} per {unit} we can't staff this patient's care; "
            f"a rate that covers it {why}."
        )
    assert counter is not None
    why = _why_it_is_worth_it(facts, rec, counter)
    return f"We can do {usd(counter)} per {unit} for the {units:g} {unit}s; that {why}."


def _reasons(
    verdict: Verdict, facts: CaseFacts, rec: Recommendation, offered: float
) -> tuple[str, ...]:
    unit = rec.unit
    floor, target = rec.floor, rec.target
    reasons = [
        f"offer {usd(offered)} per {unit} against floor {usd(floor.per_unit_usd)} ({floor.rule}) "
        f"and target {usd(target.per_unit_usd)} ({target.rule})",
        f"fully loaded cost {usd(facts.cost.fully_loaded_per_unit)} per {unit}; marginal "
        f"{usd(facts.cost.marginal_per_unit)}",
    ]
    if facts.oon is not None:
        reasons.append(f"billing out of network would net {usd(facts.oon.per_unit_usd)} per {unit}")
    if verdict == "decline":
        reasons.append(
            f"an offer of at least {usd(floor.per_unit_usd)} per {unit} would be worth "
            "a counter; below it every day of care loses money or beats billing OON"
        )
    return tuple(reasons)
