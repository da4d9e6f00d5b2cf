"""The negotiating policy, and the opening, target and floor it yields. US dollars per unit of
service of the case (a PHP day, an IOP session) unless a name says ``episode``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sca_rates.models.base import Frozen


class Policy(Frozen):
    """Every knob of the recommendation and the negotiation, with its default and why."""

    # The floor's cost basis. "auto": marginal cost when the case says the slot would otherwise
    # stay empty (any rate above it adds to the year), else the fully loaded cost.
    floor_basis: Literal["auto", "fully_loaded", "marginal"] = "auto"
    # The market median is raised by this share when the case has a specialized need or a network
    # gap for a named specialty: a payer pays more for what its network lacks.
    specialization_premium: float = Field(default=0.10, ge=0, le=1)
    # 0 opens at the target (plus the least room below), 1 at the highest anchor: the top of the
    # market range, the payer's published share of billed charges on our charge, a share of the
    # payer's ceiling, a multiple of Medicare.
    anchor_aggressiveness: float = Field(default=1.0, ge=0, le=1)
    # The share of billed charges when the payer publishes none (payers commonly pay 50-70%).
    anchor_billed_share: float = Field(default=0.70, gt=0, le=1)
    anchor_ceiling_share: float = Field(default=0.80, gt=0, le=1)
    # Commercial plans pay above Medicare; a cautious multiple of its rate for the same service.
    anchor_medicare_multiple: float = Field(default=1.5, gt=1, le=5)
    # The opening stands at least this share above the target (unless the payer's ceiling forbids
    # it): the room to concede from without going under the target at once.
    opening_room_share: float = Field(default=0.10, ge=0, le=1)
    # Concessions are planned over this many turns after the opening: the k-th meets k / turns of
    # the gap between our last ask and the payer's offer, so a payer who keeps moving up meets us
    # within a few turns. After them our ask is final.
    concession_turns: int = Field(default=4, ge=1, le=12)
    # Below the target we concede only when the payer moved, and at most this share of its move.
    reciprocity: float = Field(default=0.5, gt=0, le=1)
    # An offer this close to our ask is accepted: under this much over the episode...
    close_gap_episode_usd: float = Field(default=100.0, ge=0)
    # ... or within this share of our ask.
    close_gap_share: float = Field(default=0.01, ge=0, lt=1)


class RateFigure(Frozen):
    """One of the three numbers: the amount (whole cents, as shown and compared), the rule that
    bound it and the numbers behind it."""

    per_unit_usd: float
    per_episode_usd: float
    binding: str  # what bound it: fully_loaded_cost, marginal_cost, oon_expected, market_p50 ...
    rule: str
    inputs: dict[str, float]  # the figures the rule compared, by name with their unit


class Recommendation(Frozen):
    unit: Literal["day", "session"]
    expected_units: float
    floor: RateFigure
    target: RateFigure
    opening: RateFigure
    zopa: bool  # a zone of agreement exists: floor <= the payer's ceiling (or no ceiling known)
    payer_ceiling_per_unit_usd: float | None
    warnings: tuple[str, ...]
