"""How figures reach people and programs (see ``common``); one module per kind of result."""

from sca_rates.present.common import UNIT_PLURAL, cents, per, source_mark
from sca_rates.present.compare import (
    comparison_json,
    comparison_lines,
    market_json,
    normalized_json,
    normalized_lines,
)
from sca_rates.present.costs import (
    BREAKDOWN_LABELS,
    breakdown_rows,
    episode_summary,
    facility_title,
    level_json,
    level_summary,
    level_title,
    line_rows,
)
from sca_rates.present.negotiation import (
    call_so_far,
    cited_figure_text,
    payer_stats_lines,
    recommendation_json,
    recommendation_lines,
    response_json,
    response_lines,
    talking_point_json,
    terms_json,
    terms_lines,
)
from sca_rates.present.simulation import (
    acceptance_note,
    opening_note,
    simulation_json,
    simulation_lines,
)

__all__ = [
    "BREAKDOWN_LABELS",
    "UNIT_PLURAL",
    "acceptance_note",
    "breakdown_rows",
    "call_so_far",
    "cents",
    "cited_figure_text",
    "comparison_json",
    "comparison_lines",
    "episode_summary",
    "facility_title",
    "level_json",
    "level_summary",
    "level_title",
    "line_rows",
    "market_json",
    "normalized_json",
    "normalized_lines",
    "opening_note",
    "payer_stats_lines",
    "per",
    "recommendation_json",
    "recommendation_lines",
    "response_json",
    "response_lines",
    "simulation_json",
    "simulation_lines",
    "source_mark",
    "talking_point_json",
    "terms_json",
    "terms_lines",
]
