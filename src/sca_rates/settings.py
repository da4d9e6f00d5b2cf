"""Where sca-rates finds its files. Every setting can be changed with an ``SCA_`` environment
variable (``SCA_COST_MODELS_DIR``, ``SCA_DEFAULT_COST_MODEL``, ``SCA_MARKET_DATA_DIR``,
``SCA_CASES_DIR``, ``SCA_AGREEMENTS_DIR``, ``SCA_DATABASE_URL``, ``SCA_PATIENT_KEY``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# src/sca_rates/settings.py -> the project's root, where the bundled data folders are
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCA_", frozen=True)

    cost_models_dir: Path = PROJECT_ROOT / "cost_models"
    default_cost_model: str = "harborview-mh-php-iop.yaml"  # a file name in cost_models_dir
    market_data_dir: Path = PROJECT_ROOT / "market_data"
    cases_dir: Path = PROJECT_ROOT / "cases"
    default_case: str = "harborview-aetna-php.yaml"  # a file name in cases_dir
    agreements_dir: Path = PROJECT_ROOT / "agreements"
    # The negotiation log: a SQLite file by default, or postgresql+psycopg://user@host/db
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'sca-rates.sqlite'}"
    # Where imported price-transparency files are written as Parquet
    imports_dir: Path = PROJECT_ROOT / "var" / "imports"
    # Where the app keeps each caller's call in progress, so a reload or a page change loses nothing
    drafts_dir: Path = PROJECT_ROOT / "var" / "drafts"
    # The key that encrypts patient identifiers (`sca-rates log new-key`); without it none are kept
    patient_key: SecretStr | None = None

    def cost_model_files(self) -> list[Path]:
        """The cost models to choose from, the default first."""
        return _default_first(self.cost_models_dir, self.default_cost_model)

    def case_files(self) -> list[Path]:
        """The cases to choose from, the default first."""
        return _default_first(self.cases_dir, self.default_case)


def _default_first(folder: Path, default: str) -> list[Path]:
    return sorted(folder.glob("*.yaml"), key=lambda path: (path.name != default, path.name))
