"""A case file with a mistake gets one message naming the file, the field and the fix."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.models.case import infer_code_type
from tests.conftest import FIXTURES

CASE = (FIXTURES / "cases" / "php-case.yaml").read_text()
MODEL = str(FIXTURES / "cost_models" / "tiny-php.yaml")

CASES = [
    ("missing payer", CASE.replace("payer: Aetna\n", ""), "payer", "add payer"),
    ("cbsa without state", CASE.replace("state: MA\n", ""), "state", "add state"),
    ("unknown code form", CASE.replace("code: S0201", "code: XYZ12"), "code_type", "add code_type"),
    (
        "level not in the cost model",
        CASE.replace("level_of_care: PHP", "level_of_care: IOP"),
        "level_of_care",
        "use one of PHP",
    ),
    (
        "coinsurance above 1",
        CASE.replace("coinsurance: 0.4", "coinsurance: 40"),
        "oon_benefit.coinsurance",
        "at most 1",
    ),
    (
        "unknown allowed basis",
        CASE.replace("allowed_basis: billed_charges", "allowed_basis: ucr"),
        "oon_benefit.allowed_basis",
        "'billed_charges' or 'medicare'",
    ),
    # 1e9 days passes "above 0"; an episode that long is a slip (an extra digit or three)
    (
        "an episode of a billion units",
        CASE.replace("expected_units: 18", "expected_units: 1e9"),
        "expected_units",
        "less than or equal to 1000",
    ),
    ("an infinite charge", CASE.replace("1000\n", ".inf\n", 1), "billed_charge", "finite"),
    (
        "a field written twice",
        CASE.replace("payer: Aetna\n", "payer: Aetna\npayer: Cigna\n"),
        "line 4, column 1: payer is written twice",
        "keep one of them",
    ),
]


@pytest.mark.parametrize(("name", "text", "where", "fix"), CASES, ids=[c[0] for c in CASES])
def test_case_mistakes_name_the_field_and_the_fix(
    tmp_path: Path, name: str, text: str, where: str, fix: str
) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["compare", str(path), "--cost-model", MODEL])
    assert result.exit_code == 2, name
    assert str(path) in result.stderr
    assert where in result.stderr
    assert fix in result.stderr
    assert "Traceback" not in result.output


def test_a_code_type_is_read_from_the_code() -> None:
    assert infer_code_type("S0201") == "HCPCS"
    assert infer_code_type("90837") == "CPT"
    assert infer_code_type("0913") == "RC"
    assert infer_code_type("XYZ12") is None


def test_an_alternative_the_market_does_not_know_is_refused_not_ignored(tmp_path: Path) -> None:
    # Ignored, a misspelt setting would leave the payer's ceiling to another setting or to none
    path = tmp_path / "case.yaml"
    path.write_text(CASE.replace("setting: residential", "setting: residental"))
    result = CliRunner().invoke(app, ["compare", str(path), "--cost-model", MODEL])
    assert result.exit_code == 2
    assert "alternative.setting: residental is not a setting of the market data" in result.stderr
    assert "use one of inpatient_psych, residential" in result.stderr
