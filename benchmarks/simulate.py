"""The simulator: 100,000 episodes x 3 strategies vectorized, against a plain per-episode Python
loop over the same inputs (10,000 episodes, scaled to 100,000), timed in the same run.

Prints both timings and their ratio; asserts nothing. Run with `make bench`.
"""

from __future__ import annotations

import math
import random
import time

from sca_rates.compare import case_facts
from sca_rates.files import load_case
from sca_rates.market import load_market
from sca_rates.models.compare import CaseFacts
from sca_rates.models.simulate import SimulationSettings, Uncertain
from sca_rates.settings import Settings
from sca_rates.simulate import (
    SimulationInputs,
    decline_margin,
    oon_margin,
    sca_margin,
    simulate_episodes,
    simulation_inputs,
)

CASE = "harborview-aetna-php.yaml"
RATE = 599.40


def _draw_one(value: Uncertain, rnd: random.Random) -> float:
    if value.kind == "fixed" or value.spread == 0:
        return value.mean
    if value.kind == "gamma":
        shape = 1 / value.spread**2
        return rnd.gammavariate(shape, value.mean / shape)
    k = value.mean * (1 - value.mean) / value.spread**2 - 1
    return rnd.betavariate(value.mean * k, (1 - value.mean) * k)


def _loop(n: int, inputs: SimulationInputs, facts: CaseFacts, cost: float) -> float:
    """The same model, one episode at a time: the baseline the vectorized run is measured by."""
    settings, rnd, total = SimulationSettings(), random.Random(1), 0.0
    benefit, oon = facts.case.oon_benefit, facts.oon
    assert benefit is not None
    assert oon is not None
    for _ in range(n):
        scheduled = max(1, round(_draw_one(inputs.stay, rnd)))
        attend = _draw_one(inputs.attendance, rnd)
        approve = _draw_one(inputs.reauth_approval, rnd)
        renewals = 0
        while rnd.random() < approve:
            renewals += 1
        authorized = min(scheduled, int(inputs.block_units * (1 + renewals)))
        attended = sum(rnd.random() < attend for _ in range(authorized))
        denial = _draw_one(inputs.claim_denial, rnd)
        paid = sum(rnd.random() >= denial for _ in range(attended))
        discount = 1 / (1 + settings.cost_of_capital * _draw_one(inputs.days_to_pay_sca, rnd) / 365)
        care = cost * attended
        sca = RATE * paid * discount - care
        allowed = oon.allowed_per_unit_usd * paid
        deductible = min(benefit.deductible_remaining_usd, allowed)
        owed = min(
            deductible + benefit.coinsurance * (allowed - deductible), benefit.oop_max_remaining_usd
        )
        oon_discount = 1 / (
            1 + settings.cost_of_capital * _draw_one(inputs.days_to_pay_oon, rnd) / 365
        )
        out = (allowed - owed) * oon_discount + _draw_one(inputs.collection, rnd) * owed - care
        filled = rnd.random() < settings.fill_probability
        total += sca + out + (sca if filled else 0.0)
    return total


def main() -> None:
    settings = Settings()
    case, model = load_case(settings.cases_dir / CASE)
    facts = case_facts(case, model=model, market=load_market(settings.market_data_dir))
    sim = SimulationSettings(n=100_000)
    inputs = simulation_inputs(facts, sim)
    cost = facts.cost.marginal_per_unit  # strategies are compared on contribution

    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        episodes = simulate_episodes(inputs, sim)
        sca_margin(episodes, RATE, cost), oon_margin(episodes, facts, cost)
        decline_margin(episodes, RATE, cost)
        best = min(best, time.perf_counter() - start)

    start = time.perf_counter()
    _loop(10_000, inputs, facts, cost)
    loop = (time.perf_counter() - start) * 10  # scaled to 100,000 episodes

    print(f"case: {CASE}, rate ${RATE:,.2f} per day")
    print(f"{'what':<52} {'seconds':>10}")
    print(f"{'vectorized, 100,000 episodes x 3 strategies':<52} {best:>10.3f}")
    print(f"{'plain Python loop, 10,000 episodes, x 10':<52} {loop:>10.3f}")
    print(f"{'ratio (loop / vectorized)':<52} {loop / best:>10.1f}")


if __name__ == "__main__":
    main()
