"""The form as a legacy Excel 97–2003 workbook (xlwt; the ``demo`` extra)."""

from __future__ import annotations

import io

import xlwt

from analysis import form
from analysis.demo.returns import Return, blocks, cell_value


def xls_form(ret: Return) -> bytes:
    """The form as a legacy Excel 97–2003 (BIFF) workbook with a header row, as WPS saves it."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Sheet1")
    wrap = xlwt.easyxf("align: wrap on, vert centre")
    ws.write_merge(0, 0, 0, 2, form.FORM_TITLE.format(year=ret.year))
    ws.write_merge(1, 1, 0, 2, form.STAMP_LABEL + ret.stamp)
    for col, head in enumerate(("类别", "指标", "数量")):
        ws.write(2, col, head)
    row = 3
    for category, keys in blocks():
        if category:
            ws.write_merge(row, row + len(keys) - 1, 0, 0, ret.categories[category], wrap)
        for key in keys:
            if category:
                ws.write(row, 1, ret.labels[key], wrap)
            else:
                ws.write_merge(row, row, 0, 1, ret.labels[key], wrap)
            ws.write(row, 2, cell_value(ret.cells[key]))
            row += 1
    if ret.note:
        ws.write(row + 1, 0, ret.note)
    ws.col(0).width = 18 * 256
    ws.col(1).width = 30 * 256
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()

