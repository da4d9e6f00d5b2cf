"""What to say on the call: sentences built from the case's triggers and the numbers, each with
the figures it uses (unit, source, year, illustrative mark) so that exports can cite them.

Amounts are US dollars; per-unit figures are per unit of service of the case. The rate the points
argue for is the recommendation's target.
"""

from __future__ import annotations

from sca_rates.compare import savings
from sca_rates.market import position
from sca_rates.models.compare import CaseFacts
from sca_rates.models.market import Provenance
from sca_rates.models.recommend import Recommendation
from sca_rates.models.talking_points import Figure, TalkingPoint
from sca_rates.money import pct, usd
from sca_rates.recommend import has_specialized_need

# A reference many plans and states use for outpatient behavioral-health access; it varies.
ACCESS_STANDARD_MILES = 30.0
ACCESS_STANDARD_MINUTES = 30.0
_ACCESS_SOURCE = "a common network access standard (varies by state and plan)"


# Points that argue the case to the payer; the answers to payer lines coach the caller only.
PAYER_TOPICS = frozenset(
    {
        "network_inadequacy",
        "continuity_of_care",
        "specialized_need",
        "step_down",
        "cost_offset",
        "market_position",
        "medicare",
        "day_includes",
    }
)


class _Argued:
    """The rate the points argue for, and how its figure is cited."""

    def __init__(self, facts: CaseFacts, rec: Recommendation, rate: float | None) -> None:
        self.unit = rec.unit
        self.expected_units = rec.expected_units
        self.per_unit_usd = rec.target.per_unit_usd if rate is None else rate
        self.per_episode_usd = self.per_unit_usd * rec.expected_units
        self.source = (
            f"sca-rates recommendation ({rec.target.rule})" if rate is None else "our proposal"
        )
        self.year = facts.fiscal_year


def talking_points(
    facts: CaseFacts, rec: Recommendation, *, rate: float | None = None
) -> tuple[TalkingPoint, ...]:
    """Every point the case supports: triggers, then the money, then answers to payer lines. The
    points argue for ``rate`` per unit, by default the recommended target (for the caller); a
    document for the payer passes the rate proposed to it instead."""
    argued = _Argued(facts, rec, rate)
    builders = (
        _network_gap,
        _continuity,
        _specialized,
        _step_down,
        _cost_offset,
        _market,
        _medicare,
        _day_includes,
        _answer_standard_oon,
        _answer_share_of_billed,
        _answer_in_network_options,
    )
    return tuple(point for build in builders if (point := build(facts, argued)) is not None)


def _case(label: str, value: float, unit: str) -> Figure:
    return Figure(
        label=label, value=value, unit=unit, source="case file", year=None, illustrative=False
    )


def _sourced(label: str, value: float, unit: str, source: Provenance) -> Figure:
    return Figure(
        label=label,
        value=value,
        unit=unit,
        source=source.source,
        year=source.year,
        illustrative=source.illustrative,
    )


def _ours(facts: CaseFacts, label: str, value: float, unit: str) -> Figure:
    return Figure(
        label=label,
        value=value,
        unit=unit,
        source=f"cost model: {facts.facility}",
        year=facts.fiscal_year,
        illustrative=facts.cost_illustrative,
    )


def _target(facts: CaseFacts, rec: _Argued) -> Figure:
    return Figure(
        label="proposed rate",
        value=rec.per_unit_usd,
        unit=f"USD per {rec.unit}",
        source=rec.source,
        year=rec.year,
        illustrative=False,
    )


def _network_gap(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    gap = facts.case.triggers.network_inadequacy
    if gap is None:
        return None
    program = f"{facts.pattern.level_of_care} program" + (
        f" for {gap.specialty}" if gap.specialty else ""
    )
    distances, figures = [], []
    if gap.miles_to_nearest is not None:
        distances.append(f"{gap.miles_to_nearest:g} miles")
        figures.append(
            _case("distance to the nearest in-network program", gap.miles_to_nearest, "miles")
        )
    if gap.minutes_to_nearest is not None:
        distances.append(f"{gap.minutes_to_nearest:g} minutes")
        figures.append(_case("travel time to it", gap.minutes_to_nearest, "minutes"))
    figures += [
        Figure(
            label="access standard, distance",
            value=ACCESS_STANDARD_MILES,
            unit="miles",
            source=_ACCESS_SOURCE,
            year=None,
            illustrative=True,
        ),
        Figure(
            label="access standard, time",
            value=ACCESS_STANDARD_MINUTES,
            unit="minutes",
            source=_ACCESS_SOURCE,
            year=None,
            illustrative=True,
        ),
    ]
    text = (
        f"The nearest in-network {program} is {' / '.join(distances)} away. Access standards "
        f"commonly look for one within about {ACCESS_STANDARD_MILES:g} miles or "
        f"{ACCESS_STANDARD_MINUTES:g} minutes, so the plan has no adequate in-network option "
        "for this patient: the agreement closes that gap."
    )
    return TalkingPoint(
        topic="network_inadequacy",
        trigger="network_inadequacy",
        heading="No in-network program within reach",
        text=text,
        figures=tuple(figures),
    )


def _continuity(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    if not facts.case.triggers.continuity_of_care:
        return None
    units = facts.pattern.expected_units
    text = (
        f"The patient is already in treatment here. Finishing the remaining {units:g} "
        f"{rec.unit}s with the same team avoids the setback of a transfer mid-episode, and the "
        "readmission that often follows, which would cost the plan more."
    )
    return TalkingPoint(
        topic="continuity_of_care",
        trigger="continuity_of_care",
        heading="Continuity of care",
        text=text,
        figures=(_case("expected length of stay", units, f"{rec.unit}s"),),
    )


def _specialized(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    need = facts.case.triggers.specialized_need
    if need is None:
        return None
    modalities = ", ".join(need.modalities)
    note = f" Clinical basis: {need.note}." if need.note else ""
    text = (
        f"This patient needs {modalities}, delivered by trained clinicians within the program; "
        f"that is what the plan's network lacks within reach.{note}"
    )
    return TalkingPoint(
        topic="specialized_need",
        trigger="specialized_need",
        heading="Specialized treatment",
        text=text,
        figures=(),
    )


def _step_down(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    step = facts.case.triggers.step_down
    if step is None:
        return None
    origin = step.from_level.replace("_", " ")
    figures: tuple[Figure, ...] = ()
    stay = next((s for s in facts.alternatives if s.setting == step.from_level), None)
    extra = ""
    if stay is not None:
        figures = (
            _sourced(f"{origin} per diem", stay.per_diem_usd, "USD per day", stay.provenance),
        )
        extra = (
            f" Each {origin} day it replaces costs about {usd(stay.per_diem_usd)}, against "
            f"{usd(rec.per_unit_usd)} per {rec.unit} here."
        )
    text = (
        f"The patient is ready to step down from {origin} to {facts.pattern.level_of_care}: "
        f"the right level of care now, and the way to keep the gains without a return.{extra}"
    )
    return TalkingPoint(
        topic="step_down",
        trigger="step_down",
        heading="Step-down from a higher level",
        text=text,
        figures=figures,
    )


def _cost_offset(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    stay = facts.ceiling
    if stay is None:
        return None
    ours = rec.per_episode_usd
    saved, share = savings(stay, ours)
    if saved <= 0:
        return None
    setting = stay.setting.replace("_", " ")
    text = (
        f"At {usd(rec.per_unit_usd)} per {rec.unit} for {rec.expected_units:g} "
        f"{rec.unit}s, this treatment costs the plan {usd(ours)}. The alternative, {setting} "
        f"at {usd(stay.per_diem_usd)} a day for {stay.los_days:g} days, costs "
        f"{usd(stay.episode_usd)}: a saving of {usd(saved)} ({pct(share)})."
    )
    figures = (
        _target(facts, rec),
        Figure(
            label="our episode",
            value=ours,
            unit="USD",
            source=rec.source,
            year=facts.fiscal_year,
            illustrative=False,
        ),
        _sourced(f"{setting} per diem", stay.per_diem_usd, "USD per day", stay.provenance),
        Figure(
            label=f"{setting} length of stay",
            value=stay.los_days,
            unit="days",
            source="case file" if stay.los_from == "case" else stay.provenance.source,
            year=None if stay.los_from == "case" else stay.provenance.year,
            illustrative=stay.los_from != "case" and stay.provenance.illustrative,
        ),
        _sourced(f"{setting} episode", stay.episode_usd, "USD", stay.provenance),
        Figure(
            label="saving to the plan",
            value=saved,
            unit="USD",
            source="computed",
            year=None,
            illustrative=stay.provenance.illustrative,
        ),
        Figure(
            label="saving to the plan",
            value=100 * share,
            unit="percent",
            source="computed",
            year=None,
            illustrative=stay.provenance.illustrative,
        ),
    )
    return TalkingPoint(
        topic="cost_offset",
        trigger=None,
        heading="Cost against the plan's alternative",
        text=text,
        figures=figures,
    )


def _market(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    dist = facts.distribution
    if dist is None or dist.p50 is None:
        return None
    rate = rec.per_unit_usd
    where = position(rate, dist)
    if where.percentile is None:
        sits = "compares with it"
    elif where.beyond == "above":
        sits = "is above the published range"
    elif where.beyond == "below":
        sits = "is below the range"
    else:
        sits = f"sits at about the {where.percentile:.0f}th percentile"
    premium = (
        " A program that meets a specialized need is fairly paid above the median."
        if has_specialized_need(facts)
        else ""
    )
    text = (
        f"Comparable {dist.level_of_care} programs are paid about {usd(dist.p50)} per "
        f"{rec.unit} at the median ({dist.payer}, {dist.region}, {dist.year}); our rate of "
        f"{usd(rate)} {sits}.{premium}"
    )
    source = dist.sources[0].model_copy(update={"illustrative": dist.illustrative})
    figures = [
        _target(facts, rec),
        _sourced("market median", dist.p50, f"USD per {rec.unit}", source),
    ]
    if where.percentile is not None and where.beyond is None:  # outside, it would only be clamped
        figures.append(
            Figure(
                label="percentile of our rate",
                value=where.percentile,
                unit="percentile",
                source="computed",
                year=dist.year,
                illustrative=dist.illustrative,
            )
        )
    return TalkingPoint(
        topic="market_position",
        trigger=None,
        heading="What the market pays",
        text=text,
        figures=tuple(figures),
    )


def _medicare(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    medicare, per_unit = facts.medicare, facts.medicare_per_unit_usd
    if medicare is None or per_unit is None:
        return None
    source = medicare.provenance
    text = (
        f"Medicare itself pays {usd(per_unit)} per {rec.unit} for a comparable day "
        f"({medicare.code_type} {medicare.code}, {source.source}); commercial plans pay a "
        f"multiple of Medicare, and {usd(rec.per_unit_usd)} is "
        f"{rec.per_unit_usd / per_unit:.2f} times it."
    )
    figures = (
        _sourced("Medicare rate", per_unit, f"USD per {rec.unit}", source),
        Figure(
            label="our rate as a multiple of Medicare",
            value=rec.per_unit_usd / per_unit,
            unit="x Medicare",
            source="computed",
            year=source.year,
            illustrative=source.illustrative,
        ),
    )
    return TalkingPoint(
        topic="medicare",
        trigger=None,
        heading="Medicare as a reference",
        text=text,
        figures=figures,
    )


def _day_includes(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    day = facts.day_includes
    if day is None:
        return None
    parts = (
        ("group therapy", day.group_hours),
        ("individual therapy", day.individual_hours),
        ("family therapy", day.family_hours),
        ("psychiatric care", day.psychiatric_hours),
    )
    given = [f"{hours:g} hours of {what}" for what, hours in parts if hours]
    listed = ", ".join(given[:-1]) + f" and {given[-1]}" if len(given) > 1 else "".join(given)
    text = (
        f"One {rec.unit} of our {facts.pattern.level_of_care} gives the patient {listed}, "
        f"within {facts.pattern.hours_per_day:g} program hours: a bundle of services billed "
        "separately would cost the plan more."
    )
    figures = tuple(_ours(facts, what, hours, f"hours per {rec.unit}") for what, hours in parts)
    return TalkingPoint(
        topic="day_includes",
        trigger=None,
        heading=f"What one {rec.unit} includes",
        text=text,
        figures=figures,
    )


def _answer_standard_oon(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    oon = facts.oon
    if oon is None:
        return None
    text = (
        '"We pay our standard out-of-network rate." Then the patient owes '
        f"{usd(oon.patient_owes_usd)} of a {usd(oon.allowed_episode_usd)} allowed stay, and "
        "patients who cannot carry that leave care, to return at a higher level. An agreement "
        "with in-network cost-sharing keeps them in treatment."
    )
    figures = (
        Figure(
            label="patient's share out of network",
            value=oon.patient_owes_usd,
            unit="USD",
            source="case file (verified OON benefit)",
            year=None,
            illustrative=False,
        ),
        Figure(
            label="allowed amount for the stay",
            value=oon.allowed_episode_usd,
            unit="USD",
            source="case file (verified OON benefit)",
            year=None,
            illustrative=False,
        ),
    )
    return TalkingPoint(
        topic="payer_line",
        trigger="we pay our standard OON rate",
        heading='"We pay our standard out-of-network rate"',
        text=text,
        figures=figures,
    )


def _answer_share_of_billed(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    billed = facts.case.billed_charge_per_unit
    if billed is None:
        return None
    half = 0.5 * billed
    figures = [_case("our charge", billed, f"USD per {rec.unit}")]
    shares = ""
    if facts.billed_shares:
        low = min(facts.billed_shares, key=lambda r: r.share_of_billed)
        high = max(facts.billed_shares, key=lambda r: r.share_of_billed)
        shares = (
            f" Published contracts in {low.region} pay {pct(low.share_of_billed)} to "
            f"{pct(high.share_of_billed)} of charges ({low.source})."
        )
        figures += [
            Figure(
                label=f"{row.payer} share of billed charges",
                value=100 * row.share_of_billed,
                unit="percent",
                source=row.source,
                year=row.year,
                illustrative=row.illustrative,
            )
            for row in (low, high)
        ]
    text = (
        f'"We can do 50% of billed charges." That is {usd(half)} per {rec.unit} on our '
        f"{usd(billed)} charge, against the {usd(rec.per_unit_usd)} per {rec.unit} this "
        f"care needs.{shares} Name a per-{rec.unit} rate instead of a share."
    )
    return TalkingPoint(
        topic="payer_line",
        trigger="we can do 50% of billed charges",
        heading='"We can do 50% of billed charges"',
        text=text,
        figures=(*figures, _target(facts, rec)),
    )


def _answer_in_network_options(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    gap = facts.case.triggers.network_inadequacy
    need = facts.case.triggers.specialized_need
    asks = [
        "the program's name",
        f"an opening this week at the {facts.pattern.level_of_care} level",
    ]
    if need is not None:
        asks.append(f"that it offers {', '.join(need.modalities)}")
    figures: tuple[Figure, ...] = ()
    where = ""
    if gap is not None and gap.miles_to_nearest is not None:
        where = f" The nearest we found is {gap.miles_to_nearest:g} miles away."
        figures = (
            _case("distance to the nearest in-network program", gap.miles_to_nearest, "miles"),
        )
    text = (
        f'"We have in-network options." Ask for {", ".join(asks)}.{where} If none can take '
        "the patient now, the network gap stands and so does the request."
    )
    return TalkingPoint(
        topic="payer_line",
        trigger="we have in-network options",
        heading='"We have in-network options"',
        text=text,
        figures=figures,
    )
