"""The app, driven through Streamlit's AppTest: it shows the default model's costs from the same
core functions as the CLI, follows the census slider, and turns a bad file into st.error."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sca_rates.costing import cost_level, with_census
from sca_rates.files import load_cost_model
from sca_rates.money import usd
from sca_rates.settings import Settings
from tests.conftest import FIXTURES, PROJECT

APP = str(PROJECT / "app.py")


def _run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    return at.run()


def test_default_model_costs_are_shown_with_units() -> None:
    at = _run()
    assert not at.exception
    settings = Settings()
    model = load_cost_model(settings.cost_models_dir / settings.default_cost_model)
    php = cost_level(model, model.level_codes[0])
    assert at.metric[0].value == f"{usd(php.fully_loaded_per_unit)} per {php.unit}"
    assert at.metric[1].value == f"{usd(php.marginal_per_unit)} per {php.unit}"
    assert at.warning[0].value.startswith("Illustrative figures")


def test_census_slider_recomputes_through_the_core() -> None:
    at = _run()
    at.slider[0].set_value(10).run()
    settings = Settings()
    model = load_cost_model(settings.cost_models_dir / settings.default_cost_model)
    code = model.level_codes[0]
    expected = cost_level(with_census(model, code, 10), code)
    assert at.metric[0].value.startswith(usd(expected.fully_loaded_per_unit))


def test_a_bad_cost_model_is_an_error_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = (FIXTURES / "cost_models" / "tiny-php.yaml").read_text().replace("60000", "-60000")
    (tmp_path / "center.yaml").write_text(bad)
    monkeypatch.setenv("SCA_COST_MODELS_DIR", str(tmp_path))
    at = _run()
    assert not at.exception
    assert "staff[0] (Therapist).annual_salary" in at.error[0].value
    assert "Fix:" in at.error[0].value
