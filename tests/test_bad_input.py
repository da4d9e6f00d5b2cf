"""A malformed or inconsistent cost model gives one message naming the file, the field and the
fix, exit code 2, and no traceback."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.exceptions import InvalidCostModel
from sca_rates.files import load_cost_model
from tests.conftest import FIXTURES

TINY = (FIXTURES / "cost_models" / "tiny-php.yaml").read_text()
SHARED = (FIXTURES / "cost_models" / "shared-php-iop.yaml").read_text()

# (case, source text, expected field path, words the fix must contain)
CASES = [
    (
        "yaml syntax",
        TINY.replace("fiscal_year: 2026}", "fiscal_year: 2026"),
        "line 3, column",
        "indentation",
    ),
    ("empty file", "", "file: it is empty", "bundled example"),
    ("only a comment", "# nothing here\n", "file: it is empty", "bundled example"),
    ("not a mapping", "- just\n- a list\n", "file: the top level", "field: value"),
    (
        "missing field",
        TINY.replace(" max_group_size: 8}", "}"),
        "levels_of_care[0] (PHP).max_group_size",
        "add max_group_size",
    ),
    (
        "unknown field",
        TINY.replace("fte: 0.5}", "fte: 0.5, salary: 5}"),
        "staff[1] (Nurse).salary",
        "remove salary or correct its spelling",
    ),
    (
        "negative pay",
        TINY.replace("annual_salary: 60000", "annual_salary: -60000"),
        "staff[0] (Therapist).annual_salary",
        "greater than 0",
    ),
    (
        "money written with a dollar sign",
        TINY.replace("annual_cost: 48000", "annual_cost: $48,000"),
        "overhead[0] (Rent).annual_cost",
        "without $ or commas",
    ),
    (
        "fractions not summing to 1",
        SHARED.replace("{PHP: 0.5, IOP: 0.5}", "{PHP: 0.5, IOP: 0.4}"),
        "staff[4] (Group coordinator).allocation",
        "add up to exactly 1",
    ),
    (
        "census above capacity",
        TINY.replace("average_census: 10", "average_census: 13"),
        "levels_of_care[0] (PHP).average_census",
        "lower average_census or raise capacity",
    ),
    (
        "unknown level in an allocation",
        SHARED.replace("{PHP: 0.5, IOP: 0.5}", "{PHP: 0.5, OP: 0.5}"),
        "staff[4] (Group coordinator).allocation.OP",
        "use one of PHP, IOP",
    ),
    (
        "unknown level in a variable cost",
        SHARED.replace("levels: [PHP]", "levels: [PHX]"),
        "variable_costs[0] (Meals).levels[0]",
        "use one of PHP, IOP",
    ),
    (
        "shared line without allocation",
        SHARED.replace(", allocation: hours}", "}", 1),
        "staff[0] (Psychiatrist).allocation",
        "add allocation",
    ),
    (
        "allocation that is neither",
        SHARED.replace("allocation: hours}", "allocation: 0.5}", 1),
        "staff[0] (Psychiatrist).allocation",
        "hours or patient_units",
    ),
    (
        "two ways of pay",
        TINY.replace("annual_salary: 60000,", "annual_salary: 60000, hourly_rate: 30,"),
        "staff[0] (Therapist).annual_salary",
        "either annual_salary",
    ),
    (
        "hourly pay without hours",
        TINY.replace(" annual_hours: 2080,", ""),
        "staff[1] (Nurse).annual_hours",
        "add annual_hours",
    ),
    (
        "fixed and ratio staffing",
        TINY.replace(
            "benefits_load: 0.2, fte: 1}", "benefits_load: 0.2, fte: 1, patients_per_fte: 4}"
        ),
        "staff[2] (Director).fte",
        "either fte",
    ),
    (
        "unknown unit",
        TINY.replace("unit: day", "unit: week"),
        "levels_of_care[0] (PHP).unit",
        "'day' or 'session'",
    ),
    ("unknown state", TINY.replace("state: ma", "state: ZZ"), "facility.state", "e.g. MA"),
    (
        "no level of care",
        "facility: {name: X, state: MA, fiscal_year: 2026}\nlevels_of_care: []\n",
        "levels_of_care: the model has no level of care",
        "add at least one",
    ),
    (
        "duplicate level",
        SHARED.replace("{code: IOP", "{code: PHP"),
        "levels_of_care[1] (PHP).code",
        "distinct code",
    ),
    # A number that is no number passes every bound (inf > 0): refused where it is written
    (
        "infinite salary",
        TINY.replace("annual_salary: 60000", "annual_salary: .inf"),
        "staff[0] (Therapist).annual_salary",
        "finite number",
    ),
    (
        "salary that is not a number",
        TINY.replace("annual_cost: 48000", "annual_cost: .nan"),
        "overhead[0] (Rent).annual_cost",
        "finite number",
    ),
    # Written twice, the second annual_salary would silently win ($60,000 -> $90,000)
    (
        "a field written twice",
        TINY.replace("annual_salary: 60000,", "annual_salary: 60000, annual_salary: 90000,"),
        "line 7, column 72: annual_salary is written twice",
        "keep one of them",
    ),
    (
        "no staff",
        TINY.split("staff:")[0] + "overhead:\n  - {name: Rent, category: facility, "
        "annual_cost: 48000}\n",
        "staff: the model has no staff",
        "add the program's staff roles",
    ),
    # A census of 0.000000001 would put one day's cost in the trillions
    (
        "census under one patient",
        TINY.replace("average_census: 10", "average_census: 1e-9"),
        "levels_of_care[0] (PHP).average_census",
        "greater than or equal to 1",
    ),
    (
        "nested five thousand deep",
        "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "file: it is nested too deeply to be read",
        "bundled examples",
    ),
]


@pytest.mark.parametrize(("case", "text", "where", "fix"), CASES, ids=[c[0] for c in CASES])
def test_cli_names_the_file_the_field_and_the_fix(
    tmp_path: Path, case: str, text: str, where: str, fix: str
) -> None:
    path = tmp_path / "center.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["cost", str(path)])
    assert result.exit_code == 2, case
    assert str(path) in result.stderr
    assert where in result.stderr
    assert fix in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_missing_file_is_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["cost", "no-such-model.yaml"])
    assert result.exit_code == 2
    assert "no-such-model.yaml" in result.stderr
    assert "no such file" in result.stderr


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "center.yaml"
    path.write_text(
        TINY.replace("annual_salary: 60000", "annual_salary: -1").replace(
            " max_group_size: 8}", "}"
        )
    )
    with pytest.raises(InvalidCostModel) as caught:
        load_cost_model(path)
    wheres = [problem.where for problem in caught.value.problems]
    assert wheres == [
        "levels_of_care[0] (PHP).max_group_size",
        "staff[0] (Therapist).annual_salary",
    ]


@pytest.mark.parametrize("units", ["inf", "nan", "0", "1e9"])
def test_an_episode_length_that_is_no_length_is_refused(units: str) -> None:
    path = FIXTURES / "cost_models" / "tiny-php.yaml"
    result = CliRunner().invoke(app, ["cost", str(path), "--episode-units", units, "--json"])
    assert result.exit_code == 2
    assert "cannot be costed; give a number of units above 0 and at most 1,000" in result.stderr
    assert result.stdout == ""  # nothing half-printed, no Infinity or NaN


def test_a_what_if_census_under_one_patient_is_refused() -> None:
    path = FIXTURES / "cost_models" / "tiny-php.yaml"
    result = CliRunner().invoke(app, ["cost", str(path), "--census", "1e-9"])
    assert result.exit_code == 2
    assert "census 1e-09 for PHP must be at least 1 and at most its capacity 12" in result.stderr
