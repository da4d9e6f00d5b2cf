"""The X12 envelope: splitting a file into segments with the separators its ISA header sets, and
checking the ISA/GS/ST ... SE/GE/IEA envelope around each 835 transaction set.

The ISA header has fixed widths (106 characters): its 4th character is the element separator, its
105th the sub-element separator and its 106th the segment terminator. Segments are numbered from
1 (the ISA) in the order they appear in the file; every error names that number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sca_rates.exceptions import InvalidRemittance

ISA_LENGTH = 106
ISA_ELEMENTS = 16
SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")
VERSION_5010_835 = "005010X221"  # GS08 005010X221A1, the 835 guide HIPAA names since 2012
GET_THE_ORIGINAL = (
    "download the 835 (ERA) file again from the clearinghouse or payer portal; a file opened "
    "and saved in an editor or spreadsheet often loses its separators or its end"
)


@dataclass(frozen=True)
class Segment:
    number: int  # 1 is the ISA
    id: str
    elements: tuple[str, ...]  # elements[0] is XX01
    sub_separator: str

    def get(self, position: int) -> str:
        """Element XXnn (1-based), or "" when the segment stops before it."""
        return self.elements[position - 1] if position <= len(self.elements) else ""

    def components(self, position: int) -> tuple[str, ...]:
        return tuple(self.get(position).split(self.sub_separator))

    def __str__(self) -> str:
        return f"{self.number} ({self.id})"


class Source:
    """The file's name, for errors."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(
        self, what: str, segment: Segment | int | None = None, fix: str = ""
    ) -> InvalidRemittance:
        number = segment.number if isinstance(segment, Segment) else segment
        if isinstance(segment, Segment):
            what = f"{segment.id} {what}"
        return InvalidRemittance(self.name, what, segment=number, fix=fix)


def split_segments(text: str, source: Source) -> list[Segment]:
    """Every segment of the file, split with the separators its ISA header sets."""
    text = text.lstrip("\ufeff \t\r\n")
    if not text.startswith("ISA"):
        raise source.fail(
            "the file does not start with an ISA header, so it is not an X12 file",
            1,
            "export the 835 (ERA) file itself, not a PDF or spreadsheet made from it",
        )
    if len(text) < ISA_LENGTH:
        raise source.fail(
            f"the file ends inside the ISA header ({len(text)} of {ISA_LENGTH} characters): "
            "it is truncated",
            1,
            GET_THE_ORIGINAL,
        )
    element, sub, terminator = text[3], text[104], text[105]
    if len(text[:104].split(element)) != ISA_ELEMENTS + 1 or _clash(element, sub, terminator):
        raise source.fail(
            f"the ISA header is not {ISA_ELEMENTS} elements in {ISA_LENGTH} characters, so the "
            "separators it sets cannot be read",
            1,
            GET_THE_ORIGINAL,
        )
    pieces = text.split(terminator)
    if pieces[-1].strip():
        raise source.fail(
            f"the file ends inside segment {len(pieces)} ({pieces[-1].strip()[:20]!r}), with no "
            f"{terminator!r} after it: it is truncated",
            len(pieces),
            GET_THE_ORIGINAL,
        )
    return [_segment(n, piece, element, sub, source) for n, piece in enumerate(pieces[:-1], 1)]


def _clash(element: str, sub: str, terminator: str) -> bool:
    separators = (element, sub, terminator)
    return len(set(separators)) < len(separators) or any(s.isalnum() for s in separators)


def _segment(number: int, piece: str, element: str, sub: str, source: Source) -> Segment:
    piece = piece.strip("\r\n")
    name, *elements = piece.split(element)
    if not SEGMENT_ID.fullmatch(name):
        shown = piece[:24] or "nothing"
        raise source.fail(
            f"starts with {shown!r}, not a segment name followed by {element!r}, the element "
            "separator the ISA header sets",
            number,
            GET_THE_ORIGINAL,
        )
    return Segment(number, name, tuple(elements), sub)


def transaction_sets(segments: Sequence[Segment], source: Source) -> list[list[Segment]]:
    """The 835 transaction sets (each ST ... SE), after checking the envelope around them."""
    isa = segments[0]
    at, groups, found = 1, 0, []
    while at < len(segments) and segments[at].id == "GS":
        at, sets = _group(segments, at, source)
        found += sets
        groups += 1
    trailer = _expect(segments, at, "IEA", source)
    _check_count(trailer, groups, "functional groups", source)
    _check_control(trailer, isa.get(13), "ISA13", source)
    if at + 1 < len(segments):
        raise source.fail("follows the IEA trailer, which ends the file", segments[at + 1])
    if not found:
        raise source.fail("holds no 835 transaction set (no GS ... ST*835)", trailer)
    return found


def _group(segments: Sequence[Segment], at: int, source: Source) -> tuple[int, list[list[Segment]]]:
    gs = segments[at]
    if gs.get(1) != "HP" or not gs.get(8).startswith(VERSION_5010_835):
        raise source.fail(
            f"is {gs.get(1)!r} version {gs.get(8)!r}; sca-rates reads health care claim payments "
            f"(HP) in the 5010 835 ({VERSION_5010_835}A1)",
            gs,
            "ask the clearinghouse for the 5010 835 (ERA) file",
        )
    at += 1
    sets = []
    while at < len(segments) and segments[at].id == "ST":
        end = _transaction_end(segments, at, source)
        sets.append(list(segments[at : end + 1]))
        at = end + 1
    trailer = _expect(segments, at, "GE", source)
    _check_count(trailer, len(sets), "transaction sets", source)
    _check_control(trailer, gs.get(6), "GS06", source)
    return at + 1, sets


def _transaction_end(segments: Sequence[Segment], at: int, source: Source) -> int:
    st = segments[at]
    if st.get(1) != "835":
        raise source.fail(f"is transaction set {st.get(1)!r}, not an 835 remittance", st)
    end = at + 1
    while end < len(segments) and segments[end].id not in {"SE", "ST", "GE", "IEA"}:
        end += 1
    se = _expect(segments, end, "SE", source)
    _check_count(se, end - at + 1, "segments", source)
    _check_control(se, st.get(2), "ST02", source)
    return end


def _expect(segments: Sequence[Segment], at: int, name: str, source: Source) -> Segment:
    if at >= len(segments):
        last = segments[-1]
        raise source.fail(
            f"the file ends after segment {last} without the {name} trailer: it is truncated",
            last.number,
            GET_THE_ORIGINAL,
        )
    if segments[at].id != name:
        raise source.fail(f"is where the {name} trailer should be", segments[at])
    return segments[at]


def _check_count(trailer: Segment, counted: int, what: str, source: Source) -> None:
    if trailer.get(1) != str(counted):
        raise source.fail(
            f"counts {trailer.get(1)!r} {what} but the file has {counted}: a part is missing or "
            "was added",
            trailer,
            GET_THE_ORIGINAL,
        )


def _check_control(trailer: Segment, expected: str, header: str, source: Source) -> None:
    if trailer.get(2) != expected:
        raise source.fail(
            f"control number {trailer.get(2)!r} differs from {header} {expected!r}: the header "
            "and trailer are from different files",
            trailer,
            GET_THE_ORIGINAL,
        )
