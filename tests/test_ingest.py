"""Importing price-transparency files: values pinned from the real files, each tolerance, each
failure, and the summary's guards."""

import csv
import datetime as dt
import gzip
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.exceptions import InvalidScenario, UnreadableFile
from sca_rates.ingest.hpt import read_hpt
from sca_rates.ingest.outputs import targets
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES, SCHEMA, iso_date, write_parquet
from sca_rates.ingest.summarize import SummaryReport, payer_name, read_imports, summarize
from sca_rates.ingest.tic import TicReport, read_tic, write_tic
from sca_rates.market import find_distribution, load_market
from tests.conftest import FIXTURES, PROJECT

HERE = FIXTURES / "transparency"
EVRY = HERE / "evry-health-in-network-rates-2025-06-23.json.gz"
MCLEAN = HERE / "mclean-hospital-standardcharges-2026-03-27.csv"
MARKET = load_market(PROJECT / "market_data")


def test_the_real_tic_file_yields_its_behavioral_health_prices() -> None:
    report = TicReport()
    rows = list(read_tic(EVRY, codes=BEHAVIORAL_HEALTH_CODES, report=report))
    # 3,483 items; the 7 psychotherapy CPT codes among them; one row per price and provider group
    assert (report.items, report.wanted_items, len(rows)) == (3483, 7, 244)
    assert {r["code"] for r in rows} == {
        "90791",
        "90832",
        "90834",
        "90837",
        "90846",
        "90847",
        "90853",
    }
    first = rows[0]
    assert (first["payer"], first["file_date"], first["code"], first["rate_usd"]) == (
        "Evry Health",
        "2025-06-23",
        "90791",
        168.17,
    )
    assert (first["npi"], first["tin"], first["expiration_date"]) == (
        [1730392549],
        "1730392549",
        "2025-12-31",
    )
    assert {r["billing_class"] for r in rows} == {"institutional"}


def test_tic_filters_by_npi_and_tin() -> None:
    one = frozenset({1730392549})
    rows = list(read_tic(EVRY, codes=BEHAVIORAL_HEALTH_CODES, npis=one))
    assert rows
    assert all(1730392549 in r["npi"] for r in rows)
    assert list(read_tic(EVRY, codes=BEHAVIORAL_HEALTH_CODES, tins=frozenset({"no-such"}))) == []


def test_tic_v2_provider_references_and_several_plans() -> None:
    rows = list(read_tic(HERE / "tic-v2-multiple-plans.json", codes=frozenset({"27447"})))
    assert rows
    assert {r["plan"] for r in rows} == {"(several plans)"}
    assert all(r["tin"] and r["npi"] for r in rows)  # resolved from the top-level references


def test_a_remote_provider_reference_is_skipped_with_a_warning() -> None:
    report = TicReport()
    rows = list(
        read_tic(HERE / "tic-v1-remote-reference.json", codes=frozenset({"27447"}), report=report)
    )
    assert report.warnings == ["1 provider references point to a remote location and were skipped"]
    assert rows  # the local reference still gives its rows


def test_a_truncated_file_names_the_byte_and_writes_nothing(tmp_path: Path) -> None:
    whole = gzip.decompress(EVRY.read_bytes())
    cut = tmp_path / "cut.json"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(UnreadableFile, match=r"near byte [\d,]+ .*download it again"):
        list(read_tic(cut, codes=BEHAVIORAL_HEALTH_CODES))
    target = tmp_path / "out.parquet"
    with pytest.raises(UnreadableFile):
        write_parquet(read_tic(cut, codes=BEHAVIORAL_HEALTH_CODES), target)
    assert list(tmp_path.glob("*.parquet")) == []  # no partial output, no temporary left
    assert [p.name for p in tmp_path.iterdir()] == ["cut.json"]


def test_an_npi_beyond_64_bits_is_one_message_and_writes_nothing(tmp_path: Path) -> None:
    # Found by the fuzz suite: 9.223372036854776e18 is 2**63, one past the largest int64
    plan = json.loads((FIXTURES / "transparency" / "tic-v2-single-plan.json").read_text())
    plan["provider_references"][0]["provider_groups"][0]["npi"][0] = 9.223372036854776e18
    payer = tmp_path / "payer.json"
    payer.write_text(json.dumps(plan))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["market", "import-tic", str(payer), "--codes", "27447", "-o", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "holds a value of the wrong kind" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_a_truncated_gzip_is_refused_too(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(EVRY.read_bytes()[:500_000])
    with pytest.raises(UnreadableFile, match="uncompressed byte"):
        list(read_tic(cut, codes=BEHAVIORAL_HEALTH_CODES))


def test_the_real_hospital_file_yields_dollars_shares_and_formulas() -> None:
    rows = list(read_hpt(MCLEAN, codes=BEHAVIORAL_HEALTH_CODES))
    assert len(rows) == 108
    assert sum(r["negotiated_type"] == "algorithm" for r in rows) == 76  # Medicare's formulas
    aetna = next(
        r
        for r in rows
        if r["payer"] == "AETNA [1001]" and r["code"] == "90832" and r["plan"] == "HB MCL AETNA"
    )
    # a share of billed charges, with its dollar amount: 55.3% of the $149 gross charge
    assert (aetna["rate_usd"], aetna["percentage"], aetna["gross_charge_usd"]) == (
        82.4,
        55.3,
        149.0,
    )
    assert aetna["file_date"] == "2026-03-27"
    assert any("Intensive outpatient program" in (r["algorithm"] or "") for r in rows)


@pytest.mark.parametrize(
    "name", ["hpt-v3-tall.csv", "hpt-v3-wide.csv", "hpt-v3.json", "hpt-v2.json"]
)
def test_every_cms_layout_reads_the_same_prices(name: str) -> None:
    code = "470" if name == "hpt-v2.json" else "70551"
    rows = list(read_hpt(HERE / name, codes=frozenset({code})))
    assert rows, name
    assert all(r["reporting_entity"] for r in rows)
    if name != "hpt-v2.json":
        prices = {(r["payer"], r["plan"], r["rate_usd"]) for r in rows}
        assert prices == {
            ("Platform Health Insurance", "PPO", 400.0),
            ("Region Health Insurance", "HMO", 250.0),
        }
        assert {r["file_date"] for r in rows} == {"2026-04-01"}  # written 4/1/2026


def test_tolerates_a_bom_letter_case_spaces_and_pipe_lists(tmp_path: Path) -> None:
    text = (HERE / "hpt-v3-tall.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    rows[2] = [h.upper().replace("|", " | ") for h in rows[2]]  # CODE  |  1, STANDARD_CHARGE ...
    modifiers = rows[2].index("MODIFIERS")
    rows[3][modifiers] = "25 | 59"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = tmp_path / "odd.csv"
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())
    found = list(read_hpt(path, codes=frozenset({"70551"})))
    assert {(r["payer"], r["rate_usd"]) for r in found} == {
        ("Platform Health Insurance", 400.0),
        ("Region Health Insurance", 250.0),
    }
    assert found[0]["modifiers"] == ["25", "59"]


def test_dates_in_either_form() -> None:
    assert iso_date("4/1/2026") == "2026-04-01"
    assert iso_date("2025-12-31T00:00:00") == "2025-12-31"
    assert iso_date("") is None
    assert iso_date("2025-12-31", month_first=False) == "2025-12-31"


@pytest.mark.parametrize(
    ("text", "month_first", "words"),
    [
        ("13/01/2024", True, "month 13"),  # day first: no month 13, so not read as 2024-13-01
        ("2024-13-01", True, "month 13"),
        ("2024-02-30", True, "day 30"),
        ("Jan 1, 2024", True, "not a date written YYYY-MM-DD (or M/D/YYYY)"),
        ("1/13/2024", False, "not a date written YYYY-MM-DD"),  # payers' files: ISO only
        ("20240101", False, "not a date written YYYY-MM-DD"),
    ],
)
def test_a_date_that_is_not_a_day_of_the_calendar_is_refused(
    text: str, month_first: bool, words: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        iso_date(text, month_first=month_first)


def test_summary_guards_are_counted() -> None:
    rows = list(read_tic(EVRY, codes=BEHAVIORAL_HEALTH_CODES))
    # every Evry price expires 2025-12-31: as of 2026 none is left
    later = SummaryReport()
    assert (
        summarize(rows, region="TX", as_of=dt.date(2026, 1, 15), market=MARKET, report=later) == []
    )
    assert later.expired == 244
    report = SummaryReport()
    figures = summarize(rows, region="TX", as_of=dt.date(2025, 7, 1), market=MARKET, report=report)
    assert (report.expired, report.outliers) == (0, 1)  # one price outside 60%-1000% of Medicare
    wide = SummaryReport()
    summarize(
        rows, region="TX", as_of=dt.date(2025, 7, 1), market=MARKET, band=(0.01, 100), report=wide
    )
    assert wide.outliers == 0  # the band is a setting
    median = next(f for f in figures if f.code == "90837" and f.statistic == "p50")
    assert median.payer == "evry health"
    assert median.n is not None
    assert (
        "evry-health-in-network-rates-2025-06-23.json.gz (Evry Health, 2025-06-23)"
        in median.source_ref
    )
    hospital = SummaryReport()
    summarize(
        read_hpt(MCLEAN, codes=BEHAVIORAL_HEALTH_CODES),
        region="MA",
        as_of=dt.date(2026, 4, 1),
        market=MARKET,
        report=hospital,
    )
    assert hospital.not_dollars == 76  # formulas kept apart from dollar figures


def test_few_prices_give_the_median_only_and_their_n() -> None:
    rows = list(read_hpt(MCLEAN, codes=BEHAVIORAL_HEALTH_CODES))
    figures = summarize(rows, region="MA", as_of=dt.date(2026, 4, 1), market=MARKET)
    aetna = [f for f in figures if f.payer == "aetna" and f.code == "90832"]
    assert [(f.statistic, f.n) for f in aetna] == [("p50", 2)]
    assert payer_name("BLUE CROSS BLUE SHIELD [110001]") == "blue cross blue shield"


def test_the_cli_imports_summarizes_and_the_market_reads_it(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "market",
            "import-hpt",
            str(MCLEAN),
            str(HERE / "hpt-v3.json"),
            "-o",
            str(tmp_path / "out"),
            "--jobs",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    parquet = tmp_path / "out" / "mclean-hospital-standardcharges-2026-03-27.parquet"
    assert pq.read_table(parquet).num_rows == 108
    market = tmp_path / "market"
    shutil.copytree(PROJECT / "market_data", market)
    result = runner.invoke(
        app,
        [
            "market",
            "summarize",
            str(parquet),
            "--region",
            "MA",
            "--as-of",
            "2026-04-01",
            "-o",
            str(market / "rates.hpt.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "76 percentages or formulas kept apart" in result.stdout
    found = find_distribution(
        load_market(market),
        payer="aetna",
        region="MA",
        state=None,
        level_of_care="OP",
        code="90791",
        unit="session",
    )
    assert found is not None
    assert (found.payer, found.n, found.points["p50"]) == ("aetna", 4, 251.34)


def test_the_cli_refuses_a_corrupt_file_and_leaves_nothing(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_bytes(gzip.decompress(EVRY.read_bytes())[:100_000])
    result = CliRunner().invoke(
        app, ["market", "import-tic", str(cut), "-o", str(tmp_path / "cut.parquet")]
    )
    assert result.exit_code == 2
    assert "near byte" in result.stderr
    assert not (tmp_path / "cut.parquet").exists()


def test_references_after_the_items_give_the_same_rows(tmp_path: Path) -> None:
    # The first pass stops early when the references come first (the usual order); when they
    # come after the items it reads on to the end. Both orders must yield identical rows.
    data = json.loads((HERE / "tic-v2-multiple-plans.json").read_text())
    moved = {k: v for k, v in data.items() if k != "provider_references"}
    moved["provider_references"] = data["provider_references"]
    late = tmp_path / "late.json"
    late.write_text(json.dumps(moved))
    codes = frozenset({"27447", "43239"})
    first = list(read_tic(HERE / "tic-v2-multiple-plans.json", codes=codes))
    after = list(read_tic(late, codes=codes))
    assert first
    assert [r | {"source_file": ""} for r in first] == [r | {"source_file": ""} for r in after]


# A payer's file with one value changed: CMS's single-plan example, whose first in_network entry
# (billing code 27447) has two prices, the first for two provider groups (TINs 11-1111111 and
# 22-2222222), so its first two rows come from the first price.
SINGLE = HERE / "tic-v2-single-plan.json"
KNEE = frozenset({"27447"})
FIRST_PRICE = "in_network entry 1 (billing code 27447), negotiated_rates[0].negotiated_prices[0]"


def payer_file(tmp_path: Path, **price: object) -> Path:
    data = json.loads(SINGLE.read_text())
    data["in_network"][0]["negotiated_rates"][0]["negotiated_prices"][0].update(price)
    path = tmp_path / "payer.json"
    path.write_text(json.dumps(data))
    return path


def refusal(path: Path, codes: frozenset[str] = KNEE) -> str:
    with pytest.raises(UnreadableFile) as caught:
        list(read_tic(path, codes=codes))
    return str(caught.value)


def test_a_rate_written_as_a_plain_number_in_text_is_that_number(tmp_path: Path) -> None:
    rows = list(read_tic(payer_file(tmp_path, negotiated_rate="500.00"), codes=KNEE))
    assert [r["rate_usd"] for r in rows[:3]] == [500.0, 500.0, 1230.45]  # the second price kept


@pytest.mark.parametrize("rate", ["$500.00", "500 USD", "five hundred", "", None, True, [500]])
def test_a_rate_that_is_not_a_number_is_refused_naming_the_entry_and_field(
    tmp_path: Path, rate: object
) -> None:
    message = refusal(payer_file(tmp_path, negotiated_rate=rate))
    assert message.startswith(f"{tmp_path / 'payer.json'}: {FIRST_PRICE}.negotiated_rate: ")
    assert "a number such as 500.00" in message


@pytest.mark.parametrize("rate", [-500, "-500.00"])
def test_a_negative_rate_is_refused_naming_the_entry_and_field(
    tmp_path: Path, rate: object
) -> None:
    message = refusal(payer_file(tmp_path, negotiated_rate=rate))
    assert f"{FIRST_PRICE}.negotiated_rate: {rate!r} is negative" in message


@pytest.mark.parametrize("date", ["13/01/2024", "01/13/2024", "2024-13-01", "Jan 1, 2024"])
def test_an_expiry_date_not_in_iso_form_is_refused_naming_the_entry_and_field(
    tmp_path: Path, date: str
) -> None:
    message = refusal(payer_file(tmp_path, expiration_date=date))
    assert f"payer.json: {FIRST_PRICE}.expiration_date: {date!r} is not" in message


def test_a_payer_file_updated_on_a_date_not_in_iso_form_is_refused(tmp_path: Path) -> None:
    data = json.loads(SINGLE.read_text()) | {"last_updated_on": "Jan 1, 2024"}
    path = tmp_path / "payer.json"
    path.write_text(json.dumps(data))
    assert "payer.json: last_updated_on: 'Jan 1, 2024' is not a date written YYYY-MM-DD" in (
        refusal(path)
    )


def test_a_table_of_contents_is_refused_listing_the_files_it_names() -> None:
    message = refusal(HERE / "table-of-contents-sample.json")
    assert "is a table of contents" in message
    # two reporting structures name 2 and 1 in-network files
    assert "It lists 3 in-network files:" in message
    for name in ("in-network-file-123456", "behavioral-health-0000", "chip-in-network-file"):
        assert f"  https://www.some_site.com/files/{name}.json\n" in message
    assert "allowed-amount-file" not in message  # not an in-network file


def test_a_long_table_of_contents_shows_twenty_files_and_counts_the_rest(tmp_path: Path) -> None:
    files = [{"description": "x", "location": f"https://p.example/{i}.json"} for i in range(25)]
    structure = {"reporting_plans": [], "in_network_files": [*files, files[0]]}
    path = tmp_path / "toc.json"
    path.write_text(json.dumps({"reporting_structure": [structure]}))
    message = refusal(path)
    # 26 entries, 25 distinct (the first given twice): 20 shown, 25 - 20 = 5 counted
    assert "It lists 25 in-network files:" in message
    assert message.count("https://p.example/") == 20
    assert "... and 5 more" in message


def test_an_allowed_amounts_file_is_refused_saying_what_it_is() -> None:
    message = refusal(HERE / "allowed-amounts-single-plan-sample.json")
    assert "is an allowed-amounts file" in message
    assert "not an in-network rates file" in message


def test_a_file_without_in_network_rates_is_refused_naming_its_fields(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"reporting_entity_name": "P", "plans": []}')
    message = refusal(path)
    assert "has no in_network array" in message
    assert "(its top-level fields: reporting_entity_name, plans)" in message


def test_an_empty_in_network_array_is_a_file_without_those_codes(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"reporting_entity_name": "P", "in_network": []}')
    assert list(read_tic(path, codes=KNEE)) == []


TALL = HERE / "hpt-v3-tall.csv"


def hospital_file(tmp_path: Path, text: str, name: str = "cut.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mclean_lines() -> list[str]:
    return MCLEAN.read_text(encoding="utf-8-sig").splitlines(keepends=True)


def test_a_hospital_csv_cut_in_half_is_refused_naming_the_line(tmp_path: Path) -> None:
    text = MCLEAN.read_text(encoding="utf-8-sig")
    half = text[: len(text) // 2]
    line = half.count("\n") + 1  # the cut falls inside the line after the last complete one
    with pytest.raises(UnreadableFile, match=rf"cut.csv .*line {line}\b.*download it again"):
        list(read_hpt(hospital_file(tmp_path, half), codes=BEHAVIORAL_HEALTH_CODES))


def test_a_hospital_csv_cut_mid_row_is_refused_naming_the_line_and_fields(tmp_path: Path) -> None:
    lines = mclean_lines()
    # line 57 cut before its setting: description, four codes with their types, modifiers
    cut = "".join(lines[:56]) + lines[56][: lines[56].index(',"both"')]
    with pytest.raises(UnreadableFile, match="line 57 has 10 of the header's 28 fields"):
        list(read_hpt(hospital_file(tmp_path, cut), codes=BEHAVIORAL_HEALTH_CODES))


def test_a_hospital_csv_cut_inside_a_quoted_value_is_refused(tmp_path: Path) -> None:
    lines = mclean_lines()
    # line 57 cut in the middle of its formula ("All partial hospitalization services ...")
    cut = "".join(lines[:56]) + lines[56][: lines[56].index("All partial") + 20]
    with pytest.raises(UnreadableFile, match="ends inside a quoted value begun on line 57"):
        list(read_hpt(hospital_file(tmp_path, cut), codes=BEHAVIORAL_HEALTH_CODES))


def test_a_complete_hospital_csv_ending_in_quotes_and_short_rows_is_read(tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(TALL.read_text(encoding="utf-8-sig"))))
    # every record one field short (trailing empty notes left out), the last note quoted with
    # quotes and a comma inside it: complete, so read as before
    body = [record[:-1] for record in rows[3:]]
    body[-1][-1] = 'paid at "140%", of the APC rate'
    out = io.StringIO()
    csv.writer(out).writerows(rows[:3] + body)
    path = hospital_file(tmp_path, out.getvalue(), "whole.csv")
    assert len(list(read_hpt(path, codes=frozenset({"70551"})))) == 2  # lines 4 and 5


@pytest.mark.parametrize("date", ["Jan 1, 2024", "13/01/2024"])
def test_a_hospital_file_updated_on_a_date_that_is_not_one_is_refused(
    tmp_path: Path, date: str
) -> None:
    text = TALL.read_text(encoding="utf-8-sig").replace("4/1/2026", f'"{date}"', 1)
    with pytest.raises(UnreadableFile, match=rf"cut.csv: last_updated_on: '{date}' is not"):
        list(read_hpt(hospital_file(tmp_path, text), codes=frozenset({"70551"})))


def test_a_negative_hospital_rate_is_refused_naming_the_line(tmp_path: Path) -> None:
    text = TALL.read_text(encoding="utf-8-sig").replace(",PPO,,400,", ",PPO,,-400,", 1)
    with pytest.raises(UnreadableFile) as caught:
        list(read_hpt(hospital_file(tmp_path, text), codes=frozenset({"70551"})))
    assert "cut.csv, line 4: Platform Health Insurance PPO's negotiated_dollar is '-400'" in str(
        caught.value
    )


def test_outputs_are_named_after_the_whole_input_name(tmp_path: Path) -> None:
    sources = [Path("uhc.2024.01.json"), Path("in/uhc.2024.02.json.gz"), Path("h.v3.CSV")]
    assert targets(sources, tmp_path / "out") == [
        tmp_path / "out" / "uhc.2024.01.parquet",
        tmp_path / "out" / "uhc.2024.02.parquet",
        tmp_path / "out" / "h.v3.parquet",
    ]
    assert targets([Path("uhc.json")], tmp_path / "jan.parquet") == [tmp_path / "jan.parquet"]


@pytest.mark.parametrize(
    "sources",
    [["a/uhc.json", "b/uhc.json"], ["uhc.json", "uhc.json.gz"], ["uhc.json", "uhc.json"]],
)
def test_inputs_that_would_share_an_output_are_refused(tmp_path: Path, sources: list[str]) -> None:
    with pytest.raises(InvalidScenario, match=r"would both be written to .*uhc\.parquet"):
        targets([Path(s) for s in sources], tmp_path / "out")


def test_one_parquet_name_or_a_file_for_several_inputs_is_refused(tmp_path: Path) -> None:
    sources = [Path("uhc.2024.01.json"), Path("uhc.2024.02.json")]
    with pytest.raises(InvalidScenario, match="names one Parquet file, but 2 files are given"):
        targets(sources, tmp_path / "both.parquet")
    (tmp_path / "notes.txt").write_text("kept")
    with pytest.raises(InvalidScenario, match="is a file, not a folder"):
        targets(sources, tmp_path / "notes.txt")


@pytest.mark.parametrize("written", ["Infinity", "1e999", "-inf"])
def test_an_infinite_hospital_rate_is_refused_naming_the_line(tmp_path: Path, written: str) -> None:
    text = TALL.read_text(encoding="utf-8-sig").replace(",PPO,,400,", f",PPO,,{written},", 1)
    with pytest.raises(UnreadableFile) as caught:
        list(read_hpt(hospital_file(tmp_path, text), codes=frozenset({"70551"})))
    assert (
        f"cut.csv, line 4: Platform Health Insurance PPO's negotiated_dollar is '{written}', not "
        "a finite amount. Fix: " in str(caught.value)
    )


def test_an_infinite_amount_in_a_hospital_json_is_refused_naming_the_entry(
    tmp_path: Path,
) -> None:
    text = (HERE / "hpt-v3.json").read_text()
    text = text.replace('"gross_charge": 1200', '"gross_charge": "Infinity"', 1)
    path = hospital_file(tmp_path, text, "hospital.json")
    with pytest.raises(UnreadableFile) as caught:
        list(read_hpt(path, codes=frozenset({"70551"})))
    assert (
        "hospital.json: standard_charge_information entry 1: gross_charge is 'Infinity', not a "
        "finite amount. Fix: " in str(caught.value)
    )


@pytest.mark.parametrize("amount", [float("inf"), float("nan")])
def test_summarize_refuses_an_amount_that_is_no_figure(tmp_path: Path, amount: float) -> None:
    rows = list(read_hpt(TALL, codes=frozenset({"70551"})))
    rows[0] |= {"code": "S0201", "code_type": "HCPCS", "rate_usd": amount}
    path = tmp_path / "prices.parquet"
    write_parquet(rows, path)
    with pytest.raises(
        UnreadableFile, match=rf"prices.parquet: row 1, rate_usd: {amount} is not a finite amount"
    ):
        summarize(read_imports([path]), region="MA", as_of=dt.date(2026, 4, 1), market=MARKET)


def parquet_both_ways(
    path: Path, folder: Path, codes: frozenset[str], **options: Any
) -> tuple[pa.Table, pa.Table]:
    """The Parquet file of ``write_parquet(read_tic(...))`` and that of ``write_tic``."""
    batch = options.pop("batch", 50_000)
    write_parquet(read_tic(path, codes=codes, **options), folder / "dicts.parquet")
    report = TicReport()
    count = write_tic(
        path, folder / "columns.parquet", codes=codes, report=report, batch=batch, **options
    )
    columns = pq.read_table(folder / "columns.parquet")
    assert count == report.rows == columns.num_rows
    return pq.read_table(folder / "dicts.parquet"), columns


@pytest.mark.parametrize("batch", [1, 7, 50_000])
@pytest.mark.parametrize(
    "path",
    [EVRY, SINGLE, HERE / "tic-v2-multiple-plans.json", HERE / "tic-v1-remote-reference.json"],
    ids=lambda p: p.name,
)
def test_the_columns_written_are_the_rows_read(path: Path, batch: int, tmp_path: Path) -> None:
    codes = BEHAVIORAL_HEALTH_CODES | {"27447", "43239", "99213"}
    dicts, columns = parquet_both_ways(path, tmp_path, codes, batch=batch)
    assert dicts.num_rows > 0
    assert columns.equals(dicts)
    assert columns.schema.equals(dicts.schema, check_metadata=True)


def test_the_columns_written_keep_the_filters_and_the_schema_given(tmp_path: Path) -> None:
    one = frozenset({1730392549})  # as in test_tic_filters_by_npi_and_tin
    dicts, columns = parquet_both_ways(EVRY, tmp_path, BEHAVIORAL_HEALTH_CODES, npis=one)
    assert 0 < columns.num_rows < 244
    assert columns.equals(dicts)
    schema = SCHEMA.with_metadata({b"kept": b"yes"})
    write_tic(EVRY, tmp_path / "kept.parquet", codes=BEHAVIORAL_HEALTH_CODES, schema=schema)
    assert pq.read_schema(tmp_path / "kept.parquet").metadata[b"kept"] == b"yes"


def test_no_wanted_price_still_writes_a_table_of_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "none.parquet"
    assert write_tic(EVRY, target, codes=frozenset({"no-such-code"})) == 0
    table = pq.read_table(target)
    assert (table.num_rows, table.schema.names) == (0, SCHEMA.names)


def test_a_wrong_value_written_as_columns_is_the_same_refusal_and_writes_nothing(
    tmp_path: Path,
) -> None:
    path = payer_file(tmp_path, negotiated_rate="$500.00")
    with pytest.raises(UnreadableFile) as caught:
        write_tic(path, tmp_path / "out.parquet", codes=KNEE)
    assert str(caught.value) == refusal(path)
    assert [p.name for p in tmp_path.iterdir()] == ["payer.json"]  # no output, no temporary
