"""sca-rates: negotiation support for single case agreements in behavioral health.

The public surface is listed in ``__all__``; everything else is an implementation detail.
"""

from sca_rates.costing import (
    cost_curve,
    cost_facility,
    cost_level,
    episode_cost,
    facility_annual_cost,
    marginal_cost_per_unit,
    with_census,
)
from sca_rates.exceptions import InvalidCostModel, InvalidInputFile, InvalidScenario, ScaRatesError
from sca_rates.files import load_cost_model
from sca_rates.models import CostModel
from sca_rates.models.costs import CurvePoint, EpisodeCost, FacilityCost, LevelCost

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
