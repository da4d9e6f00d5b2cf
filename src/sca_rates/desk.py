"""The negotiating position of one call, built once, that every screen, command and document reads.

A position is a case's facts, the three numbers, the call so far, the talking points and (with a
payer's fitted acceptance curve) the fitted opening. Where we stand is one figure: the rate agreed
when the call ended in agreement, else our last ask, else the opening. The front ends pass in
what they read from files, settings or the log (the market, the fitted curve); this module reads
nothing itself and imports no front end.

US dollars per unit of service of the case unless a name says ``episode``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from itertools import pairwise

from sca_rates.compare import case_facts, offer_for
from sca_rates.exceptions import ScaRatesError
from sca_rates.models import CostModel
from sca_rates.models.base import Frozen
from sca_rates.models.case import Case
from sca_rates.models.compare import CaseFacts
from sca_rates.models.market import MarketData
from sca_rates.models.negotiate import NegotiationState, Response
from sca_rates.models.offers import NormalizedOffer
from sca_rates.models.recommend import Policy, Recommendation
from sca_rates.models.screen import Screen
from sca_rates.models.simulate import AcceptanceCurve
from sca_rates.models.talking_points import TalkingPoint
from sca_rates.models.terms import AgreedCall, RateTerm
from sca_rates.negotiate import agreed_rate, respond, standing_ask
from sca_rates.recommend import DEFAULT_POLICY, recommend
from sca_rates.screen import screen as screen_case
from sca_rates.talking_points import talking_points
from sca_rates.terms import program_services


class Position(Frozen):
    """Everything said or shown about a call at one moment."""

    facts: CaseFacts
    recommendation: Recommendation
    call: NegotiationState
    points: tuple[TalkingPoint, ...]  # for the caller: they argue for the target
    fitted_opening_usd: float | None  # with the payer's fitted curve; None without one
    policy: Policy

    @property
    def agreed_usd(self) -> float | None:
        """The rate agreed on this call, if it closed."""
        return agreed_rate(self.call)

    @property
    def agreed_terms(self) -> tuple[NormalizedOffer, str] | None:
        """The payer's offer the call accepted, when it was not a plain rate in our unit (a case
        rate, a rate for some units only, per 15 minutes, a share of Medicare, a rate with words
        that qualify it...), read again
        from their words, with ours accepting it ("$16,000 for the 20 days, nothing after"): the
        documents state those terms, not our reading of them as a rate per unit."""
        turns = self.call.exchanges
        for theirs, ours in pairwise(turns):
            if ours.verdict != "accept" or theirs.side != "payer":
                continue
            try:
                offer = offer_for(self.facts, theirs.text)
            except ScaRatesError:  # a call kept before its words could be read so
                return None
            said = offer.offer
            plain = offer.kind in ("per_unit", f"per_{self.unit}") and not (
                said.covers_units
                or said.sessions_per_day
                or said.sessions_per_week
                or offer.conditions
            )
            return None if plain or not ours.text else (offer, ours.text)
        return None

    @property
    def standing_usd(self) -> float:
        """The one figure for this moment: agreed, else our last ask, else the opening."""
        return standing_ask(self.call, self.recommendation)

    @property
    def cost_is_floor(self) -> bool:
        """Our fully loaded cost is our floor: sharing the cost would tell the payer the floor."""
        return self.recommendation.floor.binding == "fully_loaded_cost"

    @property
    def unit(self) -> str:
        return self.recommendation.unit

    def screen(self, today: dt.date) -> Screen:
        """Which request fits the case (an SCA, a gap exception, billing out of network), why,
        and by when."""
        return screen_case(self.facts, self.recommendation, today=today)

    def agreed_call(self) -> AgreedCall:
        """What the call settled, for checking the payer's letter: the rate agreed (else our
        standing ask), its unit and length of stay, and what the program gives besides therapy."""
        variable = (line.name for line in self.facts.cost.lines if line.kind == "variable")
        agreed = self.agreed_terms
        said = None if agreed is None else agreed[0].offer
        case_rate = (
            RateTerm(
                case_rate_usd=said.amount,
                # a case rate said without its units was read over our stay
                units_covered=said.covers_units or self.facts.pattern.expected_units,
                beyond_per_unit_usd=said.beyond_per_unit_usd,
            )
            if said is not None and said.kind == "case_rate"
            else None
        )
        return AgreedCall(
            per_unit_usd=self.standing_usd,
            agreed=self.agreed_usd is not None,
            unit=self.facts.pattern.unit,
            expected_units=self.facts.pattern.expected_units,
            services=program_services(self.facts.day_includes, variable),
            code=self.facts.case.code,
            case_rate=case_rate,
            case_rate_said=None if case_rate is None or agreed is None else agreed[1],
            limits=()
            if agreed is None
            else tuple(c.words for c in agreed[0].conditions if c.kind == "services"),
        )

    def answer(self, text: str, *, confirmed: bool = False) -> Response:
        """The answer to what the payer just said, in any offer form; a figure that looks like a
        slip is asked back ("check") until ``confirmed``."""
        offer = offer_for(self.facts, text)
        return respond(
            self.facts, self.recommendation, self.call, offer, self.policy, confirmed=confirmed
        )

    def with_call(self, call: NegotiationState) -> Position:
        """The same position with the call as it now stands."""
        return self.model_copy(update={"call": call})


def position_from_facts(
    facts: CaseFacts,
    *,
    call: NegotiationState | None = None,
    curve: AcceptanceCurve | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> Position:
    """The position for facts already worked out (the app keeps them between offers); ``curve``
    is the payer's fitted acceptance curve, when the log has one."""
    rec = recommend(facts, policy)
    fitted = None
    if curve is not None:
        # Imported only here: the optimizer's library costs a live `counter` its start-up time
        from sca_rates.calibration import fitted_opening

        fitted = fitted_opening(facts, rec, curve)
    return Position(
        facts=facts,
        recommendation=rec,
        call=call or NegotiationState(),
        points=talking_points(facts, rec),
        fitted_opening_usd=fitted,
        policy=policy,
    )


def open_position(
    case: Case,
    *,
    model: CostModel,
    market: MarketData,
    call: NegotiationState | None = None,
    curve: AcceptanceCurve | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> Position:
    """A case, its cost model and the market, worked into the position of a call."""
    facts = case_facts(case, model=model, market=market)
    return position_from_facts(facts, call=call, curve=curve, policy=policy)


def case_key(facts: CaseFacts) -> tuple[str, str]:
    """What a call history belongs to: a short fingerprint of the case as written and its
    center (any change to either changes the numbers the call's asks came from), and the case
    in words for a message."""
    case, pattern = facts.case, facts.pattern
    # the file the cost model was read from is not the case: the center's name stands for it
    case_fields = case.model_dump(mode="json", exclude={"cost_model"})
    identity = {"facility": facts.facility, "case": case_fields}
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]
    words = (
        f"{case.payer}, {case.level_of_care} {case.code}, {pattern.expected_units:g} "
        f"{pattern.unit}s at {facts.facility}"
    )
    return digest, words
