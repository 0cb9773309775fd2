"""Legacy Excel 97–2003 workbooks (xlwt; the ``demo`` extra): any :class:`~.grid.Sheet` list, and the form with a
header row as WPS saves it."""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlwt

from analysis.demo.returns import Return
from analysis.demo.writers.grid import Sheet, covered
from analysis.demo.writers.vertical import vertical_sheet


def xls_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as a BIFF8 .xls, cells written row by row (xlwt numbers strings in that order)."""
    book = xlwt.Workbook(encoding="utf-8")
    wrap = xlwt.easyxf("align: wrap on, vert centre")
    for sheet in sheets:
        ws = book.add_sheet(sheet.name)
        spans = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in sheet.merges}
        inside = covered(sheet.merges)
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                style = (wrap,) if (r, c) in sheet.wrapped else ()
                if (r, c) in spans:
                    ws.write_merge(r, spans[(r, c)][0], c, spans[(r, c)][1], value, *style)
                elif value is not None and (r, c) not in inside:
                    ws.write(r, c, value, *style)
        for column, width in sheet.widths.items():
            ws.col(column).width = int(width * 256)
        if sheet.hidden:
            ws.visibility = 1
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xls_form(ret: Return) -> bytes:
    """The form as a legacy Excel workbook with a 类别/指标/数量 header row."""
    return xls_bytes([vertical_sheet(ret, header=True, wrap=True)])
