"""sca-rates: negotiation support for single case agreements in behavioral health.

The public surface is listed in ``__all__``; everything else is an implementation detail. Each
name is imported on first use (PEP 562): a command that needs none of them, such as the payers'
importer and the process it scans with, starts without loading pydantic and the models (about
0.2 s a process, benchmarks/ingest.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "CostModel",
    "CurvePoint",
    "EpisodeCost",
    "FacilityCost",
    "InvalidCostModel",
    "InvalidInputFile",
    "InvalidScenario",
    "LevelCost",
    "ScaRatesError",
    "cost_curve",
    "cost_facility",
    "cost_level",
    "episode_cost",
    "facility_annual_cost",
    "load_cost_model",
    "marginal_cost_per_unit",
    "with_census",
]
# Where the public names live, searched in this order on a name's first use
_HOMES = (
    "sca_rates.exceptions",
    "sca_rates.models",
    "sca_rates.models.costs",
    "sca_rates.costing",
    "sca_rates.files",
)


def __getattr__(name: str) -> Any:
    if name in __all__:
        for home in _HOMES:
            module = importlib.import_module(home)
            if hasattr(module, name):
                return getattr(module, name)
    raise AttributeError(f"module 'sca_rates' has no attribute {name!r}")


if TYPE_CHECKING:  # what type checkers and editors see: the names themselves
    from sca_rates.costing import (
        cost_curve,
        cost_facility,
        cost_level,
        episode_cost,
        facility_annual_cost,
        marginal_cost_per_unit,
        with_census,
    )
    from sca_rates.exceptions import (
        InvalidCostModel,
        InvalidInputFile,
        InvalidScenario,
        ScaRatesError,
    )
    from sca_rates.files import load_cost_model
    from sca_rates.models import CostModel
    from sca_rates.models.costs import CurvePoint, EpisodeCost, FacilityCost, LevelCost
