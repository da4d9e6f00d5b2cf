"""Reading a payer's offer in any form, and turning it into dollars per unit of service and per
episode, saying what each conversion assumed.

Forms read (case and spacing do not matter): ``$400`` or ``400`` (per unit of the case's level of
care), ``$350/day``, ``350 per diem``, ``$175 per session``, ``$42 per 15 min``, ``$60/hour``,
``60% of billed charges``, ``120% of Medicare``, ``case rate $6,500``, ``6500 for the episode``.

Conversions (DESIGN: per session x sessions per week / days per week = per day):
per 15 minutes x 4 x billable hours a day = per day; per hour x billable hours a day = per day;
% of billed charges x the case's charge per unit; % of Medicare x Medicare's rate for the case's
code and year; a case rate / the expected units of the episode.
"""

from __future__ import annotations

import re

from sca_rates.exceptions import MissingReference, UnparseableOffer
from sca_rates.models import CostModel
from sca_rates.models.case import Case
from sca_rates.models.market import MedicareRate
from sca_rates.models.offers import NormalizedOffer, Offer, OfferKind, ServicePattern
from sca_rates.money import usd

EXAMPLES = (
    "$400",
    "$350/day",
    "350 per diem",
    "$175 per session",
    "$42 per 15 min",
    "$60/hour",
    "60% of billed charges",
    "120% of Medicare",
    "case rate $6,500",
    "6500 for the episode",
)

_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
_PERCENT = re.compile(_NUMBER + r"\s*(?:%|percent)")
_AMOUNT = re.compile(r"\$?\s*" + _NUMBER)
_DOLLARS = re.compile(r"\$\s*" + _NUMBER)
# Checked in this order; the first whose words appear decides the kind.
_UNIT_WORDS: tuple[tuple[OfferKind, str], ...] = (
    ("case_rate", r"case\s*rate|flat\s+rate"),
    ("per_15min", r"15\s*-?\s*min|quarter[\s-]hour"),
    ("per_hour", r"(?:per|/|an?)\s*(?:hour|hr)\b|hourly"),
    ("per_session", r"(?:per|/|an?)\s*session"),
    ("per_day", r"(?:per|/|an?)\s*day\b|per\s*diem|daily"),
    ("case_rate", r"episode|for\s+the\s+(?:whole\s+)?stay"),
)
MEDICARE_UNIT_KIND: dict[str, OfferKind] = {
    "day": "per_day",
    "session": "per_session",
    "15min": "per_15min",
    "hour": "per_hour",
    "episode": "case_rate",
}
_BARE = re.compile(r"^\$?\s*" + _NUMBER + r"\s*(?:usd|dollars)?$")


def parse_offer(text: str) -> Offer:
    """Read what the payer said into an :class:`Offer`; anything else is ``UnparseableOffer``."""
    said = " ".join(text.lower().split())
    percent = _PERCENT.search(said)
    if percent and _number(percent) > 0:
        return Offer(kind=_percent_kind(said, text), amount=_number(percent) / 100, text=text)
    # The amount is the figure written with $, else the first figure ("18 days at $350/day")
    amount = _DOLLARS.search(said) or (None if percent else _AMOUNT.search(said))
    if amount and _number(amount) > 0:
        for kind, words in _UNIT_WORDS:
            if re.search(words, said):
                return Offer(kind=kind, amount=_number(amount), text=text)
        if _BARE.match(said):
            return Offer(kind="per_unit", amount=_number(amount), text=text)
    raise UnparseableOffer(
        f"cannot read the offer {text!r}. Fix: write it like one of these: " + "; ".join(EXAMPLES)
    )


def _number(match: re.Match[str]) -> float:
    return float(match.group(1).replace(",", ""))


def _percent_kind(said: str, text: str) -> OfferKind:
    if "medicare" in said:
        return "pct_medicare"
    if re.search(r"bill|charge", said):
        return "pct_billed"
    raise UnparseableOffer(
        f"{text!r} is a percentage of what? Fix: say '60% of billed charges' or '120% of Medicare'"
    )


def service_pattern(case: Case, model: CostModel) -> ServicePattern:
    """The schedule every conversion uses: the cost model's level, the case's length of stay."""
    level = model.level(case.level_of_care)
    return ServicePattern(
        level_of_care=level.code,
        unit=level.unit,
        days_per_week=level.days_per_week,
        sessions_per_week=case.sessions_per_week or level.days_per_week,
        hours_per_day=level.hours_per_day,
        expected_units=case.expected_units,
        attendance_rate=level.attendance_rate,
    )


def normalize(
    offer: Offer,
    *,
    pattern: ServicePattern,
    billed_charge_per_unit: float | None,
    medicare: MedicareRate | None,
) -> NormalizedOffer:
    """The offer in dollars per unit of service and per episode, with what it assumed."""
    per_unit, notes = _per_unit(offer, pattern, billed_charge_per_unit, medicare)
    episode = pattern.expected_units
    notes.append(f"episode = {episode:g} {_units(pattern)} (the case's expected length of stay)")
    per_episode = offer.amount if offer.kind == "case_rate" else per_unit * episode
    return NormalizedOffer(
        offer=offer,
        kind=offer.kind,
        unit=pattern.unit,
        per_unit_usd=per_unit,
        per_episode_usd=per_episode,
        assumptions=tuple(notes),
    )


def _per_unit(
    offer: Offer, pattern: ServicePattern, billed: float | None, medicare: MedicareRate | None
) -> tuple[float, list[str]]:
    amount, unit = offer.amount, pattern.unit
    hours = pattern.hours_per_day
    match offer.kind:
        case "per_unit":
            return amount, [
                f"a bare amount is read as dollars per {unit} of {pattern.level_of_care}"
            ]
        case "per_day":
            return _day_to_unit(amount, pattern, [])
        case "per_session":
            return _session_to_unit(amount, pattern)
        case "per_15min":
            day = amount * 4 * hours
            note = f"{usd(amount)} per 15 min x 4 x {hours:g} billable hours = {usd(day)} a day"
            return _day_to_unit(day, pattern, [note])
        case "per_hour":
            day = amount * hours
            note = f"{usd(amount)} an hour x {hours:g} billable hours a day = {usd(day)} a day"
            return _day_to_unit(day, pattern, [note])
        case "pct_billed":
            if billed is None:
                raise MissingReference(
                    "a share of billed charges needs the center's charge. Fix: add "
                    "billed_charge_per_unit to the case file"
                )
            note = f"{amount:.1%} of the billed charge of {usd(billed)} per {unit}"
            return amount * billed, [note]
        case "pct_medicare":
            return _share_of_medicare(amount, pattern, medicare)
        case "case_rate":
            per = amount / pattern.expected_units
            return per, [
                f"case rate {usd(amount)} / {pattern.expected_units:g} expected {_units(pattern)}"
            ]


def _units(pattern: ServicePattern) -> str:
    return "days" if pattern.unit == "day" else "sessions"


def sessions_per_day(pattern: ServicePattern) -> float:
    """Sessions on each day the patient attends: a patient attends at most the program's days,
    so 10 sessions over 5 days is 2 a day, and 2 sessions in a 4-day program is 1 a day."""
    return pattern.sessions_per_week / min(pattern.days_per_week, pattern.sessions_per_week)


def _day_to_unit(
    per_day: float, pattern: ServicePattern, notes: list[str]
) -> tuple[float, list[str]]:
    if pattern.unit == "day":
        return per_day, notes
    per = sessions_per_day(pattern)
    if per == 1:
        notes.append("one session per day attended: the day's amount is the session's")
        return per_day, notes
    per_session = per_day / per
    notes.append(f"per day / {per:g} sessions a day attended = {usd(per_session)} per session")
    return per_session, notes


def _session_to_unit(per_session: float, pattern: ServicePattern) -> tuple[float, list[str]]:
    if pattern.unit == "session":
        return per_session, []
    per = sessions_per_day(pattern)
    per_day = per_session * per
    return per_day, [f"per session x {per:g} sessions a day attended = {usd(per_day)} a day"]


def _share_of_medicare(
    share: float, pattern: ServicePattern, medicare: MedicareRate | None
) -> tuple[float, list[str]]:
    if medicare is None:
        raise MissingReference(
            "no Medicare rate for this case's code and region. Fix: import CMS's "
            "OPPS Addendum A with 'sca-rates market import-opps FILE', or add a "
            "medicare row to market_data/rates.local.csv"
        )
    source = medicare.provenance
    base = (
        f"Medicare {medicare.code_type} {medicare.code} {usd(medicare.amount_usd)} per "
        f"{medicare.unit} ({source.source}, {source.year}, region {medicare.region})"
    )
    amount = share * medicare.amount_usd
    notes = [f"{share:.1%} of {base} = {usd(amount)} per {medicare.unit}"]
    # The share of Medicare reads like an offer of that amount in Medicare's own unit
    same = Offer(kind=MEDICARE_UNIT_KIND[medicare.unit], amount=amount, text=base)
    per_unit, more = _per_unit(same, pattern, None, None)
    return per_unit, notes + more
