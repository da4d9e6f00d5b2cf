"""Cost-model results as tables and JSON."""

from __future__ import annotations

from typing import Any

from sca_rates.models.costs import EpisodeCost, FacilityCost, LevelCost
from sca_rates.money import pct, usd
from sca_rates.present.common import UNIT_PLURAL, cents, per

BREAKDOWN_LABELS = {
    "clinical_direct_staff": "Clinical staff, direct care",
    "clinical_support_staff": "Clinical support staff",
    "admin_staff": "Administrative staff",
    "facility_overhead": "Facility",
    "admin_overhead": "Administrative overhead",
    "technology_overhead": "Technology",
    "insurance_overhead": "Insurance",
    "other_overhead": "Other overhead",
    "variable": "Per-patient variable costs",
}


def level_title(level: LevelCost) -> str:
    return f"{level.level} (unit: one {level.unit}), census {level.census:g} of {level.capacity}"


def facility_title(facility: FacilityCost) -> str:
    mark = " (illustrative figures)" if facility.illustrative else ""
    return f"{facility.facility}, fiscal year {facility.fiscal_year}{mark}"


def level_summary(level: LevelCost) -> list[tuple[str, str, str]]:
    """The headline figures of a level as (label, figure, unit) rows."""
    return [
        ("Fully loaded cost", usd(level.fully_loaded_per_unit), per(level.unit)),
        ("Marginal cost (one more patient)", usd(level.marginal_per_unit), per(level.unit)),
        ("Cost per patient-hour", usd(level.per_patient_hour), "per patient-hour"),
        ("Annual cost", usd(level.annual_cost), "a year"),
        ("Units of service", f"{level.annual_units:,.0f}", f"{UNIT_PLURAL[level.unit]} a year"),
        ("Direct clinical labor", pct(level.direct_clinical_labor_share), "of cost"),
        ("Groups at this census", str(level.groups_at_census), "groups"),
    ]


def breakdown_rows(level: LevelCost) -> list[tuple[str, str, str]]:
    """(category, annual dollars, share of the level's cost), empty categories left out."""
    return [
        (BREAKDOWN_LABELS[key], f"{usd(amount)} a year", pct(amount / level.annual_cost))
        for key, amount in level.breakdown.items()
        if amount
    ]


def level_json(
    level: LevelCost, facility: FacilityCost, episode: EpisodeCost | None = None
) -> dict[str, Any]:
    """The stable JSON object of ``sca-rates cost --json``: dollars to the cent, ratios to four
    decimal places."""
    data: dict[str, Any] = {
        "facility": facility.facility,
        "fiscal_year": facility.fiscal_year,
        "illustrative": facility.illustrative,
        "level": level.level,
        "unit": level.unit,
        "census": level.census,
        "capacity": level.capacity,
        "annual_cost": cents(level.annual_cost),
        "annual_units": round(level.annual_units, 2),
        "fully_loaded_per_unit": cents(level.fully_loaded_per_unit),
        "marginal_per_unit": cents(level.marginal_per_unit),
        "per_patient_hour": cents(level.per_patient_hour),
        "direct_clinical_labor_share": round(level.direct_clinical_labor_share, 4),
        "groups_at_census": level.groups_at_census,
        "breakdown": {key: cents(amount) for key, amount in level.breakdown.items()},
        "lines": [
            {
                "kind": line.kind,
                "name": line.name,
                "category": line.category,
                "share": round(line.share, 4),
                "fte": None if line.fte is None else round(line.fte, 4),
                "annual_cost": cents(line.annual_cost),
            }
            for line in level.lines
        ],
    }
    if episode is not None:
        data["episode"] = {
            "units": episode.units,
            "fully_loaded_usd": cents(episode.fully_loaded_usd),
            "marginal_usd": cents(episode.marginal_usd),
        }
    return data


def episode_summary(episode: EpisodeCost) -> list[tuple[str, str, str]]:
    units = f"{episode.units:g} {UNIT_PLURAL[episode.unit]}"
    return [
        (f"Episode of {units}, fully loaded", usd(episode.fully_loaded_usd), "per episode"),
        (f"Episode of {units}, at the margin", usd(episode.marginal_usd), "per episode"),
    ]


def line_rows(level: LevelCost) -> list[tuple[str, str, str]]:
    """(line, its FTE or share of the line, annual dollars) for every cost line of a level."""
    return [
        (
            line.name,
            f"{line.fte:.2f} FTE" if line.fte is not None else f"{pct(line.share, 0)} share",
            f"{usd(line.annual_cost)} a year",
        )
        for line in level.lines
    ]
