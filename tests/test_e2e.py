"""End to end in a real headless Chromium: type an offer on the call desk, press Enter, read the
verdict and the counter from the page."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from sca_rates.compare import case_facts, offer_for
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.models.negotiate import NegotiationState
from sca_rates.money import usd
from sca_rates.negotiate import respond
from sca_rates.recommend import recommend
from sca_rates.settings import Settings
from tests.browser import launch, served_app


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with served_app() as url:
        yield url


def test_typing_an_offer_and_pressing_enter_shows_the_verdict_and_counter(app_url: str) -> None:
    settings = Settings()
    case, model = load_case(settings.cases_dir / settings.default_case)
    facts = case_facts(case, model=model, market=load_market(settings.market_data_dir))
    answer = respond(facts, recommend(facts), NegotiationState(), offer_for(facts, "$540/day"))
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(app_url)
        box = page.get_by_label("The payer's offer", exact=True)
        box.fill("$540/day")
        box.press("Enter")
        verdict = page.get_by_text("COUNTER $540.00 per day")
        verdict.wait_for(timeout=30_000)
        assert verdict.inner_text() == (
            f"COUNTER $540.00 per day with {usd(answer.counter_per_unit_usd or 0)} per day"
        )
        assert page.get_by_text(answer.line).count() == 1
        browser.close()
