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
    # 0 opens at the target, 1 at the anchor (the top of the market range, else a share of billed
    # charges, else a share of the payer's ceiling).
    anchor_aggressiveness: float = Field(default=1.0, ge=0, le=1)
    # The anchor when the market gives none above the target: a share of billed charges (payers
    # commonly pay 50-70% of charges)...
    anchor_billed_share: float = Field(default=0.70, gt=0, le=1)
    # ... or, without a billed charge, a share of the payer's ceiling.
    anchor_ceiling_share: float = Field(default=0.80, gt=0, le=1)
    # The first concession is this share of the room between opening and floor...
    first_concession_share: float = Field(default=0.40, gt=0, le=1)
    # ... and each later one this fraction of the one before: concessions that shrink tell the
    # payer the bottom is near.
    concession_decay: float = Field(default=0.5, gt=0, lt=1)
    # Below the target we concede only when the payer moved, and at most this share of its move.
    reciprocity: float = Field(default=0.5, gt=0, le=1)


class RateFigure(Frozen):
    """One of the three numbers: the amount, the rule that bound it and the numbers behind it."""

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
    settlement_midpoint_per_unit_usd: float | None  # halfway from floor to ceiling
    warnings: tuple[str, ...]
