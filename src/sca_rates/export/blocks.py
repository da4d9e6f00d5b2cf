"""The small Markdown the templates write, read into blocks that every format renders the same
way: headings, paragraphs, bullet lists, tables, quotes, rules and charts. Nothing else is
needed, so nothing else is read."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CHART = re.compile(r"^!\[(?P<title>[^\]]*)\]\(chart:(?P<key>[a-z_]+)\)$")


@dataclass(frozen=True)
class Block:
    kind: str  # heading, paragraph, bullets, table, quote, rule, chart
    text: str = ""  # heading, paragraph, quote; a chart's title
    level: int = 0  # heading level, 1 to 3
    items: tuple[str, ...] = ()  # bullets
    rows: tuple[tuple[str, ...], ...] = ()  # table: the header first
    key: str = ""  # chart: which of the context's charts


def plain(text: str) -> str:
    """Inline Markdown to plain text: **bold** and `code` lose their marks."""
    return text.replace("**", "").replace("`", "")


def parse(markdown: str) -> list[Block]:
    """Blocks of a template's output, in order."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line:
            i += 1
            continue
        group, i = _group(lines, i)
        blocks.append(_block(group))
    return blocks


def _group(lines: list[str], start: int) -> tuple[list[str], int]:
    """The lines of one block: a run of lines of the same kind."""
    kind = _kind(lines[start])
    end = start + 1
    if kind in ("bullets", "table", "quote", "paragraph"):
        while end < len(lines) and lines[end].strip() and _kind(lines[end]) == kind:
            end += 1
    return lines[start:end], end


def _kind(line: str) -> str:
    stripped = line.strip()
    if stripped.startswith("#"):
        return "heading"
    if stripped.startswith(("- ", "* ")):
        return "bullets"
    if stripped.startswith("|"):
        return "table"
    if stripped.startswith(">"):
        return "quote"
    if stripped == "---":
        return "rule"
    if _CHART.match(stripped):
        return "chart"
    return "paragraph"


def _block(group: list[str]) -> Block:
    first = group[0].strip()
    kind = _kind(first)
    if kind == "heading":
        level = len(first) - len(first.lstrip("#"))
        return Block("heading", text=plain(first.lstrip("#").strip()), level=min(level, 3))
    if kind == "bullets":
        items = tuple(plain(line.strip()[2:].replace("[ ] ", "[  ] ", 1)) for line in group)
        return Block("bullets", items=items)
    if kind == "table":
        rows = [
            tuple(plain(cell.strip()) for cell in line.strip().strip("|").split("|"))
            for line in group
        ]
        body = [row for row in rows if not all(set(cell) <= set("-:") for cell in row)]
        return Block("table", rows=tuple(body))
    if kind == "quote":
        return Block(
            "quote", text=plain(" ".join(line.strip().lstrip(">").strip() for line in group))
        )
    if kind == "rule":
        return Block("rule")
    if kind == "chart":
        found = _CHART.match(first)
        assert found is not None
        return Block("chart", text=found["title"], key=found["key"])
    return Block("paragraph", text=plain(" ".join(line.strip() for line in group)))


def letter(text: str) -> list[Block]:
    """A letter's blocks: each line its own paragraph, as it was written."""
    return [Block("paragraph", text=line.rstrip()) for line in text.splitlines() if line.strip()]


def without_charts(markdown: str) -> str:
    """The Markdown as a reader sees it where charts cannot be drawn (the .md download)."""
    return "\n".join(line for line in markdown.splitlines() if not _CHART.match(line.strip()))


def as_text(blocks: list[Block]) -> str:
    """Plain text: headings underlined, lists dashed, tables aligned."""
    out: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            out += [block.text, ("=" if block.level == 1 else "-") * len(block.text)]
        elif block.kind == "bullets":
            out += [f"- {item}" for item in block.items]
        elif block.kind == "table":
            widths = [
                max(len(row[i]) for row in block.rows if i < len(row))
                for i in range(len(block.rows[0]))
            ]
            out += [
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip()
                for row in block.rows
            ]
        elif block.kind == "quote":
            out.append(f'  "{block.text}"')
        elif block.kind == "rule":
            out.append("-" * 40)
        elif block.kind == "paragraph":
            out.append(block.text)
        else:
            continue  # charts are drawn in PDF and DOCX only
        out.append("")
    return "\n".join(out).rstrip() + "\n"
