"""One call, one figure: the call desk, the what-if page, every document in every format and the
CLI's JSON name the same rate for the same moment of the same call."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from sca_rates.cli import app
from sca_rates.desk import open_position
from sca_rates.export import DOCUMENTS, FORMATS
from sca_rates.export.context import build_context
from sca_rates.export.render import render
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.money import usd
from sca_rates.settings import Settings
from sca_rates.ui import state
from tests.test_app import choose_document, verdicts
from tests.test_export import _flat, _text

SETTINGS = Settings()
CASE_FILE = SETTINGS.cases_dir / SETTINGS.default_case  # Harborview / Aetna PHP
OFFERS = ("$540/day", "$560/day")
# The opening is $661; $540 is answered with it, $560 with 661 - (661 - 560) / 4 = 635.75 ->
# $636 (tests/test_export.py)
STANDING = 636.0


def _cli_ask(history: Path, offers: tuple[str, ...]) -> float:
    ask = 0.0
    for offer in offers:
        result = CliRunner().invoke(
            app, ["counter", str(CASE_FILE), "--offer", offer, "--history", str(history), "--json"]
        )
        assert result.exit_code == 0, result.output
        ask = json.loads(result.stdout)["ask_per_unit_usd"]
    return ask


def _call_desk(
    monkeypatch: pytest.MonkeyPatch, offers: tuple[str, ...]
) -> tuple[AppTest, dict[str, Callable[[], Any]]]:
    """The call desk after the offers, with each document button's maker kept as drawn."""
    makers: dict[str, Callable[[], Any]] = {}
    draw = DeltaGenerator.download_button

    def keep(column: DeltaGenerator, label: str, data: Any, **kwargs: Any) -> bool:
        makers.setdefault(kwargs["key"], data)
        return draw(column, label, data, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", keep)
    at = AppTest.from_string(
        "from sca_rates.ui import call_desk\ncall_desk.render_page()", default_timeout=60
    )
    at.session_state["documents"] = True  # the documents' panel open
    at.run()
    for offer in offers:
        next(t for t in at.text_input if t.label == "The payer's offer").input(offer)
        at = next(b for b in at.button if b.label == "Answer").click().run()
    for key in DOCUMENTS:  # each document's button drawn once, in every format
        for fmt in FORMATS:
            choose_document(at, key, fmt)
    assert not at.exception
    return at, makers


def test_every_screen_document_and_the_cli_name_the_same_rate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figure = usd(STANDING)  # "$636.00"
    # The core
    case, model = load_case(CASE_FILE)
    position = open_position(case, model=model, market=load_market(SETTINGS.market_data_dir))
    for offer in OFFERS:
        position = position.with_call(position.answer(offer).state)
    assert position.standing_usd == STANDING
    # The CLI's JSON
    assert _cli_ask(tmp_path / "call.json", OFFERS) == STANDING
    # The call desk: the verdict, and the payer's alternative against our ask
    at, makers = _call_desk(monkeypatch, OFFERS)
    assert verdicts(at) == [f"COUNTER $560.00 per day with {figure} per day"]
    assert any(f"against our ask of {figure} per day" in m.value for m in at.markdown)
    # Every document in every format, made by the call desk's own buttons
    for key in DOCUMENTS:
        for fmt in FORMATS:
            text = _flat(_text(makers[f"dl:{key}:{fmt}"](), fmt))
            assert f"{figure} per day" in text, (key, fmt)
    # The what-if page, on the same call
    whatif = AppTest.from_string(
        "from sca_rates.ui import whatif_page\nwhatif_page.render_page()", default_timeout=60
    )
    # the call desk's own session: its call and what the call is about
    whatif.session_state[state.CALL] = at.session_state[state.CALL]
    whatif.session_state[state.CALL_KEY] = at.session_state[state.CALL_KEY]
    whatif.run()
    assert not whatif.exception
    assert any(c.value == f"Our ask on the call: {figure} per day" for c in whatif.caption)
    assert next(n for n in whatif.number_input if n.label.startswith("Rate")).value == STANDING


def test_once_agreed_every_document_names_the_agreed_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    # $540 -> $661; $560 -> $636; $640 is above our $636 ask: accepted at $640
    at, makers = _call_desk(monkeypatch, (*OFFERS, "$640/day"))
    assert verdicts(at) == ["ACCEPT $640.00 per day"]
    for key in DOCUMENTS:
        text = _flat(_text(makers[f"dl:{key}:md"](), "md"))
        assert "$640.00 per day" in text, key
    email = _flat(_text(makers["dl:terms-email:txt"](), "txt"))
    assert "Thank you for agreeing to a single case agreement at $640.00 per day" in email


def test_a_case_rate_agreed_is_what_every_document_states() -> None:
    # Harborview, 18 days: "$16,000 for 20 days, nothing after" is $800 for each of their 20
    # days, confirmed and accepted. Every document states the case rate as agreed and $16,000
    # for the stay, never $800 x 18 = $14,400
    case, model = load_case(CASE_FILE)
    position = open_position(case, model=model, market=load_market(SETTINGS.market_data_dir))
    accepted = position.answer("$16,000 for 20 days, nothing after", confirmed=True)
    assert accepted.verdict == "accept"
    context = build_context(position.with_call(accepted.state))
    for key in DOCUMENTS:
        text = _flat(_text(render(key, context, "md"), "md"))
        assert "$16,000 for the 20 days, nothing after" in text, key
        assert "14,400" not in text, key
    email = _flat(_text(render("terms-email", context, "txt"), "txt"))
    assert "single case agreement at $16,000 for the 20 days, nothing after." in email
    assert "3. Rate: $16,000 for the 20 days, nothing after, all services of each day" in email
    assert "per diem" not in email  # a case rate is no per diem
    # the call sheet's first minute, for the call that confirms it, says what was agreed
    sheet = _flat(_text(render("call-sheet", context, "md"), "md"))
    agreed = "We agreed to a single case agreement at $16,000 for the 20 days, nothing after."
    assert agreed in sheet
    assert "asking for" not in sheet
    assert "$800 per day" not in sheet
    # A share of Medicare agreed is stated as the payer said it, not as our $687.19 a day
    # (350% x $196.34, Boston's wage-adjusted rate)
    accepted = position.answer("350% of Medicare")
    assert accepted.verdict == "accept"
    email = _flat(
        _text(
            render("terms-email", build_context(position.with_call(accepted.state)), "txt"), "txt"
        )
    )
    assert "single case agreement at 350% of Medicare." in email


def test_the_what_if_page_never_shows_another_cases_call() -> None:
    # A call kept for another case (its key differs) is not this case's: the what-if page
    # starts from this case's opening, $661
    case, model = load_case(CASE_FILE)
    position = open_position(case, model=model, market=load_market(SETTINGS.market_data_dir))
    called = position.with_call(position.answer("$560/day").state)
    whatif = AppTest.from_string(
        "from sca_rates.ui import whatif_page\nwhatif_page.render_page()", default_timeout=60
    )
    whatif.session_state[state.CALL] = state.CallBox(called.call)
    whatif.session_state[state.CALL_KEY] = "another case"
    whatif.run()
    assert any(c.value == "Our ask on the call: $661.00 per day" for c in whatif.caption)
