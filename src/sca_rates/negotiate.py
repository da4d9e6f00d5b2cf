"""Answering the payer's offers during a call: accept, counter or decline, with the next counter,
the non-rate terms to trade and one line to say. A call is a path, not a turn: the concessions
are planned from the room left so that a payer who keeps moving up meets us within a few turns.

US dollars per unit of service of the case. Rules (policy knobs in ``models.recommend.Policy``):

- once an offer is accepted the call is closed: a later offer is told the agreed rate, to be
  confirmed in writing, never a new counter;
- an offer at or above our standing ask (our last ask, else the opening), or within the
  close-the-gap tolerance of it, is accepted, unless it is below the floor;
- an offer below the floor (compared in whole cents, as both are shown) is declined, naming the
  figure we could do (our standing ask), never calling it our floor;
- otherwise we counter. Our first answer is the opening. The k-th concession after it meets
  k / ``concession_turns`` of the gap between our last ask and the offer; above the target that
  is all, below it we move only as far as ``reciprocity`` of the payer's move up from its best
  earlier offer at or above our floor. A decline concedes nothing and counts as no concession.
  After ``concession_turns`` concessions our ask is final: an offer below it is declined,
  naming it;
- counters after the opening are whole dollars, rounded in our favor but never above the payer's
  ceiling nor below the floor (where no whole dollar fits between the two, cents); never above
  the opening or our previous counter. A counter at or below the offer is an acceptance of it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from sca_rates.compare import savings
from sca_rates.market import position
from sca_rates.models.compare import CaseFacts
from sca_rates.models.negotiate import Exchange, NegotiationState, Response, Verdict
from sca_rates.models.offers import NormalizedOffer, Offer
from sca_rates.models.recommend import Policy, Recommendation
from sca_rates.money import SPOKEN_WORDS, said_rate, spoken_usd, usd
from sca_rates.offers import case_rate_episode
from sca_rates.recommend import DEFAULT_POLICY, floor_basis


class Asks(NamedTuple):
    """What an ask may be: from ``floor`` up to ``top``, ``target`` between. Whole dollars where
    a whole dollar fits between the floor and the top, else cents."""

    floor: float
    target: float
    top: float  # our first ask: the opening, under the payer's ceiling (both already in cents)


def asks_for(rec: Recommendation) -> Asks:
    """The three numbers as asks: the floor rounded up to a whole dollar, the target too, both
    kept under the top, which is the opening held under the payer's ceiling. Where no whole
    dollar fits between the floor and the top, the floor stays in cents: an ask is never below
    the floor nor above the ceiling."""
    top = rec.opening.per_unit_usd
    ceiling = rec.payer_ceiling_per_unit_usd
    if ceiling is not None and rec.zopa:
        top = min(top, ceiling)
    floor = float(math.ceil(round(rec.floor.per_unit_usd, 2)))
    if floor > top:
        floor = rec.floor.per_unit_usd
    target = min(max(floor, float(math.ceil(round(rec.target.per_unit_usd, 2)))), top)
    return Asks(floor=floor, target=target, top=top)


def standing_ask(state: NegotiationState, rec: Recommendation) -> float:
    """Where we stand on the call (per unit): the rate agreed, else our last ask, else the
    opening before we have made one."""
    return state.asks[-1] if state.asks else rec.opening.per_unit_usd


def agreed_rate(state: NegotiationState) -> float | None:
    """The rate agreed on the call, if one was (per unit)."""
    return next((t.per_unit_usd for t in state.exchanges if t.verdict == "accept"), None)


def counters_made(state: NegotiationState) -> int:
    """Our turns of conceding so far: the counters, but for those that held our ask because the
    payer went back on its last offer (and a decline names a figure but concedes nothing)."""
    made, last, went_back = 0, None, False
    for turn in state.exchanges:
        if turn.side == "payer":
            went_back = last is not None and turn.per_unit_usd < last
            last = turn.per_unit_usd
        elif turn.verdict == "counter" and not went_back:
            made += 1
    return made


def next_counter(
    rec: Recommendation, state: NegotiationState, offer_usd: float, policy: Policy = DEFAULT_POLICY
) -> float:
    """Our next ask, by the rules of this module, for an offer between the floor and our ask."""
    asks = asks_for(rec)
    made = counters_made(state)
    if made == 0:
        return asks.top
    last = state.asks[-1]
    if offer_usd < state.offers[-1]:
        return last  # the payer went back on its last offer: we hold, and concede nothing
    share = min(1.0, made / policy.concession_turns)
    wanted = last - share * (last - offer_usd)
    if wanted < asks.target:
        # Below the target only what the payer's own move earns: from its best offer we could
        # take seriously (an offer under our floor is no position to move from)
        earlier = [o for o in state.offers if o >= rec.floor.per_unit_usd]
        moved = max(0.0, offer_usd - max(earlier)) if earlier else 0.0
        wanted = max(wanted, min(last, asks.target) - policy.reciprocity * moved)
    # never under what the payer offered before (it went back on it since)
    offered_before = max((o for o in state.offers if o >= rec.floor.per_unit_usd), default=0.0)
    counter = float(math.ceil(round(max(wanted, asks.floor, offered_before), 2)))  # whole dollars
    return max(asks.floor, min(counter, last, asks.top))


def is_final(state: NegotiationState, policy: Policy = DEFAULT_POLICY) -> bool:
    """Every planned concession is made (the opening and ``concession_turns`` counters after
    it): our ask now stands."""
    return counters_made(state) > policy.concession_turns


def close_enough(ask: float, offered: float, units: float, policy: Policy = DEFAULT_POLICY) -> bool:
    """The offer is within the close-the-gap tolerance of our ask."""
    gap = ask - offered
    return gap * units < policy.close_gap_episode_usd or gap <= policy.close_gap_share * ask


def respond(
    facts: CaseFacts,
    rec: Recommendation,
    state: NegotiationState,
    offer: NormalizedOffer,
    policy: Policy = DEFAULT_POLICY,
    *,
    confirmed: bool = False,
) -> Response:
    """The verdict on the payer's latest offer, our counter, the trades and the line to say. An
    offer that looks like a slip (``offer.checks``) counts, and an acceptance that rests on an
    assumption of its reading (``offer.asks``) is given, only once ``confirmed``."""
    agreed = agreed_rate(state)
    if agreed is not None:
        return _already_agreed(rec, state, offer, agreed)
    if offer.checks and not confirmed:
        heard = _as_offered(offer)
        reasons = tuple(f"{heard} is {why}" for why in offer.checks)
        # one confirmation counts the offer: what its reading assumed is asked at the same time
        line = f"Could you confirm the figure? I have {heard}."
        if offer.asks:
            line += " And how is it counted?"
        return _check_first(rec, state, offer, line, (*reasons, *offer.asks))
    offered = round(offer.per_unit_usd, 2)  # compared in whole cents, as shown
    standing = standing_ask(state, rec)
    counter: float | None = None
    final = is_final(state, policy)  # a decline now names our last word
    if offered < rec.floor.per_unit_usd:
        verdict: Verdict = "decline"
    elif offered >= standing or close_enough(standing, offered, rec.expected_units, policy):
        verdict = "accept"
    elif final:
        verdict = "decline"
    else:
        counter = next_counter(rec, state, offered, policy)
        verdict = "accept" if counter <= offered else "counter"
    unpaid = _days_after_unsaid(offer, rec)
    if verdict == "accept" and unpaid is not None:
        # No confirming this one: what the stay past the units it covers is paid must be said,
        # then typed with the offer ("..., $500 a day after")
        typed = "type the offer again with what each unit after them pays ('..., $500 a day after')"
        return _check_first(rec, state, offer, unpaid, (*offer.asks, typed), confirmable=False)
    if verdict == "accept" and offer.asks and not confirmed:
        # A reading that rests on an assumption is not agreed to until the payer answers it
        line = f"That could work. Before we agree, let me confirm {_to_confirm(offer)}."
        return _check_first(rec, state, offer, line, offer.asks)
    ask = _ask_after(verdict, offered, counter, state, rec)
    # What we agree to is the payer's offer as they made it (a case rate's own terms); what we
    # ask, our rate in their form
    said, episode = (
        (_as_offered(offer), offer.per_episode_usd)
        if verdict == "accept"
        else in_their_form(offer, ask, rec)
    )
    turns = (
        Exchange(side="payer", per_unit_usd=offered, text=offer.offer.text),
        Exchange(side="us", per_unit_usd=ask, text=said, verdict=verdict),
    )
    countered = counter if verdict == "counter" else None
    final = final and verdict == "decline"
    return Response(
        verdict=verdict,
        final=final,
        offer=offer,
        ask_per_unit_usd=ask,
        counter_per_unit_usd=countered,
        counter_per_episode_usd=None if countered is None else episode,
        concession_usd=None if countered is None or not state.asks else state.asks[-1] - countered,
        trades=_trades(verdict, rec, countered, offered),
        line=_line(verdict, facts, offer, ask, (said, episode), final=final, policy=policy),
        reasons=_reasons(verdict, facts, rec, offered),
        state=NegotiationState(exchanges=(*state.exchanges, *turns)),
    )


def in_their_form(
    offer: NormalizedOffer, per_unit: float, rec: Recommendation
) -> tuple[str, float]:
    """Our rate in the form the payer offered, and what it comes to for the episode: a case rate
    for the units their case rate covers and the same per unit after them (a stay longer than
    they cover is then paid, not carried by us); else, or when theirs covers more units than our
    stay (our rate x their units would ask more for our stay than our rate), per unit for the
    expected units."""
    unit, units = rec.unit, rec.expected_units
    covers = offer.offer.covers_units if offer.kind == "case_rate" else None
    if covers is None or covers > units:
        return f"{said_rate(per_unit)} per {unit} for the {units:g} {unit}s", per_unit * units
    ours = Offer(
        kind="case_rate",
        amount=per_unit * covers,
        text="",
        covers_units=covers,
        beyond_per_unit_usd=per_unit,
    )
    return said_rate(ours.amount) + _limited(ours, unit), case_rate_episode(ours, units)


def _check_first(
    rec: Recommendation,
    state: NegotiationState,
    offer: NormalizedOffer,
    line: str,
    reasons: tuple[str, ...],
    *,
    confirmable: bool = True,
) -> Response:
    """An offer asked about before it counts: a figure that looks like a slip, or an acceptance
    that rests on an assumption; ``reasons`` say what to check. The call is unchanged."""
    return Response(
        verdict="check",
        final=False,
        offer=offer,
        ask_per_unit_usd=standing_ask(state, rec),
        counter_per_unit_usd=None,
        counter_per_episode_usd=None,
        concession_usd=None,
        trades=(),
        line=line,
        reasons=reasons,
        state=state,
        confirmable=confirmable,
    )


def _ask_after(
    verdict: Verdict,
    offered: float,
    counter: float | None,
    state: NegotiationState,
    rec: Recommendation,
) -> float:
    """Where we stand after answering: the offer accepted, the counter, or on a decline the figure
    we could do (our last ask, else the first counter we would make)."""
    if verdict == "accept":
        return offered
    if counter is not None:
        return counter
    return state.asks[-1] if state.asks else asks_for(rec).top


def _days_after_unsaid(offer: NormalizedOffer, rec: Recommendation) -> str | None:
    """The question to ask before accepting an offer for fewer units than our stay that says
    nothing of the units after them (accepting it would leave them unpaid, or unsettled)."""
    said = offer.offer
    covers, counted = said.covers_units, said.counted_in or rec.unit
    if covers is None or covers >= rec.expected_units or said.beyond_per_unit_usd is not None:
        return None
    return (
        f"That could work for the {covers:g} {counted}s. What do you pay for each {counted} "
        "after them?"
    )


def _already_agreed(
    rec: Recommendation,
    state: NegotiationState,
    offer: NormalizedOffer,
    agreed: float,
) -> Response:
    """A call already closed: what was agreed stands, as it was agreed (a case rate's terms,
    not their rate per unit over our stay), to be confirmed in writing."""
    unit = rec.unit
    accepted = next((t.text for t in state.exchanges if t.verdict == "accept" and t.text), None)
    terms = f"to {accepted}" if accepted else f"at {said_rate(agreed)} per {unit}"
    return Response(
        verdict="agreed",
        final=True,
        offer=offer,
        ask_per_unit_usd=agreed,
        counter_per_unit_usd=None,
        counter_per_episode_usd=None,
        concession_usd=None,
        trades=_trades("accept", rec, None, None),
        line=(
            f"We already agreed {terms}: please confirm it in writing with the authorization "
            f"number, the dates and the {rec.expected_units:g} {unit}s."
        ),
        reasons=(f"the call closed at {usd(agreed)} per {unit}; this offer changes nothing",),
        state=state,
    )


def _trades(
    verdict: Verdict, rec: Recommendation, counter: float | None, offered: float | None
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
        # 3% off for fast payment, only above what the payer offers (so never under the floor,
        # which their offer is at or above): at or under it, we would give away more than they
        # asked for
        quick = math.ceil(counter * 0.97)
        if (offered or 0) < quick < counter:
            trades.append(f"{said_rate(quick)} per {unit} for payment within 15 days")
    return tuple(trades)


def _why_it_is_worth_it(facts: CaseFacts, per_unit: float, episode: float) -> str:
    """The strongest reason the payer should pay ``per_unit`` (``episode`` for the stay), as a
    clause, from published figures only (an estimate is never said to a payer): what its
    alternative would cost it, else the market when the rate sits within it, else the care."""
    stay = facts.ceiling
    if stay is not None and not stay.provenance.illustrative:
        saved, _ = savings(stay, episode)
        if saved > 0:
            setting = stay.setting.replace("_", " ")
            return f"still saves you {spoken_usd(saved)} against {setting} for this patient"
    dist = facts.distribution
    if dist is None or dist.p50 is None or dist.illustrative:
        return "covers this patient's care"
    if position(per_unit, dist).beyond is not None:  # outside the range it argues against us
        return "covers this patient's care"
    where = "nationally" if dist.region == "US" else "here"
    return f"is within what programs like ours are paid {where}"


def _line(
    verdict: Verdict,
    facts: CaseFacts,
    offer: NormalizedOffer,
    ask: float,
    ours: tuple[str, float],
    *,
    final: bool,
    policy: Policy,
) -> str:
    """The sentence to say: our ``ask`` per unit, ``ours`` the same said in the payer's form
    with what it comes to for the episode."""
    unit, units = offer.unit, facts.pattern.expected_units
    said, episode = ours
    if verdict == "accept":
        return (
            f"We can accept {_as_offered(offer)}. Please send it in writing with the "
            f"authorization number, the dates and the {units:g} {unit}s authorized."
        )
    why = f"; that {_why_it_is_worth_it(facts, ask, episode)}"
    if verdict == "counter":
        return _short(f"We can do {said}", why)
    if final:
        return _short(f"{said} is the best we can do", why)
    # Their offer as they made it when its figure per unit rests on what we assumed (units a
    # day, the days a case rate covers): that figure is ours, not theirs to hear
    theirs = bool(offer.asks) or offer.offer.covers_units is not None or offer.kind == "case_rate"
    heard = f"{_as_offered(offer)}," if theirs else f"{spoken_usd(offer.per_unit_usd)} per {unit}"
    return _short(f"At {heard} {_why_not(facts, offer, policy)}. We could do {said}", why)


def _why_not(facts: CaseFacts, offer: NormalizedOffer, policy: Policy) -> str:
    """Why an offer under the floor is declined, as said to the payer: that it does not pay
    for the care only when it is under the cost the floor stands on (a floor set by what
    billing out of network would net is no staffing claim)."""
    cost = facts.cost
    basis = floor_basis(facts, policy)
    staffing = cost.marginal_per_unit if basis == "marginal" else cost.fully_loaded_per_unit
    # what the offer pays for our whole stay, per unit: a case rate over more days than our
    # stay is read over its own days, yet may still pay for ours
    paid = offer.per_episode_usd / facts.pattern.expected_units
    return "we can't staff this care" if paid < staffing else "we can't agree"


def _short(said: str, why: str) -> str:
    """A line to say with its reason, or without it when both would run over 25 words."""
    whole = f"{said}{why}."
    return whole if len(whole.split()) <= SPOKEN_WORDS else f"{said}."


# What the caller confirms before agreeing, for each kind of the payer's qualifying words
CONFIRM_FIRST = {
    "services": "what the rate covers",
    "cost_share": "the member's cost share",
    "days_a_week": "that every day the patient attends is paid",
}


def _to_confirm(offer: NormalizedOffer) -> str:
    """What to confirm before an acceptance that rests on the offer's reading: what its
    qualifying words leave open, else how the rate is counted."""
    kinds = dict.fromkeys(condition.kind for condition in offer.conditions)
    said = [CONFIRM_FIRST[kind] for kind in kinds]
    if len(said) < len(offer.asks):  # an ask of the reading itself (the days a case rate covers)
        said.append("how the rate is counted")
    if not said:
        return "how the rate is counted"
    return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"


def _as_offered(offer: NormalizedOffer) -> str:
    """The payer's offer as they made it, in their unit (with the units it is for and what is
    paid after them, and what qualifies it, when they said so): what they confirm or we
    accept."""
    said, unit = offer.offer, offer.unit
    amount = said_rate(said.amount)
    match said.kind:
        case "case_rate":
            rate = amount if said.covers_units is not None else f"a case rate of {amount}"
        case "pct_billed":
            rate = f"{said.amount:.0%} of billed charges"
        case "pct_medicare":
            rate = f"{said.amount:.0%} of Medicare"
            rate += ", not wage-adjusted" if said.medicare_national else ""
        case "per_15min":
            rate = f"{amount} per 15 minutes"
        case "per_hour":
            rate = f"{amount} an hour"
        case "per_week":
            weekly = said.sessions_per_week
            rate = f"{amount} a week" + ("" if weekly is None else f", {weekly:g} sessions a week")
        case "per_session" | "per_day":  # with the sessions a day, when they named them
            daily = said.sessions_per_day
            rate = f"{amount} per {said.kind[4:]}"
            rate += "" if daily is None else f", {daily:g} sessions a day"
        case _:
            rate = f"{amount} per {unit}"
    # with the payer's words that qualify it ("excluding labs"), which are part of the terms
    qualified = "; ".join(condition.words for condition in offer.conditions)
    return rate + _limited(said, unit) + (f", {qualified}" if qualified else "")


def _limited(said: Offer, unit: str) -> str:
    """The units a rate was offered for, and what is paid after them, as the payer said."""
    if said.covers_units is None:
        return ""
    counted = said.counted_in or unit  # "25 days", as they said it, even on a per-session case
    after = said.beyond_per_unit_usd
    then = (
        ""
        if after is None
        else (f", {said_rate(after)} a {counted} after" if after else ", nothing after")
    )
    return f" for the {said.covers_units:g} {counted}s{then}"


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
    if verdict == "decline" and offered < floor.per_unit_usd:
        reasons.append(
            f"an offer of at least {usd(floor.per_unit_usd)} per {unit} would be worth "
            "a counter; below it every day of care loses money or beats billing OON"
        )
    elif verdict == "decline":
        reasons.append("every planned concession is made: our last ask stands")
    return tuple(reasons)
