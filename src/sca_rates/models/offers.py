"""Offers as a payer says them, and the same offers in dollars per unit of service and episode."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sca_rates.models.base import Frozen

OfferKind = Literal[
    "per_unit",
    "per_day",
    "per_session",
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


class ServicePattern(Frozen):
    """How the patient's care is scheduled: what every conversion between units stands on."""

    level_of_care: str
    unit: Literal["day", "session"]  # the unit of service the SCA pays
    days_per_week: float
    sessions_per_week: float
    hours_per_day: float  # billable program hours in a day
    expected_units: float
    attendance_rate: float = 1.0  # share of scheduled program days attended


class NormalizedOffer(Frozen):
    offer: Offer
    kind: OfferKind
    unit: Literal["day", "session"]
    per_unit_usd: float
    per_episode_usd: float
    assumptions: tuple[str, ...]  # every figure the conversion stood on, in words
    context: tuple[str, ...] = ()  # evidence to weigh the offer by, with its source
