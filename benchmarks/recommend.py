"""The live-call path: what runs on every keystroke of an offer, timed against baselines measured
in the same run on the same machine.

- baseline "parse": reading the offer's text, the least any answer can cost;
- baseline "case facts": the once-per-case work (cost model, market lookups, alternatives, OON);
- "recommend + counter + talking points": one full pass on facts already worked out.

Prints timings and ratios; asserts nothing. Run with `make bench`.
"""

from __future__ import annotations

from _timing import per_call, report
from sca_rates.compare import case_facts, offer_for
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.models.negotiate import NegotiationState
from sca_rates.negotiate import respond
from sca_rates.offers import parse_offer
from sca_rates.recommend import recommend
from sca_rates.settings import Settings
from sca_rates.talking_points import talking_points

CASE = "harborview-aetna-php.yaml"


def main() -> None:
    settings = Settings()
    case, model = load_case(settings.cases_dir / CASE)
    market = load_market(settings.market_data_dir)
    facts = case_facts(case, model=model, market=market)
    state = NegotiationState()

    def live_pass() -> object:
        rec = recommend(facts)
        answer = respond(facts, rec, state, offer_for(facts, "$540/day"))
        return answer, talking_points(facts, rec)

    runs = {
        "parse": lambda: parse_offer("$540/day"),
        "case facts": lambda: case_facts(case, model=model, market=market),
        "recommend": lambda: recommend(facts),
        "recommend + counter + talking points": live_pass,
    }
    timings = {name: per_call(run) for name, run in runs.items()}
    print(f"case: {CASE}")
    report(timings, ["parse", "case facts"])


if __name__ == "__main__":
    main()
