"""How long one costing of the default cost model takes, against baselines measured in the same
run on the same machine: validating the model (the work every file load already does) and a
hand-written loop that adds the model's lines up without allocation or result models.

Prints timings and ratios; asserts nothing. Run with `make bench`.
"""

from __future__ import annotations

from collections.abc import Callable

from _timing import per_call, report
from sca_rates.costing import cost_curve, cost_facility, with_census
from sca_rates.files import load_cost_model
from sca_rates.models import CostModel
from sca_rates.settings import Settings


def _plain_sum(model: CostModel) -> float:
    """The least work that yields a facility total: the floor any costing must stand on."""
    staff = sum((r.fte or 1.0) * r.pay_per_fte * (1 + r.benefits_load) for r in model.staff)
    overhead = sum(item.annual_cost for item in model.overhead)
    return staff + overhead


def main() -> None:
    settings = Settings()
    model = load_cost_model(settings.cost_models_dir / settings.default_cost_model)
    data = model.model_dump()
    first = model.level_codes[0]
    runs: dict[str, Callable[[], object]] = {
        "baseline: plain sum of pay, overhead": lambda: _plain_sum(model),
        "baseline: validate the model": lambda: CostModel.model_validate(data),
        "cost_facility (all levels)": lambda: cost_facility(model),
        "with_census + cost_facility": lambda: cost_facility(with_census(model, first, 10)),
        f"cost_curve ({first}, census 1..capacity)": lambda: cost_curve(model, first),
    }
    timings = {name: per_call(run) for name, run in runs.items()}
    print(
        f"default model: {settings.default_cost_model} ({len(model.staff)} staff roles, "
        f"{len(model.overhead)} overhead items, {len(model.levels_of_care)} levels)"
    )
    report(timings, ["baseline: plain sum of pay, overhead", "baseline: validate the model"])


if __name__ == "__main__":
    main()
