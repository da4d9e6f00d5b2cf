"""The README's console examples print what the README says they print.

An example is a ```console block: each line starting with ``$ `` is a command (a line ending in
``\\`` goes on to the next), and the lines under it, up to the next command, are what it prints.
``...`` in the output stands for any text, as in doctest's ELLIPSIS (``"lines": [ ... ]``, or a
line of its own for output left out). A block right after ``<!-- not run: why -->`` is skipped:
it needs a server or the network. A block after ``<!-- given: NAME is PATH -->`` runs with the
project's file PATH copied in as NAME (a file the reader is asked to imagine, such as their own).

Each command is split as a shell splits it (single quotes keep ``$475/day`` whole) and run in
process through the CLI, in a folder that links to every entry of the project's root, so paths
read as in the README and the files a command writes (a call's history, a document) land in the
tests' own folder. The blocks run in the README's order in that one folder, so a history file
carries from one command to the next as it does for a reader.
"""

from __future__ import annotations

import difflib
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sca_rates.cli import app
from tests.conftest import PROJECT

README = PROJECT / "README.md"
PROMPT = "$ "
NOT_RUN = re.compile(r"<!--\s*(not run\b.*?)\s*-->")
GIVEN = re.compile(r"<!--\s*given:\s*(\S+) is (\S+)\s*-->")
# How the README may name the program: the installed script, or the package as a module
PROGRAMS = (("sca-rates",), (".venv/bin/sca-rates",), ("python", "-m", "sca_rates"))


@dataclass(frozen=True)
class Step:
    command: str
    expected: str


@dataclass(frozen=True)
class Example:
    line: int  # the README's line of the opening fence, 1-based
    steps: tuple[Step, ...]
    not_run: str | None  # why the block is skipped, or None to run it
    given: tuple[str, str] | None = None  # (name, the project's file copied in under that name)


def _examples(text: str) -> list[Example]:
    examples, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        start, i = i, i + 1
        body = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        before = next((line for line in reversed(lines[:start]) if line.strip()), "")
        marked, given = NOT_RUN.search(before), GIVEN.search(before)
        examples.append(
            Example(
                start + 1,
                _steps(body),
                marked.group(1) if marked else None,
                (given.group(1), given.group(2)) if given else None,
            )
        )
    return examples


def _steps(body: list[str]) -> tuple[Step, ...]:
    steps: list[Step] = []
    command: list[str] = []
    output: list[str] = []
    for line in body:
        if command and command[-1].endswith("\\"):
            command.append(line)
        elif line.startswith(PROMPT):
            if command:
                steps.append(Step(_joined(command), "\n".join(output)))
            command, output = [line.removeprefix(PROMPT)], []
        else:
            assert command, f"output before any command: {line!r}"
            output.append(line)
    if command:
        steps.append(Step(_joined(command), "\n".join(output)))
    return tuple(steps)


def _joined(lines: list[str]) -> str:
    return " ".join(line.removesuffix("\\").strip() for line in lines)


def _arguments(command: str) -> list[str]:
    words = shlex.split(command)
    for program in PROGRAMS:
        if tuple(words[: len(program)]) == program:
            return words[len(program) :]
    raise AssertionError(f"not an sca-rates command (mark the block <!-- not run -->): {command}")


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def _matches(expected: str, actual: str) -> bool:
    pattern = ".*?".join(re.escape(part) for part in re.split(r"[ \t]*\.\.\.[ \t]*", expected))
    return re.fullmatch(pattern, actual, flags=re.DOTALL) is not None


EXAMPLES = _examples(README.read_text(encoding="utf-8"))


def _param(example: Example) -> object:
    marks = [pytest.mark.skip(reason=example.not_run)] if example.not_run else []
    return pytest.param(example, id=f"README.md:{example.line}", marks=marks)


@pytest.fixture(scope="module")
def project_view(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder that reads like the project's root and keeps what is written to itself,
    shared by the examples in the README's order, as a reader pasting them one after the other
    (the call's history the counter example writes is the one the export example reads)."""
    folder = tmp_path_factory.mktemp("readme")
    for entry in PROJECT.iterdir():
        if entry.name != ".git":
            (folder / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return folder


def test_the_readme_has_console_examples_and_runs_most_of_them() -> None:
    run = [example for example in EXAMPLES if example.not_run is None]
    assert len(run) >= 8
    assert len(EXAMPLES) - len(run) <= 1


@pytest.mark.parametrize("example", [_param(example) for example in EXAMPLES])
def test_readme_example_prints_what_the_readme_shows(
    example: Example, project_view: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_view)
    if example.given is not None:
        name, source = example.given
        shutil.copyfile(PROJECT / source, project_view / name)
    for step in example.steps:
        result = CliRunner().invoke(
            app, _arguments(step.command), prog_name="sca-rates", catch_exceptions=False
        )
        expected, actual = _tidy(step.expected), _tidy(result.output)
        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(), actual.splitlines(), "README.md", "printed", lineterm=""
            )
        )
        assert _matches(expected, actual), f"$ {step.command}\n{diff}"


def test_single_quotes_keep_a_dollar_amount_whole() -> None:
    # What a shell would do to "$475/day" in double quotes ($4 expanded) is what the README avoids
    command = "sca-rates compare c.yaml --rate '$475/day'"
    assert _arguments(command) == ["compare", "c.yaml", "--rate", "$475/day"]


def test_every_dollar_amount_in_a_readme_command_is_in_single_quotes() -> None:
    for example in EXAMPLES:
        for step in example.steps:
            outside_quotes = re.sub(r"'[^']*'", "''", step.command)
            assert "$" not in outside_quotes, f"README.md:{example.line}: {step.command}"


def test_an_ellipsis_stands_for_any_text_across_lines() -> None:
    assert _matches('"lines": [ ... ]', '"lines": [\n  {"a": 1}\n]')
    assert _matches("first\n...\nlast", "first\nsecond\nthird\nlast")
    assert not _matches("first\nlast", "first\nsecond\nlast")
