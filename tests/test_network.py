"""``sca-rates network``: the in-network programs near the patient, from a payer's in-network file
(Evry Health's, fixtures/transparency/) and the synthetic NPPES extract (fixtures/nppes/).

Evry's file lists, for 90791, the Cambridge program 1730392549 (ZIP 02139), the Boston hospital
1588784664 (02118) and the New York clinic 1932350972 (10001); for 90853 only the New York clinic
of the extract's programs; S0201 not at all. Distances worked by hand in test_nppes.py with the
haversine formula on the bundled ZCTA points: 02139-02118 2.44 miles, 02139-10001 186.52 miles.
The bundled standard for an urban commercial member in MA is the US rule of thumb, 30 miles."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.exceptions import MissingReference, UnreadableFile
from sca_rates.ingest.nppes import load_taxonomies, read_providers, write_providers
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES, write_parquet
from sca_rates.ingest.tic import read_tic
from sca_rates.network import NetworkSearch, find_in_network_programs
from tests.conftest import FIXTURES, PROJECT

EXTRACT = FIXTURES / "nppes" / "npidata_pfile_20050523-20250608-synthetic.csv"
EVRY = FIXTURES / "transparency" / "evry-health-in-network-rates-2025-06-23.json.gz"
PROGRAMS = frozenset(load_taxonomies(PROJECT / "market_data" / "program_taxonomies.csv"))
CAMBRIDGE, BOSTON, NEW_YORK = 1730392549, 1588784664, 1932350972


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("network")
    rates, providers = folder / "evry.parquet", folder / "providers.parquet"
    write_parquet(read_tic(EVRY, codes=BEHAVIORAL_HEALTH_CODES), rates)
    states = frozenset({"MA", "NY", "RI", "CT", "NH"})
    write_providers(read_providers(EXTRACT, states=states, taxonomies=PROGRAMS), providers)
    return rates, providers


def _search(
    files: tuple[Path, Path], code: str, *, taxonomies: frozenset[str] = PROGRAMS
) -> NetworkSearch:
    rates, providers = files
    return find_in_network_programs(
        rates=[rates],
        providers=providers,
        codes=[code],
        patient_zip="02139",
        standard_miles=30,
        taxonomies=taxonomies,
    )


def test_programs_within_the_standard_and_the_nearest_beyond_it(
    files: tuple[Path, Path],
) -> None:
    search = _search(files, "90791")
    assert [p.npi for p in search.within] == [CAMBRIDGE, BOSTON]
    assert [p.miles for p in search.within] == pytest.approx([0.0, 2.44], abs=0.01)
    assert [p.npi for p in search.beyond] == [NEW_YORK]
    assert search.beyond[0].miles == pytest.approx(186.52, abs=0.01)
    assert "great-circle" in search.distance_basis


def test_each_program_carries_the_rates_that_show_it_in_network(
    files: tuple[Path, Path],
) -> None:
    cambridge = _search(files, "90791").within[0]
    assert cambridge.name == "CHARLES RIVER SYNTHETIC PARTIAL HOSPITAL PROGRAM, INC."
    assert {r.code for r in cambridge.rates} == {"90791"}
    assert {r.payer for r in cambridge.rates} == {"Evry Health"}
    assert {r.file_date for r in cambridge.rates} == {"2025-06-23"}
    assert sorted({r.rate_usd or 0.0 for r in cambridge.rates}) == [168.17, 170.11, 201.8, 204.13]


def test_the_sources_name_the_files_and_their_dates(files: tuple[Path, Path]) -> None:
    rates, providers = _search(files, "90791").sources
    assert (rates.kind, rates.path, rates.dates) == ("rates", str(files[0]), ("2025-06-23",))
    assert rates.payers == ("Evry Health",)
    assert (providers.kind, providers.path) == ("providers", str(files[1]))
    assert len(providers.dates) == 1


def test_only_the_nearest_program_beyond_when_none_is_within(files: tuple[Path, Path]) -> None:
    search = _search(files, "90853")
    assert search.within == ()
    assert [(p.npi, round(p.miles, 2)) for p in search.beyond] == [(NEW_YORK, 186.52)]


def test_no_in_network_program_at_all(files: tuple[Path, Path]) -> None:
    search = _search(files, "S0201")
    assert (search.within, search.beyond, search.unplaced) == ((), (), ())
    # the file is still Evry's of its date: a file listing no program is evidence of none
    assert (search.sources[0].payers, search.sources[0].dates) == (
        ("Evry Health",),
        ("2025-06-23",),
    )


def test_a_provider_without_a_program_taxonomy_is_no_program(files: tuple[Path, Path]) -> None:
    # the Boston hospital's taxonomies are 283Q00000X and 273R00000X
    search = _search(files, "90791", taxonomies=PROGRAMS - {"283Q00000X", "273R00000X"})
    assert [p.npi for p in search.within] == [CAMBRIDGE]


def test_a_patient_zip_without_a_zcta_is_refused(files: tuple[Path, Path]) -> None:
    with pytest.raises(MissingReference, match="00000"):
        find_in_network_programs(
            rates=[files[0]],
            providers=files[1],
            codes=["90791"],
            patient_zip="00000",
            standard_miles=30,
            taxonomies=PROGRAMS,
        )


def test_a_file_that_is_not_parquet_is_one_message(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    text = tmp_path / "rates.parquet"
    text.write_text("payer,code\n")
    with pytest.raises(UnreadableFile, match=r"not a Parquet file.*market import-tic"):
        find_in_network_programs(
            rates=[text],
            providers=files[1],
            codes=["90791"],
            patient_zip="02139",
            standard_miles=30,
            taxonomies=PROGRAMS,
        )
    with pytest.raises(UnreadableFile, match=r"has no column organization_name.*market providers"):
        find_in_network_programs(
            rates=[files[0]],
            providers=files[0],
            codes=["90791"],
            patient_zip="02139",
            standard_miles=30,
            taxonomies=PROGRAMS,
        )


def _case(tmp_path: Path, code: str, zip_line: str = 'patient_zip: "02139"') -> Path:
    case = tmp_path / "case.yaml"
    case.write_text(
        "cost_model: unused.yaml\npayer: Evry Health\nregion: MA\nlevel_of_care: PHP\n"
        f'code: "{code}"\nexpected_units: 10\n{zip_line}\n'
    )
    return case


def _run(tmp_path: Path, files: tuple[Path, Path], case: Path, *extra: str) -> tuple[int, str, str]:
    args = ["network", str(case), "--tic", str(files[0]), "--providers", str(files[1]), *extra]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def test_the_command_lists_the_programs_with_distances_rates_and_sources(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    code, out, err = _run(tmp_path, files, _case(tmp_path, "90791"))
    assert code == 0, err
    assert "great-circle miles" in out
    assert "Within 30 miles:" in out
    assert "0.0 mi  CHARLES RIVER SYNTHETIC PARTIAL HOSPITAL PROGRAM, INC." in out
    assert "2.4 mi  SYNTHETIC BAY PSYCHIATRIC HOSPITAL (NPI 1588784664)" in out
    assert "Nearest beyond 30 miles:" in out
    assert "186.5 mi  SYNTHETIC HUDSON MENTAL HEALTH CLINIC" in out
    assert (
        "Evry Health 90791: $168.17-$204.13 per billed unit of the code (4 rates); file dated "
        "2025-06-23" in out
    )
    assert f"rates {files[0]}: Evry Health; file dated 2025-06-23" in out


def test_the_command_says_when_no_program_bills_the_code(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    code, out, _ = _run(tmp_path, files, _case(tmp_path, "S0201"), "--json")
    assert code == 0
    answer = json.loads(out)
    assert (answer["within"], answer["beyond"], answer["standard_miles"]) == ([], [], 30)
    _, text, _ = _run(tmp_path, files, _case(tmp_path, "S0201"))
    assert "No in-network program within 30 miles." in text
    assert "No in-network program billing S0201 in the providers file at all." in text


@pytest.mark.parametrize(
    ("zip_line", "words"),
    [
        ("", "gives no patient_zip"),
        ('patient_zip: "2139"', "patient_zip"),
        ('patient_zip: "00000"', "00000"),
    ],
)
def test_a_bad_patient_zip_is_one_message_and_exit_2(
    tmp_path: Path, files: tuple[Path, Path], zip_line: str, words: str
) -> None:
    code, _, err = _run(tmp_path, files, _case(tmp_path, "90791", zip_line))
    assert code == 2
    assert words in err
    assert "Traceback" not in err


def test_a_missing_rates_file_is_one_message_and_exit_2(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    missing = (tmp_path / "nowhere.parquet", files[1])
    code, _, err = _run(tmp_path, missing, _case(tmp_path, "90791"))
    assert code == 2
    assert "nowhere.parquet: no such file" in err
