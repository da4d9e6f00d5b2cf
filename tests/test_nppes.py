"""``market providers``: NPPES's file, or its zip, to the programs of some states; ZIP distances.

The extract in fixtures/nppes/ has NPPES's real header (330 columns) and synthetic rows; four of
its NPIs are NPIs of Evry Health's in-network file (fixtures/transparency/)."""

import csv
import shutil
import zipfile
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.exceptions import (
    InvalidMarketData,
    InvalidScenario,
    MissingReference,
)
from sca_rates.ingest.geo import bundled_centroids, distance_miles, great_circle_miles
from sca_rates.ingest.nppes import (
    REQUIRED,
    check_states,
    load_taxonomies,
    read_providers,
    write_providers,
)
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES, write_parquet
from sca_rates.ingest.tic import read_tic
from tests.cli_runs import ran, refused
from tests.conftest import FIXTURES, PROJECT

EXTRACT = FIXTURES / "nppes" / "npidata_pfile_20050523-20250608-synthetic.csv"
EVRY = FIXTURES / "transparency" / "evry-health-in-network-rates-2025-06-23.json.gz"
PROGRAMS = frozenset(load_taxonomies(PROJECT / "market_data" / "program_taxonomies.csv"))
MA_PROGRAMS = [1730392549, 1588784664, 1000000012, 1000000038, 1000000087, 1000000095]


def _npis(path: Path, *states: str) -> list[int]:
    return [
        row["npi"] for row in read_providers(path, states=frozenset(states), taxonomies=PROGRAMS)
    ]


def _zip(tmp_path: Path, source: Path = EXTRACT) -> Path:
    """The extract packed as CMS packs its file: the data member beside its header file."""
    archive = tmp_path / "NPPES_Data_Dissemination_June_2025_V2.zip"
    header = source.read_text(encoding="utf-8").splitlines(keepends=True)[0]
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("npidata_pfile_20050523-20250608_fileheader.csv", header)
        packed.write(source, "npidata_pfile_20050523-20250608.csv")
        packed.writestr("NPPES_Data_Dissemination_Readme.pdf", b"%PDF-1.4")
    return archive


def test_the_extract_has_the_real_header_of_330_columns() -> None:
    with EXTRACT.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert len(header) == 330
    assert header[:5] == [
        "NPI",
        "Entity Type Code",
        "Replacement NPI",
        "Employer Identification Number (EIN)",
        "Provider Organization Name (Legal Business Name)",
    ]
    assert header[-1] == "Certification Date"
    assert set(REQUIRED) <= set(header)


def test_keeps_the_programs_of_the_state_with_a_taxonomy_in_any_slot() -> None:
    rows = list(read_providers(EXTRACT, states=frozenset({"MA"}), taxonomies=PROGRAMS))
    assert [row["npi"] for row in rows] == MA_PROGRAMS
    first = rows[0]
    assert first == {
        "npi": 1730392549,
        "entity_type": 2,
        "organization_name": "CHARLES RIVER SYNTHETIC PARTIAL HOSPITAL PROGRAM, INC.",
        "taxonomy_codes": ["261QM0801X"],
        "primary_taxonomy": "261QM0801X",
        "address": "100 SYNTHETIC ST, SUITE 2",
        "city": "CAMBRIDGE",
        "state": "MA",
        "zip5": "02139",
    }
    # a program taxonomy third of three, not primary; a name with quotes and a comma
    lowell = rows[3]
    assert lowell["taxonomy_codes"] == ["261QP2300X", "261QF0400X", "261QM0850X"]
    assert lowell["primary_taxonomy"] == "261QP2300X"
    assert rows[5]["organization_name"] == 'RIVERSIDE "DAY" PROGRAM, INC.'


def test_a_code_outside_the_taxonomy_columns_keeps_nothing() -> None:
    # 1000000053 has 261QM0801X in its name and license number, and is a pharmacy (332B00000X)
    assert 1000000053 not in _npis(EXTRACT, "MA")


def test_other_states_and_several_states() -> None:
    assert _npis(EXTRACT, "NY") == [1932350972]
    assert _npis(EXTRACT, "RI", "CT", "NH") == [1000000046, 1000000079, 1000000103]
    assert _npis(EXTRACT, "VT") == []


def test_the_taxonomies_given_replace_the_programs(tmp_path: Path) -> None:
    only = tmp_path / "psych-hospitals.csv"
    only.write_text("code,name,source\n283Q00000X,Psychiatric Hospital,NUCC v25.1\n")
    codes = frozenset(load_taxonomies(only))
    rows = read_providers(EXTRACT, states=frozenset({"MA"}), taxonomies=codes)
    assert [row["npi"] for row in rows] == [1588784664]


def test_crlf_line_endings_read_alike(tmp_path: Path) -> None:
    crlf = tmp_path / "npidata_crlf.csv"
    crlf.write_bytes(EXTRACT.read_bytes().replace(b"\n", b"\r\n"))
    assert _npis(crlf, "MA") == MA_PROGRAMS


def test_the_zip_member_is_streamed_not_extracted(tmp_path: Path) -> None:
    archive = _zip(tmp_path)
    assert _npis(archive, "MA") == MA_PROGRAMS
    assert sorted(p.name for p in tmp_path.iterdir()) == [archive.name]  # nothing written


def test_the_command_writes_parquet_and_replaces_only_with_force(tmp_path: Path) -> None:
    archive, output = _zip(tmp_path), tmp_path / "providers.parquet"
    result = CliRunner().invoke(
        app, ["market", "providers", str(archive), "-o", str(output), "--state", "ma"]
    )
    assert result.exit_code == 0, result.output
    assert "6 providers with a program taxonomy in MA" in result.stdout
    table = pq.read_table(output)
    assert table.column("npi").to_pylist() == MA_PROGRAMS
    assert table.column("zip5").to_pylist()[:3] == ["02139", "02118", "01608"]
    again = CliRunner().invoke(
        app, ["market", "providers", str(archive), "-o", str(output), "--state", "RI"]
    )
    assert again.exit_code == 2
    assert "--force" in again.stderr
    assert pq.read_table(output).num_rows == 6
    forced = CliRunner().invoke(
        app, ["market", "providers", str(archive), "-o", str(output), "--state", "RI", "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert pq.read_table(output).column("npi").to_pylist() == [1000000046]


@pytest.mark.parametrize(
    "inside",
    [
        "providers.parquet",
        "providers.ma.parquet",  # a name of two dots is no overlay of a bundled file
        "zcta_centroids.csv",  # a bundled file, even with --force
        "rates.local.csv",  # an overlay the market reads: never a Parquet file
        "imports/providers.parquet",  # a folder inside it
    ],
)
def test_providers_are_never_written_into_the_bundled_market_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    bundled = tmp_path / "market_data"
    bundled.mkdir()
    for name in ("program_taxonomies.csv", "zcta_centroids.csv"):
        shutil.copy(PROJECT / "market_data" / name, bundled / name)
    monkeypatch.setenv("SCA_MARKET_DATA_DIR", str(bundled))
    before = {path: path.read_bytes() for path in bundled.rglob("*")}
    for output in (str(bundled / inside), f"file://{bundled / inside}"):
        message = refused(
            "market", "providers", str(EXTRACT), "--state", "MA", "-o", output, "--force"
        )
        assert message.startswith(
            f"{output} is in the project's bundled market data ({bundled}), which an import "
            "never writes into. Fix: give -o a path outside it"
        )
        assert {path: path.read_bytes() for path in bundled.rglob("*")} == before
    beside = f"file://{tmp_path}/imports/providers.parquet"  # a URL outside it is written
    assert ran("market", "providers", str(EXTRACT), "--state", "MA", "-o", beside)
    assert pq.read_table(tmp_path / "imports" / "providers.parquet").num_rows == 6


def _refused(tmp_path: Path, source: Path, *words: str) -> None:
    output = tmp_path / "out" / "providers.parquet"
    result = CliRunner().invoke(
        app, ["market", "providers", str(source), "-o", str(output), "--state", "MA"]
    )
    assert result.exit_code == 2, result.output
    message = result.stderr
    assert str(source) in message
    assert "Fix:" in message
    assert "Traceback" not in message
    for word in words:
        assert word in message
    assert not output.parent.exists() or not list(output.parent.iterdir())  # nothing left


def test_a_file_that_is_neither_zip_nor_csv_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "npidata.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    _refused(tmp_path, binary, "not a CSV file")


def test_a_header_that_is_not_nppes_names_the_missing_columns(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    lines = EXTRACT.read_text(encoding="utf-8").splitlines(keepends=True)
    other.write_text(lines[0].replace('"Healthcare Provider Taxonomy Code_7"', '"Code_7"'))
    _refused(tmp_path, other, '"Healthcare Provider Taxonomy Code_7"', "not NPPES's")


def test_a_truncated_csv_is_refused(tmp_path: Path) -> None:
    cut = tmp_path / "npidata_cut.csv"
    data = EXTRACT.read_bytes()
    cut.write_bytes(data[: len(data) - 400])  # the last line ends mid-row
    _refused(tmp_path, cut, "truncated")


def test_a_truncated_zip_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    _refused(tmp_path, cut, "damaged or incomplete zip")


def test_a_zip_whose_member_is_damaged_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "stored.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as packed:
        packed.write(EXTRACT, "npidata_pfile_20050523-20250608.csv")
    data = bytearray(archive.read_bytes())
    at = data.index(b"1000000087")  # a byte of a data row changed: the CRC no longer matches
    data[at] = ord("2")
    archive.write_bytes(bytes(data))
    _refused(tmp_path, archive, "truncated or damaged")


def test_a_zip_without_the_npidata_file_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("pl_pfile_20050523-20250608.csv", "NPI\n")
        packed.writestr("endpoint_pfile_20050523-20250608.csv", "NPI\n")
    _refused(tmp_path, archive, "no npidata_pfile_*.csv")


def test_states_must_be_usps_codes() -> None:
    assert check_states(["ma", " RI "]) == frozenset({"MA", "RI"})
    with pytest.raises(InvalidScenario, match="MASS"):
        check_states(["Mass"])


def test_a_taxonomies_file_with_a_bad_code_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "taxonomies.csv"
    bad.write_text("code,name,source\n261QM0801,Mental Health,NUCC\n")
    with pytest.raises(InvalidMarketData, match="line 2"):
        load_taxonomies(bad)


def test_the_bundled_taxonomies_name_their_source() -> None:
    with (PROJECT / "market_data" / "program_taxonomies.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {"261QM0801X", "261QR0405X", "324500000X", "323P00000X", "283Q00000X"} <= PROGRAMS
    assert all("NUCC" in row["source"] and "v25.1" in row["source"] for row in rows)


def test_the_evry_in_network_npis_join_the_extract(tmp_path: Path) -> None:
    imported = tmp_path / "evry.parquet"
    write_parquet(read_tic(EVRY, codes=BEHAVIORAL_HEALTH_CODES), imported)
    in_network = pc.unique(pc.list_flatten(pq.read_table(imported).column("npi")))
    providers = tmp_path / "providers.parquet"
    rows = read_providers(EXTRACT, states=frozenset({"MA", "NY"}), taxonomies=PROGRAMS)
    assert write_providers(rows, providers) == 7
    table = pq.read_table(providers)
    joined = table.filter(pc.is_in(table.column("npi"), value_set=in_network))
    # in network with Evry: two MA programs and one NY program; the Evry psychiatrist in
    # Worcester (1386959906) is in network but not a program, so not in the extract
    assert joined.column("npi").to_pylist() == [1730392549, 1588784664, 1932350972]
    assert 1386959906 in in_network.to_pylist()


def test_an_empty_result_is_still_a_parquet_file_with_its_columns(tmp_path: Path) -> None:
    output = tmp_path / "none.parquet"
    assert write_providers(iter([]), output) == 0
    assert pq.read_table(output).column_names[:2] == ["npi", "entity_type"]


# Distances worked by hand with the haversine formula on the bundled ZCTA points, R = 3958.7613
# miles; d = 2R asin(sqrt(sin^2(dlat/2) + cos(lat1) cos(lat2) sin^2(dlon/2))).
def test_cambridge_to_boston_south_end_by_hand() -> None:
    # 02139 (42.362986, -71.103353), 02118 (42.337860, -71.069805): dlat = -0.025126 deg,
    # dlon = 0.033548 deg; sin^2(dlat/2) = 4.8077e-8, cos*cos = 0.54618, sin^2(dlon/2) =
    # 8.5709e-8 -> h = 9.4890e-8, asin(sqrt h) = 3.0804e-4 rad, d = 2R x 3.0804e-4 = 2.44 mi
    assert distance_miles("02139", "02118") == pytest.approx(2.44, abs=0.01)


def test_new_york_to_cambridge_by_hand() -> None:
    # 10001 (40.750672, -73.997281), 02139: dlat = 1.612314 deg, dlon = 2.893928 deg;
    # sin^2(dlat/2) = 1.9795e-4, cos(40.75) cos(42.36) = 0.55975, sin^2(dlon/2) = 6.3764e-4
    # -> h = 5.5488e-4, asin(sqrt h) = 0.023558 rad, d = 2R x 0.023558 = 186.52 mi
    assert distance_miles("10001", "02139") == pytest.approx(186.52, abs=0.01)


def test_san_francisco_to_new_york_by_hand() -> None:
    # 94103 (37.773134, -122.411167), 10001: dlat = 2.977538 deg, dlon = 48.413886 deg;
    # sin^2(dlat/2) = 6.7501e-4, cos(37.77) cos(40.75) = 0.59881, sin^2(dlon/2) = 0.16813
    # -> h = 0.10135, asin(sqrt h) = 0.323995 rad, d = 2R x 0.323995 = 2565.24 mi
    assert distance_miles("94103", "10001") == pytest.approx(2565.24, abs=0.01)


def test_distance_is_symmetric_zero_to_itself_and_reads_zip_plus_four() -> None:
    assert distance_miles("021393401", "02139") == 0.0
    assert distance_miles("02118", "02139") == distance_miles("02139", "02118")
    # half the equator: pi R
    assert great_circle_miles((0.0, 0.0), (0.0, 180.0)) == pytest.approx(12436.82, abs=0.01)


def test_a_zip_without_a_zcta_is_a_missing_reference() -> None:
    assert len(bundled_centroids()) == 33120
    with pytest.raises(MissingReference, match="00000"):
        distance_miles("00000", "02139")


def test_the_centroids_file_can_be_read_from_another_folder(tmp_path: Path) -> None:
    from sca_rates.ingest.geo import load_centroids

    copy = tmp_path / "zcta_centroids.csv"
    shutil.copy(PROJECT / "market_data" / "zcta_centroids.csv", copy)
    assert load_centroids(copy)["02139"] == (42.362986, -71.103353)


# Reference files saved by a spreadsheet program: UTF-8 with a byte-order mark


def _with_bom(tmp_path: Path, name: str) -> Path:
    copy = tmp_path / name
    copy.write_bytes(b"\xef\xbb\xbf" + (PROJECT / "market_data" / name).read_bytes())
    return copy


def test_centroids_saved_with_a_byte_order_mark_read_as_the_bundled_ones(tmp_path: Path) -> None:
    from sca_rates.ingest.geo import load_centroids

    assert load_centroids(_with_bom(tmp_path, "zcta_centroids.csv")) == bundled_centroids()


def test_taxonomies_saved_with_a_byte_order_mark_read_as_the_bundled_ones(tmp_path: Path) -> None:
    bundled = load_taxonomies(PROJECT / "market_data" / "program_taxonomies.csv")
    assert load_taxonomies(_with_bom(tmp_path, "program_taxonomies.csv")) == bundled


def test_a_centroids_file_with_another_header_names_the_file_and_the_header(
    tmp_path: Path,
) -> None:
    from sca_rates.ingest.geo import load_centroids

    other = tmp_path / "zcta_centroids.csv"
    other.write_text("\ufeffZIP,INTPTLAT,INTPTLONG\n02139,42.362986,-71.103353\n")
    with pytest.raises(InvalidMarketData) as refusal:
        load_centroids(other)
    assert str(refusal.value) == (
        f"Market data file {other} cannot be used:\n"
        "  - header: the first line is ZIP,INTPTLAT,INTPTLONG. Fix: the header is zip,lat,lon"
    )


def test_a_taxonomies_file_with_another_header_names_the_file_and_the_header(
    tmp_path: Path,
) -> None:
    other = tmp_path / "taxonomies.csv"
    other.write_text("\ufefftaxonomy,name,source\n261QM0801X,Mental Health,NUCC\n")
    with pytest.raises(InvalidMarketData) as refusal:
        load_taxonomies(other)
    assert str(refusal.value) == (
        f"Market data file {other} cannot be used:\n"
        "  - header: no column code. Fix: the header is code,name,source"
    )


@pytest.mark.parametrize("name", ["zcta_centroids.csv", "program_taxonomies.csv"])
def test_reference_files_that_are_not_csv_text_are_one_message(tmp_path: Path, name: str) -> None:
    from sca_rates.ingest.geo import load_centroids

    load = load_centroids if name == "zcta_centroids.csv" else load_taxonomies
    header = (PROJECT / "market_data" / name).read_text(encoding="utf-8").splitlines()[0]
    wrong = tmp_path / name
    for content, what in [
        (b"\xff\xfe" + f"{header}\n".encode("utf-16-le"), "not UTF-8 text"),
        (f"{header}\n{'x' * 200_000}\n".encode(), "not a readable CSV file"),  # over csv's limit
    ]:
        wrong.write_bytes(content)
        with pytest.raises(InvalidMarketData) as refusal:
            load(wrong)
        assert str(refusal.value).startswith(f"Market data file {wrong} cannot be used:\n")
        assert f"\n  - file: {what}" in str(refusal.value)
