"""Every page, driven through Streamlit's AppTest: it loads, and its figures are the core's for
the same inputs. The sidebar starts on the default case (cases/harborview-aetna-php.yaml)."""

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from sca_rates import present
from sca_rates.compare import case_facts, offer_for
from sca_rates.costing import cost_level, with_census
from sca_rates.desk import open_position
from sca_rates.export import DOCUMENTS, FORMATS
from sca_rates.files import keep_network_evidence, load_case, load_cost_model, load_terms
from sca_rates.market import load_market
from sca_rates.models.case import Case
from sca_rates.models.negotiate import NegotiationState
from sca_rates.money import usd
from sca_rates.negotiate import respond
from sca_rates.network import search_case
from sca_rates.recommend import recommend
from sca_rates.settings import Settings
from sca_rates.store.crypto import new_key
from sca_rates.talking_points import ESTIMATE
from sca_rates.ui import case_form, state
from sca_rates.ui.call_desk import NO_KEY
from tests.conftest import FIXTURES, PROJECT
from tests.network_files import harborview_case, providers_file, rates_file

SETTINGS = Settings()
CASE, MODEL = load_case(SETTINGS.cases_dir / SETTINGS.default_case)
FACTS = case_facts(CASE, model=MODEL, market=load_market(SETTINGS.market_data_dir))
REC = recommend(FACTS)
PAGES = ["call_desk", "cost_page", "market_page", "whatif_page", "terms_page", "log_page"]


def _page(name: str, *opened: str) -> AppTest:
    """The page after its first run, with the folded panels named (by their keys) open."""
    at = AppTest.from_string(
        f"from sca_rates.ui import {name}\n{name}.render_page()", default_timeout=60
    )
    for key in opened:
        at.session_state[key] = True
    return at.run()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def verdicts(at: AppTest) -> list[str]:
    """The call desk's verdicts as drawn: each a colored badge, first in its block."""
    found = (re.match(r":(\w+)-badge\[([^\]]*)\](\n|$)", m.value) for m in at.markdown)
    return [match.group(2) for match in found if match]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_loads_without_an_exception_or_an_error(name: str) -> None:
    at = _page(name)
    assert not at.exception
    assert not at.error


def test_the_app_routes_to_the_call_desk() -> None:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.caption[0].value.startswith("**Call desk** · Harborview Behavioral Health")


def test_call_desk_says_which_request_fits_and_what_is_missing() -> None:
    at = _page("call_desk", "how_set")
    screened = open_position(
        CASE, model=MODEL, market=load_market(SETTINGS.market_data_dir)
    ).screen(dt.date.today())
    assert screened.tool == "single_case_agreement"
    assert at.caption[0].value.endswith(" · fits a single case agreement")
    how = next(m.value for m in at.markdown if "- Fits a single case agreement: " in m.value)
    assert f"- Fits a single case agreement: {screened.reason}." in how
    assert "- Not on file yet: an assessment showing medical necessity;" in how


def test_call_desk_shows_the_cores_three_numbers() -> None:
    at = _page("call_desk")
    row = (
        f"Opening **{usd(REC.opening.per_unit_usd)}** · Target **{usd(REC.target.per_unit_usd)}**"
        f" · Floor **{usd(REC.floor.per_unit_usd)}** per day"
    )
    assert any(m.value.startswith(row) for m in at.markdown)


def _offer(at: AppTest, text: str) -> AppTest:
    next(t for t in at.text_input if t.label == "The payer's offer").input(text)
    return next(b for b in at.button if b.label == "Answer").click().run()


def test_an_offer_gets_the_cores_verdict_and_counter() -> None:
    at = _offer(_page("call_desk"), "$540/day")
    first = respond(FACTS, REC, NegotiationState(), offer_for(FACTS, "$540/day"))
    assert first.verdict == "counter"
    assert (
        verdicts(at)[0]
        == f"COUNTER $540.00 per day with {usd(first.counter_per_unit_usd or 0)} per day"
    )
    at = _offer(at, "$560/day")
    second = respond(FACTS, REC, first.state, offer_for(FACTS, "$560/day"))
    assert verdicts(at)[0].endswith(f"with {usd(second.counter_per_unit_usd or 0)} per day")
    assert any(f"\n\n### {second.line}\n\n" in m.value for m in at.markdown)


def test_an_unreadable_offer_is_an_error_with_examples() -> None:
    at = _offer(_page("call_desk"), "whatever you like")
    assert not at.exception
    assert "type one figure in dollars, like one of these" in at.error[0].value


@pytest.mark.parametrize("path", SETTINGS.case_files(), ids=lambda p: p.name)
def test_each_bundled_case_in_the_sidebar_keeps_every_field_of_its_file(path: Path) -> None:
    # The sidebar edits some fields; the rest (diagnosis, wage area, the gap's area ...) must
    # come through as the file has them, so the desk's numbers are the CLI's
    at = _page("call_desk")
    at.selectbox(key="case_choice").set_value(path.name).run()
    at = _use(_edit_case(at))  # through every field of the editor, none changed
    assert any(c.value.startswith("Edited here") for c in at.sidebar.caption)
    case, model = load_case(path)
    position = open_position(case, model=model, market=load_market(SETTINGS.market_data_dir))
    rec = position.recommendation
    # every talking point as the file's case says it: the wage area (Medicare's figure), the
    # diagnosis (the alternative) and the gap's area (the access standard) all reach them
    said = next(m.value for m in at.markdown if "Why this point:" in m.value)
    assert all(f"**{p.heading}:** {p.spoken}" in said for p in position.points)
    row = (
        f"Opening **{usd(rec.opening.per_unit_usd)}** · Target **{usd(rec.target.per_unit_usd)}**"
        f" · Floor **{usd(rec.floor.per_unit_usd)}**"
    )
    assert not at.error
    assert any(m.value.startswith(row) for m in at.markdown)


def _edit_case(at: AppTest) -> AppTest:
    """The case's editor opened: its widgets are drawn only while it is open."""
    return at.button(key="edit_case").click().run()


def _use(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Use these values").click().run()


def test_the_sidebar_draws_no_field_of_the_case_until_its_editor_opens() -> None:
    # An answer to an offer redraws the sidebar: the case's ~25 fields are not in it
    at = _page("call_desk")
    assert not any(t.label.startswith("Region") for t in at.text_input)
    at = _edit_case(at)
    assert any(t.label.startswith("Region") for t in at.text_input)


def test_a_case_that_does_not_validate_is_an_error_naming_the_field_and_is_not_used() -> None:
    at = _edit_case(_page("call_desk"))
    next(t for t in at.text_input if t.label.startswith("Region")).input("Boston")
    at = _use(at)
    assert not at.exception
    assert "region" in at.error[0].value
    assert "Fix:" in at.error[0].value
    # the editor stays open with what was typed; the desk still prices the file's case
    assert next(t for t in at.text_input if t.label.startswith("Region")).value == "Boston"
    row = f"Opening **{usd(REC.opening.per_unit_usd)}**"
    assert any(m.value.startswith(row) for m in at.markdown)


def test_an_edit_used_changes_the_numbers_and_back_to_the_file_undoes_it() -> None:
    # Harborview's PHP: target = fully loaded cost x (1 + margin); margin 0.15 -> 0.25 moves
    # the target from $599.41 to 521.22 x 1.25 = $651.525, shown rounded up: $651.53
    at = _edit_case(_page("call_desk"))
    next(s for s in at.slider if s.label == "Margin required").set_value(0.25)
    at = _use(at)
    assert not at.exception
    assert any("Target **$651.53**" in m.value for m in at.markdown)
    assert any(c.value.startswith("Edited here") for c in at.sidebar.caption)
    back = next(b for b in _edit_case(at).button if b.label == "Back to the case file")
    at = back.click().run()
    assert any("Target **$599.41**" in m.value for m in at.markdown)


def test_cost_page_census_slider_recomputes_through_the_core() -> None:
    at = _page("cost_page")
    at.slider[0].set_value(10).run()
    model = load_cost_model(SETTINGS.cost_models_dir / SETTINGS.default_cost_model)
    code = model.level_codes[0]
    expected = cost_level(with_census(model, code, 10), code)
    assert _metric(at, "Fully loaded cost").startswith(usd(expected.fully_loaded_per_unit))


def test_what_if_census_moves_the_floor_as_the_core_says() -> None:
    at = _page("whatif_page")
    next(s for s in at.slider if s.label == "Average census").set_value(10).run()
    changed = case_facts(
        CASE, model=with_census(MODEL, "PHP", 10), market=load_market(SETTINGS.market_data_dir)
    )
    assert _metric(at, "Floor") == f"{usd(recommend(changed).floor.per_unit_usd)} per day"


def test_terms_page_checks_the_bundled_agreement() -> None:
    at = _page("terms_page")
    findings = next(m.value for m in at.markdown if m.value.startswith("- **"))
    assert "- **must fix** · services: no service codes" in findings  # a blank form
    at.selectbox[next(i for i, s in enumerate(at.selectbox) if s.label == "Start from")].select(
        "harborview-aetna-php.yaml"
    ).run()
    assert at.success[0].value.startswith("Nothing that is likely")
    assert "2026-12-16" in list(at.dataframe[0].value["request by"])
    # against the call on the desk (none yet: our $661.00 opening), the letter's $598 is a risk
    findings = next(m.value for m in at.markdown if m.value.startswith("- **"))
    assert (
        "- **risk** · rate: the letter says $598.00 per day; the call settled "
        "$661.00 per day  \n  Ask: *Please correct the rate to $661.00 per day, as we asked on "
        "the call.*" in findings
    )
    # each term in a person's words, never a field of the letter's file
    assert not re.search(r"· [a-z_]+(\.|\[)", findings)
    assert present.term_said("services[0].units") == "units of service 1"
    # the email to send wraps its lines: read whole at 1280 wide, nothing cut off to the right
    assert at.code[0].proto.wrap_lines


def test_a_bad_cost_model_is_an_error_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = (FIXTURES / "cost_models" / "tiny-php.yaml").read_text().replace("60000", "-60000")
    (tmp_path / "center.yaml").write_text(bad)
    monkeypatch.setenv("SCA_COST_MODELS_DIR", str(tmp_path))
    at = _page("cost_page")
    assert not at.exception
    assert "staff[0] (Therapist).annual_salary" in at.error[0].value


def choose_document(at: AppTest, key: str, fmt: str) -> AppTest:
    """The call desk with one document and format chosen: its one download button drawn."""
    at.selectbox(key="document").set_value(key)
    return at.radio(key="document_format").set_value(fmt).run()


def test_call_desk_offers_every_document_in_every_format_made_on_click() -> None:
    at = _page("call_desk", "documents")
    for key in DOCUMENTS:
        for fmt in FORMATS:
            (button,) = choose_document(at, key, fmt).get("download_button")
            assert button.proto.id.split("-", 2)[-1] == f"dl:{key}:{fmt}"
            assert button.proto.deferred_file_id  # made when clicked, not on each run


def test_a_document_made_on_click_has_the_call_and_the_terms_as_they_stand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # each button's maker is kept as drawn and called here, outside any script run, as Streamlit
    # calls it on a click; the call has moved on since its button was drawn
    makers: dict[str, Callable[[], str | bytes]] = {}
    draw = DeltaGenerator.download_button

    def keep(
        column: DeltaGenerator, label: str, data: Callable[[], str | bytes], **kwargs: Any
    ) -> bool:
        makers.setdefault(kwargs["key"], data)
        return draw(column, label, data, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", keep)
    at = AppTest.from_string(
        "from sca_rates.ui import call_desk\ncall_desk.render_page()", default_timeout=60
    )
    at.session_state[state.TERMS] = load_terms(PROJECT / "agreements" / "harborview-aetna-php.yaml")
    at.session_state["documents"] = True
    at = _offer(at.run(), "$531/day")
    choose_document(choose_document(at, "summary", "md"), "terms-email", "txt")
    summary = makers["dl:summary:md"]()
    email = makers["dl:terms-email:txt"]()
    assert isinstance(summary, str)
    assert isinstance(email, str)
    assert "$531.00" in summary  # the offer made after the button was drawn
    assert "AUTH-2026-118844" in email  # the agreement's authorization number


def test_a_call_saved_from_the_call_desk_appears_on_the_log_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCA_DATABASE_URL", f"sqlite:///{tmp_path / 'log.sqlite'}")
    at = _offer(_page("call_desk", "save_call"), "$540/day")
    next(b for b in at.button if b.label == "Save to the log").click().run()
    assert not at.exception
    assert at.success[-1].value.startswith("Saved as request 1 (pending), with 2 turns")
    log = _page("log_page")
    assert not log.exception
    assert list(log.dataframe[0].value["payer"]) == ["Aetna"]
    # one pending request: no decision to chart, no "None" for the days to decide
    assert list(log.dataframe[1].value["days to decide"]) == [""]
    assert not log.get("arrow_vega_lite_chart")
    assert _metric(log, "Pending requests") == "1"
    # the playbook names the case's triggers in words, not by their fields
    triggers = next(m.value for m in log.markdown if m.value.startswith("**Triggers"))
    assert "- network gap: 0 approved of 1" in triggers
    assert "- step-down: 0 approved of 1" in triggers
    assert "_" not in triggers


def test_identifiers_without_a_key_are_left_out_and_the_call_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCA_DATABASE_URL", f"sqlite:///{tmp_path / 'log.sqlite'}")
    monkeypatch.delenv("SCA_PATIENT_KEY", raising=False)
    at = _offer(_page("call_desk", "save_call"), "$540/day")
    assert any(c.value == NO_KEY for c in at.caption)  # what an administrator does, said first
    next(t for t in at.text_input if t.label.startswith("Patient name")).input("Pat Doe")
    next(b for b in at.button if b.label == "Save to the log").click().run()
    assert not at.error
    assert at.success[-1].value.endswith(
        "The patient's name and member ID were not saved: no key is set (see above)."
    )
    # nothing typed is lost
    assert next(t for t in at.text_input if t.label.startswith("Patient name")).value == "Pat Doe"


def test_a_call_saved_with_the_identifiers_clears_them_for_the_next_patient(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCA_DATABASE_URL", f"sqlite:///{tmp_path / 'log.sqlite'}")
    monkeypatch.setenv("SCA_PATIENT_KEY", new_key())
    at = _offer(_page("call_desk", "save_call"), "$540/day")
    for label, typed in (("Patient name", "Pat Doe"), ("Member ID", "W123456789")):
        next(t for t in at.text_input if t.label.startswith(label)).input(typed)
    next(t for t in at.text_area if t.label.startswith("Notes")).input("Spoke with Dana")
    next(b for b in at.button if b.label == "Save to the log").click().run()
    assert at.success[-1].value == "Saved as request 1 (pending), with 2 turns of the call."
    # saved with the call, encrypted: the next call, another patient's, starts with none of it
    assert [t.value for t in at.text_input if t.label.startswith(("Patient", "Member"))] == [
        "",
        "",
    ]
    assert next(t for t in at.text_area if t.label.startswith("Notes")).value == ""
    assert not any(b.label == "Start a new call" for b in at.button)  # the call ended


def test_the_second_consent_to_share_our_cost_at_the_floor_is_asked_each_time() -> None:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["documents"] = True
    at.run()

    def box(label: str) -> Any:
        return next(c for c in at.checkbox if c.label.startswith(label))

    box("Share our cost structure").check().run()
    box("Share it anyway").check().run()
    box("Share our cost structure").uncheck().run()
    box("Share our cost structure").check().run()
    assert box("Share it anyway").value is False


def test_the_market_page_imports_a_hospital_file_and_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCA_IMPORTS_DIR", str(tmp_path))
    at = _page("market_page")
    path = FIXTURES / "transparency" / "mclean-hospital-standardcharges-2026-03-27.csv"
    next(t for t in at.text_input if t.label.startswith("Path of the file")).input(str(path))
    next(r for r in at.radio if r.label == "It is").set_value("a hospital's standard charges")
    next(t for t in at.text_input if t.label.startswith("Region the prices")).input("MA")
    next(d for d in at.date_input if d.label.startswith("Drop prices")).set_value(
        dt.date(2026, 4, 1)
    )
    next(b for b in at.button if b.label == "Import and use").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("108 prices read; 0 expired, 76 percentages")
    rates = at.dataframe[0].value
    # the source column gives each row its note number; the note under the table, the source
    notes = next(c.value for c in at.caption if c.value.startswith("Sources: "))
    number = re.search(r"\[(\d+)\] price-transparency files", notes)
    assert number is not None
    assert f"[{number.group(1)}] 2026" in set(rates["source"])
    assert (tmp_path / "mclean-hospital-standardcharges-2026-03-27.csv.parquet").exists()


def test_the_market_tables_name_each_source_whole_under_the_table() -> None:
    at = _page("market_page")
    notes = [c.value for c in at.caption if c.value.startswith("Sources: ")]
    assert len(notes) == 2  # the rates and the alternatives
    assert "CMS Medicare Physician Fee Schedule CY2026, national non-facility amount" in notes[0]
    assert "MaineCare (Maine Medicaid) rate for substance use residential" in notes[1]
    # every row points to a note that is there
    for table, note in zip(at.dataframe[:2], notes, strict=True):
        for label in table.value["source"]:
            assert f"[{label.split(']')[0][1:]}] " in note


def test_a_figure_that_looks_like_a_slip_is_asked_back_then_counted_once_confirmed() -> None:
    # $99,999 a day is above our $950 charge, the $700 ceiling and 3 x the $560 market top
    at = _offer(_page("call_desk"), "$99999")
    assert at.warning[-1].value.startswith("CHECK $99,999.00 per day: above our billed charge")
    assert not verdicts(at)  # no verdict yet, and no turn on the chart
    assert not at.get("arrow_vega_lite_chart")
    at = next(b for b in at.button if b.label.startswith("The payer confirmed")).click().run()
    assert not at.exception
    assert verdicts(at) == ["ACCEPT $99,999.00 per day"]


def test_a_rate_that_leaves_services_out_is_asked_then_agreed_with_the_payers_words() -> None:
    # Harborview's $661 opening: "$700/day excluding labs" would be an acceptance, but labs may
    # then go unpaid. Asked first: the question, the line to say (a heading, the largest text)
    # and the button; once confirmed, the acceptance restates "excluding labs"
    at = _offer(_page("call_desk"), "$700/day excluding labs")
    assert at.warning[0].value.startswith(
        'CHECK $700.00 per day: the offer limits what the rate pays for ("excluding labs")'
    )
    assert not verdicts(at)
    assert any(
        m.value == "### That could work. Before we agree, let me confirm what the rate covers."
        for m in at.markdown
    )
    at = next(b for b in at.button if b.label.startswith("The payer confirmed")).click().run()
    assert not at.exception
    assert verdicts(at) == ["ACCEPT $700.00 per day"]
    assert any("### We can accept $700 per day, excluding labs." in m.value for m in at.markdown)


def test_an_offer_that_leaves_the_days_after_unsaid_is_asked_about_not_confirmed() -> None:
    # Harborview, 18 days: $8,000 for 12 days is $666.67 for each of them, above the $661
    # opening, but says nothing of days 13-18: the question to ask, and no button that would
    # count it as it stands
    at = _offer(_page("call_desk"), "$8,000 for 12 days")
    assert not at.exception
    check = at.warning[-1].value
    assert check.startswith("CHECK $666.67 per day: our expected stay runs 6 days past the 12")
    assert "type the offer again with what each unit after them pays" in check
    assert any("What do you pay for each day after them?" in m.value for m in at.markdown)
    assert not any(b.label.startswith("The payer confirmed") for b in at.button)
    assert not verdicts(at)


def test_an_offer_read_on_an_assumption_shows_the_question_to_ask() -> None:
    # $25 per 15 min on the PHP: 6 program hours x 4 = 24 units assumed, $600 a day
    at = _offer(_page("call_desk"), "$25 per 15 min")
    assert verdicts(at) == ["COUNTER $600.00 per day with $661.00 per day"]
    assert any(
        w.value.startswith("Ask: assumes 24 billable 15-minute units a day") for w in at.warning
    )


def test_the_desks_folded_panels_draw_their_contents_only_once_opened() -> None:
    # folded, a panel is its one line: what it would draw costs each answer nothing
    folded = _offer(_page("call_desk"), "$25 per 15 min")
    opened = _offer(
        _page("call_desk", "how_set", "offer_read", "points_written", "documents", "save_call"),
        "$25 per 15 min",
    )
    for at, drawn in ((folded, False), (opened, True)):
        markdown = [m.value for m in at.markdown]
        assert any("- Fits a single case agreement" in m for m in markdown) is drawn
        assert any("- $25.00 per 15 min x 24 units a day" in m for m in markdown) is drawn
        written = "**The nearest in-network program.** "  # the first point, written out
        assert any(m.startswith(written) for m in markdown) is drawn
        assert bool(at.get("download_button")) is drawn
        assert any(b.label == "Save to the log" for b in at.button) is drawn
    assert [e.label for e in folded.expander] == [e.label for e in opened.expander]


def test_what_was_typed_in_a_panel_is_kept_while_it_is_folded() -> None:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["save_call"] = True
    at.run()
    next(t for t in at.text_area if t.label.startswith("Notes")).input("Spoke with Dana")
    at.session_state["save_call"] = False  # folded: its widgets are not drawn
    at.run()
    assert not any(t.label.startswith("Notes") for t in at.text_area)
    at.session_state["save_call"] = True
    at.run()
    assert next(t for t in at.text_area if t.label.startswith("Notes")).value == "Spoke with Dana"


def test_the_call_desk_says_why_each_point_fired() -> None:
    at = _page("call_desk")
    # each point's spoken line, then why it fired
    points = next(m.value for m in at.markdown if "Why this point:" in m.value)
    assert (
        "**The nearest in-network program:** The nearest in-network program for adult PHP with DBT "
        "is 42 miles" in points
    )
    why = "Why this point: nearest in-network program 42 miles / 55 minutes, beyond the urban"
    assert f":gray[{why} standard" in points
    # The cost point rests on the illustrative inpatient per diem: marked for the caller, once
    assert points.count(ESTIMATE) == 1
    assert (
        "inpatient psych for this patient would cost about $12,600. :orange-badge[rests on "
        "estimates" in points
    )


def test_sharing_the_cost_that_is_the_floor_needs_a_second_choice() -> None:
    # Harborview PHP's floor is its fully loaded cost, $521.22 a day
    at = _page("call_desk", "documents")
    next(c for c in at.checkbox if c.label.startswith("Share our cost structure")).check().run()
    assert any("is our floor: sharing it tells the payer" in w.value for w in at.warning)
    assert any(c.label == "Share it anyway" for c in at.checkbox)


def test_every_enter_replaces_the_answer_before_it() -> None:
    # "60% of billed" is countered; "110% of Medicare" (on $196.34, $215.97) is countered too;
    # an unreadable offer then shows its error and no old verdict; an empty Enter says what to type
    at = _offer(_page("call_desk"), "60% of billed charges")
    assert len(verdicts(at)) == 1
    at = _offer(at, "whatever")
    assert at.error
    assert not verdicts(at)
    at = _offer(at, "")
    assert not at.error
    assert not verdicts(at)
    assert at.info[0].value.startswith("Type what the payer offered")


def test_verdicts_never_look_like_an_error() -> None:
    at = _offer(_page("call_desk"), "$300/day")  # under the $521.22 floor
    assert verdicts(at) == ["DECLINE $300.00 per day: we could do $661.00 per day"]
    assert not at.error
    assert any(
        m.value.startswith(":orange-badge[DECLINE $300.00 per day: we could do $661.00 per day]")
        for m in at.markdown
    )


def test_what_if_keeps_the_rate_set_and_says_an_impossible_saving_in_words() -> None:
    at = _page("whatif_page")
    rate = next(n for n in at.number_input if n.label.startswith("Rate to try"))
    rate.set_value(1000).run()
    next(s for s in at.slider if s.label == "Average census").set_value(10).run()
    assert next(n for n in at.number_input if n.label.startswith("Rate to try")).value == 1000
    # $1,000 x 18 days = $18,000 against 7 inpatient days at $1,800 = $12,600: $5,400 more
    assert any(
        c.value.startswith("At this rate the stay costs the payer $5,400.00 more than inpatient")
        for c in at.caption
    )
    assert not any("saves -$" in c.value for c in at.caption)
    labels = set(at.dataframe[0].value["strategy"])
    assert labels == {"single case agreement", "bill out of network", "decline the patient"}


def test_a_new_session_finds_the_call_kept_for_its_case_until_it_ends() -> None:
    _offer(_page("call_desk"), "$560/day")  # our answer: the $661 opening
    again = _page("call_desk")  # a reload: a new session
    assert any(b.label == "Start a new call" for b in again.button)
    assert any("against our ask of $661.00 per day" in m.value for m in again.markdown)
    next(b for b in again.button if b.label == "Start a new call").click().run()
    assert not any(b.label == "Start a new call" for b in _page("call_desk").button)


@pytest.mark.parametrize("path", SETTINGS.case_files(), ids=lambda p: p.name)
def test_the_sidebars_edits_over_a_case_file_keep_what_it_does_not_edit(path: Path) -> None:
    case, _ = load_case(path)
    base = case.model_dump(exclude_none=True)
    # The sidebar hands back only what it edits: here the payer and the code, unchanged
    edited = {"payer": case.payer, "code": case.code, "cost_model": case.cost_model}
    assert Case.model_validate(case_form._carried(base, edited)) == case
    # A new code does not inherit the old code's type: it is read again from the new code
    moved = case_form._carried(base, {**edited, "code": "90853"})
    assert Case.model_validate(moved).code_type == "CPT"


def _searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Path, providers: Path
) -> AppTest:
    """The Market page, for ``case``, after a search of Evry's rows (90853 relabelled S0201)
    and ``providers``."""
    monkeypatch.setenv("SCA_CASES_DIR", str(tmp_path))
    monkeypatch.setenv("SCA_DEFAULT_CASE", case.name)
    at = _page("market_page")
    rates = rates_file(tmp_path, "90853")
    next(t for t in at.text_area if t.label.startswith("The payer's in-network")).input(str(rates))
    next(t for t in at.text_input if t.label.startswith("The programs")).input(str(providers))
    next(b for b in at.button if b.label == "Search").click().run()
    assert not at.exception
    return at


def test_the_market_page_finds_the_payers_programs_and_keeps_them_in_the_case_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Harborview's PHP from ZIP 02139; Evry's 90853 rows relabelled S0201 list only the New
    # York clinic, 186.52 miles away (see test_network_evidence.py)
    case = harborview_case(tmp_path)
    at = _searched(tmp_path, monkeypatch, case, providers_file(tmp_path))
    assert not at.error
    found = "\n".join(m.value for m in at.markdown)
    assert "No in-network program billing" not in found
    assert "- **186.5 mi** SYNTHETIC HUDSON MENTAL HEALTH CLINIC (NPI 1932350972)" in found
    keep = "Keep in case.yaml as the evidence of the network gap"
    at = next(b for b in at.button if b.label == keep).click().run()
    assert at.success[0].value == "Kept in case.yaml: the network-gap point now cites these files."
    kept = load_case(case)[0].triggers.network_inadequacy
    assert kept is not None
    assert kept.evidence is not None
    assert kept.evidence.nearest_miles == pytest.approx(186.52, abs=0.01)


def test_the_market_page_offers_no_keep_for_a_search_that_could_miss_a_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A providers file of MA alone: Cambridge (02139) lies within 30 miles of New Hampshire
    # ZIPs, where a program could be nearer (see test_network_evidence.py)
    case = harborview_case(tmp_path)
    at = _searched(
        tmp_path, monkeypatch, case, providers_file(tmp_path, recorded=frozenset({"MA"}))
    )
    assert not any(b.label.startswith("Keep in") for b in at.button)
    # Said once, with the fix: the states to write the providers file with
    (said,) = [w.value for w in at.warning if "NH" in w.value]
    assert said.startswith("This search cannot be kept as the case's evidence: the providers")
    assert "ZIPs within 30 miles of 02139 are also in NH" in said
    assert "--state MA --state NH" in said
    assert "evidence" not in case.read_text()


def test_edits_kept_before_a_search_use_the_evidence_it_writes_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The margin is edited here (0.15 -> 0.25: target $651.53, as above); then a search keeps
    # its evidence in the case file. The desk uses both: the edit, and the file's evidence
    case = harborview_case(tmp_path)
    monkeypatch.setenv("SCA_CASES_DIR", str(tmp_path))
    monkeypatch.setenv("SCA_DEFAULT_CASE", case.name)
    at = _edit_case(_page("call_desk"))
    next(s for s in at.slider if s.label == "Margin required").set_value(0.25)
    at = _use(at)
    loaded, _ = load_case(case)
    search, _ = search_case(
        loaded,
        load_market(SETTINGS.market_data_dir),
        rates=[rates_file(tmp_path, "90853")],
        providers=providers_file(tmp_path),
        market_dir=SETTINGS.market_data_dir,
    )
    keep_network_evidence(case, search.evidence(dt.date(2026, 11, 30)))
    at.run()
    assert any("Target **$651.53**" in m.value for m in at.markdown)
    said = next(m.value for m in at.markdown if "Why this point:" in m.value)
    assert "in your plan's own network file is 186 miles away" in said
