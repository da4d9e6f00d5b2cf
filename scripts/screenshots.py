"""Screenshots of every page in the real browser the end-to-end test uses, for the README:
`make screenshots` writes docs/screenshots/*.png."""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from tests.browser import launch, served_app  # noqa: E402

OUT = PROJECT / "docs" / "screenshots"
PAGES = {"cost-model": "cost", "market": "market", "what-if": "what-if", "terms": "terms"}


def _settle(page: Page) -> None:
    page.wait_for_selector("[data-testid='stMarkdownContainer']", timeout=60_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # charts draw after the data arrives


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with served_app() as url, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url)
        _settle(page)
        for offer in ("$540/day", "$560/day"):
            box = page.get_by_label("The payer's offer", exact=True)
            box.fill(offer)
            box.press("Enter")
            page.get_by_text(f"{offer.replace('/day', '.00 per day')}").first.wait_for()
        page.wait_for_timeout(1500)
        page.screenshot(path=OUT / "call-desk.png", full_page=True)
        for name, path in PAGES.items():
            page.goto(f"{url}/{path}")
            _settle(page)
            page.screenshot(path=OUT / f"{name}.png", full_page=True)
        browser.close()
    print(f"wrote {len(PAGES) + 1} screenshots to {OUT}")


if __name__ == "__main__":
    main()
