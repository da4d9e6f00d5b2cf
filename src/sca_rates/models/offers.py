"""Offers as a payer says them, and the same offers in dollars per unit of service and episode."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sca_rates.models.base import Frozen

OfferKind = Literal[
    "per_unit",
    "per_day",
    "per_session",
    "per_week",
    "per_15min",
    "per_hour",
    "pct_billed",
    "pct_medicare",
    "case_rate",
]


class Offer(Frozen):
    """What was said, read: dollars for the dollar kinds, a fraction (0.6) for the percentages."""

    kind: OfferKind
    amount: float = Field(gt=0)
    text: str
    code: str | None = None  # a billing code the payer named with the amount (S0201, RC 0913)
    # A case rate: the units of service it covers ("for 25 days"; None: not said) and what each
    # unit beyond them is paid ("$715 a day after"; 0: "nothing after"; None: not said)
    covers_units: float | None = Field(default=None, gt=0)
    counted_in: Literal["day", "session"] | None = None  # what "25 days" counts, as said
    # A count said with a rate but not plainly what it is for ("$700/day, 10 days"): asked
    mentioned_units: float | None = None
    beyond_per_unit_usd: float | None = Field(default=None, ge=0)
    # Sessions a day, when the payer says how many with a rate per day or session ("$300 per
    # session, 2 sessions a day"); None: the case's schedule
    sessions_per_day: float | None = Field(default=None, gt=0)
    # Sessions (or days) a week, said with a weekly rate ("$1,200 a week, 4 sessions a week"),
    # or with a rate per day or session, which may pay no more of them ("$700/day, 3 days a week")
    sessions_per_week: float | None = Field(default=None, gt=0)
    # A share of Medicare's national rate, said not wage-adjusted for the area
    medicare_national: bool = False


class ServicePattern(Frozen):
    """How the patient's care is scheduled: what every conversion between units stands on."""

    level_of_care: str
    unit: Literal["day", "session"]  # the unit of service the SCA pays
    days_per_week: float
    sessions_per_week: float
    hours_per_day: float  # billable program hours in a day
    expected_units: float
    attendance_rate: float = 1.0  # share of scheduled program days attended
    # Billable 15-minute units a day, when the case says how many the payer allows; None: the
    # program's hours x 4, an assumption the answer states
    billable_units_per_day: float | None = None


class Condition(Frozen):
    """The payer's words that qualify a rate, as they said them ("excluding labs"): services
    left out of it or all it pays, the member's cost share inside it, fewer days a week."""

    kind: Literal["services", "cost_share", "days_a_week"]
    words: str


class NormalizedOffer(Frozen):
    offer: Offer
    kind: OfferKind
    unit: Literal["day", "session"]
    per_unit_usd: float
    per_episode_usd: float
    assumptions: tuple[str, ...]  # every figure the conversion stood on, in words
    context: tuple[str, ...] = ()  # evidence to weigh the offer by, with its source
    # What the caller should ask the payer because the reading assumed it ("assumes 24 units a
    # day: ask how many they allow"); shown with the answer, not folded away
    asks: tuple[str, ...] = ()
    # Why the figure looks wrong for this case ("above our billed charge"): it counts only once
    # the caller confirms it
    checks: tuple[str, ...] = ()
    # The payer's words that qualify the rate ("excluding labs", "net of member cost share",
    # "max 3 days a week"): part of the terms, restated with the rate wherever it is agreed
    conditions: tuple[Condition, ...] = ()
