"""``sca-rates compare``, ``normalize`` and the ``market`` commands: stable JSON keys, readable
text, and user errors that exit 2 leaving every file as it was."""

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.ingest.hpt import read_hpt
from sca_rates.ingest.rows import write_parquet
from sca_rates.market import find_medicare, load_market
from tests.cli_runs import refused
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


# Importing price-transparency files and summarizing them: every bad input is one message on
# stderr, exit 2, and nothing written or replaced.
HERE = FIXTURES / "transparency"
SINGLE = HERE / "tic-v2-single-plan.json"  # CMS's example; entry 1 is billing code 27447
TALL = HERE / "hpt-v3-tall.csv"  # CMS's example; code 70551 is priced $400 (PPO), $250 (HMO)


def _payer_file(path: Path, **price: object) -> Path:
    """CMS's single-plan example with its first price changed."""
    data = json.loads(SINGLE.read_text())
    data["in_network"][0]["negotiated_rates"][0]["negotiated_prices"][0].update(price)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def _imported(tmp_path: Path, **change: object) -> str:
    """A Parquet file as import-hpt writes it, its second row changed."""
    rows = list(read_hpt(TALL, codes=frozenset({"70551"})))
    rows[1] |= change
    path = tmp_path / "prices.parquet"
    write_parquet(rows, path)
    return str(path)


def test_import_tic_reads_a_rate_written_as_a_plain_number_in_text(tmp_path: Path) -> None:
    source = _payer_file(tmp_path / "uhc.json", negotiated_rate="500.00")
    _run("market", "import-tic", str(source), "--codes", "27447", "-o", str(tmp_path / "o.parquet"))
    rates = pq.read_table(tmp_path / "o.parquet").column("rate_usd").to_pylist()
    assert rates[:3] == [500.0, 500.0, 1230.45]  # two provider groups, then the next price


@pytest.mark.parametrize(
    ("price", "words"),
    [
        ({"negotiated_rate": "$500.00"}, "negotiated_rate: '$500.00' is not a number"),
        ({"negotiated_rate": -500}, "negotiated_rate: -500 is negative"),
        ({"expiration_date": "13/01/2024"}, "expiration_date: '13/01/2024' is not a date"),
    ],
)
def test_import_tic_refuses_a_bad_value_naming_file_entry_and_field(
    tmp_path: Path, price: dict[str, object], words: str
) -> None:
    source = _payer_file(tmp_path / "uhc.json", **price)
    out = str(tmp_path / "out")
    message = refused("market", "import-tic", str(source), "--codes", "27447", "-o", out)
    entry = "in_network entry 1 (billing code 27447), negotiated_rates[0].negotiated_prices[0]"
    assert f"{source}: {entry}.{words}" in message
    assert not any((tmp_path / "out").glob("*"))  # no output, no temporary file left


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("table-of-contents-sample.json", "It lists 3 in-network files:"),
        ("allowed-amounts-single-plan-sample.json", "is an allowed-amounts file"),
    ],
)
def test_import_tic_says_what_a_file_without_in_network_rates_is(
    tmp_path: Path, name: str, words: str
) -> None:
    message = refused("market", "import-tic", str(HERE / name), "-o", str(tmp_path / "out"))
    assert f"{HERE / name} is" in message
    assert words in message
    assert not any((tmp_path / "out").glob("*"))  # no output, no temporary file left


def test_import_hpt_refuses_a_file_cut_short_naming_the_line(tmp_path: Path) -> None:
    lines = TALL.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    cut = tmp_path / "cut.csv"
    cut.write_text("".join(lines[:10]) + lines[10][:30])  # line 11 cut after 30 characters
    message = refused("market", "import-hpt", str(cut), "-o", str(tmp_path / "out"))
    assert f"{cut} ends" in message
    assert "line 11" in message
    assert not any((tmp_path / "out").glob("*"))  # no output, no temporary file left


def test_import_hpt_refuses_an_infinite_rate_naming_the_line(tmp_path: Path) -> None:
    source = tmp_path / "hospital.csv"
    source.write_text(TALL.read_text(encoding="utf-8-sig").replace(",PPO,,400,", ",PPO,,Infinity,"))
    out = str(tmp_path / "out")
    message = refused("market", "import-hpt", str(source), "--codes", "70551", "-o", out)
    assert (
        f"{source}, line 4: Platform Health Insurance PPO's negotiated_dollar is 'Infinity', "
        "not a finite amount. Fix: " in message
    )
    assert not any((tmp_path / "out").glob("*"))  # no output, no temporary file left


def test_import_hpt_refuses_a_date_that_is_not_one(tmp_path: Path) -> None:
    source = tmp_path / "hospital.csv"
    source.write_text(TALL.read_text(encoding="utf-8-sig").replace("4/1/2026", '"Jan 1, 2024"'))
    message = refused("market", "import-hpt", str(source), "-o", str(tmp_path / "out"))
    assert f"{source}: last_updated_on: 'Jan 1, 2024' is not a date" in message


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_inputs_named_alike_up_to_the_first_dot_get_outputs_of_their_own(
    tmp_path: Path, jobs: str
) -> None:
    january = _payer_file(tmp_path / "uhc.2024.01.json", negotiated_rate=111)
    february = _payer_file(tmp_path / "uhc.2024.02.json", negotiated_rate=222)
    out = tmp_path / "out"
    args = ["market", "import-tic", str(january), str(february), "--codes", "27447"]
    _run(*args, "-o", str(out), "--jobs", jobs)
    assert sorted(p.name for p in out.iterdir()) == ["uhc.2024.01.parquet", "uhc.2024.02.parquet"]
    for month, rate in (("01", 111.0), ("02", 222.0)):
        rates = pq.read_table(out / f"uhc.2024.{month}.parquet").column("rate_usd").to_pylist()
        assert rates[0] == rate


@pytest.mark.parametrize("second", ["b/uhc.json", "a/uhc.json.gz"])
def test_inputs_that_would_share_an_output_are_refused_before_any_is_written(
    tmp_path: Path, second: str
) -> None:
    first = _payer_file(tmp_path / "a" / "uhc.json")
    other = tmp_path / second
    other.parent.mkdir(exist_ok=True)
    other.write_bytes(first.read_bytes())
    out = tmp_path / "out"
    message = refused("market", "import-tic", str(first), str(other), "-o", str(out))
    assert f"{first} and {other} would both be written to {out / 'uhc.parquet'}" in message
    assert not out.exists()


def _command(kind: str, tmp_path: Path, target: Path) -> list[str]:
    """A command of each kind that writes ``target``."""
    if kind == "import-tic":
        return ["market", kind, str(_payer_file(tmp_path / "uhc.json")), "-o", str(target)]
    if kind == "import-hpt":
        return ["market", kind, str(TALL), "-o", str(target)]
    if kind == "import-opps":
        return ["market", kind, ADDENDUM, "--out", str(target)]
    parquet = _imported(tmp_path)
    return ["market", kind, parquet, "--region", "MA", "--market-data", MARKET, "-o", str(target)]


@pytest.mark.parametrize(
    ("kind", "name", "option"),
    [
        ("import-tic", "uhc.parquet", "-o"),
        ("import-hpt", "hospital.parquet", "-o"),
        ("import-opps", "rates.opps.csv", "--out"),
        ("summarize", "rates.local.csv", "-o"),
    ],
)
def test_an_existing_output_is_replaced_only_with_force(
    tmp_path: Path, kind: str, name: str, option: str
) -> None:
    target = tmp_path / name
    target.write_text("a person's earlier work")
    message = refused(*_command(kind, tmp_path, target))
    assert f"{target} already exists" in message
    assert f"pass --force to replace, or choose another name with {option}" in message
    assert target.read_text() == "a person's earlier work"
    _run(*_command(kind, tmp_path, target), "--force")
    assert target.read_bytes() != b"a person's earlier work"


def test_an_import_over_existing_outputs_writes_none_of_them(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "uhc.2024.02.parquet").write_text("kept")
    january = _payer_file(tmp_path / "uhc.2024.01.json")
    february = _payer_file(tmp_path / "uhc.2024.02.json")
    message = refused("market", "import-tic", str(january), str(february), "-o", str(out))
    assert f"{out / 'uhc.2024.02.parquet'} already exists" in message
    assert [p.name for p in out.iterdir()] == ["uhc.2024.02.parquet"]  # January not written


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--region", "Massachusetts"], "'MASSACHUSETTS' is not a region. Fix: give US, a state"),
        (
            ["--band-low", "5", "--band-high", "0.1"],
            "5 to 0.1 is not a band. Fix: give --band-low at 0 or above and below",
        ),
    ],
)
def test_summarize_refuses_a_region_or_band_that_cannot_be(
    tmp_path: Path, args: list[str], words: str
) -> None:
    target = tmp_path / "rates.local.csv"
    parquet = _imported(tmp_path)
    region = [] if "--region" in args else ["--region", "MA"]
    message = refused(
        "market", "summarize", parquet, *region, *args, "--market-data", MARKET, "-o", str(target)
    )
    assert words in message
    assert not target.exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"rate_usd": -250.0}, "row 2, rate_usd: -250.0 is below zero"),
        ({"expiration_date": "2024-13-01"}, "row 2, expiration_date: '2024-13-01' is not a day"),
        ({"file_date": "Jan 1, 2024"}, "row 2, file_date: 'Jan 1, 2024' is not a date"),
        # a PHP day, so kept by every guard after the row check: an infinite rate made no
        # figure, and the rates row made from it no rates row
        (
            {"rate_usd": float("inf"), "code": "H0035", "code_type": "HCPCS"},
            "row 2, rate_usd: inf is not a finite amount",
        ),
    ],
)
def test_summarize_refuses_a_row_an_earlier_import_let_through(
    tmp_path: Path, change: dict[str, object], words: str
) -> None:
    parquet = _imported(tmp_path, **change)
    target = tmp_path / "rates.local.csv"
    message = refused(
        "market", "summarize", parquet, "--region", "MA", "--market-data", MARKET, "-o", str(target)
    )
    assert f"{parquet}: {words}" in message
    assert not target.exists()


def test_summarize_refuses_a_file_the_importers_did_not_write(tmp_path: Path) -> None:
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"payer": ["aetna"], "rate_usd": [400.0]}), other)
    not_parquet = tmp_path / "rates.parquet"
    not_parquet.write_text("payer,rate_usd\naetna,400\n")
    for path, words in ((other, "was not written by the importers"), (not_parquet, "Parquet")):
        message = refused(
            "market", "summarize", str(path), "--region", "MA", "-o", str(tmp_path / "r.csv")
        )
        assert f"{path} " in message
        assert words in message
        assert "market import-tic or import-hpt" in message


def test_summarize_refuses_a_folder_as_its_output(tmp_path: Path) -> None:
    message = refused(
        "market", "summarize", _imported(tmp_path), "--region", "MA", "-o", str(tmp_path)
    )
    assert f"{tmp_path} is a folder" in message


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_summarize_never_writes_over_the_bundled_market_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force: list[str]
) -> None:
    bundled = tmp_path / "market_data"
    shutil.copytree(FIXTURES / "market", bundled)
    monkeypatch.setenv("SCA_MARKET_DATA_DIR", str(bundled))
    before = (bundled / "rates.csv").read_text()
    parquet = _imported(tmp_path)
    target = bundled / "rates.csv"
    message = refused("market", "summarize", parquet, "--region", "MA", "-o", str(target), *force)
    assert f"{target} is in the project's bundled market data" in message
    assert f"write {bundled / 'rates.local.csv'} instead" in message
    assert (bundled / "rates.csv").read_text() == before
    _run("market", "summarize", parquet, "--region", "MA", "-o", str(bundled / "rates.local.csv"))
    # Medicare's per diems go beside the bundled rates (rates.opps.csv), never over them
    message = refused("market", "import-opps", ADDENDUM, "--out", str(target), *force)
    assert f"{target} is in the project's bundled market data" in message
    assert (bundled / "rates.csv").read_text() == before
    _run("market", "import-opps", ADDENDUM, *force)
    assert (bundled / "rates.opps.csv").is_file()


def test_a_value_of_a_kind_no_column_takes_is_refused_naming_the_file(tmp_path: Path) -> None:
    data = json.loads(SINGLE.read_text())
    data["in_network"][0]["description"] = 27447  # a number where the schema has text
    source = tmp_path / "uhc.json"
    source.write_text(json.dumps(data))
    out = tmp_path / "out"
    message = refused("market", "import-tic", str(source), "--codes", "27447", "-o", str(out))
    assert f"{source} holds a value of the wrong kind" in message
    assert not any(out.glob("*"))


def test_summarize_checks_the_region_and_the_band_in_one_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sca_rates.ingest import summarize as module

    checked: list[object] = []
    region, band = module.check_region, module.check_band

    def check_region(value: str) -> str:
        checked.append(value)
        return region(value)

    def check_band(value: tuple[float, float]) -> None:
        checked.append(value)
        band(value)

    monkeypatch.setattr(module, "check_region", check_region)
    monkeypatch.setattr(module, "check_band", check_band)
    target = tmp_path / "rates.local.csv"
    parquet = _imported(tmp_path)
    _run(
        "market",
        "summarize",
        parquet,
        "--region",
        " ma ",
        "--market-data",
        MARKET,
        "-o",
        str(target),
    )
    assert checked == ["MA", (0.6, 10.0)]  # by summarize, for the CLI and the app alike
