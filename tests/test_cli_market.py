"""``sca-rates compare``, ``normalize`` and ``market import-opps``: stable JSON keys, readable
text, and user errors that exit 2."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.market import find_medicare, load_market
from tests.conftest import FIXTURES, PROJECT

CASE = str(FIXTURES / "cases" / "php-case.yaml")
MARKET = str(FIXTURES / "market")
ADDENDUM = str(FIXTURES / "opps" / "addendum-a-sample.csv")


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_normalize_json_keys_and_figures() -> None:
    # $42 x 24 units (4 x 6 billable hours, assumed and said) = $1,008 a day; x 18 = $18,144
    data = json.loads(
        _run("normalize", "$42 per 15 min", "--case", CASE, "--market-data", MARKET, "--json")
    )
    assert data["per_unit_usd"] == 1008.0
    assert data["per_episode_usd"] == 18144.0
    assert data["kind"] == "per_15min"
    assert any("24 units a day" in note for note in data["assumptions"])
    assert data["ask_the_payer"] == [
        "assumes 24 billable 15-minute units a day (6 program hours): ask how many they allow"
    ]


def test_compare_json_keeps_the_stable_keys() -> None:
    data = json.loads(
        _run("compare", CASE, "--rate", "$430/day", "--market-data", MARKET, "--json")
    )
    assert data["rate_per_unit_usd"] == 430.0
    assert data["our_episode_usd"] == 7740.0
    market = data["market"]
    assert {
        "percentile",
        "p50_usd",
        "medicare_usd",
        "medicare_multiple",
        "fallback",
        "n",
        "illustrative",
    } <= market.keys()
    assert (market["percentile"], market["p50_usd"], market["medicare_multiple"]) == (
        40.0,
        450.0,
        2.15,
    )
    assert {
        "fully_loaded_ratio",
        "marginal_ratio",
        "margin_per_unit_usd",
        "margin_per_episode_usd",
    } <= data["cost_coverage"].keys()
    residential = next(a for a in data["alternatives"] if a["setting"] == "residential")
    assert residential == residential | {
        "per_diem_usd": 1050.0,
        "los_days": 25.0,
        "episode_usd": 26250.0,
        "savings_usd": 18510.0,
        "savings_pct": 0.7051,
    }
    assert data["payer_ceiling_per_unit_usd"] == 1458.33
    assert data["oon_expected_per_unit_usd"] == 366.67


def test_compare_text_names_units_sources_and_fallbacks() -> None:
    out = _run("compare", CASE, "--rate", "$430/day", "--market-data", MARKET)
    assert "Rate $430.00 per day" in out
    assert "percentile 40 of aetna, 14460, S0201, 2026" in out
    assert "2.15 x Medicare" in out
    assert "source: test fixture, 2026" in out
    assert "Payer's ceiling $1,458.33 per day" in out


def test_every_bundled_case_compares() -> None:
    cases = sorted((PROJECT / "cases").glob("*.yaml"))
    assert len(cases) >= 4
    for case in cases:
        data = json.loads(_run("compare", str(case), "--json"))
        assert data["rate_per_unit_usd"] > 0, case.name
        assert data["market"]["illustrative"] is not None, case.name


def test_cost_model_option_overrides_the_case() -> None:
    other = str(FIXTURES / "cost_models" / "shared-php-iop.yaml")
    data = json.loads(
        _run("compare", CASE, "--cost-model", other, "--market-data", MARKET, "--json")
    )
    # shared-php-iop's PHP costs $195.69 a day (tests/test_costing.py)
    assert data["cost_coverage"]["fully_loaded_per_unit_usd"] == 195.69


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["normalize", "lots", "--case", CASE], "type one figure in dollars, like one of these"),
        (
            ["compare", CASE, "--rate", "120% of Medicare", "--market-data", str(PROJECT)],
            "rates.csv",
        ),
        (["compare", "no-such-case.yaml"], "no such file"),
    ],
)
def test_user_errors_exit_2_with_a_fix(args: list[str], words: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_import_opps_writes_rows_the_market_reads(tmp_path: Path) -> None:
    for name in ("rates.csv", "alternatives.csv"):
        (tmp_path / name).write_text((FIXTURES / "market" / name).read_text())
    out = _run("market", "import-opps", ADDENDUM, "--out", str(tmp_path / "rates.opps.csv"))
    assert "wrote 8 rows" in out
    market = load_market(tmp_path)
    php = find_medicare(market, code_type="APC", code="5864", region="TX", state=None)
    assert php is not None
    assert php.amount_usd == 370.50  # read from the file's Payment Rate column
    assert php.provenance.year == 2027  # from "CY 2027" in the title
    levels = {r.code: r.level_of_care for r in market.rates if r.code_type == "APC"}
    assert levels["5851"] == "IOP"
    assert levels["5863"] == "PHP"
    assert "5871" not in levels  # not a mental-health APC


def test_import_opps_refuses_a_file_that_is_not_addendum_a(tmp_path: Path) -> None:
    bogus = tmp_path / "not-addendum.csv"
    bogus.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(
        app, ["market", "import-opps", str(bogus), "--out", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 2
    assert "APC, Group Title and Payment Rate" in result.stderr


def test_a_share_of_billed_offer_comes_with_published_shares() -> None:
    # The fixture's one contract: aetna pays 55.3% of billed charges in MA
    out = _run("normalize", "50% of billed charges", "--case", CASE, "--market-data", MARKET)
    assert "$500.00 per day" in out  # 50% x $1,000
    assert "aetna (Test PPO, MA) pays 55.3% of billed charges [test fixture, 2026]" in out


def _addendum(tmp_path: Path, text: str) -> str:
    path = tmp_path / "addendum.csv"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("change", "args", "words"),
    [
        (lambda t: t, ["--year", "1980"], "not a plausible OPPS year"),
        (lambda t: t.replace('"$370.50"', '"$0.00"'), [], "not above zero"),
        (lambda t: t + t.splitlines()[-2] + "\n", [], "appears more than once"),
    ],
)
def test_import_opps_refuses_what_it_cannot_trust(tmp_path: Path, change, args, words) -> None:  # type: ignore[no-untyped-def]
    text = change((FIXTURES / "opps" / "addendum-a-sample.csv").read_text())
    result = CliRunner().invoke(
        app,
        [
            "market",
            "import-opps",
            _addendum(tmp_path, text),
            *args,
            "--out",
            str(tmp_path / "x.csv"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_import_opps_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["market", "import-opps", ADDENDUM, "--out", str(tmp_path / "none" / "x.csv")]
    )
    assert result.exit_code == 2
    assert "folder that exists" in result.stderr
