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
    text: str  # the written form, for documents, its figures cited beside it
    spoken: str  # the line to say: at most 25 words, figures rounded for speech
    why: str  # why it fired: the facts of the case that hold for it
    figures: tuple[Figure, ...]

    @property
    def illustrative(self) -> bool:
        """The point rests on a figure that is an estimate, not a published one."""
        return any(figure.illustrative for figure in self.figures)
