"""A payer's table of contents (Transparency in Coverage, CMS schema): for each of its plans,
the in-network rates files that hold the plan's prices and its allowed-amounts file.

A table of contents names its plans in ``reporting_structure``: each entry pairs
``reporting_plans`` (``plan_name``, ``plan_id``, ``plan_id_type`` EIN or HIOS,
``plan_market_type`` group or individual) with the ``in_network_files`` (a ``description`` and
a ``location``, the file's address) they share and an ``allowed_amount_file``. It is read as a
stream, one entry at a time, from a path or a web address: a payer's may list many thousands of
plans. A plan is kept when its name holds ``plan`` (case ignored) and, with ``ein``, when it is
identified by that EIN (digits compared, so 12-3456789 is 123456789).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ijson

from sca_rates.exceptions import UnreadableFile
from sca_rates.ingest.inflate import DECOMPRESS_ERRORS
from sca_rates.ingest.remote import Remote
from sca_rates.ingest.tic import HEADER, build_object, open_binary, source_of, unreadable
from sca_rates.models.base import Frozen

ENTRY = "reporting_structure.item"


# What is read from the file, for each plan kept
class ListedFile(Frozen):
    description: str | None
    location: str  # the file's address, as the payer wrote it


class PlanFiles(Frozen):
    plan_name: str | None
    plan_id: str | None
    plan_id_type: str | None  # "EIN" or "HIOS", as the payer wrote it
    plan_market_type: str | None  # "group" or "individual"
    in_network_files: tuple[ListedFile, ...]
    allowed_amount_file: ListedFile | None


# What is shown: the kept plans, and how many the file lists
class TableOfContents(Frozen):
    source: str  # the path or address read
    reporting_entity_name: str | None
    last_updated_on: str | None
    plans_listed: int
    plans: tuple[PlanFiles, ...]


def read_contents(
    path: str | Path | Remote, *, plan: str | None = None, ein: str | None = None
) -> TableOfContents:
    """The plans of a table of contents (those whose name holds ``plan`` and, with ``ein``,
    whose EIN it is) with their files. Raises ``UnreadableFile`` for a file that is not a
    table of contents or is damaged, ``DownloadFailed`` for an address that cannot be read."""
    source = source_of(path)
    wanted_ein = None if ein is None else re.sub(r"\D", "", ein)
    header: dict[str, Any] = {}
    keys: list[str] = []
    entries, listed, kept = 0, 0, []
    try:
        opened = open_binary(source)
    except OSError as exc:
        raise UnreadableFile(
            f"{source} cannot be opened ({exc.strerror or exc}). Fix: check the path"
        ) from None
    with opened as handle:
        try:
            events = ijson.parse(handle, use_float=True)
            for prefix, event, value in events:
                if prefix == "" and event == "map_key":
                    keys.append(value)
                elif prefix in HEADER and event in ("string", "number"):
                    header[prefix] = value
                elif prefix == ENTRY and event == "start_map":
                    plans = _plans(build_object(events, ENTRY), source, entries)
                    entries, listed = entries + 1, listed + len(plans)
                    kept += [found for found in plans if _chosen(found, plan, wanted_ein)]
        except (ijson.JSONError, EOFError, OSError, *DECOMPRESS_ERRORS) as exc:
            raise unreadable(source, handle, exc) from None
    _check_kind(source, keys)
    return TableOfContents(
        source=str(source),
        reporting_entity_name=_text(header.get("reporting_entity_name")),
        last_updated_on=_text(header.get("last_updated_on")),
        plans_listed=listed,
        plans=tuple(kept),
    )


def _check_kind(source: Path | Remote, keys: list[str]) -> None:
    if "reporting_structure" in keys:
        return
    if "in_network" in keys:
        raise UnreadableFile(
            f"{source} is an in-network rates file, not a table of contents. Fix: import it "
            "with `sca-rates market import-tic`"
        )
    fields = ", ".join(keys[:10]) or "none: it is not a JSON object"
    raise UnreadableFile(
        f"{source} has no reporting_structure, so it is not a Transparency in Coverage table "
        f"of contents (its top-level fields: {fields}). Fix: give the payer's table-of-contents "
        "file, linked from its price-transparency page"
    )


def _plans(entry: dict[str, Any], source: Path | Remote, index: int) -> list[PlanFiles]:
    """The plans of one reporting_structure entry, each with the entry's files."""
    where = f"reporting_structure[{index}]"
    files = tuple(
        _file(item, source, f"{where}.in_network_files[{n}]")
        for n, item in enumerate(_array(entry, "in_network_files", source, where))
    )
    allowed = entry.get("allowed_amount_file")
    allowed_file = (
        None if allowed is None else _file(allowed, source, f"{where}.allowed_amount_file")
    )
    plans = []
    for n, item in enumerate(_array(entry, "reporting_plans", source, where)):
        if not isinstance(item, dict):
            raise _bad(source, f"{where}.reporting_plans[{n}]", "is not an object")
        plans.append(
            PlanFiles(
                plan_name=_text(item.get("plan_name")),
                plan_id=_text(item.get("plan_id")),
                plan_id_type=_text(item.get("plan_id_type")),
                plan_market_type=_text(item.get("plan_market_type")),
                in_network_files=files,
                allowed_amount_file=allowed_file,
            )
        )
    return plans


def _array(entry: Any, key: str, source: Path | Remote, where: str) -> list[Any]:
    if not isinstance(entry, dict):
        raise _bad(source, where, "is not an object")
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise _bad(source, f"{where}.{key}", "is not a list")
    return value


def _file(item: Any, source: Path | Remote, where: str) -> ListedFile:
    location = item.get("location") if isinstance(item, dict) else None
    if not isinstance(location, str) or not location.strip():
        raise _bad(source, where, "has no location (the file's address)")
    return ListedFile(description=_text(item.get("description")), location=location.strip())


def _bad(source: Path | Remote, where: str, what: str) -> UnreadableFile:
    return UnreadableFile(
        f"{source}: {where} {what}, as the CMS table-of-contents schema has it. Fix: the "
        "payer's file is wrong there; ask the payer for a corrected file"
    )


def _chosen(plan: PlanFiles, name: str | None, ein: str | None) -> bool:
    if name is not None and name.strip().lower() not in (plan.plan_name or "").lower():
        return False
    if ein is None:
        return True
    is_ein = (plan.plan_id_type or "").strip().upper() == "EIN"
    return is_ein and re.sub(r"\D", "", plan.plan_id or "") == ein


def _text(value: object) -> str | None:
    """A scalar as text (an ID may be written as a number); None for nothing or a container."""
    if value is None or isinstance(value, dict | list) or value == "":
        return None
    return str(value)
