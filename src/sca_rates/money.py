"""How money and shares are written in every sentence sca-rates makes: one place, so the CLI,
the app, the exports and the core's own explanations agree to the cent."""

from __future__ import annotations

CENT = 0.005  # dollar amounts closer than half a cent are equal


def usd(amount: float) -> str:
    """$1,234.56; negative amounts as -$1,234.56."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def pct(fraction: float, digits: int = 1) -> str:
    """0.705 -> 70.5%."""
    return f"{fraction * 100:.{digits}f}%"


SPOKEN_WORDS = 25  # a line longer than this is not said in one breath


def spoken_usd(amount: float) -> str:
    """An amount as it is said on a call: whole dollars, and to the nearest $10 above $1,000."""
    rounded = round(amount / 10) * 10 if amount > 1000 else round(amount)
    return f"${rounded:,.0f}"


def said_rate(amount: float) -> str:
    """A rate as it is said: exact (a rate is agreed to the cent), without ".00" when whole."""
    return f"${amount:,.0f}" if round(amount, 2) == round(amount) else usd(amount)
