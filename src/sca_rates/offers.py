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
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from sca_rates.exceptions import MissingReference, UnparseableOffer
from sca_rates.models import CostModel
from sca_rates.models.case import Case
from sca_rates.models.market import MedicareRate
from sca_rates.models.offers import Condition, NormalizedOffer, Offer, OfferKind, ServicePattern
from sca_rates.money import usd

EXAMPLES = (
    "$400",
    "$350/day",
    "350 per diem",
    "$175 per session",
    "$1,200 per week",
    "$42 per 15 min",
    "$60/hour",
    "60% of billed charges",
    "120% of Medicare",
    "case rate $11,000 for 25 days",
    "$14,300 for 20 days, $715 a day after",
    "S0201 at $400",
)
_FIX = "Fix: type one figure in dollars, like one of these: " + "; ".join(EXAMPLES)

# A run of letters and digits holding a digit: a number, a number with a unit ("15min"), a code
# ("s0201"), or a typing slip ("35o", "1,0,0,0") that must not be read as something else
_TOKEN = re.compile(r"[a-z]*\d[\d,.a-z]*")
_NUMBER_FORM = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_WITH_UNIT = re.compile(
    r"^(\d+(?:\.\d+)?)(min|mins|minutes?|hrs?|hours?|d|days?|wks?|weeks?|sessions?)$"
)
_CODE = re.compile(r"^[a-z]\d{4}$")
_CURRENCY = re.compile(
    r"[€£¥₹]|\b(?!us\$)[a-z]{1,2}\$|\b(?:eur|euros?|gbp|pounds?|yen|cad|aud|inr|pesos?)\b"
)
# Nowhere a rate per day, session, 15 minutes or hour ("10 days authorized" counts, names none)
_NO_UNIT = (
    r"^(?!.*(?:per\s*diem|daily|hourly|15\s*-?\s*min"
    r"|(?:\bper|/|\ban?|\beach)\s*(?:day|session|d|hour|hr)\b))"
)
# Forms that would be misread if taken for a simpler one; each is refused with its fix
_AMBIGUOUS: tuple[tuple[str, str], ...] = (
    (
        r"\bbi-?weekly\b|fortnight|every (?:two|2) weeks|month",
        "a period other than a day, session or week: ask for the rate per day or session",
    ),
    (
        r"%[^$]*\b(?:off|discount|less)\b|\b(?:off|discount|less)\b[^$]*%",
        "a discount: type the share paid, e.g. '30% of billed charges' for 70% off",
    ),
    (
        r"medicare\s*(?:plus|\+)|(?:over|above|plus|\+)\s*medicare",
        "a share above Medicare: type the whole share, e.g. '110% of Medicare'",
    ),
    (
        r"usual|customary|\bucr\b|reasonable",
        "a share of usual and customary charges, which are "
        "not our billed charges: ask for a rate per day or session",
    ),
    (  # unless the rate's unit is named too ("$700 per diem, each visit reviewed")
        _NO_UNIT + r".*(?:\bper|/|\ban?|\beach)\s*(?:visit|encounter)\b",
        "a rate per visit: ask whether a visit is a day or a session, then type '$X/day' or "
        "'$X per session'",
    ),
    (
        _NO_UNIT + r".*(?:\bper|/|\ban?|\beach)\s*unit\b",
        "a rate per unit, which may be a day, a session or 15 minutes: ask which, then type it "
        "so ('$X/day', '$X per session', '$X per 15 min')",
    ),
    (  # "first day only" is a rate for one day: as "first 1 day", what follows is asked
        r"(?<!from the )(?<!from )\b(?:first|initial|opening)\s+(?:day|session|visit)\b",
        "a rate for the first day or session only: ask what each one after it pays, then type "
        "'$X a day for 1 day, $Y a day after'",
    ),
    (r"\$\s*\.\d", "less than a dollar"),
    (
        r"\b(?:hundred|thousand|grand)\b",
        "an amount in words, which is not read: type every amount in figures",
    ),
    (
        r"for\s+(?:up\s+to\s+)?\d+\s*(?:weeks?|wks?)\b",
        "a case rate over weeks: ask how many "
        "days or sessions it covers, then type '$X for N days'",
    ),
    (
        r"(?:first|up\s+to)\s+\d+\s*(?:weeks?|wks?)\b"
        r"|\b\d+\s*(?:weeks?|wks?)\s+(?:authorized|approved|covered|at\b)",
        "a rate for a number of weeks: ask how many days or sessions it is for",
    ),
    (
        r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
        r"thirty|forty|fifty|sixty)\s+(?:days?|sessions?|visits?)\b"
        r"(?!\s*(?:(?:a|per|/|each)\s*(?:day|week|wk)\b|daily|weekly))",
        "a count in words, which is not read: type the days or sessions in figures",
    ),
)
# How many sessions a day, said beside the rate (its "a day" is not the rate's unit), or a week,
# said with a weekly rate (its "a week" may be the rate's own)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_COUNT = r"(\d+(?:\.\d+)?|" + "|".join(_COUNT_WORDS) + r")\s*"
_SESSIONS_A_DAY = re.compile(_COUNT + r"sessions?\s*(?:(?:a|per|/|each)\s*day|daily)\b")
_SESSIONS_A_WEEK = re.compile(
    _COUNT + r"(?:sessions?|days?)\s*(?:(?:a|per|/|each)\s*(?:week|wk)|weekly)\b"
)
_RANGE_BETWEEN = re.compile(r"^\s*(?:-|\u2013|\u2014|to|or|through)\s*\$?\s*$")
_BEYOND = re.compile(r"\b(?:after|beyond|thereafter|then|each additional|additional)\b")
# Checked in this order; the first whose words appear decides the kind.
_UNIT_WORDS: tuple[tuple[OfferKind, str], ...] = (
    ("case_rate", r"case\s*rate"),
    ("per_15min", r"15\s*-?\s*min|quarter[\s-]hour"),
    ("per_hour", r"(?:per|/|an?)\s*(?:hour|hr)\b|hourly"),
    ("per_session", r"(?:per|/|an?|each)\s*session"),
    # a day before a week: "$650 per day, reviewed weekly" is a per diem
    ("per_day", r"(?:per|/|an?)\s*day\b|(?:per|/)\s*d\b|per\s*diem|daily"),
    ("per_week", r"(?:per|/|an?|each)\s*(?:week|wk)\b|\bweekly"),
    ("case_rate", r"flat\s+rate|episode|for\s+the\s+(?:whole\s+)?stay"),
)
MEDICARE_UNIT_KIND: dict[str, OfferKind] = {
    "day": "per_day",
    "session": "per_session",
    "15min": "per_15min",
    "hour": "per_hour",
    "episode": "case_rate",
}


@dataclass(frozen=True)
class _Figure:
    """A number in what the payer said, where it stands and what it is."""

    value: float
    start: int
    end: int
    role: str  # amount, percent, units (a count: "25 days"), covers ("for 25 days"), code, 15min


def parse_offer(text: str) -> Offer:
    """Read what the payer said into an :class:`Offer`. What cannot be read exactly (a range, two
    amounts, a slip inside a number, another currency, nothing or less than a dollar) is
    ``UnparseableOffer``, saying what was understood and how to type it."""
    said = " ".join(text.lower().split())
    if _CURRENCY.search(said):
        raise UnparseableOffer(f"{text!r} is not in US dollars. {_FIX}")
    for pattern, what in _AMBIGUOUS:
        if re.search(pattern, said):
            raise UnparseableOffer(f"{text!r} is {what}. {_FIX}")
    figures = _figures(said, text)
    code = _code(said)
    percents = [f for f in figures if f.role == "percent"]
    amounts = [f for f in figures if f.role in ("amount", "percent")]
    first, beyond = _one_amount(said, text, amounts)
    _check_amount(said, text, first)
    covered = next((f for f in figures if f.role == "covers"), None)
    # else a count tied to the rate: "$660 a day, 10 days authorized", "18 days at $350/day"
    tied, mentioned = _units_said(figures, said)
    counted = covered or tied
    covers = _covered(counted, text)
    counted_in = None if counted is None else _counted_in(said, counted)
    if beyond is not None:
        _check_beyond(said, text, beyond)
    if percents:  # a share, perhaps for some days only ("70% of billed for 10 days, ...")
        return Offer(
            kind=_percent_kind(said, text),
            amount=first.value / 100,
            text=text,
            code=code,
            covers_units=covers,
            counted_in=counted_in,
            mentioned_units=None if counted or mentioned is None else mentioned.value,
            beyond_per_unit_usd=None if covers is None else _beyond(said, beyond),
            medicare_national=re.search(r"not\s+wage|un-?adjusted|national", said) is not None,
        )
    # The words of a rate beyond a case rate's units ("$715 a day after") are not the offer's own
    own = said if beyond is None else said[: beyond.start]
    own, per_day = _sessions_a_day(own, text)
    kind = _kind(own, None if covered is None else covered.start, code is not None)
    if kind is None:
        raise UnparseableOffer(f"cannot read the offer {text!r}. {_FIX}")
    if kind == "case_rate" and covers is None:  # "$11,800 case rate, 25 days"
        counted = next((f for f in figures if f.role == "units"), None)
        covers = _covered(counted, text)
        counted_in = None if counted is None else _counted_in(said, counted)
    if beyond is not None and kind != "case_rate" and covers is None:
        raise UnparseableOffer(
            f"{text!r} has two amounts, {usd(first.value)} and {usd(beyond.value)}, and is not "
            f"a case rate. {_FIX}"
        )
    return Offer(
        kind=kind,
        amount=first.value,
        text=text,
        code=code,
        # a rate for some units only ("$655 a day for 10 days, nothing after"), or a case rate
        covers_units=covers,
        counted_in=counted_in,
        mentioned_units=None if covers is not None or mentioned is None else mentioned.value,
        beyond_per_unit_usd=(
            _beyond(said, beyond) if kind == "case_rate" or covers is not None else None
        ),
        sessions_per_day=per_day if kind in ("per_day", "per_session") else None,
        sessions_per_week=(
            _sessions_a_week(own, text) if kind in ("per_week", "per_day", "per_session") else None
        ),
    )


def _covered(counted: _Figure | None, text: str) -> float | None:
    """The units an offer is for, when it says: none and thousands are slips, not counts."""
    if counted is None:
        return None
    if counted.value == 0:
        raise UnparseableOffer(f"{text!r} covers no days. {_FIX}")
    if not counted.value < 1000:
        raise UnparseableOffer(f"{text!r} covers {counted.value:g} units: check the count. {_FIX}")
    return counted.value


def _units_said(figures: list[_Figure], said: str) -> tuple[_Figure | None, _Figure | None]:
    """The counts of days or sessions said with the rate, not as sessions a day or a week: one
    plainly tied to it (the units authorized, "10 days authorized", or the rate for them, "18
    days at $350/day", "$350/day x 18 days"), and else one only mentioned ("$700/day, 10 days",
    "2 day minimum"), which the caller is asked about: whether the rate is for the whole stay."""
    counts = [m.span() for m in (_SESSIONS_A_DAY.search(said), _SESSIONS_A_WEEK.search(said)) if m]
    mentioned = None
    for figure in figures:
        if figure.role != "units" or _counted_in(said, figure) is None:
            continue
        if any(a <= figure.start < b for a, b in counts):
            continue
        before = said[: figure.start]
        if re.match(_TIED_COUNT, said[figure.start :]) or re.search(
            r"(?:x|\u00d7|\*|@)\s*$", before
        ):
            return figure, None
        mentioned = mentioned or figure
    return None, mentioned


_TIED_COUNT = (  # "10 days authorized", "10 days only", "18 days at ..."
    r"[\d.]*\s*(?:d\b|days?|sessions?|visits?)\s*\)?\s*"
    r"(?:authori[sz]ed|approved|pre-?approved|covered|certified|only|max(?:imum)?\b|total|"
    r"of\s+(?:care|treatment)|at\b|@)"
)


def _counted_in(said: str, count: _Figure) -> Literal["day", "session"] | None:
    """What a count of units counts, by the word after it: days, or sessions (visits)."""
    found = re.match(r"[\d.]*\s*(d\b|days?|sessions?|visits?)", said[count.start :])
    if found is None:
        return None
    return "day" if found.group(1).startswith("d") else "session"


def _sessions_a_day(own: str, text: str) -> tuple[str, float | None]:
    """The sessions a day said beside the rate ("2 sessions a day"), and the words without them
    (blanked, not cut, so that where "for 10 days" lies stays put): their "a day" is not the
    rate's unit."""
    daily = _SESSIONS_A_DAY.search(own)
    if daily is None:
        return own, None
    start, end = daily.span()
    return own[:start] + " " * (end - start) + own[end:], _count(daily, text)


def _sessions_a_week(own: str, text: str) -> float | None:
    """The sessions (or days) a week said with a weekly rate ("4 sessions a week"), if any."""
    weekly = _SESSIONS_A_WEEK.search(own)
    return None if weekly is None else _count(weekly, text)


def _count(found: re.Match[str], text: str) -> float:
    said = found.group(1)
    count = float(_COUNT_WORDS.get(said) or said)
    if count == 0:
        raise UnparseableOffer(f"{text!r} says no sessions. {_FIX}")
    return count


def _check_beyond(said: str, text: str, beyond: _Figure) -> None:
    """The rate after a case rate's units is a whole-dollar amount per day or session."""
    if beyond.role == "percent":
        raise UnparseableOffer(
            f"{text!r}: the rate after is a share: ask for it in dollars a day. {_FIX}"
        )
    if beyond.value < 1:
        raise UnparseableOffer(f"{text!r}: the rate after is less than a dollar. {_FIX}")
    if re.search(r"\b(?:hour|hr|min|minutes?|week|wk)\b", said[beyond.end :]):
        raise UnparseableOffer(
            f"{text!r}: the rate after is not per day or session: ask for it per day. {_FIX}"
        )


def _figures(said: str, text: str) -> list[_Figure]:
    """Every number said, with its role; a token that is not a number written plainly is
    refused rather than guessed ("35o" is not 35, "1,0,0,0" is not 1,000)."""
    figures = []
    for match in _TOKEN.finditer(said):
        token, start = match.group().rstrip(".,"), match.start()
        if re.match(r"x\d", token):  # "x10d": times ten days
            token, start = token[1:], start + 1
        end = start + len(token)
        if _CODE.match(token) or token[0].isalpha():
            continue  # a code (S0201, H0015) or a word: no amount
        unit = _WITH_UNIT.match(token)
        if unit:
            value, after = float(unit.group(1)), unit.group(2)
            role = "15min" if after.startswith("min") and value == 15 else "units"
            figures.append(_Figure(value, start, end, _covers(said, start, role)))
            continue
        if not _NUMBER_FORM.match(token):
            what = (
                "has letters inside the number"
                if any(c.isalpha() for c in token)
                else "groups its thousands wrongly (write 1,000 or 1000)"
            )
            raise UnparseableOffer(f"{text!r}: {token!r} {what}. {_FIX}")
        value = float(token.replace(",", ""))
        figures.append(_Figure(value, start, end, _role(said, start, end, value)))
    return figures


def _role(said: str, start: int, end: int, value: float) -> str:
    before, after = said[:start], said[end:]
    if re.search(r"(?:rev(?:enue)?\s*)?code\s*$", before):
        return "code"
    if re.match(r"\s*(?:%|percent)", after):
        return "percent"
    if value == 15 and re.match(r"\s*-?\s*min", after):
        return "15min"
    if re.match(r"\s*(?:days?|sessions?|visits?|weeks?)\b", after) and not re.search(
        r"\$\s*$", before
    ):
        return _covers(said, start, "units")
    return "amount"


def _covers(said: str, start: int, role: str) -> str:
    """A count of units after "for" ("for 25 days", "for the first 20 days") is what a case rate
    covers; elsewhere ("18 days at $350/day") it is only the stay."""
    before = said[:start]
    if role == "units" and re.search(
        r"(?:(?:for|covering|covers|over)\s+(?:up\s+to\s+)?(?:the\s+)?(?:first\s+)?"
        r"|(?:the\s+)?first\s+|up\s+to\s+)$",
        before,
    ):
        return "covers"
    return role


def _code(said: str) -> str | None:
    """The billing code said with the amount: a HCPCS code (S0201, H0015) or a revenue code."""
    revenue = re.search(r"rev(?:enue)?\s*code\s*(\d{3,4})\b", said)
    if revenue:
        return f"RC {revenue.group(1).zfill(4)}"
    code = re.search(r"(?<![a-z0-9])([a-z]\d{4})(?![a-z0-9])", said)
    return code.group(1).upper() if code else None


def _one_amount(said: str, text: str, amounts: list[_Figure]) -> tuple[_Figure, _Figure | None]:
    """The one amount offered, and a case rate's rate beyond its units ("$715 a day after")."""
    if not amounts:
        raise UnparseableOffer(f"cannot read an amount in {text!r}. {_FIX}")
    first = amounts[0]
    if len(amounts) == 1:
        return first, None
    second = amounts[1]
    between = said[first.end : second.start]
    if _RANGE_BETWEEN.match(between) or re.search(r"between\s+\$?\s*$", said[: first.start]):
        raise UnparseableOffer(
            f"{text!r} is a range ({usd(first.value)} to {usd(second.value)}): an offer is one "
            f"figure. Ask which they offer. {_FIX}"
        )
    if len(amounts) == 2 and _BEYOND.search(said[second.start :]):
        return first, second
    listed = ", ".join(usd(a.value) for a in amounts)
    raise UnparseableOffer(f"{text!r} holds more than one amount ({listed}): give one. {_FIX}")


def _check_amount(said: str, text: str, amount: _Figure) -> None:
    if re.search(r"(?:-|\u2212|minus)\s*\$?\s*$", said[: amount.start]):
        raise UnparseableOffer(f"{text!r} is negative: an offer is an amount paid. {_FIX}")
    if amount.value == 0:
        raise UnparseableOffer(f"{text!r} is zero. {_FIX}")
    if amount.role == "amount" and amount.value < 1:
        raise UnparseableOffer(
            f"{text!r} is less than a dollar ({amount.value:g}): rates are read in whole dollars "
            f"and cents. {_FIX}"
        )


def _kind(said: str, covers_at: int | None, code: bool) -> OfferKind | None:
    """The unit the amount is in, from the words around it. With the units a case rate covers
    (``covers_at``: where "for 10 days" says them), a unit's words count only before them:
    "$650 a day for 18 days" is a per diem, "$6,300 for 10 days, reviewed weekly" a case rate."""
    for kind, words in _UNIT_WORDS:
        where = said if kind == "case_rate" or covers_at is None else said[:covers_at]
        if re.search(words, where):
            return kind
    if covers_at is not None and not code:
        return "case_rate"  # "$9,000 for 20 days"; with a code, per unit: "S0201 at $655 ..."
    if code or _BARE.match(said):
        return "per_unit"
    return None


def _beyond(said: str, beyond: _Figure | None) -> float | None:
    """What a case rate pays for each unit after those it covers: the amount said, nothing when
    the payer says so, else unknown."""
    if beyond is not None:
        return beyond.value
    if re.search(r"nothing\s+(?:after|beyond)|no(?:thing)?\s+(?:further\s+)?payment\s+after", said):
        return 0.0
    return None


_BARE = re.compile(r"^\$?\s*\d[\d,]*(?:\.\d+)?\s*(?:usd|dollars)?$")


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
        billable_units_per_day=case.billable_units_per_day,
    )


@dataclass
class _Reading:
    """What a conversion stood on (notes) and what the caller should ask the payer (asks)."""

    notes: list[str] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)
    # the payer's words qualifying the rate, each where it was said
    conditions: list[tuple[int, Condition]] = field(default_factory=list)


def normalize(
    offer: Offer,
    *,
    pattern: ServicePattern,
    billed_charge_per_unit: float | None,
    medicare: MedicareRate | None,
) -> NormalizedOffer:
    """The offer in dollars per unit of service and per episode, with what it assumed."""
    reading = _Reading()
    per_unit = _over_the_stay(
        _per_unit(offer, pattern, billed_charge_per_unit, medicare, reading),
        offer,
        pattern,
        reading,
    )
    _cost_share(offer, reading)
    _limited_services(offer, reading)
    _days_a_week(offer, pattern, reading)
    episode = pattern.expected_units
    reading.notes.append(
        f"episode = {episode:g} {_units(pattern)} (the case's expected length of stay)"
    )
    per_episode = (
        case_rate_episode(offer, pattern.expected_units)
        if offer.kind == "case_rate"
        else per_unit * episode
    )
    return NormalizedOffer(
        offer=offer,
        kind=offer.kind,
        unit=pattern.unit,
        per_unit_usd=per_unit,
        per_episode_usd=per_episode,
        assumptions=tuple(reading.notes),
        asks=tuple(reading.asks),
        conditions=tuple(c for _, c in sorted(reading.conditions, key=lambda said: said[0])),
    )


def _days_a_week(offer: Offer, pattern: ServicePattern, reading: _Reading) -> None:
    """Fewer days (or sessions) a week named with a rate per day or session than the program
    runs ("$700/day, max 3 days a week" for a PHP of 5): the days past them may go unpaid, so
    that is asked before an acceptance."""
    named = offer.sessions_per_week if offer.kind in ("per_day", "per_session") else None
    runs = min(pattern.days_per_week, pattern.sessions_per_week)
    if named is not None and named < runs:
        weekly = _SESSIONS_A_WEEK.search(_same_length_lower(offer.text))
        at = 0 if weekly is None else weekly.start()
        words = _words_of(offer.text, *_clause_at(offer.text, at))
        reading.conditions.append((at, Condition(kind="days_a_week", words=words)))
        reading.asks.append(
            f"the offer names {named:g} days or sessions a week; the program runs {runs:g}: "
            "ask whether every day the patient attends is paid"
        )


# The patient's part of the bill, as a payer names it with a rate ("net of member cost share",
# "less copay"), and the words that put it on top of the rate or say there is none
_COST_SHARE = re.compile(
    r"\b(?:(?:member|patient)(?:['\u2019]?s)?\s+)?cost[\s-]*shar\w*"
    r"|\b(?:member|patient)(?:['\u2019]?s)?\s+(?:responsibility|liability|portion|share)\b"
    r"|\bco-?pays?\b|\bco-?insurance\b|\bdeductibles?\b"
)
_BEFORE = r"\s+(?:[\w'\u2019$]+\s+){0,3}$"  # up to three words between ("plus the member's copay")
_ON_TOP = re.compile(r"(?:\bplus|\+|in addition to|on top of)" + _BEFORE)
_NONE = re.compile(r"(?:\bno|\bwithout|\bwaived?|\bzero|\$0)" + _BEFORE)
_NONE_AFTER = re.compile(r"\s*(?:is\s+|are\s+)?(?:waived|does not apply|not applied)")


def _cost_share(offer: Offer, reading: _Reading) -> None:
    """The member's cost share named with the rate. The figure is read as the whole rate, the
    least the words can mean; said to be inside it ("net of", "less", "including"), it is paid
    only as far as the patient pays, so that is asked before an acceptance. Said to be on top,
    or waived, nothing is asked."""
    said = _same_length_lower(offer.text)
    inside: re.Match[str] | None = None
    on_top = False
    for named in _COST_SHARE.finditer(said):
        before = said[: named.start()]
        if _NONE.search(before) or _NONE_AFTER.match(said, named.end()):
            continue
        if _ON_TOP.search(before):
            on_top = True
        else:
            inside = inside or named
    if inside:
        words = _words_of(offer.text, *_clause_at(offer.text, inside.start()))
        reading.conditions.append((inside.start(), Condition(kind="cost_share", words=words)))
        reading.notes.append(
            "the figure is read as the whole rate, the member's cost share inside it"
        )
        reading.asks.append(
            "the member's cost share is inside the rate, and is paid only as far as the patient "
            "pays it: ask that it be at in-network levels, and what the plan itself pays"
        )
    elif on_top:
        reading.notes.append(
            "the member's cost share on top of the figure is not counted: the patient may not "
            "pay it"
        )


# The services of a program day, as a payer names those a rate leaves out or is limited to
_SERVICE = (
    r"(?:group|individual|family|\w*therap\w*|counsel\w*|med(?:ication)?s?|md|psychiatr\w*"
    r"|prescri\w*|pharmac\w*|labs?|laborator\w*|testing|tests?|screens?|drug|urine|uds|tox\w*"
    r"|professional|physicians?|doctors?|nurs\w*|case management|meals?|transport\w*"
    r"|ancillar\w*)"
)
_SERVICE_NAMED = re.compile(r"\b" + _SERVICE + r"\b")
# Words that leave something out of a rate, whatever it is ("excluding the first 10 days" too)
_LEAVES_OUT = re.compile(r"\bexclu\w*|\bexcl\b|\bexcept\w*|\bapart from\b")
# Words that limit a rate when a service is named with them ("labs not covered", "group
# therapy only", "psychiatry billed separately", "no labs")
_LIMITS = re.compile(
    r"\bnot\s+(?:be\s+)?(?:includ\w*|cover\w*|part)\b|n['\u2019]?t\s+(?:be\s+)?(?:includ\w*|cover\w*)"
    r"|\bcarve\w*|\bseparate\w*|\boutside\b|\blimited\s+to\b|\bnothing\s+else\b"
    r"|\b(?:without|w/o|no|minus|less|ex|just|only)\s+(?:[\w-]+\s+){0,2}" + _SERVICE + r"\b"
    # "group therapy only", not "this group only" (the insurer's group) or "individual
    # agreement only"
    r"|(?<!this )(?<!that )(?<!the )(?<!your )(?<!each )\b"
    + _SERVICE
    + r"(?:\s+(?:therapy|therapies|sessions?|services?|visits?|care|work|fees?))?\s+only\b"
)
# Said to leave nothing out ("nothing carved out", "no exclusions", "any carve-outs")
_NOTHING_LEFT_OUT = re.compile(
    r"\b(?:nothing|no|none|without|any)\s+(?:[\w-]+\s+)?(?:exclu\w*|except\w*|carve\w*|separate\w*)"
)
# What a day program never provides: a rate said to leave out only these leaves out nothing
_LODGING = re.compile(r"\broom(?:\s+and\s+|\s*&\s*)board\b|\blodging\b|\bhousing\b")
_FILLER = re.compile(r"\b(?:the|and|or|with|is|are|of|a|any|all)\b")
_CLAUSE = re.compile(r"[^,;()\n]+")
# The rate said in a clause, up to its last amount with its unit and count ("PHP at $700/day",
# "$700 a day for 20 days", "120% of Medicare"): what follows it is the payer's qualifier
_RATE_SAID = re.compile(
    r"^.*(?:\$\s*[\d,.]+\w*|[\d,.]+\s*%)"
    r"(?:\s*(?:/\s*\w+|(?:per|a|an|each)\s+\w+|daily|weekly|of\s+(?:the\s+)?[\w\s]*?"
    r"(?:medicare|charges)(?:\s+rate)?))?(?:\s+for\s+(?:the\s+)?\d+\s+\w+)?\s*",
    re.IGNORECASE,
)


def _limits(clause: str) -> bool:
    """Whether a clause (lower case) limits what the rate pays for. The member's cost share,
    named in it, is not read here (``_cost_share`` reads it)."""
    rest = _COST_SHARE.sub(" ", clause)
    if _NOTHING_LEFT_OUT.search(rest):
        return False
    if _LODGING.search(rest) and not _SERVICE_NAMED.search(rest):
        return False
    if _LEAVES_OUT.search(rest):  # something must be named beside it ("excluding copay": no)
        named = _RATE_SAID.sub("", _LEAVES_OUT.sub(" ", rest))
        return re.search(r"[a-z]{2,}", _FILLER.sub(" ", named)) is not None
    return _LIMITS.search(rest) is not None and _SERVICE_NAMED.search(rest) is not None


def _clause_at(text: str, at: int) -> tuple[int, int]:
    """Where the clause of ``text`` holding position ``at`` starts and ends (between commas,
    semicolons or brackets); the whole text when ``at`` falls on none."""
    return next(
        (c.span() for c in _CLAUSE.finditer(text) if c.start() <= at < c.end()), (0, len(text))
    )


def _words_of(text: str, start: int, end: int) -> str:
    """The payer's words between ``start`` and ``end`` of what they said, without the rate said
    before them: "excluding labs" of "$700/day excluding labs"."""
    words = text[start:end].strip()
    return _RATE_SAID.sub("", words).strip() or words


def _limited_services(offer: Offer, reading: _Reading) -> None:
    """Services named as left out of the rate, or as all it pays for ("excluding labs", "group
    therapy only", "professional fees billed separately"). The rest of the program day may go
    unpaid, so what the rate covers is asked before an acceptance; each limit is kept as said,
    with the services listed after it ("excluding labs, drug screens and meds")."""
    limited: list[tuple[int, int]] = []
    listing = False  # the clause before was a limit, or its list going on past a comma
    for found in _CLAUSE.finditer(_same_length_lower(offer.text)):
        clause = found.group()
        if _limits(clause):
            limited.append(found.span())
            listing = True
        elif listing and _lists_more(clause):
            limited[-1] = (limited[-1][0], found.end())
        else:
            listing = False
    if not limited:
        return
    words = [_words_of(offer.text, start, end) for start, end in limited]
    for (start, _), limit in zip(limited, words, strict=True):
        reading.conditions.append((start, Condition(kind="services", words=limit)))
    said_back = "; ".join(words)
    reading.asks.append(
        f'the offer limits what the rate pays for ("{said_back}"): ask what it covers, and '
        "what pays for the rest of the program day, in writing"
    )


def _lists_more(clause: str) -> bool:
    """A clause that only goes on with the services of a list ("drug screens and meds")."""
    return (
        (_SERVICE_NAMED.search(clause) is not None or _LODGING.search(clause) is not None)
        and re.search(r"[\d$%]", clause) is None
        and _COST_SHARE.search(clause) is None
    )


def _same_length_lower(text: str) -> str:
    """``text`` in lower case, each character kept in its place (what a position found in it
    points to in ``text``)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


Units = TypeVar("Units", float, NDArray[np.float64])


def case_rate_episode(offer: Offer, units: Units) -> Units:
    """What a case rate offered pays for a stay of ``units`` (one, or an array of simulated
    stays)."""
    return case_rate_pays(offer.amount, offer.covers_units, offer.beyond_per_unit_usd, units)


def case_rate_pays(
    amount: float, covers: float | None, beyond: float | None, units: Units
) -> Units:
    """What a case rate of ``amount`` for ``covers`` units pays for a stay of ``units``: its
    amount, plus ``beyond`` for each unit past them (nothing when no rate beyond was agreed).
    Without the units it covers, it covers the stay."""
    past = 0.0 if covers is None else np.maximum(0.0, units - covers)
    return amount + past * (beyond or 0.0)  # type: ignore[return-value]


def _per_unit(
    offer: Offer,
    pattern: ServicePattern,
    billed: float | None,
    medicare: MedicareRate | None,
    reading: _Reading,
) -> float:
    amount, unit = offer.amount, pattern.unit
    match offer.kind:
        case "per_unit":
            reading.notes.append(
                f"a bare amount is read as dollars per {unit} of {pattern.level_of_care}"
            )
            return amount
        case "per_day":
            return _day_to_unit(amount, pattern, reading, offer.sessions_per_day)
        case "per_session":
            return _session_to_unit(amount, pattern, reading, offer.sessions_per_day)
        case "per_week":
            return _week_to_unit(amount, pattern, reading, offer.sessions_per_week)
        case "per_15min" | "per_hour":
            return _time_to_unit(offer, pattern, reading)
        case "pct_billed":
            if billed is None:
                raise MissingReference(
                    "a share of billed charges needs the center's charge. Fix: add "
                    "billed_charge_per_unit to the case file"
                )
            reading.notes.append(f"{amount:.1%} of the billed charge of {usd(billed)} per {unit}")
            return amount * billed
        case "pct_medicare":
            return _share_of_medicare(
                amount, pattern, medicare, reading, national=offer.medicare_national
            )
        case "case_rate":
            return _case_rate_to_unit(offer, pattern, reading)


def _time_to_unit(offer: Offer, pattern: ServicePattern, reading: _Reading) -> float:
    """Per 15 minutes or per hour, times the billable units a day: the case's, else the
    program's hours x 4, an assumption the caller must check."""
    units = pattern.billable_units_per_day
    if units is None:
        units = 4 * pattern.hours_per_day
        reading.asks.append(
            f"assumes {units:g} billable 15-minute units a day ({pattern.hours_per_day:g} "
            "program hours): ask how many they allow"
        )
    if offer.kind == "per_15min":
        day = offer.amount * units
        note = f"{usd(offer.amount)} per 15 min x {units:g} units a day = {usd(day)} a day"
    else:
        day = offer.amount * units / 4
        note = (
            f"{usd(offer.amount)} an hour x {units / 4:g} billable hours a day = {usd(day)} a day"
        )
    reading.notes.append(note)
    return _day_to_unit(day, pattern, reading)


def _week_to_unit(
    per_week: float, pattern: ServicePattern, reading: _Reading, said: float | None = None
) -> float:
    """A week pays the units the patient attends in it: sessions (``said``: as many as the
    payer named), or days (never more days than the program runs)."""
    sessions = said or pattern.sessions_per_week
    units = sessions if pattern.unit == "session" else min(pattern.days_per_week, sessions)
    per = per_week / units
    where = ", as the payer said" if said else ""
    reading.notes.append(
        f"{usd(per_week)} a week / {units:g} {_units(pattern)} a week{where} = {usd(per)} per "
        f"{pattern.unit}"
    )
    return per


def _case_rate_to_unit(offer: Offer, pattern: ServicePattern, reading: _Reading) -> float:
    """A case rate over the units it covers (the payer's days, not ours); ``_over_the_stay``
    then values a stay that runs past them."""
    units, unit, expected = _units(pattern), pattern.unit, pattern.expected_units
    covers = offer.covers_units
    if covers is None:
        covers = expected
        reading.asks.append(
            f"the case rate's {units} are not said: read over our expected {expected:g}; ask "
            f"how many {units} it covers and what is paid after them"
        )
    per = offer.amount / covers
    reading.notes.append(
        f"case rate {usd(offer.amount)} / the {covers:g} {units} it covers = {usd(per)} per {unit}"
    )
    return per


def _over_the_stay(per: float, offer: Offer, pattern: ServicePattern, reading: _Reading) -> float:
    """``per``, the rate for the units the offer covers (a case rate's, or a rate said "for 10
    days"), over our expected stay when it runs past them: with the rate said for the units
    after (nothing: nothing), what the whole stay pays per unit, so that a low rate after does
    not hide behind a high one. Unsaid, the caller is told to ask (an acceptance waits)."""
    covers, beyond = offer.covers_units, offer.beyond_per_unit_usd
    units, unit, expected = _units(pattern), pattern.unit, pattern.expected_units
    if offer.mentioned_units is not None:
        reading.asks.append(
            f"the offer mentions {offer.mentioned_units:g} days or sessions: ask whether the "
            f"rate is for all {expected:g} {units} of our stay"
        )
    if covers is None:
        return per
    if offer.counted_in not in (None, unit):
        reading.asks.append(
            f"the offer counts {offer.counted_in}s; this case is paid per {unit}: ask whether "
            f"each {offer.counted_in} is a {unit}"
        )
    if beyond is not None:
        after = "nothing" if beyond == 0 else f"{usd(beyond)} per {unit}"
        reading.notes.append(f"past the {covers:g} {units}: {after}")
    if expected <= covers:
        return per
    past = expected - covers
    reading.notes.append(f"our expected stay of {expected:g} {units} runs {past:g} past it")
    if not beyond:
        reading.asks.append(
            f"our expected stay runs {past:g} {units} past the {covers:g} it covers, "
            + ("unpaid" if beyond == 0 else "and nothing is said about them")
            + ": ask for a rate after them, in writing"
        )
    if beyond is None:
        return per
    stay = (per * covers + beyond * past) / expected
    reading.notes.append(
        f"over our expected stay: ({usd(per * covers)} + {past:g} x {usd(beyond)}) / "
        f"{expected:g} {units} = {usd(stay)} per {unit}"
    )
    return stay


def _units(pattern: ServicePattern) -> str:
    return "days" if pattern.unit == "day" else "sessions"


def sessions_per_day(pattern: ServicePattern) -> float:
    """Sessions on each day the patient attends: a patient attends at most the program's days,
    so 10 sessions over 5 days is 2 a day, and 2 sessions in a 4-day program is 1 a day."""
    return pattern.sessions_per_week / min(pattern.days_per_week, pattern.sessions_per_week)


def _day_to_unit(
    per_day: float, pattern: ServicePattern, reading: _Reading, said: float | None = None
) -> float:
    """``said``: the sessions a day the payer named with the rate, else the case's schedule."""
    if pattern.unit == "day":
        return per_day
    per = said or sessions_per_day(pattern)
    if per == 1:
        reading.notes.append("one session per day attended: the day's amount is the session's")
        return per_day
    per_session = per_day / per
    where = "as the payer said" if said else "attended"
    reading.notes.append(
        f"per day / {per:g} sessions a day {where} = {usd(per_session)} per session"
    )
    return per_session


def _session_to_unit(
    per_session: float, pattern: ServicePattern, reading: _Reading, said: float | None = None
) -> float:
    """``said``: the sessions a day the payer named with the rate (then nothing is assumed),
    else the case's schedule, which the caller is asked to check."""
    if pattern.unit == "session":
        return per_session
    if said:
        per_day = per_session * said
        reading.notes.append(
            f"per session x {said:g} sessions a day, as the payer said = {usd(per_day)} a day"
        )
        return per_day
    per = sessions_per_day(pattern)
    per_day = per_session * per
    reading.notes.append(f"per session x {per:g} sessions a day attended = {usd(per_day)} a day")
    reading.asks.append(
        f"a per-session offer on a {pattern.level_of_care} case, paid by the day: read as "
        f"{per:g} session{'s' if per != 1 else ''} a day = {usd(per_day)} a day; ask how they "
        "count sessions"
    )
    return per_day


def _share_of_medicare(
    share: float,
    pattern: ServicePattern,
    medicare: MedicareRate | None,
    reading: _Reading,
    *,
    national: bool = False,
) -> float:
    """A share of Medicare's rate for the case's area, or (``national``: the payer said so) of
    its national rate, not wage-adjusted."""
    if medicare is None:
        raise MissingReference(
            "no Medicare rate for this case's code and region. Fix: import CMS's "
            "OPPS Addendum A with 'sca-rates market import-opps FILE', or add a "
            "medicare row to market_data/rates.local.csv"
        )
    source = medicare.provenance
    adjusted = medicare.national_usd is not None and not national
    rate = medicare.amount_usd if adjusted else (medicare.national_usd or medicare.amount_usd)
    area = "for the area" if adjusted else "national, not wage-adjusted"
    base = (
        f"Medicare {medicare.code_type} {medicare.code} {usd(rate)} per "
        f"{medicare.unit} {area} ({source.source}, {source.year})"
    )
    amount = share * rate
    reading.notes.append(f"{share:.1%} of {base} = {usd(amount)} per {medicare.unit}")
    if adjusted:
        reading.notes.append(f"Medicare's rate for the area: {medicare.wage_note}")
    # The share of Medicare reads like an offer of that amount in Medicare's own unit
    same = Offer(kind=MEDICARE_UNIT_KIND[medicare.unit], amount=amount, text=base)
    return _per_unit(same, pattern, None, None, reading)
