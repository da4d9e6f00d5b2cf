"""Cost model page: what one PHP day or IOP session costs the center, how that moves with census,
and the model itself, editable and saved as YAML."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from sca_rates import charts, present
from sca_rates.costing import cost_curve, cost_level, with_census
from sca_rates.exceptions import InvalidCostModel, ScaRatesError
from sca_rates.files import COST_MODEL_DOC, allocation_from_text, allocation_to_text, validate_model
from sca_rates.models import CostModel
from sca_rates.ui import state

TABLES = ("levels_of_care", "staff", "overhead", "variable_costs")


def render_page() -> None:
    st.title("What care costs")
    config = state.settings()
    files = config.cost_model_files()
    if not files:
        st.error(
            f"No cost models found in {config.cost_models_dir}. Add a YAML file there "
            f"(see {COST_MODEL_DOC})."
        )
        return
    path = st.selectbox("Cost model", files, format_func=lambda p: Path(p).name)
    try:
        model = state.cost_model(path)
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    costs, edit = st.tabs(["Costs", "Edit and save"])
    with edit:
        model = _editor(model, Path(path)) or model
    with costs:
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
        min_value=1.0,
        max_value=float(level.capacity),
        value=max(1.0, level.average_census),  # the file's census exactly, fractions included
        step=0.1,
        help="Patients enrolled on an average day; the file is not changed.",
    )
    try:
        model = with_census(model, code, census) if census != level.average_census else model
    except ScaRatesError as exc:
        st.error(str(exc))
        return
    result = cost_level(model, code)
    summary = present.level_summary(result)
    for column, (label, figure, unit) in zip(st.columns(3), summary[:3], strict=True):
        # the unit once, in the label when the label names it ("Cost per patient-hour"): a
        # long unit after the figure is cut off in a third of a laptop's width
        named = unit.removeprefix("per ") in label
        column.metric(label, figure if named else f"{figure} {unit}")
    st.table(
        {
            "Figure": [row[0] for row in summary[3:]],
            "Value": [f"{row[1]} {row[2]}" for row in summary[3:]],
        }
    )
    st.subheader("Where the money goes")
    rows = present.breakdown_rows(result)
    by_category = {present.BREAKDOWN_LABELS[k]: v for k, v in result.breakdown.items()}
    st.vega_lite_chart(spec=charts.breakdown_chart(by_category), width="stretch")
    st.table(
        {
            "Category": [r[0] for r in rows],
            "Annual cost": [r[1] for r in rows],
            "Share": [r[2] for r in rows],
        }
    )
    st.subheader(f"Cost per {result.unit} as census changes")
    st.vega_lite_chart(
        spec=charts.cost_curve_chart(cost_curve(model, code), result.census, result.unit),
        width="stretch",
    )
    st.caption(f"Census now: {result.census:g} of {result.capacity} slots (the dashed line).")


def _rows(model: CostModel, table: str) -> list[dict[str, Any]]:
    rows = [item.model_dump(mode="json") for item in getattr(model, table)]
    for row in rows:
        if "allocation" in row:
            row["allocation"] = allocation_to_text(row["allocation"])
        if table == "levels_of_care":
            row.pop("day_includes", None)
        if table == "variable_costs":
            row["levels"] = ", ".join(row["levels"] or ())
    return rows


def _from_rows(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for row in rows:
        row = {k: v for k, v in row.items() if not _blank(v)}
        if "allocation" in row:
            row["allocation"] = allocation_from_text(str(row["allocation"]))
        if table == "variable_costs" and "levels" in row:
            row["levels"] = [c.strip() for c in str(row["levels"]).split(",") if c.strip()]
        cleaned.append(row)
    return cleaned


def _blank(value: object) -> bool:
    """An empty cell: None, "", or the NaN a cleared number cell holds."""
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _editor(model: CostModel, path: Path) -> CostModel | None:
    """The model's tables to edit; the edited model once it validates, else None (errors shown)."""
    st.caption(
        f"Edit a cell, add or delete rows; the fields are described in {COST_MODEL_DOC}. "
        "Allocation: hours, patient_units, or shares such as PHP: 0.6, IOP: 0.4."
    )
    data: dict[str, Any] = {"facility": model.facility.model_dump()}
    for table in TABLES:
        st.markdown(f"**{table.replace('_', ' ').capitalize()}**")
        rows = _rows(model, table)
        # the field names of the file, shown as words ("annual salary"); the data keeps them
        labels = {
            name: st.column_config.Column(label=name.replace("_", " "))
            for name in (rows[0] if rows else {})
        }
        edited = st.data_editor(
            rows,
            num_rows="dynamic",
            key=f"edit:{path}:{table}",
            width="stretch",
            column_config=labels,
            placeholder="",
        )
        data[table] = _from_rows(table, list(edited))
    for level, original in zip(data["levels_of_care"], model.levels_of_care, strict=False):
        if original.day_includes is not None:
            level["day_includes"] = original.day_includes.model_dump()
    try:
        edited_model = validate_model(
            data, CostModel, InvalidCostModel, source="the edited model", doc=COST_MODEL_DOC
        )
    except ScaRatesError as exc:
        st.error(str(exc))
        return None
    _save(edited_model, path)
    return edited_model


def _save(model: CostModel, path: Path) -> None:
    text = yaml.safe_dump(model.model_dump(mode="json", exclude_none=True), sort_keys=False)
    st.download_button("Download as YAML", text, file_name=path.name, mime="application/yaml")
    name = st.text_input("Save into cost_models/ as", path.name)
    target = state.settings().cost_models_dir / Path(name).name
    overwrite = not target.exists() or st.checkbox(
        f"Overwrite {target.name} (its comments are lost)"
    )
    if st.button("Save", disabled=not (name.endswith(".yaml") and overwrite)):
        target.write_text(text, encoding="utf-8")
        st.success(f"Saved {target}")
