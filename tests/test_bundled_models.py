"""The cost models that ship in cost_models/ load, say they are illustrative, and are plausible."""

from pathlib import Path

import pytest

from sca_rates.costing import cost_facility
from sca_rates.files import load_cost_model
from sca_rates.settings import Settings
from tests.conftest import PROJECT

BUNDLED = sorted((PROJECT / "cost_models").glob("*.yaml"))


def test_there_are_three_bundled_models_and_the_default_is_first() -> None:
    assert len(BUNDLED) >= 3
    settings = Settings()
    assert settings.cost_model_files()[0].name == settings.default_cost_model


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_model_is_marked_illustrative(path: Path) -> None:
    assert load_cost_model(path).facility.illustrative


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_model_has_a_plausible_cost_structure(path: Path) -> None:
    # Published cost studies find indirect labor plus non-labor costs are roughly 40-70% of the
    # total, so direct clinical labor should be 30-60% of each level's cost.
    for level in cost_facility(load_cost_model(path)).levels:
        assert 0.30 <= level.direct_clinical_labor_share <= 0.60, level.level
        # A US IOP session or PHP day in 2026 costs somewhere between $100 and $1,000
        assert 100 <= level.fully_loaded_per_unit <= 1_000, level.level
