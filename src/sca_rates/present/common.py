"""How figures reach people and programs: every amount with its unit and, for reference figures,
its source; money rounded to cents only here, at the edge. The CLI, the app and the exports all
format through this package; it computes no figure of its own."""

from __future__ import annotations

from sca_rates.models.market import Provenance

UNIT_PLURAL = {"day": "patient-days", "session": "sessions"}


def cents(amount: float) -> float:
    return round(amount, 2)


def optional_cents(amount: float | None) -> float | None:
    return None if amount is None else cents(amount)


def per(unit: str) -> str:
    return f"per {unit}"


def source_mark(source: Provenance) -> str:
    """ "CMS OPPS Addendum A, CY2026" or "sca-rates illustrative estimate, 2026, illustrative"."""
    mark = ", illustrative" if source.illustrative else ""
    return f"{source.source}, {source.year}{mark}"
