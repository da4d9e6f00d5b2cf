"""Reading the files people write by hand, and turning every way they can be wrong into
:class:`~sca_rates.exceptions.Problem` lines that name the field and the fix.

The only module of the core that touches the file system; everything it returns is a validated,
frozen model.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sca_rates.exceptions import InvalidCostModel, InvalidInputFile, Problem
from sca_rates.models import CostModel, FieldProblem

M = TypeVar("M", bound=BaseModel)

COST_MODEL_DOC = "cost_models/README.md"


def load_cost_model(path: str | Path) -> CostModel:
    """Read and validate a facility cost model (YAML)."""
    return load_yaml_model(path, CostModel, InvalidCostModel, doc=COST_MODEL_DOC)


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
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(source, [_yaml_problem(exc)]) from exc
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
