"""A search of the payer's files kept in the case (``network --save``), and what the network-gap
point and the justification then say.

The case is Harborview's PHP (code S0201, typed 42 miles / 55 minutes) for an Evry Health
patient in ZIP 02139. The payer's file is Evry Health's in-network file
(fixtures/transparency/, dated 2025-06-23) with one code's rows relabelled S0201: its 90853 rows
list, of the extract's programs, only the New York clinic 1932350972, 186.52 miles from 02139;
its 90791 rows list the Cambridge program (0.0 miles) and the Boston hospital (2.44 miles).
Distances worked by hand in test_nppes.py (haversine on the bundled ZCTA points). The standard
for an urban commercial member in MA is the US rule of thumb, 30 miles / 30 minutes
(illustrative: it decides, and is never cited).
"""

import datetime as dt
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from sca_rates.cli import app
from sca_rates.desk import open_position
from sca_rates.exceptions import InvalidCase
from sca_rates.export import build_context, render
from sca_rates.files import load_case
from sca_rates.ingest.nppes import write_providers
from sca_rates.market import load_market
from sca_rates.models.talking_points import TalkingPoint
from sca_rates.money import usd
from tests.conftest import PROJECT
from tests.network_files import EVRY, harborview_case, providers_file, rates_file
from tests.test_export import _flat, _text

MARKET = load_market(PROJECT / "market_data")
NEW_YORK, BOSTON, CAMBRIDGE = 1932350972, 1588784664, 1730392549
HUDSON = "SYNTHETIC HUDSON MENTAL HEALTH CLINIC"


@pytest.fixture(scope="module")
def providers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return providers_file(tmp_path_factory.mktemp("providers"))


def _saved(tmp_path: Path, providers: Path, relabel: str | None) -> tuple[Path, str]:
    case = harborview_case(tmp_path)
    args = ["network", str(case), "--tic", str(rates_file(tmp_path, relabel))]
    result = CliRunner().invoke(app, [*args, "--providers", str(providers), "--save"])
    assert result.exit_code == 0, result.stderr
    return case, result.stdout


def _gap_point(case: Path) -> TalkingPoint | None:
    loaded, model = load_case(case)
    position = open_position(loaded, model=model, market=MARKET)
    return next((p for p in position.points if p.topic == "network_inadequacy"), None)


def test_save_keeps_the_nearest_programs_and_the_files_comments(
    tmp_path: Path, providers: Path
) -> None:
    case, out = _saved(tmp_path, providers, "90853")
    assert "the network-gap point now cites these files" in out
    text = case.read_text()
    # What the person wrote stays: the comments, the order, the typed distances
    assert text.startswith("# An adult stepping down from an inpatient psychiatric stay")
    assert "code: S0201                   # partial hospitalization, per diem" in text
    assert "miles_to_nearest: 42" in text
    found = load_case(case)[0].triggers.network_inadequacy.evidence  # type: ignore[union-attr]
    assert found is not None
    assert [p.npi for p in found.nearest] == [NEW_YORK]
    assert found.nearest_miles == pytest.approx(186.52, abs=0.01)
    assert (found.patient_zip, found.codes) == ("02139", ("S0201",))
    assert found.payer_files_said == "Evry Health in-network file of 2025-06-23"
    assert found.year == 2025


def test_the_gap_point_rests_on_the_payers_file_not_the_typed_miles(
    tmp_path: Path, providers: Path
) -> None:
    case, _ = _saved(tmp_path, providers, "90853")
    point = _gap_point(case)
    assert point is not None
    # Massachusetts has no bundled rule: the 30 miles of the rule of thumb (illustrative) are
    # not put to the payer, only what the files show
    assert point.text.startswith(
        "The nearest PHP program billing S0201 in your plan's published in-network file (Evry "
        f"Health in-network file of 2025-06-23) is {HUDSON} (NEW YORK, NY), 186.5 miles from "
        "the patient in a straight line, a trip the patient would make 5 days a week."
    )
    assert "30" not in point.text + point.spoken
    assert "42" not in point.text  # the typed miles gave way to the files'
    # Whole miles, rounded down for speech: 186.52 is said as 186
    assert point.spoken == (
        "The nearest PHP program in your plan's own network file is 186 miles away."
    )
    assert [(f.label, f.value, f.source, f.year) for f in point.figures] == [
        (
            "nearest in-network program, straight-line miles",
            186.5,
            "Evry Health in-network file of 2025-06-23; NPPES",
            2025,
        )
    ]
    assert "186.5 miles in a straight line" in point.why


def test_a_published_standard_is_said_with_the_files_nearest_program(
    tmp_path: Path, providers: Path
) -> None:
    # A Medicare Advantage member of a Metro county: 42 CFR 422.116 allows 25 miles (bundled,
    # published); the search for the 30-mile rule of thumb covers those 25
    case, _ = _saved(tmp_path, providers, "90853")
    text = case.read_text().replace(
        "\npayer: Evry Health\n", "\npayer: Evry Health\nplan_type: medicare_advantage\n", 1
    )
    case.write_text(text.replace("    specialty:", "    area: metro\n    specialty:", 1))
    point = _gap_point(case)
    assert point is not None
    assert point.text.startswith(
        "Your plan's published in-network file (Evry Health in-network file of 2025-06-23) "
        "lists no PHP program billing S0201 within 25 miles of the patient: the nearest, "
        f"{HUDSON} (NEW YORK, NY), is 186.5 miles away in a straight line, beyond the "
        "Medicare Advantage Metro access standard of 25 miles / 40 minutes"
    )
    assert point.spoken == (
        "Your plan's own network file shows no PHP program within 25 miles; the nearest is "
        "186 miles away."
    )


def test_a_program_within_the_standard_means_no_gap_claim_whatever_was_typed(
    tmp_path: Path, providers: Path
) -> None:
    # The case still types 42 miles / 55 minutes; the files show a program at 0.0 miles
    case, out = _saved(tmp_path, providers, "90791")
    assert "2 in-network programs lie within the access standard" in out
    assert "no network-gap point is made" in out
    assert _gap_point(case) is None


def test_no_program_in_the_files_is_said_as_such(tmp_path: Path, providers: Path) -> None:
    case, out = _saved(tmp_path, providers, None)
    assert "No in-network program billing S0201 in the providers file at all." in out
    found = load_case(case)[0].triggers.network_inadequacy.evidence  # type: ignore[union-attr]
    assert found is not None
    assert found.nearest == ()
    point = _gap_point(case)
    assert point is not None
    assert "it lists no PHP program billing S0201 in the area searched." in point.text
    assert "trip" not in point.text  # no program, no trip to one
    assert point.spoken == (
        "Your plan's own network file lists no PHP program for this code in the area we searched."
    )


def test_evidence_for_another_zip_or_code_is_refused(tmp_path: Path, providers: Path) -> None:
    case, _ = _saved(tmp_path, providers, "90853")
    moved = case.read_text().replace('patient_zip: "02139"', 'patient_zip: "10001"', 1)
    case.write_text(moved)
    with pytest.raises(InvalidCase, match="found for ZIP 02139 and code S0201") as raised:
        load_case(case)
    assert "--save" in str(raised.value)


def test_evidence_from_another_payers_file_is_refused(tmp_path: Path, providers: Path) -> None:
    # Evry Health's file says nothing of an Aetna member's network
    case, _ = _saved(tmp_path, providers, "90853")
    case.write_text(case.read_text().replace("payer: Evry Health", "payer: Aetna", 1))
    with pytest.raises(InvalidCase, match="not Aetna's own files") as raised:
        load_case(case)
    assert "Evry Health in-network file of 2025-06-23" in str(raised.value)


def test_another_payers_file_counts_no_program_and_is_not_kept(
    tmp_path: Path, providers: Path
) -> None:
    # An Aetna patient searched against Evry Health's file: the New York clinic is Evry's, not
    # Aetna's, so no program is found, the source says why, and --save keeps nothing
    case = harborview_case(tmp_path)
    case.write_text(case.read_text().replace("payer: Evry Health", "payer: Aetna", 1))
    before = case.read_text()
    args = ["network", str(case), "--tic", str(rates_file(tmp_path, "90853"))]
    result = CliRunner().invoke(app, [*args, "--providers", str(providers)])
    assert result.exit_code == 0, result.stderr
    assert "No in-network program billing S0201 in the providers file at all." in result.stdout
    assert "Evry Health; file dated 2025-06-23 (not Aetna's: not counted)" in result.stdout
    saved = CliRunner().invoke(app, [*args, "--providers", str(providers), "--save"])
    assert saved.exit_code == 2
    assert "not Aetna's own files" in saved.stderr
    assert case.read_text() == before


@pytest.mark.parametrize(
    ("payer", "named"),
    [
        ("Evry Health", True),
        ("EVRY HEALTH INC", True),  # case and generic words do not matter
        ("Aetna", False),
        ("Health Plan Inc", False),  # generic words alone are no match
    ],
)
def test_a_payers_file_is_matched_by_a_word_of_its_name(
    tmp_path: Path, providers: Path, payer: str, named: bool
) -> None:
    case, _ = _saved(tmp_path, providers, "90853")
    found = load_case(case)[0].triggers.network_inadequacy.evidence  # type: ignore[union-attr]
    assert found is not None
    assert found.names_payer(payer) is named


def test_an_invalid_case_is_not_rewritten(tmp_path: Path, providers: Path) -> None:
    case = harborview_case(tmp_path)
    broken = case.read_text().replace("expected_units: 18", "expected_units: -1")
    case.write_text(broken)
    rates = rates_file(tmp_path, "90853")
    result = CliRunner().invoke(
        app, ["network", str(case), "--tic", str(rates), "--providers", str(providers), "--save"]
    )
    assert result.exit_code == 2
    assert "expected_units" in result.stderr
    assert case.read_text() == broken


@pytest.mark.parametrize("fmt", ["md", "txt", "docx", "pdf"])
def test_the_justification_shows_the_programs_found_as_an_exhibit(
    tmp_path: Path, providers: Path, fmt: str
) -> None:
    case, _ = _saved(tmp_path, providers, "90853")
    loaded, model = load_case(case)
    context = build_context(open_position(loaded, model=model, market=MARKET))
    assert context.network_evidence is not None
    text = str(render("justification", context, "md"))
    assert "## In-network programs nearest the patient" in text
    assert re.search(rf"\| {HUDSON} \| NEW YORK, NY 10001 \| {NEW_YORK} \| 186\.5 \|", text)
    assert "searched " in text
    assert "by road each program is farther" in text
    assert "02139" not in text  # the patient's ZIP stays out of the payer's document
    # every format shows the exhibit's program, and gives nothing away
    shown = _flat(_text(render("justification", context, fmt), fmt))
    assert f"{NEW_YORK}" in shown
    assert "186.5" in shown
    rec = context.recommendation
    for secret in (rec.floor.per_unit_usd, rec.target.per_unit_usd):
        if round(secret, 2) != round(context.proposed.rate.per_unit_usd, 2):
            assert usd(secret) not in shown
    for word in ("fully loaded", "margin", "illustrative", "sca-rates", "estimate"):
        assert word not in shown.lower()


def test_no_exhibit_when_no_gap_is_argued(tmp_path: Path, providers: Path) -> None:
    case, _ = _saved(tmp_path, providers, "90791")
    loaded, model = load_case(case)
    context = build_context(open_position(loaded, model=model, market=MARKET))
    assert context.network_evidence is None
    assert "In-network programs nearest" not in str(render("justification", context, "md"))


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--codes", "90791,90853"], "was imported without code S0201"),
        (["--npi-file", "npis.txt"], "was imported with --npi-file"),
    ],
)
def test_a_file_imported_for_part_of_the_programs_is_no_evidence_of_none(
    tmp_path: Path, providers: Path, options: list[str], said: str
) -> None:
    # Imported without the case's code, or for some NPIs only, the file cannot show that no
    # program bills S0201: "none" would be a false claim, so the search refuses it
    (tmp_path / "npis.txt").write_text("1932350972\n")
    options = [str(tmp_path / o) if o.endswith(".txt") else o for o in options]
    imported = CliRunner().invoke(
        app, ["market", "import-tic", str(EVRY), "-o", str(tmp_path / "tic"), *options]
    )
    assert imported.exit_code == 0, imported.stderr
    (rates,) = (tmp_path / "tic").glob("*.parquet")
    case = harborview_case(tmp_path)
    args = ["network", str(case), "--tic", str(rates), "--providers", str(providers), "--save"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert said in result.stderr
    assert "Fix: import the payer's file again" in result.stderr
    assert "evidence" not in case.read_text()


def test_a_file_imported_whole_is_evidence_of_none(tmp_path: Path, providers: Path) -> None:
    imported = CliRunner().invoke(
        app, ["market", "import-tic", str(EVRY), "-o", str(tmp_path / "tic")]
    )
    assert imported.exit_code == 0, imported.stderr
    (rates,) = (tmp_path / "tic").glob("*.parquet")
    case = harborview_case(tmp_path)
    args = ["network", str(case), "--tic", str(rates), "--providers", str(providers), "--save"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "No in-network program billing S0201 in the providers file at all." in result.stdout


@pytest.mark.parametrize(("today", "stale"), [("2025-08-24", False), ("2025-08-25", True)])
def test_the_screen_asks_for_a_newer_file_after_two_months(
    tmp_path: Path, providers: Path, today: str, stale: bool
) -> None:
    # Evry's file is of 2025-06-23: 62 days later (2025-08-24) it is still current; 63, stale
    case, _ = _saved(tmp_path, providers, "90853")
    loaded, model = load_case(case)
    screened = open_position(loaded, model=model, market=MARKET).screen(
        dt.date.fromisoformat(today)
    )
    said = [w for w in screened.warnings if w.startswith("the payer's in-network file searched")]
    assert bool(said) is stale


def _network(tmp_path: Path, providers: Path, relabel: str | None, *extra: str) -> Result:
    case = harborview_case(tmp_path)
    rates = rates_file(tmp_path, relabel)
    args = ["network", str(case), "--tic", str(rates), "--providers", str(providers), *extra]
    return CliRunner().invoke(app, args)


def test_a_state_within_reach_missing_from_the_providers_file_is_no_evidence(
    tmp_path: Path,
) -> None:
    # Cambridge (02139) is within 30 miles of New Hampshire ZIPs (worked with the bundled ZCTA
    # points and USPS's ZIP prefixes): a providers file of MA alone could miss a program there
    providers = providers_file(tmp_path, recorded=frozenset({"MA"}))
    shown = _network(tmp_path, providers, None)
    assert shown.exit_code == 0, shown.stderr
    assert "Not in the providers file: NH, within 30 miles of the patient." in shown.stdout
    saved = _network(tmp_path, providers, None, "--save")
    assert saved.exit_code == 2
    assert "ZIPs within 30 miles of 02139 are also in NH" in saved.stderr
    assert "--state MA --state NH" in saved.stderr
    # with New Hampshire in it, the same search is evidence
    covered = providers_file(tmp_path, recorded=frozenset({"MA", "NH"}))
    assert _network(tmp_path, covered, None, "--save").exit_code == 0


def test_the_nearest_beyond_the_standard_needs_every_state_within_its_miles(
    tmp_path: Path,
) -> None:
    # The New York clinic is 186.52 miles away: within that reach lie ZIPs of CT, MA, ME, NH,
    # NJ, NY, RI and VT; a file of MA, NY, RI, CT and NH misses ME, NJ and VT
    providers = providers_file(tmp_path, recorded=frozenset({"MA", "NY", "RI", "CT", "NH"}))
    saved = _network(tmp_path, providers, "90853", "--save")
    assert saved.exit_code == 2
    assert "ZIPs within 187 miles of 02139 are also in ME, NJ, VT" in saved.stderr


def test_a_general_hospital_the_payer_lists_for_the_code_is_a_program(tmp_path: Path) -> None:
    # A hospital's PHP bills under the hospital's NPI: the Boston hospital (2.44 miles away),
    # here a general acute care hospital (282N00000X), listed for S0201, is a program within
    # reach, so no gap is claimed
    rows = pq.read_table(providers_file(tmp_path)).to_pylist()
    for row in rows:
        if row["npi"] == BOSTON:
            row["taxonomy_codes"] = ["282N00000X"]
    general = tmp_path / "general.parquet"
    write_providers(rows, general)
    case = harborview_case(tmp_path)
    rates = rates_file(tmp_path, "90791")
    args = ["network", str(case), "--tic", str(rates), "--providers", str(general), "--json"]
    found = json.loads(CliRunner().invoke(app, args).stdout)
    assert BOSTON in [p["npi"] for p in found["within"]]


def test_an_in_network_program_that_cannot_be_placed_near_the_patient_is_no_evidence(
    tmp_path: Path,
) -> None:
    # Evry lists the Cambridge program, the Boston hospital and the New York clinic for 90791
    # (relabelled S0201). Without Cambridge, and with Boston at 02112 (a PO box ZIP, no ZCTA
    # point), the nearest placed is New York at 186.52 miles; but Boston is in MA, within that
    # reach, and could be nearer: the search is shown, and not kept
    rows = [r for r in pq.read_table(providers_file(tmp_path)).to_pylist() if r["npi"] != CAMBRIDGE]
    for row in rows:
        if row["npi"] == BOSTON:
            row["zip5"] = "02112"
    unplaced = tmp_path / "unplaced.parquet"
    write_providers(rows, unplaced)
    shown = _network(tmp_path, unplaced, "90791")
    assert shown.exit_code == 0, shown.stderr
    assert f"In network but not placed (a ZIP without a ZCTA point): NPI {BOSTON}." in shown.stdout
    saved = _network(tmp_path, unplaced, "90791", "--save")
    assert saved.exit_code == 2
    assert (
        f"In-network program NPI {BOSTON} practices at a ZIP without a ZCTA point" in saved.stderr
    )


def test_a_search_covers_only_the_miles_it_held_every_state_for(tmp_path: Path) -> None:
    # Searched with a file of MA and NH for the 30-mile urban standard: none found, covered to
    # 30 miles. Held later to the 60-mile rural standard, the search cannot show that no program
    # lies within 60 (other states may), so no gap is claimed and the screen asks to search again
    providers = providers_file(tmp_path, recorded=frozenset({"MA", "NH"}))
    assert _network(tmp_path, providers, None, "--save").exit_code == 0
    case = tmp_path / "case.yaml"
    found = load_case(case)[0].triggers.network_inadequacy.evidence  # type: ignore[union-attr]
    assert found is not None
    assert found.covered_miles == 30
    assert _gap_point(case) is not None
    text = case.read_text().replace(
        "specialty: adult PHP with DBT", "specialty: adult PHP with DBT\n    area: rural", 1
    )
    case.write_text(text.replace("    minutes_to_nearest: 55\n", "", 1))  # miles alone decide
    assert _gap_point(case) is None
    loaded, model = load_case(case)
    screened = open_position(loaded, model=model, market=MARKET).screen(dt.date(2025, 7, 1))
    assert any(
        "searched to 30 miles, short of the 60-mile standard" in w for w in screened.warnings
    )
