"""Reading the files people write by hand, and turning every way they can be wrong into
:class:`~sca_rates.exceptions.Problem` lines that name the field and the fix.

The only module of the core that touches the file system; everything it returns is a validated,
frozen model.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sca_rates.exceptions import (
    InvalidCase,
    InvalidCostModel,
    InvalidHistory,
    InvalidInputFile,
    InvalidSimulationSettings,
    InvalidTerms,
    Problem,
)
from sca_rates.models import CostModel, FieldProblem
from sca_rates.models.case import Case
from sca_rates.models.negotiate import NegotiationState
from sca_rates.models.network import NetworkEvidence
from sca_rates.models.simulate import SimulationSettings
from sca_rates.models.terms import AgreementTerms

M = TypeVar("M", bound=BaseModel)

COST_MODEL_DOC = "cost_models/README.md"
CASE_DOC = "cases/README.md"
TERMS_DOC = "agreements/README.md"
SIMULATION_DOC = "docs/simulation.md"


def load_cost_model(path: str | Path) -> CostModel:
    """Read and validate a facility cost model (YAML)."""
    return load_yaml_model(path, CostModel, InvalidCostModel, doc=COST_MODEL_DOC)


def load_case(path: str | Path, cost_model: str | Path | None = None) -> tuple[Case, CostModel]:
    """Read a case and the cost model it names (``cost_model``, when given, stands in for it; a
    relative path in the case is taken from the case file's folder), and check they fit."""
    path = Path(path)
    case = load_yaml_model(path, Case, InvalidCase, doc=CASE_DOC)
    model = load_cost_model(cost_model or path.parent / case.cost_model)
    if case.level_of_care not in model.level_codes:
        raise InvalidCase(
            path,
            [
                Problem(
                    "level_of_care",
                    f"{case.level_of_care} is not a level of care of {model.facility.name}",
                    f"use one of {', '.join(model.level_codes)}, or name another cost model",
                )
            ],
        )
    return case, model


def load_terms(path: str | Path) -> AgreementTerms:
    """Read an agreement's terms (YAML); what is missing is the checker's to say, not an error."""
    return load_yaml_model(path, AgreementTerms, InvalidTerms, doc=TERMS_DOC)


def load_simulation_settings(path: str | Path) -> SimulationSettings:
    """Simulation inputs (YAML) that replace the documented defaults."""
    return load_yaml_model(path, SimulationSettings, InvalidSimulationSettings, doc=SIMULATION_DOC)


class _HistoryFile(NegotiationState):
    """A call history as saved: the call, and the case it belongs to."""

    case_key: str  # the case's fingerprint (``desk.case_key``)
    case: str  # the case in words, for the message when another case reads it


def _history_problem(path: Path, what: str, fix: str) -> InvalidHistory:
    return InvalidHistory(path, [Problem("file", what, fix)])


def load_history(path: str | Path, case: tuple[str, str]) -> NegotiationState:
    """A call's history (JSON) for the case ``(fingerprint, words)``; a file that does not exist
    yet is a call that has just begun. Another case's history, or this case's from before it
    was changed, is refused: its asks came from other numbers."""
    path = Path(path)
    if not path.exists():
        return NegotiationState()
    fresh = "give a new file name to start this case's call afresh"
    try:
        text = path.read_text(encoding="utf-8")
        saved = _HistoryFile.model_validate_json(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise _history_problem(path, "cannot be read", fresh) from exc
    except ValidationError as exc:
        what = "not a call history sca-rates wrote"
        if _unkeyed(text):
            what = "a call history from an older sca-rates, which did not record its case"
        raise _history_problem(path, what, fresh) from exc
    key, words = case
    if saved.case_key != key:
        whose = "another case" if saved.case != words else "this case before it was changed"
        raise _history_problem(path, f"is the call with {saved.case}: {whose}", fresh)
    return NegotiationState(exchanges=saved.exchanges)


def _unkeyed(text: str) -> bool:
    """A history as sca-rates wrote it before histories named their case."""
    try:
        NegotiationState.model_validate_json(text)
    except ValidationError:
        return False
    return True


def save_history(path: str | Path, state: NegotiationState, case: tuple[str, str]) -> None:
    """Write the call's history with the case it belongs to."""
    key, words = case
    saved = _HistoryFile(exchanges=state.exchanges, case_key=key, case=words)
    try:
        Path(path).write_text(saved.model_dump_json(indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise _history_problem(
            Path(path), f"cannot be written ({exc.strerror})", "give a path in a folder that exists"
        ) from exc


def keep_network_evidence(path: str | Path, evidence: NetworkEvidence) -> Case:
    """Write ``evidence`` into the case file as ``triggers.network_inadequacy.evidence``,
    keeping the file's comments, order and quoting. The file changes only when the case it then
    holds is valid; that case is returned."""
    from ruamel.yaml import YAML  # a round trip keeps what a person wrote; PyYAML would not

    path = Path(path)
    load_yaml_model(path, Case, InvalidCase, doc=CASE_DOC)  # the file as it stands
    writer = YAML()
    writer.preserve_quotes = True
    writer.width = 4096  # a long value stays on its line, as a person would write it
    data = writer.load(path.read_text(encoding="utf-8"))
    if data.get("triggers") is None:
        data["triggers"] = {}
    if data["triggers"].get("network_inadequacy") is None:
        data["triggers"]["network_inadequacy"] = {}
    data["triggers"]["network_inadequacy"]["evidence"] = evidence.model_dump(
        mode="json", exclude_none=True
    )
    text = io.StringIO()
    writer.dump(data, text)
    case = parse_yaml_model(text.getvalue(), Case, InvalidCase, source=path, doc=CASE_DOC)
    temporary = path.with_name(f".{path.name}.writing")
    try:
        temporary.write_text(text.getvalue(), encoding="utf-8")
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        fix = "make the case file and its folder writable, or copy the case somewhere that is"
        raise InvalidCase(
            path, [Problem("file", f"cannot be written ({exc.strerror})", fix)]
        ) from exc
    return case


def load_yaml_model(
    path: str | Path, model: type[M], error: type[InvalidInputFile], *, doc: str
) -> M:
    """Read a YAML mapping from ``path`` and validate it as ``model``; any failure is ``error``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(
            path, [Problem("file", _reason(exc), "check the path and that it is a text file")]
        ) from exc
    return parse_yaml_model(text, model, error, source=path, doc=doc)


def parse_yaml_model(
    text: str, model: type[M], error: type[InvalidInputFile], *, source: str | Path, doc: str
) -> M:
    """Validate YAML text (an upload, an edited file) as ``model``."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: see below
    except yaml.YAMLError as exc:
        raise error(source, [_yaml_problem(exc)]) from exc
    except RecursionError as exc:
        fix = f"write the fields as the bundled examples do (see {doc})"
        raise error(source, [Problem("file", "it is nested too deeply to be read", fix)]) from exc
    except ValueError as exc:  # a date that is no date (2026-13-45) fails while reading
        raise error(
            source,
            [
                Problem(
                    "file",
                    f"a value cannot be read ({exc})",
                    "write dates as YYYY-MM-DD, with a real month and day",
                )
            ],
        ) from exc
    if data is None:
        raise error(
            source, [Problem("file", "it is empty", f"start from a bundled example; see {doc}")]
        )
    if not isinstance(data, dict):
        raise error(
            source,
            [
                Problem(
                    "file",
                    "the top level is not a mapping of fields",
                    f"write 'field: value' lines as in {doc}",
                )
            ],
        )
    return validate_model(data, model, error, source=source, doc=doc)


class _StrictLoader(yaml.SafeLoader):
    """YAML as the safe loader reads it, but a key written twice in one mapping is an error:
    otherwise the second silently wins (a second annual_salary changes the rate)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[object] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise _WrittenTwice(None, None, f"{key} is written twice", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _WrittenTwice(yaml.constructor.ConstructorError):
    """A key given twice in one mapping."""


def validate_model(
    data: Mapping[str, Any],
    model: type[M],
    error: type[InvalidInputFile],
    *,
    source: str | Path,
    doc: str,
) -> M:
    """Validate already-parsed data (from a file or an editor in the app) as ``model``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(source, [_problem(detail, data, doc) for detail in exc.errors()]) from exc


def load_csv_rows(
    path: str | Path, model: type[M], error: type[InvalidInputFile], *, doc: str
) -> list[tuple[int, M]]:
    """Read a CSV file with a header row; validate each row as ``model``. Returns (line, row)
    pairs; every problem of every row is reported at once, with its line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fix = "check the path and that it is a UTF-8 text file"
        raise error(path, [Problem("file", _reason(exc), fix)]) from exc
    return parse_csv_rows(text, model, error, source=path, doc=doc)


def parse_csv_rows(
    text: str, model: type[M], error: type[InvalidInputFile], *, source: str | Path, doc: str
) -> list[tuple[int, M]]:
    """Validate CSV text (a file's, or an upload's) row by row as ``model``."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows, problems = [], []
    try:
        _check_header(reader.fieldnames, model, error, Path(source), doc)
        for record in reader:
            line = reader.line_num
            # A blank cell is a field left out: its default applies, or "the cell is empty"
            data = {
                key: value.strip() for key, value in record.items() if key and (value or "").strip()
            }
            try:
                rows.append((line, model.model_validate(data)))
            except ValidationError as exc:
                problems += [_row_problem(line, detail, doc) for detail in exc.errors()]
    except csv.Error as exc:
        fix = "save it as comma-separated values with a header row"
        raise error(source, [Problem("file", f"not a readable CSV file ({exc})", fix)]) from exc
    if problems:
        raise error(source, problems)
    return rows


def _check_header(
    header: Sequence[str] | None,
    model: type[BaseModel],
    error: type[InvalidInputFile],
    path: Path,
    doc: str,
) -> None:
    columns = [name.strip() for name in header or () if name]
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    missing = [name for name in required if name not in columns]
    unknown = [name for name in columns if name not in model.model_fields]
    problems = []
    if missing:
        problems.append(
            Problem(
                "header",
                f"missing column(s) {', '.join(missing)}",
                f"add them to the first line (the columns are listed in {doc})",
            )
        )
    if unknown:
        problems.append(
            Problem(
                "header",
                f"unknown column(s) {', '.join(unknown)}",
                f"remove them or correct the spelling (see {doc})",
            )
        )
    if problems:
        raise error(path, problems)


def _row_problem(line: int, detail: ErrorDetails, doc: str) -> Problem:
    cause = (detail.get("ctx") or {}).get("error")
    column = ".".join(str(part) for part in detail["loc"]) or "row"
    if isinstance(cause, FieldProblem):
        return Problem(f"line {line}, column {column}", cause.what, cause.fix)
    if detail["type"] == "missing" or detail.get("input", "") is None:
        return Problem(
            f"line {line}, column {column}", "the cell is empty", f"fill in {column} (see {doc})"
        )
    return Problem(f"line {line}, column {column}", detail["msg"].rstrip("."), _fix(detail, doc))


def _reason(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return str(exc)


def _yaml_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "file"
    what = getattr(exc, "problem", None) or "YAML syntax error"
    if isinstance(exc, _WrittenTwice):
        return Problem(where, what, "keep one of them: the second would silently win")
    return Problem(
        where,
        f"YAML syntax error ({what})",
        "check the indentation and that each field is written 'name: value'",
    )


def _problem(detail: ErrorDetails, data: Mapping[str, Any], doc: str) -> Problem:
    loc = tuple(detail["loc"])
    cause = (detail.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        return Problem(field_path(loc + cause.loc, data), cause.what, cause.fix)
    return Problem(field_path(loc, data), detail["msg"].rstrip("."), _fix(detail, doc))


def _fix(detail: ErrorDetails, doc: str) -> str:
    field = str(detail["loc"][-1]) if detail["loc"] else "the field"
    ctx = detail.get("ctx") or {}
    match detail["type"]:
        case "missing":
            return f"add {field} (see {doc})"
        case "extra_forbidden":
            return f"remove {field} or correct its spelling (the fields are listed in {doc})"
        case "float_parsing" | "float_type":
            return "write a plain number, without $ or commas"
        case "int_parsing" | "int_type" | "int_from_float":
            return "write a whole number"
        case "greater_than":
            return f"use a number greater than {ctx['gt']:g}"
        case "greater_than_equal":
            return f"use a number of at least {ctx['ge']:g}"
        case "less_than_equal":
            return f"use a number of at most {ctx['le']:g}"
        case "literal_error":
            return f"use {ctx['expected']}"
        case "string_pattern_mismatch":
            return "use capital letters and digits, e.g. PHP or IOP"
        case _:
            return f"see {doc}"


def field_path(loc: tuple[str | int, ...], data: Any) -> str:
    """``("staff", 2, "annual_salary")`` -> ``staff[2] (Therapist).annual_salary``: the index a
    validator reports, plus the name the person gave that entry, so it can be found in the file."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            data = data[part] if isinstance(data, list) and part < len(data) else None
            label = _label(data)
            path += f" ({label})" if label else ""
        else:
            path += f".{part}" if path else part
            data = data.get(part) if isinstance(data, dict) else None
    return path or "file"


def _label(entry: object) -> str | None:
    if isinstance(entry, dict):
        for key in ("code", "role", "name"):
            if isinstance(entry.get(key), str):
                return str(entry[key])
    return None


def allocation_from_text(text: str) -> str | dict[str, float] | None:
    """How a person types an allocation in a table cell: ``hours``, ``patient_units``, or
    ``PHP: 0.6, IOP: 0.4``; blank for none. The model then checks it like a file's."""
    text = text.strip()
    if not text:
        return None
    if ":" not in text:
        return text
    shares: dict[str, float] = {}
    for part in text.split(","):
        code, _, share = part.partition(":")
        try:
            shares[code.strip().upper()] = float(share)
        except ValueError:
            return text  # left for the model to refuse with a message naming the field
    return shares


def allocation_to_text(allocation: str | dict[str, float] | None) -> str:
    if allocation is None:
        return ""
    if isinstance(allocation, str):
        return allocation
    return ", ".join(f"{code}: {share:g}" for code, share in allocation.items())
