"""``sca-rates recommend``, ``counter`` and ``terms``: stable JSON keys, a replayable call history,
and user errors that exit 2."""

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sca_rates import store
from sca_rates.calibration import fit_payer
from sca_rates.cli import DOCUMENT_KEYS, FORMAT_KEYS, app
from sca_rates.export import DOCUMENTS, FORMATS
from sca_rates.models.log import LoggedOffer, LoggedRequest
from sca_rates.models.simulate import AcceptanceCurve
from sca_rates.settings import Settings
from tests.conftest import FIXTURES, PROJECT

CASE = str(FIXTURES / "cases" / "php-case.yaml")
MARKET = str(FIXTURES / "market")


def _json(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_recommend_json_worked_by_hand() -> None:
    # Tiny PHP at census 10: fully loaded $179.78, marginal $343.33 (a staffing step), OON $366.67
    # floor = max($179.78, $366.67, $343.33) = $366.67 (billing OON)
    # target = max($366.67, $179.78 x 1.15 = $206.74, aetna p50 $450) = $450
    # ceiling $26,250 / 18 = $1,458.33; opening: the highest anchor is 80% of it, $1,166.67
    #   (above p75 $520, 55.3% of our $1,000 charge and 1.5 x Medicare's $200), held under our
    #   $1,000 charge and made precise: $998
    data = _json("recommend", CASE, "--market-data", MARKET)
    floor, target, opening = data["floor"], data["target"], data["opening"]
    assert isinstance(floor, dict)
    assert isinstance(target, dict)
    assert isinstance(opening, dict)
    assert {"per_unit_usd", "per_episode_usd", "rule", "inputs"} <= floor.keys()
    assert (floor["per_unit_usd"], target["per_unit_usd"], opening["per_unit_usd"]) == (
        366.67,
        450.0,
        998.0,
    )
    assert opening["per_episode_usd"] == 998 * 18
    assert target["rule"] == "target = market median"
    assert data["zopa"] is True
    assert data["payer_ceiling_per_unit_usd"] == 1458.33
    assert "settlement_midpoint_per_unit_usd" not in data
    assert isinstance(data["warnings"], list)
    assert isinstance(data["talking_points"], list)


def test_recommend_text_shows_the_three_numbers_with_units() -> None:
    result = CliRunner().invoke(app, ["recommend", CASE, "--market-data", MARKET])
    assert result.exit_code == 0
    assert "Opening  $998.00 per day  ($17,964.00 for 18 patient-days)" in result.stdout
    assert "Floor    $366.67 per day" in result.stdout
    assert "Talking points" in result.stdout


def test_counter_records_the_call_and_replays_it(tmp_path: Path) -> None:
    history = tmp_path / "call.json"
    args = ("counter", CASE, "--market-data", MARKET, "--history", str(history))
    first = _json(*args, "--offer", "$400/day")
    # Our first answer is the $998 opening; then a quarter of the gap: 998 - (998 - 420) / 4 =
    # $853.50, whole dollars up: $854 (above the $450 target: no reciprocity needed)
    assert (first["verdict"], first["counter_per_unit_usd"]) == ("counter", 998.0)
    second = _json(*args, "--offer", "$420/day")
    assert (second["verdict"], second["counter_per_unit_usd"]) == ("counter", 854.0)
    assert second["ask_per_unit_usd"] == 854.0
    assert {"offer_per_unit_usd", "trades", "line"} <= second.keys()
    turns = json.loads(history.read_text())["exchanges"]
    assert [(t["side"], t["per_unit_usd"]) for t in turns] == [
        ("payer", 400.0),
        ("us", 998.0),
        ("payer", 420.0),
        ("us", 854.0),
    ]


def test_a_call_history_belongs_to_its_case(tmp_path: Path) -> None:
    history = tmp_path / "call.json"
    args = ("counter", CASE, "--market-data", MARKET, "--history", str(history))
    _json(*args, "--offer", "$400/day")
    saved = history.read_text()
    assert json.loads(saved)["case"] == "Aetna, PHP S0201, 18 days at Tiny PHP"
    other = str(PROJECT / "cases" / "cedar-path-bcbs-iop.yaml")
    result = CliRunner().invoke(
        app, ["counter", other, "--offer", "$300/session", "--history", str(history)]
    )
    assert result.exit_code == 2
    assert "is the call with Aetna, PHP S0201, 18 days at Tiny PHP: another case" in (result.stderr)
    assert history.read_text() == saved  # nothing lost


def test_a_history_of_the_case_before_it_changed_or_from_an_older_version_is_refused(
    tmp_path: Path,
) -> None:
    history = tmp_path / "call.json"
    _json("counter", CASE, "--market-data", MARKET, "--history", str(history), "--offer", "$400")
    changed = tmp_path / "case.yaml"
    text = (FIXTURES / "cases" / "php-case.yaml").read_text()
    changed.write_text(
        text.replace("cost_model: ../cost_models/", f"cost_model: {FIXTURES}/cost_models/").replace(
            "margin_required: 0.15", "margin_required: 0.4"
        )
    )
    args = ["counter", str(changed), "--market-data", MARKET, "--offer", "$400"]
    result = CliRunner().invoke(app, [*args, "--history", str(history)])
    assert result.exit_code == 2
    assert "this case before it was changed" in result.stderr
    older = tmp_path / "older.json"
    older.write_text(json.dumps({"exchanges": json.loads(history.read_text())["exchanges"]}))
    result = CliRunner().invoke(app, [*args, "--history", str(older)])
    assert result.exit_code == 2
    assert "from an older sca-rates, which did not record its case" in result.stderr


def test_after_an_agreement_the_call_is_closed(tmp_path: Path) -> None:
    history = tmp_path / "call.json"
    args = ("counter", CASE, "--market-data", MARKET, "--history", str(history))
    assert _json(*args, "--offer", "$1,000/day")["verdict"] == "accept"
    later = _json(*args, "--offer", "$900/day")
    assert (later["verdict"], later["ask_per_unit_usd"], later["counter_per_unit_usd"]) == (
        "agreed",
        1000.0,
        None,
    )
    assert len(json.loads(history.read_text())["exchanges"]) == 2


def test_counter_accepts_and_declines_with_null_counters() -> None:
    # $998 is the opening itself; $300 is under the $366.67 floor: declined, naming the opening
    accept = _json("counter", CASE, "--market-data", MARKET, "--offer", "$998/day")
    decline = _json("counter", CASE, "--market-data", MARKET, "--offer", "$300/day")
    assert (accept["verdict"], accept["counter_per_unit_usd"]) == ("accept", None)
    assert (decline["verdict"], decline["counter_per_unit_usd"]) == ("decline", None)
    assert decline["ask_per_unit_usd"] == 998.0


def test_terms_json() -> None:
    data = _json("terms", str(PROJECT / "agreements" / "harborview-aetna-php.yaml"))
    assert data["findings"] == []
    assert data["reauthorization_due"] == ["2026-12-16", "2026-12-29"]


def test_terms_text_lists_findings(tmp_path: Path) -> None:
    path = tmp_path / "vague.yaml"
    path.write_text("service_description: outpatient services\nconfirmation: verbal\n")
    result = CliRunner().invoke(app, ["terms", str(path)])
    assert result.exit_code == 0
    assert "Not ready to start care." in result.stdout
    assert "[error] confirmation" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["counter", CASE, "--offer", "soon"], "type one figure in dollars, like one of these"),
        (["terms", "no-such-agreement.yaml"], "no such file"),
    ],
)
def test_user_errors_exit_2(args: list[str], words: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert words in result.stderr


def test_a_history_file_that_is_not_one_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "call.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(
        app, ["counter", CASE, "--offer", "$400/day", "--history", str(bad)]
    )
    assert result.exit_code == 2
    assert "Call history file" in result.stderr
    assert bad.read_text() == "{not json"  # nothing lost


def test_simulate_json_keys_and_reproducibility() -> None:
    args = ("simulate", CASE, "--market-data", MARKET, "--n", "2000", "--seed", "4")
    data = _json(*args)
    strategies = data["strategies"]
    assert isinstance(strategies, dict)
    for name in ("sca", "oon", "decline"):
        assert {
            "mean_usd",
            "median_usd",
            "p5_usd",
            "p95_usd",
            "p_loss",
            "units_delivered",
            "units_paid",
        } <= strategies[name].keys()
    assert {"break_even_rate_usd", "best_opening_usd", "acceptance_curve", "tornado"} <= data.keys()
    curve, tornado = data["acceptance_curve"], data["tornado"]
    assert isinstance(curve, list)
    assert isinstance(tornado, list)
    assert {"rate_usd", "p_accept", "expected_value_usd"} <= curve[0].keys()
    assert {"input", "low_usd", "high_usd"} <= tornado[0].keys()
    assert data["rate_per_unit_usd"] == 450.0  # the recommended target by default
    assert _json(*args) == data  # the same seed, the same numbers


def test_simulate_settings_file_replaces_defaults(tmp_path: Path) -> None:
    # Every renewal refused, blocks of 5 days: each episode is paid for at most 5 days
    settings = tmp_path / "sim.yaml"
    settings.write_text("auth_block_units: 5\nreauth_approval: {kind: fixed, mean: 0}\n")
    data = _json(
        "simulate", CASE, "--market-data", MARKET, "--n", "1000", "--settings", str(settings)
    )
    strategies = data["strategies"]
    assert isinstance(strategies, dict)
    assert strategies["sca"]["units_paid"] <= 5


def test_a_bad_simulation_setting_names_the_field(tmp_path: Path) -> None:
    settings = tmp_path / "sim.yaml"
    settings.write_text("reauth_approval: {kind: beta, mean: 1.6}\n")
    result = CliRunner().invoke(app, ["simulate", CASE, "--settings", str(settings)])
    assert result.exit_code == 2
    assert "reauth_approval.mean" in result.stderr


def test_export_writes_each_format(tmp_path: Path) -> None:
    for fmt in ("md", "pdf", "docx"):
        target = tmp_path / f"out.{fmt}"
        result = CliRunner().invoke(
            app,
            [
                "export",
                CASE,
                "--market-data",
                MARKET,
                "--doc",
                "justification",
                "--format",
                fmt,
                "-o",
                str(target),
            ],
        )
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 400
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert "$998.00 per day" in (tmp_path / "out.md").read_text()  # the opening, proposed


def test_per_episode_amounts_are_the_quoted_rate_times_the_units() -> None:
    # Cedar Path's floor is $126.82 as shown: its episode is 36 x $126.82 = $4,565.52 (not the
    # $4,565.40 of the unrounded $126.8167)
    result = CliRunner().invoke(
        app, ["recommend", str(PROJECT / "cases" / "cedar-path-bcbs-iop.yaml")]
    )
    assert "Floor    $126.82 per session  ($4,565.52 for 36 sessions)" in result.stdout


def test_sharing_the_cost_when_it_is_the_floor_is_a_choice(tmp_path: Path) -> None:
    # The fixture's floor is billing OON ($366.67), not its cost: sharing is allowed. Harborview
    # PHP's floor is its fully loaded cost: refused unless chosen with --even-at-floor
    harborview = str(PROJECT / "cases" / "harborview-aetna-php.yaml")
    args = ["export", harborview, "--doc", "justification", "--share-cost"]
    refused = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "a.md")])
    assert refused.exit_code == 2
    assert "$521.22 per day, is our floor" in refused.stderr
    assert not (tmp_path / "a.md").exists()
    chosen = CliRunner().invoke(app, [*args, "--even-at-floor", "-o", str(tmp_path / "b.md")])
    assert chosen.exit_code == 0
    assert "costs us $521.22 to deliver" in (tmp_path / "b.md").read_text()


def test_export_refuses_an_unknown_document() -> None:
    result = CliRunner().invoke(app, ["export", CASE, "--doc", "memo"])
    assert result.exit_code == 2
    assert "call-sheet, justification, terms-email, summary" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["normalize", "0% of billed charges", "--case", CASE],
            "type one figure in dollars, like one of these",
        ),
        (
            ["counter", CASE, "--offer", "$400/day", "--history", "/no/such/folder/call.json"],
            "a folder that exists",
        ),
        (["simulate", CASE, "--n", "5"], "at least 100"),
    ],
)
def test_more_user_errors_exit_2_without_a_traceback(args: list[str], words: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_an_impossible_date_in_an_agreement_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "terms.yaml"
    path.write_text("patient:\n  date_of_birth: 1990-13-45\n")
    result = CliRunner().invoke(app, ["terms", str(path)])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_the_email_states_the_rate_basis_agreed(tmp_path: Path) -> None:
    terms = (PROJECT / "agreements" / "harborview-aetna-php.yaml").read_text()
    path = tmp_path / "terms.yaml"
    path.write_text(terms.replace("basis: bundled_per_diem", "basis: per_code"))
    out = tmp_path / "email.txt"
    result = CliRunner().invoke(
        app,
        [
            "export",
            CASE,
            "--market-data",
            MARKET,
            "--doc",
            "terms-email",
            "--format",
            "txt",
            "--terms",
            str(path),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    # the call's rate (no offer yet: the $998 opening), the written terms' $598 asked about
    assert (
        "$998.00 per day (the written terms we hold say $598.00 per day: please confirm which), "
        "paid per code"
    ) in out.read_text()


def _seed_a_fitted_log() -> None:
    """40 logged aetna requests: our ask at 1.0 x the $450 median mostly taken, at 1.3 x mostly
    refused, so the curve can be fitted (it puts half acceptance between the two)."""
    engine = store.connect(Settings().database_url)
    with store.transaction(engine) as session:
        for i in range(40):
            ask = 450.0 if i % 2 else 585.0
            taken = i % 2 == 1 if i < 36 else i % 2 == 0  # a few of each, so the fit is finite
            store.add_request(
                session=session,
                actor="test",
                request=LoggedRequest(
                    payer="aetna",
                    level_of_care="PHP",
                    requested_on=dt.date(2026, 10, 1),
                    market_p50_usd=450,
                    outcome="approved" if taken else "denied",
                    agreed_rate_usd=ask if taken else None,
                    offers=(LoggedOffer(side="us", per_unit_usd=ask),),
                ),
            )


def test_simulate_uses_the_payers_fitted_acceptance_curve() -> None:
    _seed_a_fitted_log()
    data = _json("simulate", CASE, "--market-data", MARKET, "--n", "1000")
    acceptance = data["acceptance"]
    assert isinstance(acceptance, dict)
    with store.transaction(store.connect(Settings().database_url)) as session:
        fit = fit_payer("aetna", store.list_requests(session=session))
    assert fit.fitted
    fitted = (acceptance["midpoint"], acceptance["steepness"])
    assert fitted == pytest.approx((fit.curve.midpoint, fit.curve.steepness))
    # the fit's half-acceptance falls midway between 1.0 and 1.3, as the default's does; its
    # steepness is the log's own
    assert acceptance["steepness"] != pytest.approx(AcceptanceCurve().steepness)


def test_recommend_adds_the_opening_the_fitted_curve_favors() -> None:
    assert _json("recommend", CASE, "--market-data", MARKET)["fitted_opening_usd"] is None
    _seed_a_fitted_log()
    data = _json("recommend", CASE, "--market-data", MARKET)
    fitted = data["fitted_opening_usd"]
    floor, ceiling = data["floor"], data["payer_ceiling_per_unit_usd"]
    assert isinstance(fitted, float)
    assert isinstance(floor, dict)
    assert isinstance(ceiling, float)
    assert floor["per_unit_usd"] <= fitted <= ceiling


def test_a_figure_asked_back_is_printed_not_counted_and_exits_0(tmp_path: Path) -> None:
    # $9,999 a day is above the fixture's $1,000 charge, its $1,458.33 ceiling and 3 x its
    # market top: checked, not counted, exit 0
    history = tmp_path / "call.json"
    args = ["counter", CASE, "--market-data", MARKET, "--history", str(history)]
    data = _json(*args, "--offer", "$9,999/day")
    assert (data["verdict"], data["confirm"]) == ("check", True)
    assert isinstance(data["checks"], list)
    assert data["checks"][:2] == [
        "above our billed charge of $1,000.00 per day",
        "above what the payer's alternative costs it, $1,458.33 per day",
    ]
    assert not history.exists()
    text = CliRunner().invoke(app, [*args, "--offer", "$9,999/day"])
    assert text.exit_code == 0
    assert "run again with --confirmed" in text.stdout
    counted = _json(*args, "--offer", "$9,999/day", "--confirmed")
    assert (counted["verdict"], counted["confirm"]) == ("accept", False)
    assert history.exists()


def test_the_export_help_names_every_document_and_format() -> None:
    assert tuple(DOCUMENTS) == DOCUMENT_KEYS
    assert tuple(FORMATS) == FORMAT_KEYS
