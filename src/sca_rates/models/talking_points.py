"""Talking points: sentences for the call, each with the figures it rests on."""

from __future__ import annotations

from sca_rates.models.base import Frozen


class Figure(Frozen):
    """One number a talking point uses, with its unit and where it comes from."""

    label: str
    value: float
    unit: str  # "USD per day", "USD", "miles", "minutes", "percent", "hours per day", "x Medicare"
    source: str
    year: int | None
    illustrative: bool


class TalkingPoint(Frozen):
    topic: str  # network_inadequacy, continuity_of_care, cost_offset, payer_line ...
    trigger: str | None  # the case trigger it comes from, if any
    heading: str
    text: str
    figures: tuple[Figure, ...]
