"""``sca-rates cost``: the table, the JSON other programs read, and the what-ifs."""

import json
import shlex
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from tests.conftest import FIXTURES, PROJECT

TINY = str(FIXTURES / "cost_models" / "tiny-php.yaml")
SHARED = str(FIXTURES / "cost_models" / "shared-php-iop.yaml")
JSON_KEYS = {
    "level",
    "unit",
    "annual_cost",
    "annual_units",
    "fully_loaded_per_unit",
    "marginal_per_unit",
    "per_patient_hour",
    "direct_clinical_labor_share",
    "breakdown",
}


def _json(*args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["cost", *args, "--json"])
    assert result.exit_code == 0, result.output
    parsed: list[dict[str, object]] = json.loads(result.stdout)
    return parsed


def test_json_has_one_object_per_level_with_the_stable_keys() -> None:
    objects = _json(SHARED)
    assert [obj["level"] for obj in objects] == ["PHP", "IOP"]
    for obj in objects:
        assert obj.keys() >= JSON_KEYS


def test_json_figures_are_the_hand_worked_ones_rounded_to_cents() -> None:
    # tests/test_costing.py: $404,500 a year over 2,250 days = $179.78 a day; marginal
    # (75,000 + 2,250) / 225 = $343.33; per patient-hour 404,500 / 13,500 = $29.96
    (php,) = _json(TINY)
    assert php["unit"] == "day"
    assert php["annual_cost"] == 404_500.0
    assert php["annual_units"] == 2250.0
    assert php["fully_loaded_per_unit"] == 179.78
    assert php["marginal_per_unit"] == 343.33
    assert php["per_patient_hour"] == 29.96
    assert php["direct_clinical_labor_share"] == 0.4994  # 202,000 / 404,500
    breakdown = php["breakdown"]
    assert isinstance(breakdown, dict)
    assert breakdown["variable"] == 22_500.0
    assert sum(breakdown.values()) == pytest.approx(404_500)


def test_level_census_and_episode_options() -> None:
    # IOP at census 10, one more patient: ceil(11/12) = 1 therapist still, the coordinator serves
    # 8 + 11 = 19 -> ceil(1.9) = 2 FTE still; so the marginal cost is the $4 screen, and an
    # episode of 10 sessions at the margin is $40.
    (iop,) = _json(SHARED, "--level", "IOP", "--census", "10", "--episode-units", "10")
    assert iop["level"] == "IOP"
    assert iop["census"] == 10
    assert iop["annual_units"] == 1125.0  # 10 x 3 x 50 x 0.75
    assert iop["episode"] == {
        "units": 10.0,
        "fully_loaded_usd": pytest.approx(10 * float(str(iop["fully_loaded_per_unit"])), abs=0.05),
        "marginal_usd": 40.0,
    }


def test_table_shows_each_figure_with_its_unit() -> None:
    result = CliRunner().invoke(app, ["cost", TINY, "--lines"])
    assert result.exit_code == 0
    out = result.stdout
    assert "$179.78  per day" in out
    assert "$343.33  per day" in out
    assert "$29.96  per patient-hour" in out
    assert "2,250  patient-days a year" in out
    assert "Therapist" in out
    assert "2.00 FTE  $150,000.00 a year" in out


def test_census_needs_a_level_when_there_are_several() -> None:
    result = CliRunner().invoke(app, ["cost", SHARED, "--census", "9"])
    assert result.exit_code == 2
    assert "--census needs --level" in result.stderr


@pytest.mark.parametrize(
    ("args", "fix"),
    [
        (["--level", "OP"], "use one of PHP"),
        (["--census", "0"], "at most its capacity 12; choose a census in that range"),
        (["--census", "99"], "at most its capacity 12; choose a census in that range"),
    ],
)
def test_impossible_what_ifs_exit_2(args: list[str], fix: str) -> None:
    result = CliRunner().invoke(app, ["cost", TINY, *args])
    assert result.exit_code == 2
    assert fix in result.stderr
    assert "Traceback" not in result.output


def test_module_entry_point_runs_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sca_rates", "cost", TINY, "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["fully_loaded_per_unit"] == 179.78


@pytest.mark.parametrize(
    "command",
    [
        "cost cost_models/harborview-mh-php-iop.yaml --level PHP",
        "compare cases/harborview-aetna-php.yaml --rate '$475/day'",
    ],
)
def test_readme_shows_real_output(command: str) -> None:
    readme = (PROJECT / "README.md").read_text()
    shown = readme.split(f"$ .venv/bin/sca-rates {command}\n", 1)[1].split("```", 1)[0]
    name, path, *options = shlex.split(command)  # as the shell would pass it
    result = CliRunner().invoke(app, [name, str(PROJECT / path), *options])
    assert result.stdout == shown
