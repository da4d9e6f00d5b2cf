"""What every model of sca-rates shares: frozen, strict about unknown fields, and a way for a
cross-field check to name the exact field it is about."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Immutable, rejects unknown fields (a misspelt field in a hand-written file is an error,
    not a silently ignored line) and numbers that are no number: ``inf`` or ``nan`` in a file
    would pass every bound a field has, and a figure made from one is no figure (nor JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class FieldProblem(ValueError):
    """Raised inside a validator when a check spans fields: ``loc`` is the path, relative to the
    model being validated, of the field a person should change, and ``fix`` says how."""

    def __init__(self, loc: tuple[str | int, ...], what: str, fix: str) -> None:
        self.loc = loc
        self.what = what
        self.fix = fix
        super().__init__(f"{what}. Fix: {fix}")
