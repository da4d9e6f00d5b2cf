"""What the pages share: cached file loaders (a file is read again only when it changes) and the
call's state in ``st.session_state``. Nothing here computes a figure."""

from __future__ import annotations

import functools
import getpass
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from sca_rates import store
from sca_rates.calibration import Fit, fit_payer
from sca_rates.compare import case_facts
from sca_rates.desk import Position, case_key, position_from_facts
from sca_rates.exceptions import LogError, LogUnavailable, ScaRatesError
from sca_rates.files import load_case, load_cost_model, load_history, save_history
from sca_rates.market import load_market, market_files, read_rates_text, with_rates
from sca_rates.models import CostModel
from sca_rates.models.case import Case
from sca_rates.models.compare import CaseFacts
from sca_rates.models.market import MarketData, RateRow
from sca_rates.models.negotiate import NegotiationState
from sca_rates.settings import Settings
from sca_rates.store.crypto import Cipher

CALL = "call"  # the CallBox of the call on the call desk
CALL_KEY = "call_key"  # what the call is about; a different case starts a new call
UPLOADED = "uploaded_rates"  # rates uploaded on the market page, for this session only
TERMS = "terms"  # the AgreementTerms filled in on the terms page
EDITS = "edits"  # under "<case file>:", the edits made to that case (a dict of its fields)


def keep_widgets(*keys: str) -> None:
    """Keep what was chosen or typed in widgets not drawn on this run (another page, a folded
    panel): Streamlit drops a widget's value when its widget is not drawn, unless it is written
    back on each run."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def settings() -> Settings:
    """The settings as the environment now has them: read once for each state of the SCA_
    variables (reading them anew cost each page ~35 ms, a dozen reads a run)."""
    return _settings(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("SCA_"))))


@functools.lru_cache(maxsize=8)
def _settings(environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()


def _stamp(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(show_spinner=False, max_entries=32)
def _cost_model(path: str, stamp: float) -> CostModel:
    return load_cost_model(path)


def cost_model(path: str | Path) -> CostModel:
    return _cost_model(str(path), _stamp(Path(path)))


@st.cache_data(show_spinner=False, max_entries=8)
def _market(folder: str, stamps: tuple[tuple[str, float], ...], uploaded: str) -> MarketData:
    market = load_market(folder)
    if uploaded:
        rows = [RateRow.model_validate_json(line) for line in uploaded.splitlines()]
        market = with_rates(market, rows, "uploaded in this session")
    return market


def _market_key() -> tuple[tuple[tuple[str, float], ...], str]:
    """What the market depends on: its files as they are now, and this session's upload."""
    folder = settings().market_data_dir
    stamps = tuple(
        (str(p), _stamp(p))
        for stem in ("rates", "alternatives", "billed_shares")
        for p in market_files(folder, stem)
    )
    uploaded = "\n".join(row.model_dump_json() for row in st.session_state.get(UPLOADED, ()))
    return stamps, uploaded


def market() -> MarketData:
    """The market data folder, with any rates uploaded in this session laid over it."""
    stamps, uploaded = _market_key()
    return _market(str(settings().market_data_dir), stamps, uploaded)


def upload_rates(text: str, name: str) -> int:
    """Validate an uploaded rates CSV and keep it for this session; returns its row count."""
    return use_rates(read_rates_text(text, name))


def use_rates(rows: list[RateRow]) -> int:
    """Lay rates over the market data for this session (with those already laid)."""
    kept = {row.key: row for row in st.session_state.get(UPLOADED, ())}
    kept.update((row.key, row) for row in rows)
    st.session_state[UPLOADED] = tuple(kept.values())
    return len(rows)


@st.cache_data(show_spinner=False, max_entries=16)
def _case_file(path: str, stamp: float) -> tuple[Case, CostModel]:
    return load_case(path)


def case_file(path: str | Path) -> tuple[Case, CostModel]:
    return _case_file(str(path), _stamp(Path(path)))


@st.cache_data(show_spinner=False, max_entries=64)
def _facts(case_json: str, model_json: str, market_key: str, _market: MarketData) -> CaseFacts:
    case = Case.model_validate_json(case_json)
    model = CostModel.model_validate_json(model_json)
    return case_facts(case, model=model, market=_market)


def facts(case: Case, model: CostModel) -> CaseFacts:
    """The case facts, worked out once per case and market, not on every offer."""
    key = repr(_market_key())
    return _facts(case.model_dump_json(), model.model_dump_json(), key, market())


def position(case: Case, model: CostModel) -> Position:
    """The call's position: the case's facts (cached), the call so far and the payer's fitted
    curve from the log; every page reads its figures from it."""
    fit = payer_fit(case.payer)
    return position_from_facts(
        facts(case, model),
        call=call_for(case, model).call,
        curve=fit.curve if fit.fitted else None,
    )


@dataclass
class CallBox:
    """The call as it stands, in a box kept for the session: what runs outside the page's script
    (a document made when its button is clicked) holds the box and reads the call then, since
    ``st.session_state`` cannot be read there. The box is also kept on disk as a draft (``draft``,
    with the case it belongs to), so a reload finds the call where it was."""

    call: NegotiationState = field(default_factory=NegotiationState)
    draft: Path | None = None
    case: tuple[str, str] = ("", "")  # desk.case_key of the call's case


def call_for(case: Case, model: CostModel) -> CallBox:
    """The call about this case: the session's, else the draft kept for it; a case that changed
    starts a new one."""
    key = case.model_dump_json() + model.facility.name
    if st.session_state.get(CALL_KEY) != key or CALL not in st.session_state:
        st.session_state[CALL_KEY] = key
        st.session_state[CALL] = _from_draft(facts(case, model))
    box: CallBox = st.session_state[CALL]
    return box


def _from_draft(known: CaseFacts) -> CallBox:
    """A new box for the case, holding the call kept on disk for it, if any."""
    key = case_key(known)
    draft = _draft(f"{key[0]}.json")
    try:
        call = load_history(draft, key)
    except ScaRatesError:
        call = NegotiationState()  # an unreadable draft is left as it is, for a person to see
    return CallBox(call=call, draft=draft, case=key)


def current_call() -> NegotiationState:
    box: CallBox = st.session_state.get(CALL, CallBox())
    return box.call


def save_call(call: NegotiationState) -> None:
    """The call as it now stands, in the session and on disk; an ended call leaves no draft."""
    box: CallBox = st.session_state.setdefault(CALL, CallBox())
    box.call = call
    if box.draft is None:
        return
    try:
        if call.exchanges:
            box.draft.parent.mkdir(parents=True, exist_ok=True)
            save_history(box.draft, call, box.case)
        else:
            box.draft.unlink(missing_ok=True)
    except (OSError, ScaRatesError) as exc:
        st.warning(f"The call could not be kept on disk ({exc}); it stands for this session only.")


def _draft(name: str) -> Path:
    """This person's draft ``name`` (a call's, or a case's edits), made safe as a file name."""
    return settings().drafts_dir / re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{actor()}-{name}")


def _case_draft(choice: str) -> Path:
    return _draft(f"{choice}.case.json")


def case_edits(choice: str) -> dict[str, Any] | None:
    """The edits made to a case (``choice``: its file's name) in this session, else those kept
    on disk from an earlier one; None when it is used as its file has it."""
    key = f"{choice}:{EDITS}"
    if key not in st.session_state:
        try:
            st.session_state[key] = json.loads(_case_draft(choice).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            st.session_state[key] = None  # none kept, or unreadable: the file's case
    edits: dict[str, Any] | None = st.session_state[key]
    return edits


def keep_case_edits(choice: str, edits: dict[str, Any]) -> None:
    """The case's edits, in the session and on disk (a reload finds them)."""
    st.session_state[f"{choice}:{EDITS}"] = edits
    draft = _case_draft(choice)
    try:
        draft.parent.mkdir(parents=True, exist_ok=True)
        draft.write_text(json.dumps(edits, default=str), encoding="utf-8")
    except OSError as exc:
        st.warning(f"The edits could not be kept on disk ({exc}); they stand for this session.")


def forget_case_edits(choice: str) -> None:
    st.session_state[f"{choice}:{EDITS}"] = None
    try:
        _case_draft(choice).unlink(missing_ok=True)
    except OSError as exc:
        st.warning(f"The edits kept on disk could not be removed ({exc}); a reload finds them.")


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.connect(url)


@st.cache_data(show_spinner=False, ttl=30)
def _unavailable(url: str) -> str | None:
    """Why the log at ``url`` cannot be opened, remembered for half a minute: a server that does
    not answer is then not waited on again at every offer of a call."""
    try:
        _engine(url)
    except LogError as exc:
        return str(exc)
    return None


def log_engine() -> Engine:
    """The negotiation log (SCA_DATABASE_URL), connected once per app process; a log that cannot
    be opened is one ``LogUnavailable`` saying why."""
    url = settings().database_url
    reason = _unavailable(url)
    if reason is not None:
        raise LogUnavailable(reason)
    return _engine(url)


def cipher() -> Cipher | None:
    key = settings().patient_key
    return None if key is None else Cipher(key.get_secret_value())


def auth_configured() -> bool:
    """Sign-in is required when .streamlit/secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def actor() -> str:
    """Who is acting, for the audit: the signed-in person (email, else name) when the app has
    sign-in, else SCA_ACTOR or the account running the app."""
    user = st.user
    if user.get("is_logged_in"):
        who = user.get("email") or user.get("name")
        if who:
            return str(who)
    return os.environ.get("SCA_ACTOR") or getpass.getuser()


def payer_fit(payer: str) -> Fit:
    """The payer's acceptance curve fitted from the log (the defaults when it is too thin).
    Pricing needs no log: when it cannot be opened the defaults stand, and one warning says
    why."""
    try:
        with store.transaction(log_engine()) as session:
            return fit_payer(payer.lower(), store.list_requests(session=session))
    except LogError as exc:
        st.warning(f"The payer's fitted acceptance curve is left out: {exc}")
        unread = "the log cannot be opened: the defaults stand"
        return fit_payer(payer.lower(), []).model_copy(update={"reason": unread})
