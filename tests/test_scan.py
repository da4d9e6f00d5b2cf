"""The byte scanner that finds a payer file's items, and the importer's fast path built on it:
every chunking of every file gives the items a full parser gives, and the fast and the full
path give identical rows."""

import gzip
import io
import json
import multiprocessing
import multiprocessing.spawn
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sca_rates.exceptions import UnreadableFile
from sca_rates.ingest import tic
from sca_rates.ingest._walk import walk
from sca_rates.ingest.inflate import json_size
from sca_rates.ingest.rows import BEHAVIORAL_HEALTH_CODES
from sca_rates.ingest.scan import NotSure, array_items
from sca_rates.ingest.tic import TicReport, read_tic
from tests.conftest import FIXTURES

HERE = FIXTURES / "transparency"
TIC_FILES = sorted(HERE.glob("tic-*.json")) + sorted(HERE.glob("*in-network*.json.gz"))

# Every trap for a byte scanner in one document: brackets, quotes, backslashes and the key's
# own name inside strings; a backslash pair before a closing quote; a top-level array and an
# object before the wanted one and an array after; nested billing codes; a numeric code.
TRICKY = (
    '{"note": "a [tricky] {file} with \\"in_network\\": [ and \\\\", '
    '"other": [{"in_network": [1]}, [2]], "meta": {"in_network": []},\n'
    '"in_network" : [\n'
    '{"billing_code": "S0201", "description": "PHP \\"day\\" [per diem] \\\\",'
    ' "negotiated_rates": []},'
    '{"billing_code": "99213", "bundled_codes": [{"billing_code": "S9480"}]},'
    '{"billing_code": 90837, "description": "}]}\\u005d"},'
    '{"description": "no code"}, {"billing_code": "H0015"}\n],'
    '"provider_references": [{"provider_group_id": 1}]}'
)


def items_of(document: bytes, chunk_size: int, *, read_ahead: bool = False) -> list[Any]:
    handle = io.BytesIO(document)
    found = array_items(handle, b"in_network", chunk_size=chunk_size, read_ahead=read_ahead)
    return [json.loads(raw) for batch in found for _, raw in batch.items]


@pytest.mark.parametrize("read_ahead", [False, True], ids=["one thread", "read ahead"])
@pytest.mark.parametrize("chunk_size", [*range(1, 40), 97, 1 << 20])
def test_every_chunking_of_a_tricky_file_finds_its_items(chunk_size: int, read_ahead: bool) -> None:
    expected = json.loads(TRICKY)["in_network"]
    assert items_of(TRICKY.encode(), chunk_size, read_ahead=read_ahead) == expected


def kept(document: bytes, wanted: set[str], chunk_size: int) -> tuple[list[int], int]:
    """The positions of the items kept, and the number of items."""
    codes = frozenset(code.encode() for code in wanted)
    batches = list(
        array_items(io.BytesIO(document), b"in_network", b"billing_code", codes, chunk_size)
    )
    return [index for batch in batches for index, _ in batch.items], batches[-1].counted


@pytest.mark.parametrize("chunk_size", [*range(1, 40), 1 << 20])
def test_items_are_kept_by_their_code_in_every_chunking(chunk_size: int) -> None:
    # kept: 0 (S0201, but a backslash in the item leaves its code uncertain), 2 (a number,
    # uncertain), 4 (H0015); not kept: 1 (99213: the nested S9480 is not its own code) and 3
    # (no code at all)
    assert kept(TRICKY.encode(), {"S0201", "H0015"}, chunk_size) == ([0, 2, 4], 5)


codes = st.sampled_from(["S0201", "H0015", "90837", "", "S02", "S02011", "é"])


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "billing_code": codes | st.integers() | st.none(),
                "description": st.text(alphabet='a"\\', max_size=3),
                "bundled": st.just([{"billing_code": "S0201"}]),
            },
        ),
        max_size=8,
    ),
    wanted=st.sets(codes, max_size=3),
    chunk_size=st.integers(1, 48),
)
def test_the_items_kept_are_those_a_parser_would_keep_or_could(
    items: list[dict[str, Any]], wanted: set[str], chunk_size: int
) -> None:
    document = json.dumps({"in_network": items}).encode()

    def keep(item: dict[str, Any]) -> bool:
        if "\\" in json.dumps(item):  # an escape could spell the code's name or its value
            return True
        if "billing_code" not in item:
            return False
        code = item["billing_code"]
        return not isinstance(code, str) or code in wanted  # a number or null is uncertain

    expected = [index for index, item in enumerate(items) if keep(item)]
    assert kept(document, wanted, chunk_size) == (expected, len(items))


def test_reading_ahead_stops_with_the_scan() -> None:
    # the reader stops when its user does, here after the first of many chunks (the queue of
    # read chunks is full), not at the end of the file
    document = b'{"in_network": [{"a": 1}], "rest": "' + b"x" * 100_000 + b'"}'
    found = array_items(io.BytesIO(document), b"in_network", chunk_size=64, read_ahead=True)
    assert [json.loads(raw) for _, raw in next(found).items] == [{"a": 1}]
    found.close()
    assert not [t for t in threading.enumerate() if t.name == "sca-rates-read-ahead"]


@pytest.mark.parametrize("read_ahead", [False, True], ids=["one thread", "read ahead"])
def test_a_read_error_reaches_the_scan(tmp_path: Path, read_ahead: bool) -> None:
    path = tmp_path / "cut.json.gz"
    document = b'{"in_network": [' + b'{"a": 1}, ' * 5000 + b'{"a": 1}]}'
    path.write_bytes(gzip.compress(document)[:-30])
    with gzip.open(path, "rb") as handle, pytest.raises(EOFError):
        list(array_items(handle, b"in_network", chunk_size=16, read_ahead=read_ahead))


def test_the_walk_refuses_a_state_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="state must be a writable int64 buffer of 16"):
        walk(b"{}", 0, np.zeros(3, np.int64), np.zeros(10, np.int64), b"a", b"b")


@pytest.mark.parametrize("path", TIC_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("chunk_size", [4096, 65_537, 8 << 20])
def test_the_real_files_give_the_items_a_parser_gives(path: Path, chunk_size: int) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        document = handle.read()
    assert items_of(document, chunk_size) == json.loads(document)["in_network"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\[]{}:, \n\u00e9'),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(alphabet='ab"\\[]{}', max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(st.dictionaries(st.text(max_size=4), json_values, max_size=4), max_size=6),
    before=st.dictionaries(st.text(alphabet='ab"\\[', max_size=4), json_values, max_size=3),
    chunk_size=st.integers(1, 64),
)
def test_any_file_in_any_chunking(
    items: list[dict[str, Any]], before: dict[str, Any], chunk_size: int
) -> None:
    document = json.dumps(before | {"in_network": items}).encode()
    assert items_of(document, chunk_size) == items


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b'{"in_network": [{"a": 1}', "ends before"),
        (b'{"provider_references": []}', "ends before"),
        (b'[{"in_network": []}]', "not one JSON object"),
        (b'{"in_network": []} {}', "not one JSON object"),
        (b'{"in_network": []}}', "not one JSON object"),
        (b'{"in_network": [], "in_network": []}', "given twice"),
        (b'{"in_network": [{"a": 1}, "b"]}', "among the array's items"),
        (b'{"in_network": [{"a": [1}]]}', "does not close with its brace"),
        (b'{"in_network": {"item": {}}}', "something other than an array"),
        (b'{"in_network.item": {}, "in_network": []}', "a path into it"),
        (b'{"in_n\\u0065twork": [], "in_network": []}', "a path into it"),
        (b'{"in_network": [], "x": tru}', "after the array"),
        (b'{"in_network": [], "x": 1', "ends before|after the array"),
    ],
    ids=[
        "unclosed",
        "absent",
        "not an object",
        "two documents",
        "extra bracket",
        "two arrays",
        "a string item",
        "mismatched brackets",
        "the name given an object",
        "a dotted key",
        "an escaped name",
        "a bad token after the array",
        "unfinished after the array",
    ],
)
def test_a_file_the_scan_cannot_vouch_for_is_not_sure(document: bytes, reason: str) -> None:
    with pytest.raises(NotSure, match=reason):
        items_of(document, 7)


def full_parse_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> Iterator[bytes]:
        raise NotSure("forced")

    monkeypatch.setattr(tic, "array_items", refuse)


def rows_and_report(path: Path) -> tuple[list[dict[str, Any]], TicReport]:
    report = TicReport()
    codes = BEHAVIORAL_HEALTH_CODES | {"99213"}
    return list(read_tic(path, codes=codes, report=report)), report


@pytest.mark.parametrize("path", TIC_FILES, ids=lambda p: p.name)
def test_the_fast_and_the_full_path_give_identical_rows(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = rows_and_report(path)
    full_parse_only(monkeypatch)
    assert rows_and_report(path) == fast


def test_items_the_bytes_cannot_decide_are_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tricky.json"
    path.write_text(TRICKY)
    fast = rows_and_report(path)
    # 5 items; wanted (behavioral health and 99213): S0201, 99213 (its nested S9480 not its
    # own), the numeric 90837 read as "90837", H0015; the one with no code is not. No item has
    # rates, so no rows.
    assert (fast[1].items, fast[1].wanted_items, fast[0]) == (5, 4, [])
    full_parse_only(monkeypatch)
    assert rows_and_report(path) == fast


def test_an_item_only_a_full_parser_rejects_falls_back_and_names_the_byte(
    tmp_path: Path,
) -> None:
    path = tmp_path / "nan.json"
    path.write_text('{"in_network": [{"billing_code": "X"}, {"billing_code": "S0201", "r": NaN}]}')
    with pytest.raises(UnreadableFile, match=r"nan.json cannot be read near byte"):
        list(read_tic(path, codes=BEHAVIORAL_HEALTH_CODES))


HEAD = (
    '{"reporting_entity_name": "P", "last_updated_on": "2026-01-01", "version": "1.0.0", '
    '"provider_references": [], '
)
ITEM = '{"billing_code": "S0201", "negotiated_rates": [{"provider_groups": [{"npi": [1]}], '
PRICE = '"negotiated_prices": [{"negotiated_type": "negotiated", "negotiated_rate": 400}]}]}'
WANTED = ITEM + PRICE
BAD_NPI = WANTED.replace("[1]", '["x"]')
WITH = WANTED[:-1] + ", "  # the wanted item, open for one more key
OTHER = WANTED.replace("S0201", "99999")  # an item nobody wants
TEXT_RATE = WANTED.replace("400", '"400.00"')
DAY_FIRST = WANTED.replace("400}", '400, "expiration_date": "13/01/2024"}')


def doc(items: str, after: str = "}") -> str:
    return HEAD + '"in_network": [' + items + "]" + after


# Files the fast path must read as the full parser does: (name, document, rows, items) with
# None where the file is refused, as it must be by both. Not among them, by design: a bad token
# (``tru``) inside an item the fast path skips unparsed; it checks the structure around it.
AGREE = [
    ("two arrays", doc(WANTED, ', "in_network": [' + WANTED + "]}"), 2, 2),
    (
        "escaped quote in a key",
        HEAD + '"a\\"in_network": [' + WANTED + '], "in_network": []}',
        0,
        0,
    ),
    ("no closing brace", doc(WANTED, ""), None, None),
    ("a number among items", doc("1, " + WANTED), None, None),
    ("an array among items", doc("[1], " + WANTED), None, None),
    ("a missing comma", doc(WANTED + " " + WANTED), None, None),
    ("a trailing comma", doc(WANTED + ","), None, None),
    ("a huge integer", doc(WITH + '"n": 123456789012345678901234}'), None, None),
    ("a lone surrogate", doc(WITH + '"d": "a\\ud800b"}'), 1, 1),
    ("a bad NPI", doc(BAD_NPI), None, None),
    # a parser finds items at the path in_network.item, whatever spells it
    (
        "a dotted key",
        HEAD + '"in_network.item": ' + WANTED + ', "in_network": [' + OTHER + "]}",
        1,
        2,
    ),
    (
        "an escaped name",
        HEAD + '"in_n\\u0065twork": [' + WANTED + '], "in_network": [' + OTHER + "]}",
        1,
        2,
    ),
    ("the name given an object", doc(OTHER, ', "in_network": {"item": ' + WANTED + "}}"), 1, 2),
    (
        "the name given a list",
        doc(OTHER, ', "in_network": {"item": [' + WANTED + "]}}"),
        None,
        None,
    ),
    # what follows the array is checked too
    ("a bad token after the array", doc(WANTED, ', "x": tru}'), None, None),
    ("brackets astray after the array", doc(WANTED, ' "x": [}}'), None, None),
    # the values of a wanted item are checked too
    ("a rate written as text", doc(TEXT_RATE), 1, 1),
    ("a rate that is not a number", doc(WANTED.replace("400", '"$400"')), None, None),
    ("a negative rate", doc(WANTED.replace("400", "-400")), None, None),
    ("an expiry not in ISO form", doc(DAY_FIRST), None, None),
    ("no in_network array", HEAD.removesuffix(", ") + "}", None, None),
]


def outcome(path: Path) -> tuple[object, ...]:
    try:
        rows, report = rows_and_report(path)
    except Exception as exc:  # the same refusal, whichever the path
        return type(exc).__name__, str(exc)
    return len(rows), report.items, rows


@pytest.mark.parametrize(("name", "document", "rows", "items"), AGREE, ids=[a[0] for a in AGREE])
def test_the_fast_path_agrees_with_the_full_parser(
    name: str,
    document: str,
    rows: int | None,
    items: int | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "file.json"
    path.write_text(document)
    fast = outcome(path)
    full_parse_only(monkeypatch)
    assert outcome(path) == fast
    if rows is None:
        assert fast[0] == "UnreadableFile"  # a message naming the file and the fix
    else:
        assert fast[:2] == (rows, items)


def test_a_bad_value_is_named_by_its_entry_on_either_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "file.json"
    path.write_text(doc(", ".join([OTHER, TEXT_RATE, DAY_FIRST])))
    fast = outcome(path)
    full_parse_only(monkeypatch)
    assert outcome(path) == fast
    # the third entry: an unwanted one, then a wanted one whose rate "400.00" is read
    assert "in_network entry 3 (billing code S0201), negotiated_rates[0]." in str(fast[1])
    assert "negotiated_prices[0].expiration_date: '13/01/2024' is not" in str(fast[1])


def test_an_early_stop_counts_the_items_as_a_full_reading_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "file.json"
    path.write_text(doc(", ".join([OTHER, WANTED, WANTED])))

    def items_read_by_the_first_row() -> int:
        report = TicReport()
        rows = read_tic(path, codes=BEHAVIORAL_HEALTH_CODES, report=report)
        next(rows)
        rows.close()
        return report.items

    fast = items_read_by_the_first_row()
    full_parse_only(monkeypatch)
    assert fast == items_read_by_the_first_row() == 2  # the unwanted item and the first wanted


def test_an_empty_field_name_is_a_name_like_any_other() -> None:
    document = b'{"in_network": [{"": "x"}, {"billing_code": "x"}]}'
    found = array_items(io.BytesIO(document), b"in_network", b"", frozenset({b"x"}))
    assert [index for batch in found for index, _ in batch.items] == [0]


def test_names_are_plain_words() -> None:
    with pytest.raises(ValueError, match="letters, digits and _"):
        next(array_items(io.BytesIO(b"{}"), b"in.network"))


def bytes_told(path: Path) -> int:
    told: list[int] = []
    list(read_tic(path, codes=BEHAVIORAL_HEALTH_CODES, progress=told.append))
    return sum(told)


@pytest.mark.parametrize("full", [False, True], ids=["fast", "full"])
@pytest.mark.parametrize("path", TIC_FILES, ids=lambda p: p.name)
def test_progress_tells_each_byte_of_the_file_once(
    path: Path, full: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the bar's total is the file's size as stored (compressed bytes for a .gz)
    if full:
        full_parse_only(monkeypatch)
    assert bytes_told(path) == path.stat().st_size


def test_progress_after_a_fallback_midway_counts_no_byte_twice(tmp_path: Path) -> None:
    path = tmp_path / "two.json"
    path.write_text(AGREE[0][1])  # two in_network arrays: the fast path gives up at the second
    assert bytes_told(path) == path.stat().st_size


@pytest.fixture
def second_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scan in a second process whatever the file's size (large files only, otherwise)."""
    monkeypatch.setattr(tic, "SECOND_PROCESS_FROM", 0)


@pytest.mark.usefixtures("second_process")
@pytest.mark.parametrize("path", TIC_FILES, ids=lambda p: p.name)
def test_a_second_scanning_process_gives_the_same_rows_and_progress(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    told: list[int] = []
    report = TicReport()
    codes = BEHAVIORAL_HEALTH_CODES | {"99213"}
    rows = list(read_tic(path, codes=codes, report=report, progress=told.append))
    assert sum(told) == path.stat().st_size
    full_parse_only(monkeypatch)
    assert rows_and_report(path) == (rows, report)


@pytest.mark.usefixtures("second_process")
@pytest.mark.parametrize("case", [0, 2, 3], ids=[AGREE[i][0] for i in (0, 2, 3)])
def test_what_the_second_process_cannot_vouch_for_goes_to_the_full_parser(
    case: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, document, rows, items = AGREE[case]
    path = tmp_path / "file.json"
    path.write_text(document)
    fast = outcome(path)
    full_parse_only(monkeypatch)
    assert outcome(path) == fast
    assert fast[0] == "UnreadableFile" if rows is None else fast[:2] == (rows, items)


@pytest.mark.usefixtures("second_process")
def test_stopping_early_stops_the_second_process() -> None:
    rows = read_tic(TIC_FILES[-1], codes=BEHAVIORAL_HEALTH_CODES)
    assert next(rows)["code"] == "90791"  # the real file's first wanted item
    rows.close()
    assert multiprocessing.active_children() == []


def die(*args: object) -> None:
    os._exit(1)


@pytest.mark.usefixtures("second_process")
def test_if_the_second_process_dies_the_full_parser_takes_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = TIC_FILES[-1]
    expected = rows_and_report(path)
    # forked, so that the child runs this module's stand-in, which dies without a word
    monkeypatch.setattr(tic, "_scan_into", die)
    fork = multiprocessing.get_context("fork")
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: fork)
    assert rows_and_report(path) == expected


long_runs = st.text(alphabet='aaaaaaa"\\[]{}', max_size=48) | st.lists(
    st.integers(0, 10**12), max_size=12
)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(
        st.dictionaries(st.sampled_from(["billing_code", "description", "n"]), long_runs),
        max_size=5,
    ),
    chunk_size=st.integers(1, 100) | st.just(1 << 20),
)
def test_long_strings_and_runs_of_numbers_in_any_chunking(
    items: list[dict[str, Any]], chunk_size: int
) -> None:
    # the walk skips text and numbers sixteen bytes at a time: a quote, a backslash or a
    # bracket may fall anywhere in those sixteen, or a chunk end
    document = json.dumps({"in_network": items}).encode()
    assert items_of(document, chunk_size) == items


def test_a_gzip_file_is_sized_by_the_json_it_holds(tmp_path: Path) -> None:
    with gzip.open(TIC_FILES[-1], "rb") as handle:
        json_bytes = len(handle.read())
    assert json_size(TIC_FILES[-1]) == json_bytes > TIC_FILES[-1].stat().st_size
    plain = tmp_path / "file.json"
    plain.write_text(doc(WANTED))
    assert json_size(plain) == plain.stat().st_size


def test_a_gzip_file_of_much_json_is_scanned_by_a_second_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = TIC_FILES[-1]  # the real file: 2.2 MB of gzip, 21 MB of JSON
    started: list[str] = []
    spawn = multiprocessing.get_context("spawn")

    def context(method: str) -> Any:
        started.append(method)
        return spawn

    monkeypatch.setattr(multiprocessing, "get_context", context)
    monkeypatch.setattr(tic, "SECOND_PROCESS_FROM", json_size(path))
    expected = rows_and_report(path)
    assert started == ["spawn"]
    monkeypatch.setattr(tic, "SECOND_PROCESS_FROM", json_size(path) + 1)
    assert rows_and_report(path) == expected
    assert started == ["spawn"]  # the same rows in one process


@pytest.mark.usefixtures("second_process")
def test_a_file_refused_after_the_first_pass_stops_the_second_process() -> None:
    # the second process starts with the first pass, which then finds a table of contents
    with pytest.raises(UnreadableFile, match="table of contents"):
        list(read_tic(HERE / "table-of-contents-sample.json", codes=BEHAVIORAL_HEALTH_CODES))
    assert multiprocessing.active_children() == []


class _Recorded:
    """A process whose start records what spawn would tell its child to run first."""

    def __init__(self) -> None:
        self.told: dict[str, Any] = {}

    def start(self) -> None:
        self.told = multiprocessing.spawn.get_preparation_data("scanner")


def test_the_scanning_process_starts_without_the_main_script(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # spawn would run the parent's main script again in the child: for `sca-rates`, the whole
    # command line (~0.4 s before a byte is scanned). The scanner is told neither the script's
    # path nor its module, and the main module is left as it was
    main = sys.modules["__main__"]
    script = tmp_path / "sca-rates"
    monkeypatch.setattr(main, "__file__", str(script), raising=False)
    monkeypatch.setattr(main, "__spec__", None, raising=False)  # as a console script has it
    process = _Recorded()
    tic._start_alone(process)  # type: ignore[arg-type]
    assert "init_main_from_path" not in process.told
    assert "init_main_from_name" not in process.told
    assert main.__file__ == str(script)
    # without it, spawn would tell the child to run the script
    assert multiprocessing.spawn.get_preparation_data("scanner")["init_main_from_path"] == str(
        script
    )
