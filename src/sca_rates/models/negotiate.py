"""A call's exchange of offers, and the answer to the payer's latest. US dollars per unit of
service of the case."""

from __future__ import annotations

from typing import Literal

from sca_rates.models.base import Frozen
from sca_rates.models.offers import NormalizedOffer

# "agreed": the call had already closed on an accepted offer; the offer changes nothing.
# "check": the offer looks like a slip; asked back, it counts only once confirmed.
Verdict = Literal["accept", "counter", "decline", "agreed", "check"]


class Exchange(Frozen):
    """One turn: what the payer offered, or where we stand after answering it."""

    side: Literal["us", "payer"]
    per_unit_usd: float
    text: str  # what was said
    verdict: Verdict | None = None  # ours, on the payer's offer just before


class NegotiationState(Frozen):
    """Every turn of a call in order; saved as a history file so a call can be replayed."""

    exchanges: tuple[Exchange, ...] = ()

    @property
    def asks(self) -> list[float]:
        return [turn.per_unit_usd for turn in self.exchanges if turn.side == "us"]

    @property
    def offers(self) -> list[float]:
        return [turn.per_unit_usd for turn in self.exchanges if turn.side == "payer"]

    @property
    def settled(self) -> bool:
        return any(turn.verdict == "accept" for turn in self.exchanges)


class Response(Frozen):
    verdict: Verdict
    final: bool  # a decline after every planned concession, or the call already agreed
    offer: NormalizedOffer
    ask_per_unit_usd: float  # where we stand after answering: agreed, countered or named
    counter_per_unit_usd: float | None  # None when accepting or declining
    counter_per_episode_usd: float | None
    concession_usd: float | None  # how far the counter moved from our last ask
    trades: tuple[str, ...]  # non-rate terms to propose (on a decline: what would change it)
    line: str  # one sentence the caller can say
    reasons: tuple[str, ...]  # the numbers behind the verdict, for the caller's eyes only
    state: NegotiationState  # the call with this offer and our answer added
    # A check the payer's confirmation settles (False: the offer must be typed again, with
    # what it left unsaid)
    confirmable: bool = True
