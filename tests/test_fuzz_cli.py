"""The CLI driven in-process with generated inputs (cost models, cases, offers, market CSVs):
whatever it is given, it answers (exit 0) or says what is wrong (exit 2, one message on
stderr); it never shows a traceback, its JSON is JSON (no NaN, no Infinity), and a call it
could not answer leaves no history file behind."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from sca_rates.cli import app
from tests.conftest import FIXTURES, PROJECT

MODEL = yaml.safe_load((FIXTURES / "cost_models" / "tiny-php.yaml").read_text())
CASE = yaml.safe_load((FIXTURES / "cases" / "php-case.yaml").read_text())
RATES = (FIXTURES / "market" / "rates.csv").read_text().splitlines()
# CMS's example in-network file: its first entry is billing code 27447
PAYER_FILE = json.loads((FIXTURES / "transparency" / "tic-v2-single-plan.json").read_text())

# A value anything may be replaced with: wrong kinds, wrong signs, numbers that are no number
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(min_value=-5, max_value=5), max_size=2),
)
offers = st.one_of(
    st.text(max_size=40),
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["$", "", "USD ", "case rate $"]),
        st.one_of(
            st.integers(min_value=-1000, max_value=10**9).map(str),
            st.floats(allow_nan=True, allow_infinity=True).map(str),
        ),
        st.sampled_from(
            ["/day", " per session", "% of billed charges", "% of Medicare", " for 25 days", ""]
        ),
    ),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in parsed YAML a value sits, mappings and lists alike."""
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    found = [prefix] if prefix else []
    for key, value in items:
        found += _paths(value, (*prefix, key))
    return found


@st.composite
def mutated(draw: st.DrawFn, original: dict[str, Any]) -> dict[str, Any]:
    """The file with a few of its values replaced by junk, or removed."""
    data: dict[str, Any] = json.loads(json.dumps(original))  # a deep copy
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(data)
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        holder = data
        for key in parents:
            holder = holder[key]
        if draw(st.booleans()) and isinstance(holder, dict):
            holder.pop(last, None)
        else:
            holder[last] = draw(junk)
    return data


def _run(args: list[str]) -> Result:
    result = CliRunner().invoke(app, args)
    # exit 1 with an exception is an error nobody meant to show: a traceback
    assert result.exit_code in (0, 2), (args, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.strip(), "an error with no message"
    return result


def _no_number_that_is_not_one(text: str) -> None:
    raise AssertionError(f"{text} in JSON output")


def _json(result: Result) -> None:
    if result.exit_code == 0:
        json.loads(result.stdout, parse_constant=_no_number_that_is_not_one)


@contextmanager
def _folder() -> Iterator[Path]:
    """A fresh folder for each example (hypothesis runs many in one test)."""
    path = Path(tempfile.mkdtemp())
    try:
        yield path
    finally:
        shutil.rmtree(path)


def _write(folder: Path, model: object, case: object) -> tuple[Path, Path]:
    (folder / "cost_models").mkdir(exist_ok=True)
    (folder / "cases").mkdir(exist_ok=True)
    model_path = folder / "cost_models" / "tiny-php.yaml"
    case_path = folder / "cases" / "case.yaml"
    model_path.write_text(yaml.safe_dump(model) if not isinstance(model, str) else model)
    case_path.write_text(yaml.safe_dump(case) if not isinstance(case, str) else case)
    return model_path, case_path


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(model=st.one_of(mutated(MODEL), st.text(max_size=200)), census=st.none() | junk.map(str))
def test_cost_answers_any_cost_model(model: Any, census: str | None) -> None:
    with _folder() as folder:
        path, _ = _write(folder, model, CASE)
        args = ["cost", str(path), "--json", "--level", "PHP"]
        _json(_run(args + (["--census", census] if census else [])))


@FUZZ
@given(case=st.one_of(mutated(CASE), st.text(max_size=200)), model=mutated(MODEL) | st.just(MODEL))
def test_recommend_answers_any_case(case: Any, model: Any) -> None:
    with _folder() as folder:
        _, case_path = _write(folder, model, case)
        market = ["--market-data", str(FIXTURES / "market")]
        _json(_run(["recommend", str(case_path), "--json", *market]))


@FUZZ
@given(offer=offers, case=mutated(CASE) | st.just(CASE))
def test_a_call_answers_any_offer_and_keeps_no_history_it_could_not_answer(
    offer: str, case: Any
) -> None:
    with _folder() as folder:
        _, case_path = _write(folder, MODEL, case)
        history = folder / "call.json"
        args = ["counter", str(case_path), "--offer", offer, "--history", str(history), "--json"]
        result = _run([*args, "--market-data", str(FIXTURES / "market")])
        _json(result)
        if result.exit_code == 2:  # (an answered offer that is only asked back writes none either)
            assert not history.exists()


@FUZZ
@given(
    line=st.integers(min_value=1, max_value=len(RATES) - 1),
    column=st.integers(min_value=0, max_value=12),
    value=junk.map(lambda v: "" if v is None else str(v).replace("\n", " ")),
    rate=offers,
)
def test_compare_answers_any_market_file(line: int, column: int, value: str, rate: str) -> None:
    with _folder() as folder:
        market = folder / "market"
        shutil.copytree(FIXTURES / "market", market)
        rows = [row.split(",") for row in RATES]
        if column < len(rows[line]):
            rows[line][column] = json.dumps(value) if "," in value else value
        (market / "rates.csv").write_text("\n".join(",".join(row) for row in rows) + "\n")
        _, case_path = _write(folder, MODEL, CASE)
        args = ["compare", str(case_path), "--rate", rate, "--market-data", str(market), "--json"]
        _json(_run(args))


@FUZZ
@given(payer_file=st.one_of(mutated(PAYER_FILE), st.text(max_size=200)), jobs=st.sampled_from("12"))
def test_import_tic_answers_any_payer_file_and_leaves_nothing_on_failure(
    payer_file: Any, jobs: str
) -> None:
    with _folder() as folder:
        source, out = folder / "payer.json", folder / "out"
        text = payer_file if isinstance(payer_file, str) else json.dumps(payer_file)
        source.write_text(text)
        args = ["market", "import-tic", str(source), "--codes", "27447", "-o", str(out)]
        result = _run([*args, "--jobs", jobs])
        if result.exit_code == 2:
            assert not any(out.glob("*")), "a refused file left an output"


def test_the_bundled_cases_pass_the_same_checks() -> None:
    # The fuzzed commands on every bundled case: answered, and their JSON is JSON
    for case in sorted((PROJECT / "cases").glob("*.yaml")):
        for args in (["recommend", str(case), "--json"], ["compare", str(case), "--json"]):
            result = _run(args)
            assert result.exit_code == 0, (args, result.stderr)
            _json(result)
