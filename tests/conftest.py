from pathlib import Path

import pytest

from sca_rates.files import load_cost_model
from sca_rates.models import CostModel

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = Path(__file__).parent.parent


@pytest.fixture
def tiny_php() -> CostModel:
    return load_cost_model(FIXTURES / "cost_models" / "tiny-php.yaml")


@pytest.fixture
def shared_php_iop() -> CostModel:
    return load_cost_model(FIXTURES / "cost_models" / "shared-php-iop.yaml")
