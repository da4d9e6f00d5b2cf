"""Where the importers and the summary write, checked before anything is written: one output
per input, each a different file; a file that exists is replaced only when asked (``--force``);
the project's bundled market data is never written over. An output is a path or a file at an
fsspec URL (``shared.SharedFile``), checked alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from sca_rates.exceptions import InvalidScenario
from sca_rates.ingest.shared import SharedFile, Target

# The suffixes an output's name leaves out, longest first: uhc.2024.01.json.gz -> uhc.2024.01
INPUT_SUFFIXES = (".json.gz", ".json", ".csv")
SHOWN = 5  # outputs named in one message; the rest are counted


class Named(Protocol):
    """An input: a path, or a file at a web address (its ``name``, the address's last part)."""

    @property
    def name(self) -> str: ...


def output_name(source: Named) -> str:
    """``uhc.2024.01.json.gz`` -> ``uhc.2024.01.parquet``: the whole name, so that files of
    several months or plans stay apart."""
    name = source.name
    for suffix in INPUT_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] + ".parquet"
    return name + ".parquet"


def targets(sources: Sequence[Named], output: Target) -> list[Target]:
    """One Parquet file per input: ``output`` itself for a single input named .parquet, else
    ``output/<input name>.parquet``. Inputs that would share an output are refused."""
    if output.suffix == ".parquet" and not output.is_dir():
        if len(sources) == 1:
            return [output]
        raise InvalidScenario(
            f"-o {output} names one Parquet file, but {len(sources)} files are given. Fix: "
            "give a folder for their outputs, e.g. -o imports/"
        )
    if output.exists() and not output.is_dir():
        raise InvalidScenario(
            f"-o {output} is a file, not a folder. Fix: give a folder for the outputs, or a "
            "name ending in .parquet for a single input"
        )
    paths = [output / output_name(source) for source in sources]
    _refuse_shared(sources, paths)
    return paths


def _refuse_shared(sources: Sequence[Named], paths: list[Target]) -> None:
    given: dict[Target, list[Named]] = defaultdict(list)
    for source, path in zip(sources, paths, strict=True):
        given[path].append(source)
    shared = {path: inputs for path, inputs in given.items() if len(inputs) > 1}
    if shared:
        path, inputs = next(iter(shared.items()))
        raise InvalidScenario(
            f"{' and '.join(map(str, inputs))} would both be written to {path}, one over the "
            "other; nothing was written. Fix: give each file once, and import files of the same "
            "name into different folders (-o) or rename one"
        )


def refuse_existing(paths: Sequence[Target], *, force: bool, option: str = "-o") -> None:
    """Refuses outputs that are folders, and, unless ``force``, outputs that exist; ``option``
    is the one that names the output."""
    for path in paths:
        if path.is_dir():
            raise InvalidScenario(
                f"{path} is a folder. Fix: give the name of the file to write with {option}"
            )
    existing = [path for path in paths if path.exists()]
    if existing and not force:
        named = ", ".join(map(str, existing[:SHOWN]))
        more = f" and {len(existing) - SHOWN} more" if len(existing) > SHOWN else ""
        raise InvalidScenario(
            f"{named}{more} already exist{'s' if len(existing) == 1 else ''}; nothing was "
            f"written. Fix: pass --force to replace, or choose another name with {option}"
        )


def refuse_bundled(path: Path, bundled: Path) -> None:
    """Refuses a base file of the project's market data folder (``bundled``): ``rates.csv``,
    ``alternatives.csv`` ... are the project's own figures, replaced only by an update of the
    project. The files laid over them (``rates.opps.csv``, ``rates.local.csv``) may be written."""
    if path.is_dir() or path.name.count(".") != 1:  # a folder is refused as one, not as this
        return
    if not _inside(path, bundled):
        return
    local = path.with_name(f"{path.name.split('.')[0]}.local.csv")
    raise InvalidScenario(
        f"{path} is in the project's bundled market data ({bundled}), which is never written "
        f"over. Fix: write {local} instead; the market reads it over the bundled files"
    )


def refuse_bundled_folder(output: Target, bundled: Path, *, option: str = "-o") -> None:
    """Refuses an output anywhere in the project's market data folder (``bundled``), for an
    importer whose files are not market data (NPPES's providers, in Parquet): that folder holds
    the market's CSV files and nothing else, so no name in it is safe, overlays included. A URL
    is in it only when it names this computer's disk (``file://``)."""
    path = _on_this_disk(output)
    if path is None or not _inside(path, bundled):
        return
    raise InvalidScenario(
        f"{output} is in the project's bundled market data ({bundled}), which an import never "
        f"writes into. Fix: give {option} a path outside it, e.g. {option} imports/{output.name}"
    )


def _on_this_disk(output: Target) -> Path | None:
    """The path of ``output`` on this computer's disk; None for a store's URL (``s3://``)."""
    if not isinstance(output, SharedFile):
        return output
    from fsspec.core import url_to_fs
    from fsspec.implementations.local import LocalFileSystem

    fs, path = url_to_fs(output.url)  # output_of has checked that fsspec knows the URL
    return Path(path) if isinstance(fs, LocalFileSystem) else None


def _inside(path: Path, bundled: Path) -> bool:
    return path.resolve().is_relative_to(bundled.resolve())
