"""The one context every document is rendered from: the core's results for a case and a call,
plus when it was made and a fingerprint of what it was made from."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sca_rates import charts
from sca_rates.compare import compare, rate_offer
from sca_rates.desk import Position
from sca_rates.market import position
from sca_rates.models.base import Frozen
from sca_rates.models.compare import CaseFacts, Comparison
from sca_rates.models.negotiate import NegotiationState
from sca_rates.models.network import NetworkEvidence
from sca_rates.models.recommend import Recommendation
from sca_rates.models.talking_points import TalkingPoint
from sca_rates.models.terms import AgreementTerms, TermsReport
from sca_rates.recommend import above_target_and_floor
from sca_rates.talking_points import (
    for_payer,
    left_out_for_payer,
    opener,
    strongest,
    talking_points,
)
from sca_rates.terms import WRITTEN_TERMS, check_terms


class DocumentContext(Frozen):
    facts: CaseFacts
    recommendation: Recommendation
    points: tuple[TalkingPoint, ...]  # for the caller: they argue for the target
    strongest: tuple[TalkingPoint, ...]  # the call sheet's three
    opener: str  # the call sheet's first minute
    payer_points: tuple[TalkingPoint, ...]  # for the payer: the proposed rate, nothing estimated
    left_out: tuple[str, ...]  # payer points held back: they rest on illustrative figures
    # The payer's own files behind the network-gap point, when it rests on them: its exhibit
    network_evidence: NetworkEvidence | None
    state: NegotiationState
    agreed: bool  # the call ended in agreement: ``proposed`` is the rate agreed
    # An offer agreed that is not a plain rate per unit (a case rate, a rate for some units only,
    # a rate with the payer's qualifying words), as accepted: what the documents state
    agreed_terms: str | None
    # The payer's words, said with the rate agreed, that leave services out of it or limit it to
    # some ("excluding labs"): the documents then ask what it covers, not call it a bundle
    agreed_limits: tuple[str, ...]
    proposed: Comparison  # the one rate of this moment: agreed, else our last ask, else opening
    above_target_usd: float  # the standing ask against the target, per unit (negative: below)
    above_floor_usd: float
    terms: AgreementTerms | None
    # The rate the written terms give, when it is not the call's rate: asked about, never used
    written_rate_usd: float | None
    terms_report: TermsReport | None
    written_terms: tuple[str, ...]
    # What the program gives besides its therapy, in words ("family sessions"): the rate should
    # be written to include them, or the payer may deny them or call the day incomplete
    included_services: tuple[str, ...]
    share_cost: bool  # payer documents show a per-day cost summary only when this is on
    charts: dict[str, dict[str, Any]]  # Vega-Lite specifications the PDF and DOCX draw
    payer_charts: dict[str, dict[str, Any]]  # those of them drawn from published figures only
    generated_on: dt.date
    fingerprint: str  # the first 12 hex digits of the SHA-256 of the inputs


def _charts(facts: CaseFacts, proposed: Comparison) -> dict[str, dict[str, Any]]:
    """The market around our proposal, and the stay against the payer's alternative for this
    patient (only that one: the others are not where this patient would go)."""
    specs = {}
    ceiling = facts.ceiling
    if ceiling is not None:
        theirs = tuple(a for a in proposed.alternatives if a.setting == ceiling.setting)
        specs["episode"] = charts.episode_chart(
            proposed.model_copy(update={"alternatives": theirs})
        )
    if facts.distribution is not None:
        marks = {"our proposal": proposed.rate.per_unit_usd}
        market = charts.distribution_chart(facts.distribution, marks, facts.pattern.unit)
        specs["market"] = market | {"width": 440, "height": 110}  # a page's width, not a screen's
    return specs


def _published(
    facts: CaseFacts, proposed: Comparison, specs: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The charts a payer may see: none drawn from an illustrative figure, and the market only
    when our proposal lies within it (above it, it argues against us)."""
    dist, ceiling = facts.distribution, facts.ceiling
    shown = {
        "market": dist is not None
        and not dist.illustrative
        and position(proposed.rate.per_unit_usd, dist).beyond is None,
        "episode": ceiling is not None and not ceiling.provenance.illustrative,
    }
    return {name: spec for name, spec in specs.items() if shown.get(name, False)}


def _network_exhibit(
    facts: CaseFacts, payer_points: tuple[TalkingPoint, ...]
) -> NetworkEvidence | None:
    gap = facts.case.triggers.network_inadequacy
    argued = any(point.topic == "network_inadequacy" for point in payer_points)
    return gap.evidence if gap is not None and argued else None


def _written_rate(terms: AgreementTerms | None, rate: float) -> float | None:
    written = None if terms is None else terms.rate.per_unit_usd
    return written if written is not None and round(written, 2) != round(rate, 2) else None


def fingerprint(*parts: Frozen | None) -> str:
    """A short SHA-256 of the inputs, so a reader can tell which numbers a document came from."""
    blob = json.dumps(
        [None if p is None else p.model_dump(mode="json") for p in parts],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def build_context(
    position: Position,
    *,
    terms: AgreementTerms | None = None,
    share_cost: bool = False,
    today: dt.date | None = None,
) -> DocumentContext:
    """Every document's context: the position as it stands, the terms when given."""
    facts, rec, state = position.facts, position.recommendation, position.call
    agreed = position.agreed_usd is not None
    rate = position.standing_usd
    terms_agreed = position.agreed_terms
    agreed_call = position.agreed_call()
    proposed = compare(
        facts,
        terms_agreed[0]
        if terms_agreed is not None
        else rate_offer(facts, rate, "agreed" if agreed else "our proposed rate"),
    )
    argued = talking_points(facts, rec, rate=rate)
    payer_points = for_payer(argued)
    specs = _charts(facts, proposed)
    above_target, above_floor = above_target_and_floor(rate, rec)
    return DocumentContext(
        facts=facts,
        recommendation=rec,
        points=position.points,
        strongest=strongest(position.points),
        opener=opener(
            facts,
            position.points,
            rate,
            agreed=agreed,
            terms=None if terms_agreed is None else terms_agreed[1],
        ),
        payer_points=payer_points,
        left_out=left_out_for_payer(argued),
        network_evidence=_network_exhibit(facts, payer_points),
        state=state,
        agreed=agreed,
        agreed_terms=None if terms_agreed is None else terms_agreed[1],
        agreed_limits=agreed_call.limits,
        proposed=proposed,
        above_target_usd=above_target,
        above_floor_usd=above_floor,
        terms=terms,
        written_rate_usd=_written_rate(terms, rate),
        terms_report=None if terms is None else check_terms(terms),
        written_terms=WRITTEN_TERMS,
        included_services=tuple(service.replace("_", " ") for service in agreed_call.services),
        share_cost=share_cost,
        charts=specs,
        payer_charts=_published(facts, proposed, specs),
        generated_on=today or dt.date.today(),
        fingerprint=fingerprint(facts, rec, state, terms),
    )
