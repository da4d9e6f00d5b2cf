"""``sca-rates``: the command line. Thin: read arguments, call the core, print.

A person's mistake (a bad file, an impossible what-if) prints one message to stderr and exits 2;
it never shows a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from sca_rates import present
from sca_rates.costing import cost_facility, episode_cost, with_census
from sca_rates.exceptions import InvalidScenario, ScaRatesError
from sca_rates.files import load_cost_model
from sca_rates.models import CostModel
from sca_rates.models.costs import EpisodeCost, FacilityCost, LevelCost

USER_ERROR = 2

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Negotiation support for single case agreements (IOP and PHP).",
)


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except ScaRatesError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(USER_ERROR) from None


@app.callback()
def _main() -> None:
    """Negotiation support for single case agreements (IOP and PHP)."""


@app.command()
def cost(
    file: Annotated[Path, typer.Argument(help="A facility cost model (YAML).")],
    level: Annotated[str | None, typer.Option(help="Only this level of care, e.g. PHP.")] = None,
    census: Annotated[
        float | None,
        typer.Option(
            help="What if the average census were this? (needs --level "
            "when the model has several levels)"
        ),
    ] = None,
    episode_units: Annotated[
        float | None, typer.Option(help="Also cost an episode of this many units of service.")
    ] = None,
    lines: Annotated[bool, typer.Option("--lines", help="List every cost line.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (a list, one object a level).")
    ] = False,
) -> None:
    """What one unit of service costs: fully loaded, at the margin, and where the money goes."""
    with _user_errors():
        model = load_cost_model(file)
        if census is not None:
            model = with_census(model, _census_level(model, level), census)
        facility = cost_facility(model)
        chosen = [lvl for lvl in facility.levels if level in (None, lvl.level)]
        if not chosen:
            raise InvalidScenario(
                f"level of care {level!r} is not in {file}; use one of "
                f"{', '.join(model.level_codes)}"
            )
    if as_json:
        objects = [
            present.level_json(lvl, facility, _episode(lvl, episode_units)) for lvl in chosen
        ]
        typer.echo(json.dumps(objects, indent=2))
    else:
        typer.echo(_cost_text(facility, chosen, episode_units, show_lines=lines))


def _census_level(model: CostModel, level: str | None) -> str:
    if level is not None:
        return level
    if len(model.levels_of_care) == 1:
        return model.level_codes[0]
    raise InvalidScenario(f"--census needs --level: this model has {', '.join(model.level_codes)}")


def _episode(level: LevelCost, units: float | None) -> EpisodeCost | None:
    return None if units is None else episode_cost(level, units)


def _cost_text(
    facility: FacilityCost,
    levels: list[LevelCost],
    episode_units: float | None,
    *,
    show_lines: bool,
) -> str:
    out = [present.facility_title(facility)]
    for level in levels:
        summary = present.level_summary(level)
        episode = _episode(level, episode_units)
        if episode is not None:
            summary += present.episode_summary(episode)
        out += ["", present.level_title(level), *_table(summary, indent=2)]
        out += ["  Where the money goes:", *_table(present.breakdown_rows(level), indent=4)]
        if show_lines:
            out += ["  Cost lines:", *_table(present.line_rows(level), indent=4)]
    return "\n".join(out)


def _table(rows: Sequence[tuple[str, ...]], *, indent: int) -> list[str]:
    """Labels and units left-aligned, figures right-aligned, each column as wide as its widest
    cell. The first column is a label; a column whose cells start with a letter is a unit."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    left = [i == 0 or all(row[i][:1].isalpha() for row in rows) for i in range(len(widths))]
    return [
        " " * indent
        + "  ".join(
            cell.ljust(w) if lft else cell.rjust(w)
            for cell, w, lft in zip(row, widths, left, strict=True)
        ).rstrip()
        for row in rows
    ]


def main() -> None:
    app()
