"""What to say on the call: points built from the case's facts and the numbers, each only when
its facts hold for this case. Every point has two forms: a spoken line of at most 25 words with
its figures rounded for speech, and a written form whose figures are cited (unit, source, year,
illustrative mark) for documents; and it says why it fired.

Amounts are US dollars; per-unit figures are per unit of service of the case. The caller's points
argue for the recommendation's target; a document for the payer passes the rate proposed to it.
A point that rests on an illustrative figure is never put before the payer (``for_payer``).
"""

from __future__ import annotations

from typing import NamedTuple

from sca_rates.compare import GapMeasure, network_gap, savings, standard_measures_gap
from sca_rates.market import position, provenance_of
from sca_rates.models.case import NetworkCheck
from sca_rates.models.compare import AlternativeStay, CaseFacts
from sca_rates.models.market import AccessStandardRow, BilledShareRow, Provenance
from sca_rates.models.network import NetworkEvidence
from sca_rates.models.recommend import Recommendation
from sca_rates.models.talking_points import Figure, TalkingPoint
from sca_rates.money import pct, said_rate, spoken_usd, usd

# Points that argue the case to the payer; the answers to payer lines coach the caller only.
PAYER_TOPICS = frozenset(
    {
        "network_inadequacy",
        "continuity_of_care",
        "specialized_need",
        "step_down",
        "cost_offset",
        "market_position",
        "day_includes",
    }
)
# How a setting of the market files is said to a person
SETTING_WORDS = {
    "inpatient_psych": "inpatient psychiatric care",
    "residential": "residential treatment",
    "detox": "detoxification",
}


class _Argued:
    """The rate the points argue for, and how its figure is cited."""

    def __init__(self, facts: CaseFacts, rec: Recommendation, rate: float | None) -> None:
        self.unit = rec.unit
        self.units = rec.expected_units
        self.per_unit_usd = rec.target.per_unit_usd if rate is None else rate
        self.per_episode_usd = self.per_unit_usd * rec.expected_units
        self.year = facts.fiscal_year

    def figure(self) -> Figure:
        return Figure(
            label="proposed rate",
            value=self.per_unit_usd,
            unit=f"USD per {self.unit}",
            source="our proposal",
            year=self.year,
            illustrative=False,
        )


def talking_points(
    facts: CaseFacts, rec: Recommendation, *, rate: float | None = None
) -> tuple[TalkingPoint, ...]:
    """Every point whose facts hold for the case, strongest first: the triggers, then the money,
    then answers to payer lines. The points argue for ``rate`` per unit, by default the target."""
    argued = _Argued(facts, rec, rate)
    gap = _network_gap(facts, argued)
    points = (
        gap,
        _step_down(facts, argued),
        _specialized(facts, argued, gap_holds=gap is not None and _held_to_standard(facts)),
        _continuity(facts, argued),
        _cost_offset(facts, argued),
        _market(facts, argued),
        _day_includes(facts, argued),
        _answer_share_of_medicare(facts, argued),
        _answer_share_of_billed(facts, argued),
        _answer_standard_oon(facts, argued),
        _answer_in_network_options(facts, argued),
    )
    return tuple(point for point in points if point is not None)


def for_payer(points: tuple[TalkingPoint, ...]) -> tuple[TalkingPoint, ...]:
    """The points a payer may read: those that argue the case and rest on no illustrative
    figure."""
    return tuple(p for p in points if p.topic in PAYER_TOPICS and not p.illustrative)


# How a point resting on illustrative figures is marked wherever the caller reads it: theirs to
# weigh, not a figure to put to the payer
ESTIMATE = "rests on estimates: not figures to say to the payer"


def left_out_for_payer(points: tuple[TalkingPoint, ...]) -> tuple[str, ...]:
    """The payer-facing points held back because they rest on illustrative figures."""
    return tuple(p.heading for p in points if p.topic in PAYER_TOPICS and p.illustrative)


def _point(**fields: object) -> TalkingPoint:
    return TalkingPoint.model_validate(fields)


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


# How a plan type and an area are said: "Medicare Advantage Large Metro"
_PLAN_WORDS = {"medicare_advantage": "Medicare Advantage", "medicaid": "Medicaid"}
_AREA_WORDS = {"large_metro": "Large Metro", "metro": "Metro", "micro": "Micro", "ceac": "CEAC"}


def _standard_name(standard: AccessStandardRow) -> str:
    plan = "" if standard.plan_type == "any" else standard.plan_type
    words = [_PLAN_WORDS.get(plan, plan), _AREA_WORDS.get(standard.area, standard.area)]
    return " ".join(word for word in words if word)


def _network_gap(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    """Only when the nearest in-network program lies beyond the access standard for where the
    patient lives, on every measure the case gives (or found in the payer's own files)."""
    gap, standard = facts.case.triggers.network_inadequacy, facts.access_standard
    given = network_gap(facts)
    if gap is None or standard is None or given is None:
        return None
    rule = _standard_name(standard)
    standard_words = standard.said
    published = _held_to_standard(facts)
    words = (
        _typed_gap(facts, given)
        if gap.evidence is None
        else _found_gap(facts, given, gap.evidence, published=published)
    )
    placed = given[0].value is not None  # None: the payer's files list no program at all
    cited = ""
    if published and placed:
        where = "the state's" if standard.jurisdiction != "US" else "the"
        cited = f", beyond {where} {rule} access standard of {standard_words}"
    days = min(facts.pattern.days_per_week, facts.pattern.sessions_per_week)
    trip = f", a trip the patient would make {days:g} days a week" if placed else ""
    # Only the case's facts are said; "no adequate option" only on a published standard
    verdict = ": the plan has no adequate in-network option for this patient" if published else ""
    marked = ", illustrative" if standard.illustrative else ""
    beyond = f"{'beyond' if placed else 'so none within'} the {rule} standard of {standard_words}"
    if not published and not standard.illustrative:  # typed to a specialty: not the rule's
        beyond = (
            f"to a program for {gap.specialty}; the {rule} standard measures to the nearest "
            "program of any specialty"
        )
    figures = (
        [_standard_figure(rule, standard, m.limit, m.unit) for m in given] if published else []
    )
    return _point(
        topic="network_inadequacy",
        trigger="network_inadequacy",
        # "within reach" is a published standard's to say; else what the files or the case show
        heading=(
            "No in-network program within reach"
            if published
            else "The nearest in-network program"
            if placed
            else "No in-network program in the payer's file"
        ),
        text=f"{words.text}{cited}{trip}{verdict}.{_checked(gap.check)}",
        spoken=words.spoken,
        why=f"{words.why}, {beyond} ({standard.source}{marked})",
        figures=(*words.figures, *figures),
    )


class _GapWords(NamedTuple):
    text: str  # the written claim, before the standard and the trip are added
    spoken: str
    why: str
    figures: tuple[Figure, ...]


def _typed_gap(facts: CaseFacts, given: tuple[GapMeasure, ...]) -> _GapWords:
    """The gap as the case file types it: distances someone measured."""
    gap, level = facts.case.triggers.network_inadequacy, facts.pattern.level_of_care
    program = f"program for {gap.specialty}" if gap and gap.specialty else f"{level} program"
    away = " / ".join(m.said() for m in given)
    days = min(facts.pattern.days_per_week, facts.pattern.sessions_per_week)
    return _GapWords(
        text=f"The nearest in-network {program} is {away} from the patient",
        spoken=f"The nearest in-network {program} is {given[0].said()} away, a trip "
        f"{days:g} days a week for this patient.",
        why=f"nearest in-network program {away}",
        figures=tuple(
            _case(f"nearest in-network program, {m.unit}", m.value, m.unit)
            for m in given
            if m.value is not None
        ),
    )


def _found_gap(
    facts: CaseFacts, given: tuple[GapMeasure, ...], found: NetworkEvidence, *, published: bool
) -> _GapWords:
    """The gap as the payer's own published files show it: the nearest program they list for
    the case's code, in straight-line miles (shorter than by road: the claim is conservative).
    The standard's miles are said only when it is ``published``: a rule of thumb's are not a
    figure to put to the payer."""
    level, code = facts.pattern.level_of_care, facts.case.code
    files = found.payer_files_said
    if not found.nearest:
        return _GapWords(
            text=f"We searched your plan's published in-network file ({files}) against the "
            f"national provider registry (NPPES): it lists no {level} program billing {code} "
            "in the area searched",
            spoken=f"Your plan's own network file lists no {level} program for this code in the "
            "area we searched.",
            why=f"the payer's files list no program billing {code} ({files})",
            figures=(),
        )
    nearest = found.nearest[0]
    where = ", ".join(x for x in (nearest.city, nearest.state) if x)
    miles = f"{round(nearest.miles, 1):g} miles"
    # Whole miles, rounded down, when spoken: the claim never says farther than the files show
    if published:
        limit = f"{given[0].limit:g} miles"
        text = (
            f"Your plan's published in-network file ({files}) lists no {level} program billing "
            f"{code} within {limit} of the patient: the nearest, {nearest.name} ({where}), is "
            f"{miles} away in a straight line"
        )
        spoken = (
            f"Your plan's own network file shows no {level} program within {limit}; the "
            f"nearest is {int(nearest.miles)} miles away."
        )
    else:
        text = (
            f"The nearest {level} program billing {code} in your plan's published in-network "
            f"file ({files}) is {nearest.name} ({where}), {miles} from the patient in a "
            "straight line"
        )
        spoken = (
            f"The nearest {level} program in your plan's own network file is "
            f"{int(nearest.miles)} miles away."
        )
    return _GapWords(
        text=text,
        spoken=spoken,
        why=f"nearest program in the payer's files {miles} in a straight line ({files})",
        figures=(
            Figure(
                label="nearest in-network program, straight-line miles",
                value=round(nearest.miles, 1),
                unit="miles",
                source=f"{files}; NPPES",
                year=found.year,
                illustrative=False,
            ),
        ),
    )


def _standard_figure(rule: str, standard: AccessStandardRow, limit: float, unit: str) -> Figure:
    return Figure(
        label=f"access standard ({rule}), {unit}",
        value=limit,
        unit=unit,
        source=standard.source,
        year=standard.year,
        illustrative=False,
    )


def _checked(check: NetworkCheck | None) -> str:
    """The record of asking the payer for in-network programs, as the letter cites it."""
    if check is None:
        return ""
    reference = f" (reference {check.reference})" if check.reference else ""
    day = f"{check.date:%B} {check.date.day}, {check.date.year}"
    asked = f" On {day}, {check.representative} at your plan"
    if not check.programs:
        return f"{asked}{reference} named no in-network program that could take the patient."
    closed = [p.name for p in check.programs if p.waitlist_days is None]
    waiting = [p for p in check.programs if p.waitlist_days is not None]
    named = f"{asked}{reference} named {len(check.programs)} in-network program"
    named += "s" if len(check.programs) > 1 else ""
    parts = []
    if closed:
        parts.append(f"{len(closed)} could not take the patient")
    if waiting:
        shortest = min(p.waitlist_days or 0 for p in waiting)
        parts.append(f"{len(waiting)} had a waitlist, the shortest {shortest:g} days")
    return f"{named}; we called each: {' and '.join(parts)}."


def _continuity(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    if not facts.case.triggers.continuity_of_care:
        return None
    units = facts.pattern.expected_units
    text = (
        f"The patient is already in treatment here. Finishing the {units:g} {rec.unit}s this "
        "agreement covers with the same team avoids the setback of a transfer mid-episode, and "
        "the readmission that often follows, which would cost the plan more."
    )
    return _point(
        topic="continuity_of_care",
        trigger="continuity_of_care",
        heading="Continuity of care",
        text=text,
        spoken="The patient is already in treatment with us; a transfer now risks the gains "
        "and a readmission.",
        why="the case says the patient is mid-treatment here",
        figures=(_case("expected length of stay", units, f"{rec.unit}s"),),
    )


def _held_to_standard(facts: CaseFacts) -> bool:
    """The gap is judged by an access standard the payer can check (not a rule of thumb) and
    that measures what the case measured (``standard_measures_gap``)."""
    standard = facts.access_standard
    return standard is not None and not standard.illustrative and standard_measures_gap(facts)


def _specialized(facts: CaseFacts, rec: _Argued, *, gap_holds: bool = False) -> TalkingPoint | None:
    """A named modality; that the network lacks it is said only when the network gap holds
    against a published access standard (as the gap point says "no adequate option")."""
    need = facts.case.triggers.specialized_need
    if need is None:
        return None
    modalities = ", ".join(need.modalities)
    lacks = " That is what the plan's network lacks within reach." if gap_holds else ""
    note = f" Clinical basis: {need.note}." if need.note else ""
    text = (
        f"This patient needs {modalities}, delivered by trained clinicians within the "
        f"program.{lacks}{note}"
    )
    spoken = f"This patient needs {modalities} from trained clinicians" + (
        ", which your network lacks within reach." if gap_holds else ", which our program gives."
    )
    why = f"the case names {modalities}" + (" and the network gap holds" if gap_holds else "")
    return _point(
        topic="specialized_need",
        trigger="specialized_need",
        heading="Specialized treatment",
        text=text,
        spoken=spoken,
        why=why,
        figures=(),
    )


def _step_down(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    step = facts.case.triggers.step_down
    if step is None:
        return None
    origin = SETTING_WORDS.get(step.from_level, step.from_level.replace("_", " "))
    level = facts.pattern.level_of_care
    text = (
        f"The patient is ready to step down from {origin} to {level}: the right level of care "
        "now, and the way to keep the gains without a return to the higher level."
    )
    return _point(
        topic="step_down",
        trigger="step_down",
        heading="Step-down from a higher level",
        text=text,
        spoken=f"The patient is stepping down from {origin}; {level} now keeps the gains and "
        "avoids a return.",
        why=f"the case says the patient steps down from {origin}",
        figures=(),
    )


def _cost_offset(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    """Only when the payer's alternative for this patient would cost it more than our episode."""
    stay = facts.ceiling
    if stay is None:
        return None
    ours = rec.per_episode_usd
    saved, share = savings(stay, ours)
    if saved <= 0:
        return None
    setting = stay.setting.replace("_", " ")
    weekly = _per_week(facts, rec, stay)
    text = (
        f"At {usd(rec.per_unit_usd)} per {rec.unit} for {rec.units:g} {rec.unit}s, this "
        f"treatment costs the plan {usd(ours)}. The alternative, {setting} at "
        f"{usd(stay.per_diem_usd)} a day for {stay.los_days:g} days, costs "
        f"{usd(stay.episode_usd)}: a saving of {usd(saved)} ({pct(share)}).{weekly}"
    )
    spoken = (
        f"This stay costs the plan about {spoken_usd(ours)}; {setting} for this patient "
        f"would cost about {spoken_usd(stay.episode_usd)}."
    )
    why = (
        f"the plan's alternative, {setting} for {stay.los_days:g} days ({stay.los_from}), "
        f"costs {usd(stay.episode_usd)}, more than our {usd(ours)}"
    )
    figures = (
        rec.figure(),
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
    )
    return _point(
        topic="cost_offset",
        trigger=None,
        heading="Cost against the plan's alternative",
        text=text,
        spoken=spoken,
        why=why,
        figures=figures,
    )


def _per_week(facts: CaseFacts, rec: _Argued, stay: AlternativeStay) -> str:
    """A program paid by the session is also compared by the week: the patient's sessions of a
    week against seven days of the alternative."""
    if rec.unit != "session":
        return ""
    sessions = facts.pattern.sessions_per_week
    return (
        f" By the week: {sessions:g} sessions at {usd(rec.per_unit_usd * sessions)} against "
        f"{usd(stay.per_diem_usd * 7)} for a week of {stay.setting.replace('_', ' ')}."
    )


def _market(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    """Only on market figures that are not illustrative, and only where our rate sits within the
    range (above it, the market argues against us)."""
    dist = facts.distribution
    if dist is None or dist.p50 is None or dist.illustrative:
        return None
    rate = rec.per_unit_usd
    where = position(rate, dist)
    if where.beyond == "above":
        return None
    if where.beyond == "below":  # the percentile would only be clamped
        sits = "below the published range"
    elif where.percentile is not None:
        sits = f"at about the {where.percentile:.0f}th percentile"
    else:
        sits = "within the range"
    text = (
        f"Comparable {dist.level_of_care} programs are paid about {usd(dist.p50)} per "
        f"{rec.unit} at the median ({dist.payer}, {dist.region}, {dist.year}); our rate of "
        f"{usd(rate)} sits {sits}."
    )
    source = dist.sources[0]
    return _point(
        topic="market_position",
        trigger=None,
        heading="What the market pays",
        text=text,
        spoken=f"Programs like ours are paid about {spoken_usd(dist.p50)} per {rec.unit} "
        f"{'nationally' if dist.region == 'US' else 'here'}; our rate sits {sits}.",
        why=f"published market figures ({source.source}, {dist.year}) put our rate {sits}",
        figures=(rec.figure(), _sourced("market median", dist.p50, f"USD per {rec.unit}", source)),
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
    given = [(what, hours) for what, hours in parts if hours]
    said = [f"{hours:g} hours of {what}" for what, hours in given]
    listed = ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else "".join(said)
    text = (
        f"One {rec.unit} of our {facts.pattern.level_of_care} gives the patient {listed}, "
        f"within {facts.pattern.hours_per_day:g} program hours: a bundle of services billed "
        "separately would cost the plan more."
    )
    # The program's own schedule: a fact of ours, not a reference figure
    figures = tuple(
        Figure(
            label=what,
            value=hours,
            unit=f"hours per {rec.unit}",
            source="our program schedule",
            year=facts.fiscal_year,
            illustrative=False,
        )
        for what, hours in given
    )
    return _point(
        topic="day_includes",
        trigger=None,
        heading=f"What one {rec.unit} includes",
        text=text,
        spoken=f"Each {rec.unit} gives {day.total_hours:g} hours of treatment, "
        f"{_spoken_hours(given)}, for one rate.",
        why=f"the cost model lists what a {rec.unit} of {facts.pattern.level_of_care} includes",
        figures=figures,
    )


def _spoken_hours(given: list[tuple[str, float]]) -> str:
    return " and ".join(what for what, _ in given[:2]) + (" among them" if len(given) > 2 else "")


def _answer_share_of_medicare(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    """The most common low offer: only when Medicare's own rate is under the rate we argue."""
    medicare, per_unit = facts.medicare, facts.medicare_per_unit_usd
    if medicare is None or per_unit is None or per_unit >= rec.per_unit_usd:
        return None
    source = medicare.provenance
    adjusted = "" if medicare.national_usd is None else ", wage-adjusted for this area"
    figures = [_sourced("Medicare rate", per_unit, f"USD per {rec.unit}", source)]
    contracts, above_medicare, multiple = "", False, ""
    billed, shares = facts.case.billed_charge_per_unit, _published_shares(facts)
    if billed is not None and shares is not None:
        low, high = (share.share_of_billed * billed / per_unit for share in shares)
        multiple = f"{low:.1f}" + ("" if f"{low:.1f}" == f"{high:.1f}" else f" to {high:.1f}")
        contracts = f" {_shares_said(shares)}: {multiple} times Medicare on our charge."
        above_medicare = low > 1
        figures += _share_figures(shares)
    # Said of a commercial plan only: a Medicare plan's own members are Medicare's
    commercial_plan = facts.case.plan_type == "commercial"
    own_members = (
        ", and Medicare's rates are set for its own members, not a commercial network"
        if commercial_plan
        else ""
    )
    text = (
        f'"We pay a percentage of Medicare." Medicare pays {usd(per_unit)} per {rec.unit} '
        f"for this {rec.unit} ({medicare.code_type} {medicare.code}, {source.source}, "
        f"{source.year}{adjusted}). It pays the program's {rec.unit} only: the practitioners' "
        f"professional services are paid by Medicare on top of it{own_members}.{contracts}"
    )
    # What published contracts pay, to a commercial plan, only when they show it above Medicare
    above = (
        f"; published contracts pay {multiple} times it on our charge"
        if above_medicare and commercial_plan
        else ""
    )
    return _point(
        topic="payer_line",
        trigger="we pay a percentage of Medicare",
        heading='"We pay a percentage of Medicare"',
        text=text,
        spoken=f"Medicare pays about {spoken_usd(per_unit)} a {rec.unit} here, and the "
        f"practitioners' fees on top{above}.",
        why=f"Medicare's {usd(per_unit)} per {rec.unit} is under the rate we ask",
        figures=tuple(figures),
    )


def _published_shares(facts: CaseFacts) -> tuple[BilledShareRow, BilledShareRow] | None:
    """The lowest and highest published shares of billed charges near the case, if any."""
    rows = facts.billed_shares
    if not rows:
        return None

    def share(row: BilledShareRow) -> float:
        return row.share_of_billed

    return min(rows, key=share), max(rows, key=share)


def _shares_said(shares: tuple[BilledShareRow, BilledShareRow]) -> str:
    """What the published contracts pay, named by the files they come from (one hospital's file
    is one hospital's contracts, not a state's)."""
    low, high = shares
    span = (
        pct(low.share_of_billed)
        if low.share_of_billed == high.share_of_billed
        else f"{pct(low.share_of_billed)} to {pct(high.share_of_billed)}"
    )
    files = "; ".join(dict.fromkeys((low.source, high.source)))
    return f"Published contracts pay {span} of charges ({files})"


def _share_figures(shares: tuple[BilledShareRow, BilledShareRow]) -> list[Figure]:
    return [
        _sourced(
            f"{row.payer} share of billed charges",
            100 * row.share_of_billed,
            "percent",
            provenance_of(row),
        )
        for row in shares
    ]


def _answer_share_of_billed(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    """Only when half our charge is under the rate we argue: then the offer is a low one."""
    billed = facts.case.billed_charge_per_unit
    if billed is None or 0.5 * billed >= rec.per_unit_usd:
        return None
    half = 0.5 * billed
    figures = [_case("our charge", billed, f"USD per {rec.unit}")]
    shares, published = "", _published_shares(facts)
    if published is not None:
        shares = f" {_shares_said(published)}."
        figures += _share_figures(published)
    text = (
        f'"We can do 50% of billed charges." That is {usd(half)} per {rec.unit} on our '
        f"{usd(billed)} charge, less than this care needs.{shares} Name a per-{rec.unit} rate "
        "instead of a share."
    )
    return _point(
        topic="payer_line",
        trigger="we can do 50% of billed charges",
        heading='"We can do 50% of billed charges"',
        text=text,
        spoken=f"Half our charge is {spoken_usd(half)} a {rec.unit}, less than this care needs; "
        f"let's agree a {rec.unit} rate instead.",
        why=f"50% of our {usd(billed)} charge is under the rate we ask",
        figures=tuple(figures),
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
    verified = "case file (verified OON benefit)"
    figures = (
        Figure(
            label="patient's share out of network",
            value=oon.patient_owes_usd,
            unit="USD",
            source=verified,
            year=None,
            illustrative=False,
        ),
        Figure(
            label="allowed amount for the stay",
            value=oon.allowed_episode_usd,
            unit="USD",
            source=verified,
            year=None,
            illustrative=False,
        ),
    )
    return _point(
        topic="payer_line",
        trigger="we pay our standard OON rate",
        heading='"We pay our standard out-of-network rate"',
        text=text,
        spoken=f"Out of network the patient owes about {spoken_usd(oon.patient_owes_usd)}; "
        "patients who can't pay leave care and come back sicker.",
        why="the case gives the patient's verified out-of-network benefit",
        figures=figures,
    )


def _answer_in_network_options(facts: CaseFacts, rec: _Argued) -> TalkingPoint | None:
    need = facts.case.triggers.specialized_need
    asks = [
        "the program's name",
        f"an opening this week at the {facts.pattern.level_of_care} level",
    ]
    if need is not None:
        asks.append(f"that it offers {', '.join(need.modalities)}")
    text = (
        f'"We have in-network options." Ask for {", ".join(asks)}. If none can take the '
        "patient now, the network gap stands and so does the request."
    )
    return _point(
        topic="payer_line",
        trigger="we have in-network options",
        heading='"We have in-network options"',
        text=text,
        spoken="Which program, and can it take the patient this week at this level? If not, "
        "the gap stands.",
        why="a question to ask whatever the case",
        figures=(),
    )


def strongest(points: tuple[TalkingPoint, ...], n: int = 3) -> tuple[TalkingPoint, ...]:
    """The ``n`` strongest points that argue the case (they are built strongest first)."""
    return tuple(p for p in points if p.topic in PAYER_TOPICS)[:n]


def opener(
    facts: CaseFacts,
    points: tuple[TalkingPoint, ...],
    ask_usd: float,
    *,
    agreed: bool = False,
    terms: str | None = None,
) -> str:
    """The first minute of the call: who we are, the patient (placeholders to fill), the gap,
    the clinical need and the ask; once ``agreed``, what was agreed, in the payer's ``terms``
    when they were not a plain rate per unit ("$16,000 for the 20 days, nothing after")."""
    case, pattern = facts.case, facts.pattern
    said = {p.topic: p.spoken for p in points}
    need = next(
        (said[t] for t in ("step_down", "specialized_need", "continuity_of_care") if t in said),
        "",
    )
    gap = said.get("network_inadequacy", "")
    rate = terms or (
        f"{said_rate(ask_usd)} per {pattern.unit} for {pattern.expected_units:g} {pattern.unit}s"
    )
    return " ".join(
        part
        for part in (
            f"This is [your name] at {facts.facility}, calling about [patient name], member ID "
            f"[member ID], born [date of birth], for {pattern.level_of_care} ({case.code}) from "
            "[start date].",
            gap,
            need,
            f"We agreed to a single case agreement at {rate}."
            if agreed
            else f"We are asking for a single case agreement at {rate}.",
        )
        if part
    )
