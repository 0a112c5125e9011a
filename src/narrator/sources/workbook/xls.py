"""An old binary Excel workbook (.xls, BIFF, Excel 97–2003) presented as openpyxl presents an .xlsx.

Read with xlrd 2.x with ``formatting_info`` so that every cell keeps its number format: the reader
takes the decimals shown (``0.00``) and percentages (``0.00%``) from the format, as it does for
.xlsx. (python-calamine reads .xls faster but gives no number formats.) Only what
``sheets._Sheet`` and ``read._read`` use is offered: ``wb.worksheets``, ``ws.title``,
``ws.iter_rows()`` of cells with ``row``/``column``/``value``/``number_format`` (1-based), and
``ws.merged_cells.ranges`` with ``min_row``/``min_col``/``max_row``/``max_col``.

An .xls keeps the value of each formula with it, so there is never a formula without a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from narrator.core.errors import InputError
from narrator.core.messages import msg


@dataclass(frozen=True)
class XlsCell:
    row: int
    column: int
    value: Any
    number_format: str = "General"


@dataclass(frozen=True)
class XlsRange:
    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass
class _Merged:
    ranges: list[XlsRange] = field(default_factory=list)


@dataclass
class XlsSheet:
    title: str
    rows: list[list[XlsCell]]
    merged_cells: _Merged

    def iter_rows(self) -> Iterator[list[XlsCell]]:
        return iter(self.rows)


@dataclass
class XlsBook:
    worksheets: list[XlsSheet]


def _value(book, xlrd, cell) -> Any:
    t = cell.ctype
    if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if t == xlrd.XL_CELL_TEXT:
        return cell.value
    if t == xlrd.XL_CELL_NUMBER:
        v = float(cell.value)
        if v.is_integer() and abs(v) < 2 ** 53:   # as openpyxl gives a whole number: an int
            return int(v)
        return v
    if t == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return float(cell.value)
    if t == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if t == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#N/A")
    return cell.value


def _format(book, xf_index: int) -> str:
    try:
        xf = book.xf_list[xf_index]
        fmt = book.format_map[xf.format_key].format_str
    except (IndexError, KeyError, AttributeError):
        return "General"
    return fmt or "General"


def load_xls(data: bytes, name: str) -> XlsBook:
    """The worksheets of an .xls file's bytes; an InputError when it is not a readable .xls."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False,
                                  logfile=_Quiet())
    except xlrd.XLRDError as e:
        text = str(e)
        if "encrypt" in text.lower():
            raise InputError(msg("workbook.encrypted"), name) from None
        raise InputError(msg("workbook.not_xls", detail=text.splitlines()[0]), name) from None
    except Exception as e:  # xlrd raises many kinds on a damaged file
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(msg("workbook.not_xls", detail=detail), name) from None
    sheets: list[XlsSheet] = []
    for sh in book.sheets():
        rows: list[list[XlsCell]] = []
        for r in range(sh.nrows):
            row: list[XlsCell] = []
            for c, cell in enumerate(sh.row(r)):
                v = _value(book, xlrd, cell)
                if v is None:
                    continue
                row.append(XlsCell(r + 1, c + 1, v, _format(book, cell.xf_index)))
            if row:
                rows.append(row)
        merged = _Merged([XlsRange(rlo + 1, clo + 1, rhi, chi)          # xlrd: half-open, 0-based
                          for rlo, rhi, clo, chi in sh.merged_cells if rhi > rlo and chi > clo])
        sheets.append(XlsSheet(sh.name, rows, merged))
    book.release_resources()
    return XlsBook(sheets)


class _Quiet:
    """xlrd writes warnings about odd records to a log file: keep them off stderr."""

    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass
