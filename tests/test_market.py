"""Market files: loading, percentiles, fallbacks, local precedence, and bad rows."""

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sca_rates.compare import case_facts, offer_for
from sca_rates.exceptions import InvalidMarketData
from sca_rates.files import load_case
from sca_rates.market import (
    find_alternatives,
    find_distribution,
    find_medicare,
    load_market,
    medicare_for_case,
    position,
)
from sca_rates.models.case import Case
from sca_rates.models.market import Distribution, MarketData
from tests.conftest import FIXTURES, PROJECT

FOLDER = FIXTURES / "market"
HEADER = (FOLDER / "rates.csv").read_text().splitlines()[0]
GOOD_ROW = "aetna,MA,IOP,HCPCS,S9480,session,p50,210,20,2026,a survey,table 3,false"


@pytest.fixture
def market() -> MarketData:
    return load_market(FOLDER)


def _php(market: MarketData, payer: str, region: str, state: str | None = None) -> Distribution:
    found = find_distribution(
        market,
        payer=payer,
        region=region,
        state=state,
        level_of_care="PHP",
        code="S0201",
        unit="day",
    )
    assert found is not None
    return found


def test_percentile_at_the_given_statistics(market: MarketData) -> None:
    aetna = _php(market, "aetna", "14460", "MA")  # p25 $400, p50 $450, p75 $520
    assert position(400, aetna).percentile == pytest.approx(25)
    assert position(450, aetna).percentile == pytest.approx(50)
    assert position(520, aetna).percentile == pytest.approx(75)


def test_percentile_between_statistics_is_interpolated(market: MarketData) -> None:
    aetna = _php(market, "aetna", "14460", "MA")
    # $485 is 35 of the 70 dollars from p50 to p75: 50 + 25 x 35/70 = 62.5
    assert position(485, aetna).percentile == pytest.approx(62.5)
    # $430 is 30 of 50 dollars from p25 to p50: 25 + 25 x 30/50 = 40
    assert position(430, aetna).percentile == pytest.approx(40)
    assert position(430, aetna).vs_p50_usd == pytest.approx(-20)


def test_percentile_outside_the_figures_is_clamped_and_says_so(market: MarketData) -> None:
    aetna = _php(market, "aetna", "14460", "MA")
    below, above = position(380, aetna), position(600, aetna)
    assert (below.percentile, below.beyond) == (25, "below")
    assert (above.percentile, above.beyond) == (75, "above")
    assert position(450, aetna).beyond is None


def test_the_payer_and_cbsa_found_need_no_fallback(market: MarketData) -> None:
    aetna = _php(market, "aetna", "14460", "MA")
    assert aetna.fallback == []
    assert aetna.year == 2026  # the 2025 median of $430 is replaced by the 2026 figures
    assert aetna.points == {"p25": 400, "p50": 450, "p75": 520}
    assert aetna.n == 12
    assert not aetna.small_sample


def test_payer_falls_back_to_any_commercial_and_cbsa_to_state(market: MarketData) -> None:
    cigna = _php(market, "Cigna", "14460", "MA")
    assert (cigna.payer, cigna.region) == ("any-commercial", "MA")
    assert cigna.fallback == [
        "no figures for payer cigna; used any-commercial",
        "no figures for region 14460; used MA",
    ]
    assert cigna.illustrative  # one of its rows (p90) is illustrative


def test_state_falls_back_to_us_with_a_small_sample_warning(market: MarketData) -> None:
    texas = _php(market, "cigna", "TX")
    assert (texas.region, texas.points) == ("US", {"p50": 400})
    assert "no figures for region TX; used US" in texas.fallback
    assert texas.small_sample  # n = 8


def test_code_falls_back_to_another_code_of_the_level(market: MarketData) -> None:
    iop = find_distribution(
        market,
        payer="aetna",
        region="MA",
        state=None,
        level_of_care="IOP",
        code="S9485",
        unit="session",
    )
    assert iop is not None
    assert iop.code == "S9480"
    assert "no figures for code S9485; used S9480" in iop.fallback
    assert iop.n is None
    assert iop.small_sample  # n unknown


def test_medicare_is_never_stood_in_for_by_commercial_figures(market: MarketData) -> None:
    assert (
        find_distribution(
            market,
            payer="medicare",
            region="MA",
            state=None,
            level_of_care="IOP",
            code="S9480",
            unit="session",
        )
        is None
    )


def test_medicare_lookup_by_code_and_region(market: MarketData) -> None:
    php = find_medicare(market, code_type="APC", code="5854", region="14460", state="MA")
    assert php is not None
    assert (php.amount_usd, php.region) == (200, "US")
    assert php.fallback == ["no figures for region 14460; used US"]
    iop = find_medicare(market, code_type="APC", code="5851", region="MA", state=None)
    assert iop is not None
    assert iop.amount_usd == 132.09
    assert find_medicare(market, code_type="APC", code="5851", region="TX", state=None) is None


def test_alternatives_take_the_nearest_payer_region_and_latest_year(market: MarketData) -> None:
    found = {
        row.setting: row
        for row in find_alternatives(
            market, payer="aetna", region="MA", state=None, diagnosis="mental_health"
        )
    }
    assert found["inpatient_psych"].per_diem_usd == 2000  # aetna MA 2026 over any-commercial
    assert found["residential"].per_diem_usd == 1050  # only any-commercial US has one


def test_a_local_file_overrides_bundled_rows_with_the_same_key(tmp_path: Path) -> None:
    shutil.copytree(FOLDER, tmp_path, dirs_exist_ok=True)
    (tmp_path / "rates.local.csv").write_text(
        f"{HEADER}\naetna,14460,PHP,HCPCS,S0201,day,p50,475,40,2026,our contracts,2026 book,false\n"
    )
    market = load_market(tmp_path)
    assert _php(market, "aetna", "14460", "MA").points["p50"] == 475
    assert [Path(name).name for name in market.files][:2] == ["rates.csv", "rates.local.csv"]


def test_bundled_market_data_loads_with_a_source_for_every_row() -> None:
    market = load_market(PROJECT / "market_data")
    rows = [*market.rates, *market.alternatives, *market.billed_shares]
    assert len(market.rates) >= 20
    assert all(row.source and row.source_ref and row.year for row in rows)
    assert all(row.source and row.source_ref and row.year for row in market.wage_index)
    # The real public figures the bundle cites are there, marked as real: CMS's CY2026 national
    # rate for a hospital-based IOP day of 4 or more services, and 428 wage index areas
    medicare = find_medicare(market, code_type="APC", code="5862", region="MA", state=None)
    assert medicare is not None
    assert (medicare.amount_usd, medicare.region, medicare.provenance.year) == (418.45, "US", 2026)
    assert not medicare.provenance.illustrative
    assert len(market.wage_index) == 428


BUNDLED = load_market(PROJECT / "market_data")


def _case(**changes: object) -> Case:
    case, _ = load_case(PROJECT / "cases" / "cedar-path-bcbs-iop.yaml")
    return case.model_copy(update=changes)


def test_medicare_is_wage_adjusted_for_the_cases_area() -> None:
    # Columbus, OH (18140): wage index 0.9063, above Ohio's rural 0.8767. A CMHC IOP day of 3
    # services, APC 5851, is $127.74 nationally: 127.74 x (0.60 x 0.9063 + 0.40)
    # = 127.74 x 0.94378 = $120.56
    columbus = medicare_for_case(BUNDLED, _case(wage_area="18140"))
    assert columbus is not None
    assert columbus.amount_usd == pytest.approx(120.56, abs=0.005)
    assert columbus.national_usd == 127.74
    assert "area 18140 (Columbus, OH) 0.9063" in columbus.wage_note
    # Boston (division 14454): 1.1297, below Massachusetts' rural floor 1.2884, which applies.
    # A hospital-based PHP day of 4 or more services, APC 5864, $418.45:
    # 418.45 x (0.60 x 1.2884 + 0.40) = 418.45 x 1.17304 = $490.86
    boston = medicare_for_case(
        BUNDLED,
        _case(
            wage_area="14454",
            state="MA",
            region="MA",
            level_of_care="PHP",
            medicare_provider_type="hospital",
        ),
    )
    assert boston is not None
    assert boston.amount_usd == pytest.approx(490.86, abs=0.005)
    assert "raised to MA's rural floor 1.2884" in boston.wage_note


def test_a_case_without_a_known_area_gets_the_national_rate_said_so() -> None:
    # Ohio, no area: the national $127.74, "not wage-adjusted"; the case's own index instead:
    # 127.74 x (0.60 x 1.10 + 0.40) = 127.74 x 1.06 = $135.40
    national = medicare_for_case(BUNDLED, _case(wage_area=None))
    assert national is not None
    assert (national.amount_usd, national.national_usd) == (127.74, None)
    assert national.wage_note == "national rate, not wage-adjusted"
    own = medicare_for_case(BUNDLED, _case(wage_area=None, wage_index=1.10))
    assert own is not None
    assert own.amount_usd == pytest.approx(135.40, abs=0.005)


@pytest.mark.parametrize(
    "case_file", sorted((PROJECT / "cases").glob("*.yaml")), ids=lambda p: p.stem
)
def test_every_bundled_case_has_a_medicare_reference_and_reads_a_share_of_it(
    case_file: Path,
) -> None:
    case, model = load_case(case_file)
    facts = case_facts(case, model=model, market=BUNDLED)
    assert facts.medicare is not None
    assert facts.medicare.provenance.source == "CMS OPPS Pricer rate file, CY2026"
    assert facts.medicare.national_usd is not None  # every bundled case names its area
    offer = offer_for(facts, "120% of Medicare")
    assert offer.per_unit_usd == pytest.approx(1.2 * (facts.medicare_per_unit_usd or 0))
    assert any("wage index" in note for note in offer.assumptions)


BAD_ROWS = [
    (
        "negative amount",
        GOOD_ROW.replace(",210,", ",-210,"),
        "line 2, column amount_usd",
        "greater than 0",
    ),
    ("unknown unit", GOOD_ROW.replace(",session,", ",week,"), "line 2, column unit", "'day'"),
    ("missing source", GOOD_ROW.replace(",a survey,", ",,"), "line 2, column source", "fill in"),
    ("dollar sign", GOOD_ROW.replace(",210,", ",$210,"), "line 2, column amount_usd", "without $"),
    (
        "bad region",
        GOOD_ROW.replace("aetna,MA,", "aetna,Mass,"),
        "line 2, column region",
        "two-letter state",
    ),
    # inf passes "above 0": a number that is no number is refused where it is written
    ("infinite amount", GOOD_ROW.replace(",210,", ",inf,"), "line 2, column amount_usd", "finite"),
    (
        "amount not a number",
        GOOD_ROW.replace(",210,", ",NaN,"),
        "line 2, column amount_usd",
        "finite",
    ),
    (
        "duplicate key",
        f"{GOOD_ROW}\n{GOOD_ROW.replace(',210,', ',220,')}",
        "line 3",
        "repeats the key of line 2",
    ),
]


@pytest.mark.parametrize(("case", "rows", "where", "words"), BAD_ROWS, ids=[r[0] for r in BAD_ROWS])
def test_bad_rows_are_rejected_with_file_line_and_field(
    tmp_path: Path, case: str, rows: str, where: str, words: str
) -> None:
    (tmp_path / "rates.csv").write_text(f"{HEADER}\n{rows}\n")
    with pytest.raises(InvalidMarketData) as caught:
        load_market(tmp_path)
    message = str(caught.value)
    assert "rates.csv" in message, case
    assert where in message
    assert words in message


def test_an_unknown_column_is_named_once(tmp_path: Path) -> None:
    (tmp_path / "rates.csv").write_text(f"{HEADER},comment\n{GOOD_ROW},hello\n")
    with pytest.raises(InvalidMarketData, match="unknown column\\(s\\) comment"):
        load_market(tmp_path)


def test_percentiles_that_fall_as_they_rise_are_rejected(tmp_path: Path) -> None:
    rows = f"{GOOD_ROW}\n{GOOD_ROW.replace(',p50,210,', ',p75,190,')}"
    (tmp_path / "rates.csv").write_text(f"{HEADER}\n{rows}\n")
    with pytest.raises(InvalidMarketData, match="do not rise"):
        load_market(tmp_path)


def test_a_folder_without_rates_says_which_setting_to_change(tmp_path: Path) -> None:
    with pytest.raises(InvalidMarketData, match="SCA_MARKET_DATA_DIR"):
        load_market(tmp_path)


@given(st.floats(min_value=1, max_value=2000), st.floats(min_value=1, max_value=2000))
def test_a_higher_rate_never_has_a_lower_percentile(low: float, high: float) -> None:
    low, high = sorted((low, high))
    aetna = _php(load_market(FOLDER), "aetna", "14460", "MA")
    first, second = position(low, aetna).percentile, position(high, aetna).percentile
    assert first is not None
    assert second is not None
    assert first <= second


def test_an_alternative_is_chosen_among_the_settings_that_treat_the_diagnosis(
    tmp_path: Path,
) -> None:
    # A payer's own residential row for eating disorders only must not hide the any-commercial
    # residential row from a co-occurring case: the diagnosis is filtered before the best match
    market = tmp_path / "market"
    shutil.copytree(PROJECT / "market_data", market)
    (market / "alternatives.local.csv").write_text(
        "setting,region,payer,per_diem_usd,typical_los_days,year,source,source_ref,illustrative,"
        "treats\nresidential,CA,cigna,2000,45,2026,test,test,true,eating_disorder\n"
    )
    loaded = load_market(market)
    rows = find_alternatives(
        loaded, payer="cigna", region="CA", state=None, diagnosis="co_occurring"
    )
    assert ("residential", "any-commercial") in {(r.setting, r.payer) for r in rows}
    rows = find_alternatives(
        loaded, payer="cigna", region="CA", state=None, diagnosis="eating_disorder"
    )
    assert [(r.setting, r.payer) for r in rows] == [("residential", "cigna")]
