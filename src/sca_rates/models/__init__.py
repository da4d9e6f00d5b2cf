"""Pydantic models: what is read from files (cost models) and what the core computes."""

from sca_rates.models.base import FieldProblem, Frozen
from sca_rates.models.cost_model import (
    CostModel,
    Facility,
    LevelOfCare,
    OverheadItem,
    StaffRole,
    VariableCost,
)

__all__ = [
    "CostModel",
    "Facility",
    "FieldProblem",
    "Frozen",
    "LevelOfCare",
    "OverheadItem",
    "StaffRole",
    "VariableCost",
]
