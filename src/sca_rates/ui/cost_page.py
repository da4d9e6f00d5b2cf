"""Cost model page: what one PHP day or IOP session costs the center, and how that moves with
census."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from sca_rates import present
from sca_rates.costing import cost_curve, cost_level, with_census
from sca_rates.exceptions import ScaRatesError
from sca_rates.files import load_cost_model
from sca_rates.models import CostModel
from sca_rates.settings import Settings


def render() -> None:
    st.title("What care costs")
    files = Settings().cost_model_files()
    if not files:
        st.error(
            f"No cost models found in {Settings().cost_models_dir}. "
            "Add a YAML file there (see cost_models/README.md)."
        )
        return
    path = st.selectbox("Cost model", files, format_func=lambda p: Path(p).name)
    try:
        model = load_cost_model(path)
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    _show(model)


def _show(model: CostModel) -> None:
    facility = model.facility
    st.caption(f"{facility.name}, {facility.state}, fiscal year {facility.fiscal_year}")
    if facility.illustrative:
        st.warning("Illustrative figures: replace them with your center's own before negotiating.")
    code = st.radio("Level of care", model.level_codes, horizontal=True)
    level = model.level(code)
    census = st.slider(
        "Average census (what if?)",
        min_value=1,
        max_value=level.capacity,
        value=round(level.average_census),
        help="Patients enrolled on an average day; the file is not changed.",
    )
    try:
        model = with_census(model, code, census) if census != level.average_census else model
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    result = cost_level(model, code)
    summary = present.level_summary(result)
    columns = st.columns(3)
    for column, (label, figure, unit) in zip(columns, summary[:3], strict=True):
        column.metric(label, f"{figure} {unit}")
    st.table(
        {
            "Figure": [row[0] for row in summary[3:]],
            "Value": [f"{row[1]} {row[2]}" for row in summary[3:]],
        }
    )
    st.subheader("Where the money goes")
    rows = present.breakdown_rows(result)
    st.table(
        {
            "Category": [r[0] for r in rows],
            "Annual cost": [r[1] for r in rows],
            "Share": [r[2] for r in rows],
        }
    )
    st.subheader(f"Cost per {result.unit} as census changes")
    curve = cost_curve(model, code)
    st.line_chart(
        {
            "census (patients)": [p.census for p in curve],
            f"fully loaded ($ per {result.unit})": [p.fully_loaded_per_unit for p in curve],
            f"marginal ($ per {result.unit})": [p.marginal_per_unit for p in curve],
        },
        x="census (patients)",
    )
    st.caption(f"Census now: {result.census:g} of {result.capacity} slots.")
