"""How money and shares are written in every sentence sca-rates makes: one place, so the CLI,
the app, the exports and the core's own explanations agree to the cent."""

from __future__ import annotations


def usd(amount: float) -> str:
    """$1,234.56; negative amounts as -$1,234.56."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def pct(fraction: float, digits: int = 1) -> str:
    """0.705 -> 70.5%."""
    return f"{fraction * 100:.{digits}f}%"
