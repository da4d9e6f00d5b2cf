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


@pytest.fixture(autouse=True)
def _private_log(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test writes to a log and drafts of its own, never to the project's var/ folder."""
    folder = tmp_path_factory.mktemp("log")
    monkeypatch.setenv("SCA_DATABASE_URL", f"sqlite:///{folder / 'log.sqlite'}")
    monkeypatch.setenv("SCA_DRAFTS_DIR", str(folder / "drafts"))
