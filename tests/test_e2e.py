"""End to end in a real headless Chromium: type an offer on the call desk, press Enter, read the
verdict and the counter from the page."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright

from sca_rates.compare import case_facts, offer_for
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.models.negotiate import NegotiationState
from sca_rates.money import usd
from sca_rates.negotiate import respond
from sca_rates.recommend import recommend
from sca_rates.settings import Settings
from tests.browser import launch, served_app


@pytest.fixture  # an app of its own for each test: drafts of one call do not leak into another
def app_url() -> Iterator[str]:
    with served_app() as url:
        yield url


def _inside(page: Page, text: str) -> bool:
    """The element showing ``text`` lies wholly inside the 1280 x 720 window, unscrolled."""
    box = page.get_by_text(text).first.bounding_box()
    assert box is not None, text
    return box["y"] >= 0 and box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280


def _enter(page: Page, text: str) -> None:
    box = page.get_by_label("The payer's offer", exact=True)
    box.fill(text)
    box.press("Enter")


def test_the_answer_is_in_view_at_1280_by_720_and_never_stale(app_url: str) -> None:
    settings = Settings()
    case, model = load_case(settings.cases_dir / settings.default_case)
    facts = case_facts(case, model=model, market=load_market(settings.market_data_dir))
    answer = respond(facts, recommend(facts), NegotiationState(), offer_for(facts, "$540/day"))
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(app_url)
        _enter(page, "$540/day")
        verdict = f"COUNTER $540.00 per day with {usd(answer.counter_per_unit_usd or 0)} per day"
        page.get_by_text(verdict).wait_for(timeout=30_000)
        assert page.get_by_text(answer.line).count() == 1
        assert _inside(page, verdict)
        assert _inside(page, answer.line)  # the line to say, without scrolling
        # an unreadable offer: its error replaces the verdict
        _enter(page, "whatever you like")
        page.get_by_text("cannot read an amount").wait_for(timeout=30_000)
        assert page.get_by_text(verdict).count() == 0
        assert _inside(page, "cannot read an amount")
        # an empty Enter says what to type
        _enter(page, "")
        page.get_by_text("Type what the payer offered").wait_for(timeout=30_000)
        assert page.get_by_text("cannot read an amount").count() == 0
        browser.close()


def test_the_call_and_the_case_edits_survive_a_page_change_and_a_reload(app_url: str) -> None:
    ask = "against our ask of $661.00 per day"  # the opening, our answer to $560
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(app_url)
        _enter(page, "$560/day")
        page.get_by_text("COUNTER $560.00 per day").wait_for(timeout=30_000)
        # to the Log page (no case in its sidebar) and back: the call is there
        page.get_by_role("link", name="Log").click()
        page.get_by_text("Negotiation log").wait_for(timeout=30_000)
        page.get_by_role("link", name="Call desk").click()
        page.get_by_role("button", name="Start a new call").wait_for(timeout=30_000)
        # a reload is a new session: it finds the call kept for this case (its turns are back,
        # with the line of the call so far and the button that ends the call)
        page.reload()
        new_call = page.get_by_role("button", name="Start a new call")
        new_call.wait_for(timeout=30_000)
        assert page.get_by_text(ask).count() == 1
        # a new call ends it, and a reload then finds none
        new_call.click()
        new_call.wait_for(state="detached", timeout=30_000)
        page.reload()
        page.get_by_label("The payer's offer", exact=True).wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        assert page.get_by_role("button", name="Start a new call").count() == 0
        # an edit to the case, made in its editor, outlives a visit to the Log page and a reload
        page.get_by_role("button", name="Edit the case").click()
        stay = page.get_by_label("Expected length of stay (units)")
        stay.fill("20")
        stay.press("Enter")
        page.get_by_role("button", name="Use these values").click()
        page.get_by_text("20 days expected").wait_for(timeout=30_000)
        assert page.get_by_role("dialog").count() == 0  # the editor closed
        page.get_by_role("link", name="Log").click()
        page.get_by_text("Negotiation log").wait_for(timeout=30_000)
        page.get_by_role("link", name="Call desk").click()
        page.get_by_text("20 days expected").wait_for(timeout=30_000)
        page.reload()
        page.get_by_text("20 days expected").wait_for(timeout=30_000)
        # back to the case file: its 18 days
        page.get_by_role("button", name="Edit the case").click()
        page.get_by_role("button", name="Back to the case file").click()
        page.get_by_text("18 days expected").wait_for(timeout=30_000)
        browser.close()
