"""A tab-separated line's cells as first written (sources/disclosure/layouts.tab_cells at
a7c177b: each cell through the dataclass __init__)."""

from __future__ import annotations

from narrator.sources.disclosure.layouts import Cell


def tab_cells(line) -> list[Cell]:
    out, pos = [], line.offset
    for i, seg in enumerate(line.raw.split("\t")):
        if not seg:
            out.append(Cell("", i, i + 1, pos))
            pos += 1
            continue
        s = seg.replace("\x0c", " ") if "\x0c" in seg else seg
        body = s.lstrip()
        out.append(Cell(body.rstrip(), i, i + 1, pos + len(s) - len(body)))
        pos += len(seg) + 1
    return out
