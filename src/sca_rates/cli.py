"""``sca-rates``: the command line. Thin: read arguments, call the core, print.

A person's mistake (a bad file, an impossible what-if) prints one message to stderr and exits 2;
it never shows a traceback.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sca_rates import present
from sca_rates.compare import compare_case
from sca_rates.costing import cost_facility, episode_cost, with_census
from sca_rates.desk import Position, case_key, open_position
from sca_rates.exceptions import InvalidScenario, PatientKeyError, ScaRatesError
from sca_rates.files import load_case, load_cost_model, load_history, load_terms, save_history
from sca_rates.market import load_market
from sca_rates.models import CostModel
from sca_rates.models.costs import EpisodeCost, FacilityCost, LevelCost
from sca_rates.models.market import MarketData
from sca_rates.models.simulate import AcceptanceCurve
from sca_rates.money import usd
from sca_rates.settings import Settings
from sca_rates.terms import check_terms

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sca_rates.calibration import Fit
    from sca_rates.ingest.contents import TableOfContents
    from sca_rates.ingest.remote import Remote
    from sca_rates.ingest.run import Job
    from sca_rates.reminders import ClaimFollowUp
    from sca_rates.store.crypto import Cipher

# Commands import the heavy libraries they use (the optimizer, the database, the importers, the
# document writers) when they run, so that `counter`, run on a live call, starts in a blink.
# The documents' and formats' names, for the export command's help (export.DOCUMENTS and
# export.FORMATS hold them with the templates; a test keeps the two lists equal)
DOCUMENT_KEYS = ("call-sheet", "justification", "terms-email", "summary")
FORMAT_KEYS = ("md", "txt", "pdf", "docx")

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
        episodes = [_episode(lvl, episode_units) for lvl in chosen]
    if as_json:
        objects = [
            present.level_json(lvl, facility, episode)
            for lvl, episode in zip(chosen, episodes, strict=True)
        ]
        typer.echo(json.dumps(objects, indent=2))
    else:
        typer.echo(_cost_text(facility, list(zip(chosen, episodes, strict=True)), show_lines=lines))


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
    levels: list[tuple[LevelCost, EpisodeCost | None]],
    *,
    show_lines: bool,
) -> str:
    out = [present.facility_title(facility)]
    for level, episode in levels:
        summary = present.level_summary(level)
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


CaseArg = Annotated[Path, typer.Argument(help="A negotiation case (YAML), see cases/README.md.")]
CostModelOpt = Annotated[
    Path | None, typer.Option(help="Use this cost model instead of the one the case names.")
]
MarketOpt = Annotated[
    Path | None,
    typer.Option(help="Market data folder (default: SCA_MARKET_DATA_DIR or market_data/)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _market(folder: Path | None) -> MarketData:
    return load_market(folder or Settings().market_data_dir)


def _position(
    case_file: Path,
    cost_model: Path | None,
    market_data: Path | None,
    *,
    history: Path | None = None,
    fitted: bool = False,
) -> Position:
    """The call's position: the case, its cost model (or the one given instead), the market,
    the call so far (a history file of this case) and, when asked, the payer's fitted curve."""
    case, model = load_case(case_file, cost_model)
    curve = _payer_curve(case.payer) if fitted else None
    position = open_position(case, model=model, market=_market(market_data), curve=curve)
    if history is None:
        return position
    return position.with_call(load_history(history, case_key(position.facts)))


def _emit(as_json: bool, data: object, lines: list[str]) -> None:
    """Print a result: one JSON object for programs, or its lines for people."""
    typer.echo(json.dumps(data, indent=2) if as_json else "\n".join(lines))


@app.command()
def compare(
    case_file: CaseArg,
    cost_model: CostModelOpt = None,
    rate: Annotated[
        str | None,
        typer.Option(
            help="A rate in any form ('$450/day', '60% of billed charges'); "
            "default: the fully loaded cost plus the case's margin."
        ),
    ] = None,
    market_data: MarketOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Where a rate sits: market, Medicare, our cost, the payer's alternatives, billing OON."""
    with _user_errors():
        case, model = load_case(case_file, cost_model)
        comparison = compare_case(case, model=model, market=_market(market_data), rate_text=rate)
    _emit(as_json, present.comparison_json(comparison), present.comparison_lines(comparison))


@app.command()
def normalize(
    text: Annotated[str, typer.Argument(help="What the payer said, e.g. '$42 per 15 min'.")],
    case_file: Annotated[Path, typer.Option("--case", help="The negotiation case (YAML).")],
    cost_model: CostModelOpt = None,
    market_data: MarketOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Turn an offer in any form into dollars per unit of service and per episode."""
    from sca_rates.compare import offer_for

    with _user_errors():
        offer = offer_for(_position(case_file, cost_model, market_data).facts, text)
    _emit(as_json, present.normalized_json(offer), present.normalized_lines(offer))


@app.command()
def recommend(
    case_file: CaseArg,
    cost_model: CostModelOpt = None,
    market_data: MarketOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Opening, target and floor for a case, with their reasons and the talking points."""
    with _user_errors():
        position = _position(case_file, cost_model, market_data, fitted=True)
    rec, points, fitted = position.recommendation, position.points, position.fitted_opening_usd
    if as_json:
        data = present.recommendation_json(rec, points)
        typer.echo(json.dumps(data | {"fitted_opening_usd": fitted}, indent=2))
    else:
        typer.echo("\n".join(present.recommendation_lines(rec, points)))
        if fitted is not None:
            typer.echo(
                f"The payer's fitted acceptance curve puts the best opening at "
                f"{usd(fitted)} per {rec.unit} (sca-rates log calibrate "
                f"{position.facts.case.payer!r})"
            )


@app.command()
def counter(
    case_file: CaseArg,
    offer: Annotated[str, typer.Option(help="What the payer just said, in any form.")],
    history: Annotated[
        Path | None, typer.Option(help="The call's history (JSON): read, then this turn added.")
    ] = None,
    confirmed: Annotated[
        bool,
        typer.Option(
            "--confirmed", help="The payer confirmed a figure that was asked back: count it."
        ),
    ] = False,
    cost_model: CostModelOpt = None,
    market_data: MarketOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer the payer's offer: accept, counter or decline, with the line to say. A figure that
    looks like a slip is asked back first and counts only with --confirmed."""
    with _user_errors():
        position = _position(case_file, cost_model, market_data, history=history)
        response = position.answer(offer, confirmed=confirmed)
        if history and response.state != position.call:
            save_history(history, response.state, case_key(position.facts))
    _emit(as_json, present.response_json(response), present.response_lines(response))


@app.command()
def screen(
    case_file: Annotated[Path, typer.Argument(help="A negotiation case (YAML).")],
    today: Annotated[
        str | None, typer.Option(help="The date to count from (YYYY-MM-DD); default today.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Before the call: which request fits the case (a single case agreement, a gap exception or
    billing out of network), why, by when, and what must be on file."""
    with _user_errors():
        result = _position(case_file, None, None).screen(_date(today) or dt.date.today())
    _emit(as_json, present.screen_json(result), present.screen_lines(result))


@app.command()
def terms(
    file: Annotated[
        Path, typer.Argument(help="An agreement's terms (YAML), see agreements/README.md.")
    ],
    case_file: Annotated[
        Path | None,
        typer.Option("--case", help="The case the call was about: check the letter against it."),
    ] = None,
    history: Annotated[
        Path | None, typer.Option(help="The call's history (JSON): the rate it settled.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check an agreement's written terms (against the call, with --case and --history) and list
    when reauthorizations are due."""
    with _user_errors():
        terms = load_terms(file)
        call = None
        if case_file is not None:
            call = _position(case_file, None, None, history=history).agreed_call()
        elif history is not None:
            raise InvalidScenario("--history needs --case: the case the call was about")
        report = check_terms(terms, call, today=dt.date.today())
    _emit(as_json, present.terms_json(report), present.terms_lines(report))


@app.command()
def simulate(
    case_file: CaseArg,
    cost_model: CostModelOpt = None,
    rate: Annotated[
        str | None, typer.Option(help="The SCA rate in any form; default: the recommended target.")
    ] = None,
    n: Annotated[int | None, typer.Option(help="Episodes to simulate (default 100,000).")] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed of the random numbers (same seed, same result).")
    ] = None,
    settings_file: Annotated[
        Path | None, typer.Option("--settings", help="Simulation inputs (YAML) replacing defaults.")
    ] = None,
    market_data: MarketOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What an agreement is worth, against billing out of network or declining (Monte Carlo)."""
    from sca_rates.calibration import with_fitted_curve
    from sca_rates.compare import offer_for
    from sca_rates.exceptions import InvalidSimulationSettings
    from sca_rates.files import SIMULATION_DOC, load_simulation_settings, validate_model
    from sca_rates.models.simulate import SimulationSettings
    from sca_rates.simulate import simulate as run_simulation

    with _user_errors():
        position = _position(case_file, cost_model, market_data)
        facts, rec = position.facts, position.recommendation
        offered = None if rate is None else offer_for(facts, rate)
        per_unit = rec.target.per_unit_usd if offered is None else offered.per_unit_usd
        case_rate = offered.offer if offered and offered.kind == "case_rate" else None
        chosen = load_simulation_settings(settings_file) if settings_file else SimulationSettings()
        asked = {"n": n, "seed": seed}
        settings = validate_model(
            {**chosen.model_dump(), **{k: v for k, v in asked.items() if v is not None}},
            SimulationSettings,
            InvalidSimulationSettings,
            source="the simulate options",
            doc=SIMULATION_DOC,
        )
        fit = None if settings_file else _pricing_fit(facts.case.payer)
        if fit is not None:  # a settings file's curve stands; else the payer's own, if fitted
            settings = with_fitted_curve(settings, fit)
        result = run_simulation(facts, rec, rate=per_unit, settings=settings, case_rate=case_rate)
    unit = facts.pattern.unit
    _emit(as_json, present.simulation_json(result, unit), present.simulation_lines(result, unit))


@app.command()
def export(
    case_file: CaseArg,
    doc: Annotated[str, typer.Option(help=f"One of: {', '.join(DOCUMENT_KEYS)}.")],
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(FORMAT_KEYS)}.")] = "md",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Where to write it; default: the document's own file name."
        ),
    ] = None,
    history: Annotated[Path | None, typer.Option(help="The call's history (JSON).")] = None,
    terms_file: Annotated[
        Path | None, typer.Option("--terms", help="The agreed terms (YAML).")
    ] = None,
    share_cost: Annotated[
        bool, typer.Option(help="Add a per-day cost summary to the justification.")
    ] = False,
    even_at_floor: Annotated[
        bool,
        typer.Option(
            "--even-at-floor", help="Share the cost even when it is our floor (--share-cost)."
        ),
    ] = False,
    cost_model: CostModelOpt = None,
    market_data: MarketOpt = None,
) -> None:
    """Write a document of the case: the call sheet, the counteroffer justification, the terms
    confirmation email or the negotiation summary, as PDF, DOCX, Markdown or text."""
    from sca_rates.export import DOCUMENTS, FORMATS, build_context, file_name, render

    with _user_errors():
        if doc not in DOCUMENTS or fmt not in FORMATS:
            raise InvalidScenario(
                f"--doc must be one of {', '.join(DOCUMENTS)} and --format one "
                f"of {', '.join(FORMATS)}"
            )
        position = _position(case_file, cost_model, market_data, history=history)
        if share_cost and position.cost_is_floor and not even_at_floor:
            raise InvalidScenario(
                f"our fully loaded cost, {usd(position.facts.cost.fully_loaded_per_unit)} per "
                f"{position.unit}, is our floor: --share-cost would tell the payer the least we "
                "would take. Leave --share-cost out, or add --even-at-floor to share it anyway"
            )
        context = build_context(
            position,
            terms=load_terms(terms_file) if terms_file else None,
            share_cost=share_cost,
        )
        content = render(doc, context, fmt)
        target = output or Path(file_name(doc, fmt))
        try:
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise InvalidScenario(
                f"cannot write {target}: {exc.strerror}; choose another path with -o"
            ) from None
    typer.echo(f"wrote {target}")


@app.command()
def network(
    case_file: CaseArg,
    tic: Annotated[
        list[Path],
        typer.Option(
            "--tic", help="A payer's in-network rates (Parquet of `market import-tic`); repeatable."
        ),
    ],
    providers: Annotated[Path, typer.Option(help="The programs (Parquet of `market providers`).")],
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Keep the nearest programs found in the case file "
            "(triggers.network_inadequacy.evidence): the network-gap point then rests on them.",
        ),
    ] = False,
    market_data: MarketOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The in-network programs billing the case's code within the access standard's miles of the
    patient's ZIP, and the nearest beyond it, with the rates that show them in network."""
    from sca_rates.exceptions import InvalidCase
    from sca_rates.files import CASE_DOC, keep_network_evidence, load_yaml_model
    from sca_rates.models.case import Case
    from sca_rates.network import search_case
    from sca_rates.present.network import kept_lines, network_json, network_lines

    with _user_errors():
        case = load_yaml_model(case_file, Case, InvalidCase, doc=CASE_DOC)
        search, standard = search_case(
            case,
            _market(market_data),
            rates=tic,
            providers=providers,
            market_dir=market_data or Settings().market_data_dir,
        )
        if save:
            keep_network_evidence(case_file, search.evidence(dt.date.today()))
    lines = network_lines(search, standard)
    lines += kept_lines(search, case_file) if save else []
    _emit(as_json, network_json(search) | ({"kept_in": str(case_file)} if save else {}), lines)


market_app = typer.Typer(no_args_is_help=True, help="Market reference data.")
app.add_typer(market_app, name="market")
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace outputs that already exist.")]


@market_app.command("import-opps")
def import_opps(
    file: Annotated[Path, typer.Argument(help="CMS OPPS Addendum A, the CSV export.")],
    year: Annotated[
        int | None, typer.Option(help="Calendar year, if the file does not say.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write (default: rates.opps.csv in the market data)."),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Read Medicare's PHP and IOP per diems (APCs 5851-5854, 5861-5864) from Addendum A."""
    from sca_rates.ingest.opps import read_addendum_a, write_rates
    from sca_rates.ingest.outputs import refuse_bundled, refuse_existing

    with _user_errors():
        target = out or Settings().market_data_dir / "rates.opps.csv"
        refuse_bundled(target, Settings().market_data_dir)
        refuse_existing([target], force=force, option="--out")
        rows = read_addendum_a(file, year=year)
        write_rates(rows, target)
    for row in rows:
        typer.echo(
            f"APC {row.code} {row.level_of_care}: {usd(row.amount_usd)} per day "
            f"(CY{row.year}, national, before the wage index)"
        )
    typer.echo(f"wrote {len(rows)} rows to {target}")


FilesArg = Annotated[list[Path], typer.Argument(help="The files to import.")]
OutOpt = Annotated[
    Path,
    typer.Option(
        "-o",
        "--output",
        help="A .parquet file for one input, else a folder for one Parquet file per input.",
    ),
]
JobsOpt = Annotated[int, typer.Option(min=1, help="Files imported at once.")]
SharedOutOpt = Annotated[
    str,
    typer.Option(
        "-o",
        "--output",
        help="A .parquet file for one input, else a folder for one Parquet file per input: a "
        "path, or an fsspec URL (s3://bucket/tic/); with --scheduler, one every worker reaches.",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        help="A Dask scheduler's address (tcp://HOST:8786): one task per file on its cluster, "
        "whose worker threads decide how many run at once (--jobs is refused with it).",
    ),
]


def _codes(text: str | None) -> frozenset[str]:
    from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES

    return (
        BEHAVIORAL_HEALTH_CODES
        if text is None
        else frozenset(c.strip().upper() for c in text.split(",") if c.strip())
    )


def _listed(path: Path | None) -> frozenset[str] | None:
    """The NPIs or TINs of a file, one a line (None: no filter)."""
    if path is None:
        return None
    try:
        return frozenset(line.strip() for line in path.read_text().splitlines() if line.strip())
    except OSError as exc:
        raise InvalidScenario(f"cannot read {path}: {exc.strerror}") from None


def _import(jobs: list[Job], workers: int, scheduler: str | None = None) -> None:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from sca_rates.ingest.run import run as run_job
    from sca_rates.ingest.run import run_all, stored_size

    sizes = [stored_size(job.source) for job in jobs]
    total = None if None in sizes else sum(size or 0 for size in sizes)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("importing", total=total)
        if scheduler is not None:
            from sca_rates.ingest.cluster import run_on_cluster

            done = run_on_cluster(jobs, address=scheduler)
        elif workers == 1:
            done = (run_job(job, lambda n: bar.advance(task, n)) for job in jobs)
        else:
            done = run_all(jobs, workers=workers)
        for finished in done:
            if workers > 1 or scheduler is not None:  # a whole file's bytes as it is done
                bar.advance(task, stored_size(finished.job.source) or 0)
            # soft_wrap: a path is never broken across lines, so it can be copied whole
            bar.console.print(
                f"{finished.job.source.name}: {finished.rows:,} rows -> {finished.job.target}",
                soft_wrap=True,
            )
            for warning in finished.warnings:
                bar.console.print(f"  warning: {warning}", soft_wrap=True)


SourcesArg = Annotated[
    list[str], typer.Argument(help="The files to import: paths, or https:// addresses.")
]


def _sources(texts: list[str]) -> list[Path | Remote]:
    """Paths as they are; each web address as its server describes it (checked now, before
    anything is written)."""
    from sca_rates.ingest.tic import source_of

    return [source_of(text) for text in texts]


@market_app.command("import-tic")
def import_tic(
    files: SourcesArg,
    output: SharedOutOpt,
    codes: Annotated[
        str | None,
        typer.Option(help="Billing codes, comma-separated (default: the behavioral-health set)."),
    ] = None,
    npi_file: Annotated[
        Path | None, typer.Option(help="Keep only these NPIs (one a line).")
    ] = None,
    tin_file: Annotated[
        Path | None, typer.Option(help="Keep only these TINs (one a line).")
    ] = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    force: ForceOpt = False,
) -> None:
    """Payers' Transparency in Coverage in-network files (.json or .json.gz) to Parquet, from
    disk or streamed from their https:// addresses, here or on a Dask cluster (--scheduler)."""
    from sca_rates.ingest.outputs import targets
    from sca_rates.ingest.run import Job
    from sca_rates.ingest.shared import output_of

    with _user_errors():
        if scheduler is not None and jobs > 1:
            raise InvalidScenario(
                f"--jobs {jobs} with --scheduler: the cluster's workers decide how many files "
                "are imported at once, one a worker thread. Fix: leave --jobs out, or start "
                "the workers with more threads (dask worker ADDRESS --nthreads 4)"
            )
        npis = _listed(npi_file)
        npi_numbers = None if npis is None else frozenset(int(n) for n in npis if n.isdigit())
        sources = _sources(files)
        work = [
            Job("tic", source, target, _codes(codes), npi_numbers, _listed(tin_file))
            for source, target in zip(sources, targets(sources, output_of(output)), strict=True)
        ]
        _check_sources(work, force=force)
        _import(work, jobs, scheduler)


@market_app.command("fetch-index")
def fetch_index(
    source: Annotated[
        str, typer.Argument(help="A payer's table of contents: its https:// address or a path.")
    ],
    plan: Annotated[
        str | None, typer.Option(help="Only plans whose name holds this (case ignored).")
    ] = None,
    ein: Annotated[
        str | None, typer.Option(help="Only the plans with this EIN (12-3456789).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """A payer's in-network rates files for each plan, from its table of contents."""
    from sca_rates.ingest.contents import read_contents

    with _user_errors():
        contents = read_contents(source, plan=plan, ein=ein)
    _emit(as_json, contents.model_dump(mode="json"), _contents_lines(contents, plan, ein))


def _contents_lines(contents: TableOfContents, plan: str | None, ein: str | None) -> list[str]:
    entity = contents.reporting_entity_name or "(payer not named)"
    updated = contents.last_updated_on or "an unstated date"
    lines = [
        f"{entity}: table of contents of {updated}, {contents.plans_listed:,} plans listed"
        + ("" if plan is None and ein is None else f", {len(contents.plans):,} chosen")
    ]
    for found in contents.plans:
        kind = " ".join(filter(None, [(found.plan_id_type or "").upper(), found.plan_id]))
        market = f", {found.plan_market_type} market" if found.plan_market_type else ""
        lines += ["", f"{found.plan_name or '(plan not named)'} ({kind or 'no ID'}{market})"]
        lines += [
            f"  {listed.description or 'in-network file'}: {listed.location}"
            for listed in found.in_network_files
        ] or ["  no in-network file listed"]
        if found.allowed_amount_file is not None:
            lines.append(f"  allowed amounts: {found.allowed_amount_file.location}")
    if not contents.plans:
        lines.append("No plan matches. Fix: check the name or EIN, or leave --plan and --ein out")
    else:
        lines += ["", "Import one: sca-rates market import-tic ADDRESS -o var/tic/"]
    return lines


@market_app.command("import-hpt")
def import_hpt(
    files: FilesArg,
    output: OutOpt,
    codes: Annotated[
        str | None,
        typer.Option(help="Codes, comma-separated (default: the behavioral-health set)."),
    ] = None,
    jobs: JobsOpt = 1,
    force: ForceOpt = False,
) -> None:
    """Hospitals' standard charges files (CMS v2 or v3; CSV tall or wide, or JSON) to Parquet."""
    from sca_rates.ingest.outputs import targets
    from sca_rates.ingest.run import Job

    with _user_errors():
        work = [
            Job("hpt", source, target, _codes(codes))
            for source, target in zip(files, targets(files, output), strict=True)
        ]
        _check_sources(work, force=force)
        _import(work, jobs)


def _check_sources(jobs: list[Job], *, force: bool) -> None:
    """Every input is a file, and no output is replaced unless asked: checked before any
    import begins, so that a refusal leaves everything as it was."""
    from sca_rates.ingest.outputs import refuse_existing

    for job in jobs:
        if isinstance(job.source, Path) and not job.source.is_file():
            raise InvalidScenario(f"{job.source}: no such file; check the path")
    refuse_existing([job.target for job in jobs], force=force)


@market_app.command("summarize")
def market_summarize(
    files: Annotated[list[Path], typer.Argument(help="Parquet files written by the importers.")],
    region: Annotated[str, typer.Option(help="US, a state, or a CBSA the prices are for.")],
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="The rates file to write, e.g. market_data/rates.local.csv."
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option(help="Drop prices expired before this date (YYYY-MM-DD; default today)."),
    ] = None,
    band_low: Annotated[
        float, typer.Option(help="Drop prices under this share of Medicare.")
    ] = 0.6,
    band_high: Annotated[
        float, typer.Option(help="Drop prices over this multiple of Medicare.")
    ] = 10.0,
    market_data: MarketOpt = None,
    force: ForceOpt = False,
) -> None:
    """Percentiles with n per payer and code, as a market rates file the comparator reads."""
    from sca_rates.ingest.opps import write_rates
    from sca_rates.ingest.outputs import refuse_bundled, refuse_existing
    from sca_rates.ingest.summarize import SummaryReport, read_imports, summarize

    with _user_errors():
        refuse_bundled(output, Settings().market_data_dir)
        refuse_existing([output], force=force)
        report = SummaryReport()
        figures = summarize(  # checks the region and the band before it reads a row
            read_imports(files),
            region=region.strip().upper(),
            as_of=_date(as_of) or dt.date.today(),
            market=_market(market_data),
            band=(band_low, band_high),
            report=report,
        )
        write_rates(figures, output)
    typer.echo(
        f"{report.prices:,} prices: {report.expired:,} expired, {report.not_dollars:,} "
        f"percentages or formulas kept apart, {report.outliers:,} outside the Medicare "
        f"band, {report.unknown_codes:,} of other codes; {report.groups} payer-code groups "
        f"-> {len(figures)} rows in {output}"
    )


@market_app.command("providers")
def market_providers(
    file: Annotated[
        Path, typer.Argument(help="CMS's NPPES file: the monthly zip, or its npidata CSV.")
    ],
    output: Annotated[
        str,
        typer.Option(
            "-o",
            "--output",
            help="The Parquet file to write: a path, or an fsspec URL (s3://bucket/ma.parquet).",
        ),
    ],
    state: Annotated[
        list[str], typer.Option("--state", help="A state to keep (MA); give one or more.")
    ],
    taxonomies: Annotated[
        Path | None,
        typer.Option(help="Program taxonomy codes (default: program_taxonomies.csv)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="A Dask scheduler's address (tcp://HOST:8786): read on its cluster."),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """The programs of some states (NPI, taxonomies, practice address) from NPPES, to Parquet."""
    from sca_rates.ingest.nppes import check_states, import_providers, load_taxonomies
    from sca_rates.ingest.outputs import refuse_bundled_folder, refuse_existing
    from sca_rates.ingest.shared import output_of

    with _user_errors():
        states = check_states(state)
        codes = frozenset(
            load_taxonomies(taxonomies or Settings().market_data_dir / "program_taxonomies.csv")
        )
        target = output_of(output)
        refuse_bundled_folder(target, Settings().market_data_dir)
        refuse_existing([target], force=force)
        if scheduler is None:
            report = import_providers(file, target, states=states, taxonomies=codes)
        else:
            from sca_rates.ingest.cluster import providers_on_cluster

            report = providers_on_cluster(
                file, target, address=scheduler, states=states, taxonomies=codes
            )
    typer.echo(
        f"{report.source}: {report.bytes_read / 1e6:,.1f} MB read, {report.rows:,} providers "
        f"with a program taxonomy in {', '.join(sorted(states))} -> {target}"
    )


log_app = typer.Typer(no_args_is_help=True, help="The negotiation log (SCA_DATABASE_URL).")
app.add_typer(log_app, name="log")

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sca_rates.models.log import LoggedRequest

TermsOpt = Annotated[
    Path | None,
    typer.Option(
        "--terms", help="The agreement as the payer wrote it (YAML, see agreements/README.md)."
    ),
]


def _engine() -> Engine:
    """The log (SCA_DATABASE_URL), for what needs no patient key."""
    from sca_rates import store

    return store.connect(Settings().database_url)


def _log() -> tuple[Engine, Cipher | None]:
    """The log and the key of its identifiers, notes and contacts (None when none is set)."""
    from sca_rates.store.crypto import Cipher

    key = Settings().patient_key
    return _engine(), None if key is None else Cipher(key.get_secret_value())


def _payer_fit(payer: str) -> Fit:
    """The payer's acceptance curve fitted from the log (the defaults when it is too thin). The
    fit reads no notes nor identifiers, so it needs no key."""
    from sca_rates import store
    from sca_rates.calibration import fit_payer

    with store.transaction(_engine()) as session:
        return fit_payer(payer.lower(), store.list_requests(session=session))


def _pricing_fit(payer: str) -> Fit | None:
    """The payer's fit for pricing, which needs no log: a log that cannot be opened leaves the
    curve out, and one line on stderr says why."""
    from sca_rates.exceptions import LogError

    try:
        return _payer_fit(payer)
    except LogError as exc:
        typer.echo(f"warning: the payer's fitted acceptance curve is left out: {exc}", err=True)
        return None


def _payer_curve(payer: str) -> AcceptanceCurve | None:
    """The payer's fitted acceptance curve, when the log holds enough of its calls to fit one."""
    fit = _pricing_fit(payer)
    return fit.curve if fit is not None and fit.fitted else None


def _actor() -> str:
    return os.environ.get("SCA_ACTOR") or getpass.getuser()


@log_app.command("new-key")
def log_new_key() -> None:
    """Print a new key for patient identifiers: keep it secret, set it as SCA_PATIENT_KEY."""
    from sca_rates.store.crypto import new_key

    typer.echo(new_key())


@log_app.command("add")
def log_add(
    case_file: CaseArg,
    history: Annotated[Path | None, typer.Option(help="The call's history (JSON).")] = None,
    requested_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today.")] = None,
    patient_name: Annotated[str | None, typer.Option(help="Stored encrypted.")] = None,
    member_id: Annotated[str | None, typer.Option(help="Stored encrypted.")] = None,
    notes: Annotated[str, typer.Option(help="What worked, who said what.")] = "",
    cost_model: CostModelOpt = None,
    market_data: MarketOpt = None,
    terms_file: TermsOpt = None,
) -> None:
    """Record a call: the case, the three numbers at the time and every offer (and, with
    --terms, the agreement the payer wrote)."""
    from sca_rates import store
    from sca_rates.logbook import request_from_call
    from sca_rates.models.log import LoggedRequest, PatientIdentifiers

    with _user_errors():
        position = _position(case_file, cost_model, market_data, history=history)
        patient = (
            PatientIdentifiers(name=patient_name, member_id=member_id)
            if patient_name or member_id
            else None
        )
        when = _date(requested_on) or dt.date.today()
        request = request_from_call(position, requested_on=when, actor=_actor(), patient=patient)
        request = request.model_copy(update={"notes": notes})
        said: list[str] = []
        if terms_file is not None:
            changes, said = _agreement(terms_file, request)
            request = LoggedRequest.model_validate(request.model_dump() | changes)
        engine, cipher = _log()
        with store.transaction(engine) as session:
            request_id = store.add_request(
                session=session, request=request, cipher=cipher, actor=_actor()
            )
    typer.echo(f"logged request {request_id}: {request.payer}, {request.outcome}")
    if terms_file is not None:
        _agreement_echo(request.model_copy(update={"id": request_id}), said)


def _agreement(terms_file: Path, request: LoggedRequest) -> tuple[dict[str, object], list[str]]:
    from sca_rates.logbook import agreement_changes

    return agreement_changes(load_terms(terms_file), request)


def _agreement_echo(request: LoggedRequest, said: list[str]) -> None:
    from sca_rates.logbook import agreement_said

    typer.echo(f"agreement {agreement_said(request)}")
    for line in said:
        typer.echo(f"note: {line}")


@log_app.command("agreement")
def log_agreement(
    request_id: int,
    terms_file: Annotated[
        Path,
        typer.Option(
            "--terms", help="The agreement as the payer wrote it (YAML, see agreements/README.md)."
        ),
    ],
) -> None:
    """Attach the payer's written agreement to a logged request: the authorization, the rate,
    when each reauthorization request is due, the payment window and the case manager (stored
    encrypted, so SCA_PATIENT_KEY is needed when the letter names one)."""
    from sca_rates import store
    from sca_rates.logbook import agreement_changes

    with _user_errors():
        terms = load_terms(terms_file)
        engine, cipher = _log()
        with store.transaction(engine) as session:
            current = store.get_request(session=session, request_id=request_id, cipher=cipher)
            changes, said = agreement_changes(terms, current)
            store.update_request(session=session, request_id=request_id, cipher=cipher, **changes)
            request = store.get_request(session=session, request_id=request_id, cipher=cipher)
    _agreement_echo(request, said)


@log_app.command("claim")
def log_claim(
    request_id: int,
    date_of_service: Annotated[
        str, typer.Option(help="The first day the claim bills, YYYY-MM-DD.")
    ],
    units: Annotated[float, typer.Option(help="Days, sessions or services billed.")],
    billed: Annotated[float, typer.Option(help="The claim's billed total, $.")],
    submitted_on: Annotated[
        str | None, typer.Option(help="The day it was sent, YYYY-MM-DD; default today.")
    ] = None,
    number: Annotated[
        str | None,
        typer.Option(
            help="The patient control number sent on the claim (CLM01), as your billing system "
            "made it; default SCA-{request}-{claim}, which the log makes."
        ),
    ] = None,
) -> None:
    """Enter a claim sent for a request: the payment it should bring is the agreement's rate x
    the units, and it is due within the agreement's payment window from the date of service. The
    claim's number is what the payer's 835 remittance names it by (CLP01)."""
    from sca_rates import store
    from sca_rates.reminders import claim_warnings, expected_said, follow_up

    with _user_errors():
        served = _dated(date_of_service, "--date-of-service")
        sent = _dated(submitted_on, "--submitted-on") if submitted_on else dt.date.today()
        with store.transaction(_engine()) as session:
            request, claim = store.enter_claim(
                session=session,
                request_id=request_id,
                today=dt.date.today(),
                date_of_service=served,
                units=units,
                billed_usd=billed,
                submitted_on=sent,
                number=number,
            )
    due = follow_up(request, claim)
    typer.echo(
        f"logged claim {claim.id} on request {request_id}: billed {usd(billed)}, expected "
        f"{usd(claim.expected_usd or 0)} ({expected_said(request, units)})"
        + ("" if due is None else f"; due to be paid {_within(due)}, by {due.window_ends}")
    )
    typer.echo(f"claim number {claim.number}: send it as the patient control number (CLM01)")
    for warning in claim_warnings(request, claim):
        typer.echo(f"warning: {warning}", err=True)


def _within(due: ClaimFollowUp) -> str:
    stated = "" if due.window_stated else " (the agreement names no window)"
    return f"within {due.window_days} days{stated}"


@log_app.command("paid")
def log_paid(
    claim_id: int,
    amount: Annotated[float, typer.Option(help="The dollars paid on the claim.")],
    on: Annotated[str, typer.Option("--on", help="The day the payment came, YYYY-MM-DD.")],
) -> None:
    """Record a payment on a claim; a payment short of what the agreement pays leaves the claim
    underpaid by the difference (a later payment adds to it)."""
    from sca_rates import store
    from sca_rates.reminders import payment_said, with_payment

    with _user_errors():
        paid_on = _dated(on, "--on")
        with store.transaction(_engine()) as session:
            _, claim = store.get_claim(session=session, claim_id=claim_id)
            claim = with_payment(claim, amount_usd=amount, paid_on=paid_on, today=dt.date.today())
            store.update_claim(session=session, claim=claim)
    typer.echo(payment_said(claim))


def _claim_lines(request: LoggedRequest) -> None:
    """Each claim of a request under it in `log list`: the log's number and the one sent."""
    from sca_rates.reminders import claim_listed

    for claim in request.claims:
        typer.echo(f"         {claim_listed(claim)}")


@log_app.command("remit")
def log_remit(
    path: Annotated[Path, typer.Argument(help="The payer's 835 remittance (ERA) file.")],
    appeal_days: Annotated[
        int,
        typer.Option(
            help="Days after the remittance's date to appeal a denial or an underpayment; the "
            "agreement or the plan sets the real window."
        ),
    ] = 180,
) -> None:
    """Read a payer's 835 remittance into the log: each claim it names is matched to a logged
    claim by the number it was sent with (CLP01), and gets its payment, status (paid, underpaid,
    denied, reversed), reasons (CARC/RARC) and, for a denial or an underpayment, its appeal
    deadline. Claims the log does not know are listed. A file read again applies nothing twice;
    a malformed file changes nothing. The reading is audited."""
    from sca_rates import store
    from sca_rates.reminders import remittance_said
    from sca_rates.remit import read_remittances
    from sca_rates.remit.match import check_appeal_window

    with _user_errors():
        check_appeal_window(appeal_days)  # before the file is read
        remittances = read_remittances(path)
        with store.transaction(_engine()) as session:
            reads = store.read_into_log(
                session=session,
                remittances=remittances,
                source=str(path),
                actor=_actor(),
                appeal_window_days=appeal_days,
            )
    for read in reads:
        for line in remittance_said(read):
            typer.echo(line)


@log_app.command("appeal")
def log_appeal(
    claim: Annotated[
        str, typer.Argument(help="The claim: its number in the log (31) or as sent (SCA-12-31).")
    ],
    on: Annotated[str, typer.Option("--on", help="The day the appeal was sent, YYYY-MM-DD.")],
    note: Annotated[
        str | None,
        typer.Option(help="What was sent and to whom; stored encrypted (needs SCA_PATIENT_KEY)."),
    ] = None,
) -> None:
    """Log that an appeal of a denied or underpaid claim was sent: the Log page and the calendar
    stop counting down to its deadline."""
    from sca_rates import store
    from sca_rates.reminders import appeal_said, with_appeal

    with _user_errors():
        sent_on = _dated(on, "--on")
        engine, cipher = _log()
        with store.transaction(engine) as session:
            _, found = store.find_claim(session=session, claim=claim, cipher=cipher)
            found = with_appeal(found, sent_on=sent_on, note=note, today=dt.date.today())
            store.update_claim(session=session, claim=found, cipher=cipher)
    typer.echo(appeal_said(found))


@log_app.command("calendar")
def log_calendar(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The iCalendar file to write (.ics).")
    ],
    force: Annotated[bool, typer.Option(help="Replace the file if it exists.")] = False,
    with_patient_names: Annotated[
        bool,
        typer.Option(help="Name the patient in each event (needs SCA_PATIENT_KEY; audited)."),
    ] = False,
) -> None:
    """Write the reminders as an iCalendar file, readable by its owner only: one all-day event
    per reauthorization request due and one per claim follow-up (the day after its payment
    window). Events keep their UIDs from one file to the next, so a calendar that subscribes
    updates them rather than doubling them. No patient is named unless asked for."""
    from sca_rates import store
    from sca_rates.exceptions import LogError
    from sca_rates.reminders import calendar
    from sca_rates.store.private import check_target, new_private_file, write_private_text

    what = "calendar"
    with _user_errors():
        if output.exists() and not force:
            raise LogError(
                f"cannot write the {what} to {output}: the file exists. Fix: give --force to "
                "replace it (a calendar that subscribes to it then updates its events), or "
                "choose a new file name"
            )
        check_target(output, what=what, new=not force)
        engine, cipher = _log()
        if with_patient_names and cipher is None:
            raise PatientKeyError(
                "--with-patient-names needs SCA_PATIENT_KEY. Fix: set SCA_PATIENT_KEY to the key "
                "the log was started with, or leave out --with-patient-names"
            )
        started = False
        try:
            with store.transaction(engine) as session:
                requests = store.list_requests(session=session)
                names = (
                    _calendar_names(session, requests, cipher)
                    if with_patient_names and cipher
                    else {}
                )
                data = calendar(requests, now=dt.datetime.now(dt.UTC), patients=names)
                if not force:
                    new_private_file(output, what=what)
                started = True
                write_private_text(output, data.decode("utf-8"), what=what)
        except BaseException:
            if started:  # half a file, or names whose audit was not committed: none is left
                output.unlink(missing_ok=True)
            raise
    shown = f", naming {len(names)} patients" if names else ", naming no patient"
    typer.echo(f"wrote the calendar to {output}{shown}")


def _calendar_names(
    session: Session, requests: list[LoggedRequest], cipher: Cipher
) -> dict[int, str]:
    """The patients' names of the requests that have reminders, each reveal audited."""
    from sca_rates import store
    from sca_rates.reminders import appeal_deadlines, claim_follow_ups, reauthorizations

    wanted = {item.request_id for item in reauthorizations(requests)}
    wanted |= {item.request_id for item in claim_follow_ups(requests)}
    wanted |= {item.request_id for item in appeal_deadlines(requests)}
    names = {}
    for request in requests:
        if request.id in wanted and request.patient_on_file:
            shown = store.reveal(
                session=session,
                request_id=request.id,
                cipher=cipher,
                actor=_actor(),
                action="export",
            )
            if shown.patient is not None and shown.patient.name:
                names[request.id] = shown.patient.name
    return names


@log_app.command("outcome")
def log_outcome(
    request_id: int,
    outcome: Annotated[str, typer.Option(help="approved, denied, pending or withdrawn.")],
    rate: Annotated[float | None, typer.Option(help="The agreed rate, $ per unit.")] = None,
    decided_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today.")] = None,
    notes: Annotated[str | None, typer.Option(help="Replaces the request's notes.")] = None,
) -> None:
    """Record the payer's decision on a logged request."""
    from sca_rates import store

    with _user_errors():
        if outcome not in ("approved", "denied", "pending", "withdrawn"):
            raise InvalidScenario("--outcome must be approved, denied, pending or withdrawn")
        changes: dict[str, object] = {
            "outcome": outcome,
            "decided_on": _date(decided_on) or dt.date.today(),
        }
        if rate is not None:
            changes["agreed_rate_usd"] = rate
        if notes is not None:
            changes["notes"] = notes
        engine, cipher = _log()
        with store.transaction(engine) as session:
            store.update_request(session=session, request_id=request_id, cipher=cipher, **changes)
    typer.echo(f"request {request_id}: {outcome}")


@log_app.command("list")
def log_list(as_json: JsonOpt = False) -> None:
    """Every logged request, newest first; patient identifiers are never listed."""
    from sca_rates import store

    with _user_errors():
        engine, cipher = _log()
        with store.transaction(engine) as session:  # the key opens the notes the JSON shows
            requests = store.list_requests(session=session, cipher=cipher)
    if as_json:
        typer.echo(
            json.dumps([r.model_dump(mode="json", exclude={"patient"}) for r in requests], indent=2)
        )
        return
    for r in requests:
        agreed = (
            "" if r.agreed_rate_usd is None else f", agreed {usd(r.agreed_rate_usd)} per {r.unit}"
        )
        held = ", patient on file (encrypted)" if r.patient_on_file else ""
        typer.echo(
            f"{r.id:>5}  {r.requested_on.isoformat()}  {r.payer:<24} {r.level_of_care:<4} "
            f"{r.outcome:<9}{agreed}{held}"
        )
        _claim_lines(r)


@log_app.command("stats")
def log_stats(
    payer: Annotated[str | None, typer.Option(help="One payer's playbook.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Per payer: approval rate, days to decision, agreed rates against ours and the market."""
    from sca_rates import store
    from sca_rates.analytics import all_payer_stats, playbook

    with _user_errors(), store.transaction(_engine()) as session:
        requests = store.list_requests(session=session)
    stats = [playbook(payer.lower(), requests).stats] if payer else all_payer_stats(requests)
    if as_json:
        typer.echo(json.dumps([s.model_dump() for s in stats], indent=2))
    else:
        typer.echo("\n".join(line for s in stats for line in present.payer_stats_lines(s)))


@log_app.command("results")
def log_results(
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print the table as CSV (redirect it to a file).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Per payer and quarter: approval rate, days to decision, and the revenue captured through
    SCAs against billing out of network (and against declining, all of it)."""
    from sca_rates import store
    from sca_rates.analytics import results

    with _user_errors(), store.transaction(_engine()) as session:
        rows = results(store.list_requests(session=session))
    if as_csv:
        typer.echo(present.results_csv(rows), nl=False)
    else:
        _emit(as_json, [r.model_dump() for r in rows], present.result_lines(rows))


@log_app.command("calibrate")
def log_calibrate(payer: str) -> None:
    """Fit the payer's acceptance curve from the log (or say why the defaults stand)."""
    with _user_errors():
        fit = _payer_fit(payer)
    curve = fit.curve
    typer.echo(f"{fit.payer}: {fit.reason}")
    typer.echo(
        f"midpoint {curve.midpoint:.3f} x reference"
        + (f" (se {fit.midpoint_se:.3f})" if fit.midpoint_se is not None else "")
        + f", steepness {curve.steepness:.2f}"
        + (f" (se {fit.steepness_se:.2f})" if fit.steepness_se is not None else "")
    )


@log_app.command("export")
def log_export(
    path: Path,
    with_identifiers: Annotated[
        bool, typer.Option(help="Include patient identifiers (needs SCA_PATIENT_KEY; audited).")
    ] = False,
) -> None:
    """Write the log as a spreadsheet (CSV), one row per request, readable by its owner only.
    The export is audited with the file: a failed one leaves neither the file nor an audit row."""
    from sca_rates import store
    from sca_rates.logbook import to_csv
    from sca_rates.store.private import check_target, write_private_text

    what = "log spreadsheet"
    with _user_errors():
        check_target(path, what=what, new=False)
        engine, cipher = _log()
        if with_identifiers and cipher is None:
            raise PatientKeyError(
                "--with-identifiers needs SCA_PATIENT_KEY. Fix: set SCA_PATIENT_KEY to the key "
                "the log was started with (`sca-rates log new-key` makes one for a new log), or "
                "leave out --with-identifiers"
            )
        written = False
        try:
            with store.transaction(engine) as session:
                requests = (
                    store.reveal_all(
                        session=session, cipher=cipher, actor=_actor(), action="export"
                    )
                    if with_identifiers and cipher
                    else store.list_requests(session=session, cipher=cipher)
                )
                sheet = to_csv(requests, with_identifiers=with_identifiers)
                write_private_text(path, sheet, what=what)
                written = True
                shown = ", with patient identifiers" if with_identifiers else ""
                detail = f"{path}: {len(requests)} requests{shown}"
                store.audit(
                    session=session, actor=_actor(), action="export", request_id=None, detail=detail
                )
        except BaseException:
            if written:  # the audit was not committed: no file of the log without its audit row
                path.unlink(missing_ok=True)
            raise
    typer.echo(f"wrote {len(requests)} requests to {path}")
    sealed = sum(r.notes_sealed for r in requests)
    if sealed:
        typer.echo(
            f"warning: the notes and payer contacts of {sealed} requests are stored encrypted "
            "and were left out; set SCA_PATIENT_KEY to export them",
            err=True,
        )


@log_app.command("import")
def log_import(path: Path) -> None:
    """Add the requests of a spreadsheet (CSV): every row is checked first; one bad row and
    nothing of the file is imported. Rows already in the log (the same in every column) are
    skipped, so importing a spreadsheet again, or one grown since, doubles nothing. A row whose
    notes and payer contact are blank (as an export without SCA_PATIENT_KEY leaves encrypted
    ones) is compared in every other column, so such an export doubles nothing either."""
    from sca_rates import store
    from sca_rates.logbook import from_csv, new_requests, read_spreadsheet

    with _user_errors():
        rows = from_csv(read_spreadsheet(path), source=str(path))
        engine, cipher = _log()
        with store.transaction(engine) as session:
            logged = store.requests_to_compare(session=session, cipher=cipher)
            new, skipped = new_requests(rows, logged)
            for request in new:
                store.add_request(session=session, request=request, cipher=cipher, actor=_actor())
    typer.echo(f"imported {len(new)} requests from {path}")
    if skipped:
        typer.echo(
            f"skipped {skipped} rows already in the log (the same in every column; blank notes "
            "and payer contacts, as an export without SCA_PATIENT_KEY leaves them, are not "
            "compared, and the log's own are kept)"
        )


@log_app.command("backup")
def log_backup(path: Path) -> None:
    """A consistent copy of the log, as a new SQLite file readable by its owner only (audited)."""
    from sca_rates import store

    with _user_errors():
        store.backup(_engine(), path, actor=_actor())
    typer.echo(f"backed up the log to {path}")


def _dated(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidScenario(
            f"{option}: {text!r} is not a date. Fix: write it YYYY-MM-DD, e.g. 2026-12-07"
        ) from None


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidScenario(f"{text!r} is not a date; write YYYY-MM-DD") from None


def main() -> None:
    app()
