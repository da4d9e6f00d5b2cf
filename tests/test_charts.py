"""The chart specs the pages draw."""

from sca_rates import charts
from sca_rates.models.market import Distribution


def _dist() -> Distribution:
    return Distribution(
        payer="aetna",
        region="MA",
        level_of_care="PHP",
        code="S0201",
        unit="day",
        year=2026,
        points={"p25": 600.0, "p50": 700.0, "p75": 800.0},
        sources=(),
        illustrative=False,
        n=None,
        fallback=(),
    )


def test_numbers_that_are_one_figure_share_one_line() -> None:
    # The floor is the fully loaded cost here ($521.22 both): one line named for both, so that
    # neither hides under the other; the target stays its own line
    marks = {"floor": 521.22, "target": 599.41, "fully loaded cost": 521.2200001}
    spec = charts.distribution_chart(_dist(), marks, "day")
    rules = spec["layer"][2]["data"]["values"]
    assert rules == [
        {"what": "floor = fully loaded cost", "usd": 521.22},
        {"what": "target", "usd": 599.41},
    ]
