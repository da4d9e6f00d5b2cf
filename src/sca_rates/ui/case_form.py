"""The case in the sidebar: start from a case file or a new one, change anything, and get a
validated case (or an error naming the field and the fix). Builds a case; computes nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, get_args

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from sca_rates.exceptions import InvalidCase, ScaRatesError
from sca_rates.files import CASE_DOC, validate_model
from sca_rates.models import CostModel
from sca_rates.models.case import Case, Diagnosis
from sca_rates.models.market import Area, PlanType
from sca_rates.models.network import NetworkEvidence
from sca_rates.ui import state

NEW_CASE = "(a new case)"
DIAGNOSES: tuple[str, ...] = get_args(Diagnosis)
PLAN_TYPES: tuple[str, ...] = get_args(PlanType)
AREAS: tuple[str, ...] = get_args(Area)
Key = Callable[[str], str]  # a widget key, unique to the case chosen
BLANK: dict[str, Any] = {
    "payer": "any-commercial",
    "region": "US",
    "level_of_care": "PHP",
    "code": "S0201",
    "expected_units": 18,
    "margin_required": 0.15,
}


CHOICE = "case_choice"  # the sidebar's case file; its editor's widgets have keys it prefixes
EDITING = "editing_case"  # the case whose editor is open: drawn on every run until it closes


def chosen_case_file() -> Path | None:
    """The case file the sidebar's case starts from; None for a new case."""
    files = {p.name: p for p in state.settings().case_files()}
    return files.get(st.session_state.get(CHOICE, ""))


def case_in_sidebar() -> tuple[Case, CostModel] | None:
    """The case being negotiated: the case file chosen in the sidebar with the edits made in its
    editor; None (with an error shown) when they do not make a valid case. The editor's widgets
    are drawn only while it is open, so an answer to an offer redraws a sidebar of three."""
    config = state.settings()
    files = {p.name: p for p in config.case_files()}
    with st.sidebar:
        choice = st.selectbox("Case", [*files, NEW_CASE], key=CHOICE)
        if st.button("Edit the case", key="edit_case", width="stretch"):
            st.session_state[EDITING] = choice
        try:
            base, model_path = _base(files.get(choice), config.cost_models_dir)
        except ScaRatesError as exc:
            st.error(str(exc))
            return None
        kept = state.case_edits(choice)
        edits = None if kept is None else _files_evidence(kept, base)
        if edits is not None:
            st.caption(
                "Edited here; the case file is unchanged."
                if choice in files
                else "Made here, and kept for your next visit."
            )
        try:
            chosen = _case(files.get(choice), base, model_path, edits)
        except ScaRatesError as exc:
            st.error(str(exc))
            chosen = None
    if st.session_state.get(EDITING) == choice:
        _editor(edits or base, Path(edits["cost_model"]) if edits else model_path, choice)
    return chosen


def _case(
    path: Path | None, base: dict[str, Any], model_path: Path, edits: dict[str, Any] | None
) -> tuple[Case, CostModel]:
    """The case file's case as it is, or with the edits kept for it."""
    if edits is None and path is not None:
        return state.case_file(path)
    data = edits or {**base, "cost_model": str(model_path)}
    case = validate_model(data, Case, InvalidCase, source="the case edited here", doc=CASE_DOC)
    return case, state.cost_model(data["cost_model"])


def _files_evidence(edits: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The edits with the case file's network evidence: a search writes it to the file after
    the edits were made (`network --save`, the Market page), and it is never edited here."""
    gap = (edits.get("triggers") or {}).get("network_inadequacy")
    if gap is None:
        return edits
    found = ((base.get("triggers") or {}).get("network_inadequacy") or {}).get("evidence")
    triggers = {**edits["triggers"], "network_inadequacy": {**gap, "evidence": found}}
    return {**edits, "triggers": triggers}


def _close() -> None:
    st.session_state.pop(EDITING, None)


@st.dialog("The case", width="large", on_dismiss=_close)
def _editor(data: dict[str, Any], model_path: Path, choice: str) -> None:
    """Every field the app edits; the case changes when the edits are used, not as each is
    typed. Fields it does not edit are kept as the case file has them."""
    columns = st.columns(3)
    edited = _edited(data, model_path, prefix=choice, columns=columns)
    # In the third column, under its folds: in view at 1280 x 720 without scrolling
    use, reset = columns[2].columns(2)
    if use.button("Use these values", type="primary", width="stretch"):
        try:
            validate_model(edited, Case, InvalidCase, source="the case edited here", doc=CASE_DOC)
        except ScaRatesError as exc:
            st.error(str(exc))
            return
        state.keep_case_edits(choice, edited)
        _close()
        st.rerun()
    if reset.button("Back to the case file", width="stretch"):
        state.forget_case_edits(choice)
        _close()
        st.rerun()


def _base(path: Path | None, models_dir: Path) -> tuple[dict[str, Any], Path]:
    """The case to start from, and its cost model's file."""
    if path is None:
        models = sorted(models_dir.glob("*.yaml"))
        default = state.settings().default_cost_model
        model_path = next((m for m in models if m.name == default), models[0])
        return dict(BLANK), model_path
    case, _ = state.case_file(path)
    return case.model_dump(exclude_none=True), (path.parent / case.cost_model).resolve()


def _edited(
    base: dict[str, Any], model_path: Path, *, prefix: str, columns: Sequence[DeltaGenerator]
) -> dict[str, Any]:
    """The editor's widgets in three columns (who pays, the stay, why and the alternatives),
    each starting from ``base``: the case they make, not validated."""

    def key(name: str) -> str:
        return f"{prefix}:{name}"

    who, stay, why = columns
    with who:
        data = _who(base, model_path, key)
    with stay:
        data |= _stay(base, key)
    with why:
        data |= {
            "triggers": _triggers(base.get("triggers", {}), key),
            "oon_benefit": _oon_benefit(base.get("oon_benefit"), key),
            "alternative": _alternative(base.get("alternative"), key),
        }
    return _carried(base, data)


def _who(base: dict[str, Any], model_path: Path, key: Key) -> dict[str, Any]:
    """The program (its cost model and level) and the payer, where and what the patient is."""
    models = sorted(state.settings().cost_models_dir.glob("*.yaml"))
    chosen = st.selectbox(
        "Cost model",
        models,
        format_func=lambda p: Path(p).name,
        index=_index(models, model_path),
        key=key("model"),
    )
    model = state.cost_model(chosen)
    return {
        "cost_model": str(chosen),
        "level_of_care": st.radio(
            "Level of care",
            model.level_codes,
            horizontal=True,
            key=key("level"),
            index=_index(list(model.level_codes), base.get("level_of_care")),
        ),
        "payer": st.text_input("Payer", base["payer"], key=key("payer")),
        "plan_type": _choice("Plan type", PLAN_TYPES, base.get("plan_type"), key("plan")),
        "region": st.text_input(
            "Region (US, a state, or a CBSA code)", base["region"], key=key("region")
        ),
        "state": st.text_input(
            "State (with a CBSA region)", base.get("state", ""), key=key("state")
        )
        or None,
        "diagnosis": _choice("Treated for", DIAGNOSES, base.get("diagnosis"), key("diagnosis")),
    }


def _stay(base: dict[str, Any], key: Key) -> dict[str, Any]:
    """The code, the stay, our charge and margin, and what else the floor depends on."""
    return {
        "code": st.text_input("Code", base["code"], key=key("code")).strip().upper(),
        "expected_units": st.number_input(
            "Expected length of stay (units)",
            min_value=1.0,
            value=float(base["expected_units"]),
            step=1.0,
            key=key("units"),
        ),
        "billed_charge_per_unit": st.number_input(
            "Our charge per unit ($)",
            min_value=0.0,
            value=float(base.get("billed_charge_per_unit", 0.0)),
            step=10.0,
            key=key("billed"),
        )
        or None,
        "margin_required": st.slider(
            "Margin required", 0.0, 0.5, float(base["margin_required"]), 0.01, key=key("margin")
        ),
        "slot_otherwise_empty": st.checkbox(
            "The slot would otherwise stay empty",
            base.get("slot_otherwise_empty", False),
            key=key("empty"),
        ),
        "would_attend_oon": st.checkbox(
            "The patient would come out of network anyway",
            base.get("would_attend_oon", True),
            key=key("attend"),
        ),
    }


def _carried(base: dict[str, Any], edited: dict[str, Any]) -> dict[str, Any]:
    """The edited case over the case file: what the sidebar does not edit (the wage area, the
    sessions a week ...) is kept as the file has it. A code type read from the old code is not
    carried to a new code."""
    carried = {name: value for name, value in base.items() if name != "code_type"}
    if base.get("code") == edited.get("code") and "code_type" in base:
        carried["code_type"] = base["code_type"]
    return {**carried, **edited}


def _choice(label: str, options: tuple[str, ...], value: str | None, key: str) -> str:
    return st.selectbox(
        label,
        options,
        index=_index(list(options), value),
        format_func=lambda o: o.replace("_", " "),
        key=key,
    )


def _triggers(base: dict[str, Any], key: Key) -> dict[str, Any]:
    gap = base.get("network_inadequacy") or {}
    need = base.get("specialized_need") or {}
    step = base.get("step_down") or {}
    triggers: dict[str, Any] = {}
    with st.expander("Triggers", expanded=False):
        if st.checkbox("No in-network program within reach", bool(gap), key=key("gap")):
            _found(gap.get("evidence"))
            triggers["network_inadequacy"] = {
                **gap,  # the check with the payer and the programs found are kept as they are
                "miles_to_nearest": st.number_input(
                    "Miles to the nearest",
                    0.0,
                    1000.0,
                    float(gap.get("miles_to_nearest") or 0),
                    key=key("miles"),
                )
                or None,
                "minutes_to_nearest": st.number_input(
                    "Minutes to the nearest",
                    0.0,
                    1000.0,
                    float(gap.get("minutes_to_nearest") or 0),
                    key=key("minutes"),
                )
                or None,
                "specialty": st.text_input(
                    "Specialty", gap.get("specialty") or "", key=key("specialty")
                )
                or None,
                "area": _choice("The patient lives in", AREAS, gap.get("area"), key("area")),
            }
        triggers["continuity_of_care"] = st.checkbox(
            "Continuity of care", base.get("continuity_of_care", False), key=key("continuity")
        )
        modalities = st.text_input(
            "Specialized modalities (comma-separated)",
            ", ".join(need.get("modalities", ())),
            key=key("modalities"),
        )
        if modalities.strip():
            triggers["specialized_need"] = {
                "modalities": [m.strip() for m in modalities.split(",") if m.strip()],
                "note": need.get("note"),
            }
        step_from = st.text_input(
            "Step-down from (e.g. inpatient_psych)", step.get("from_level", ""), key=key("step")
        )
        if step_from.strip():
            triggers["step_down"] = {"from_level": step_from.strip()}
    return triggers


def _found(evidence: Any) -> None:
    """The search of the payer's files the case keeps: its miles stand in for typed ones."""
    if not evidence:
        return
    found = NetworkEvidence.model_validate(evidence)
    nearest = found.nearest_miles
    st.caption(
        f"The payer's files ({found.payer_files_said}), searched {found.searched.isoformat()}: "
        + (
            "no in-network program for the code"
            if nearest is None
            else f"nearest in-network program {nearest:.1f} miles in a straight line"
        )
        + ". These miles are used, not the ones typed below."
    )


def _oon_benefit(base: dict[str, Any] | None, key: Key) -> dict[str, Any] | None:
    with st.expander("Out-of-network benefit", expanded=False):
        if not st.checkbox("Verified OON benefit", base is not None, key=key("oon")):
            return None
        given = base or {
            "allowed_basis": "billed_charges",
            "allowed_pct": 0.5,
            "coinsurance": 0.4,
            "deductible_remaining_usd": 0.0,
            "oop_max_remaining_usd": 0.0,
        }
        bases = ["billed_charges", "medicare"]
        return {
            "allowed_basis": st.radio(
                "Allowed amount is a share of",
                bases,
                horizontal=True,
                index=bases.index(given["allowed_basis"]),
                key=key("basis"),
            ),
            "allowed_pct": st.number_input(
                "Share (0.5 = 50%)", 0.01, 5.0, float(given["allowed_pct"]), key=key("pct")
            ),
            "coinsurance": st.number_input(
                "Coinsurance", 0.0, 1.0, float(given["coinsurance"]), key=key("coins")
            ),
            "deductible_remaining_usd": st.number_input(
                "Deductible left ($)",
                0.0,
                value=float(given["deductible_remaining_usd"]),
                key=key("deductible"),
            ),
            "oop_max_remaining_usd": st.number_input(
                "Out-of-pocket maximum left ($)",
                0.0,
                value=float(given["oop_max_remaining_usd"]),
                key=key("oop"),
            ),
            "collection_rate": st.number_input(
                "Share of the patient's part collected",
                0.0,
                1.0,
                float(given.get("collection_rate", 0.5)),
                key=key("collect"),
            ),
        }


def _alternative(base: dict[str, Any] | None, key: Key) -> dict[str, Any] | None:
    settings = sorted({row.setting for row in state.market().alternatives})
    options = ["(the cheapest found)", *settings]
    chosen = (base or {}).get("setting")
    with st.expander("The payer's alternative", expanded=False):
        setting = st.selectbox("Setting", options, index=_index(options, chosen), key=key("alt"))
        if setting == options[0]:
            return None
        los = st.number_input(
            "Length of stay, days (0: the market's typical)",
            0.0,
            365.0,
            float((base or {}).get("los_days") or 0),
            key=key("los"),
        )
        return {"setting": setting, "los_days": los or None}


def _index(options: list[Any], wanted: object) -> int:
    return options.index(wanted) if wanted in options else 0
