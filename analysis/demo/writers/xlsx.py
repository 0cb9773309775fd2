"""The form as an Excel workbook (openpyxl), in the layouts units use: plain, with an instruction sheet first,
with last year's form on a hidden sheet, or with the values one column further right."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from openpyxl.writer.excel import ExcelWriter

from analysis import form
from analysis.demo.returns import Return, blocks, cell_value
from analysis.demo.spelling import Typed
from analysis.outputs import normalize_zip


def _sheet_form(ws: openpyxl.worksheet.worksheet.Worksheet, ret: Return, year: int, cells: dict[str, Typed],
                wide: bool) -> None:
    """Write the vertical form on a worksheet; ``wide`` puts the values one column further right."""
    value_col = 4 if wide else 3
    ws.cell(1, 1, form.FORM_TITLE.format(year=year))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=value_col)
    ws.cell(2, 1, form.STAMP_LABEL + ret.stamp)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=value_col)
    row = 3
    for category, keys in blocks():
        if category:
            ws.cell(row, 1, ret.categories[category])
            if len(keys) > 1:
                ws.merge_cells(start_row=row, start_column=1, end_row=row + len(keys) - 1, end_column=1)
        for key in keys:
            first = 2 if category else 1
            ws.cell(row, first, ret.labels[key])
            if value_col - 1 > first:
                ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=value_col - 1)
            ws.cell(row, value_col, cell_value(cells[key]))
            row += 1
    if ret.note:
        ws.cell(row + 1, 1, ret.note)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 30


def _save_xlsx(wb: openpyxl.Workbook, ret: Return) -> bytes:
    wb.properties.creator = wb.properties.lastModifiedBy = ret.stamp
    wb.properties.created = wb.properties.modified = ret.when
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    return normalize_zip(buf.getvalue(), ret.when)


INSTRUCTIONS = ("填表说明", "1．本表由各县、市、区和市直各有关单位填写，加盖公章后报送。",
                "2．经费单位为万元，人员和活动按实际发生填写，没有的填“0”。",
                "3．请于规定时间前将电子版和盖章扫描件一并报送市科技局外专科。")


def xlsx_form(ret: Return) -> bytes:
    """The form as an Excel workbook, in one of the layouts units use."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if ret.layout == "xlsx_help":
        ws.title = "填表说明"
        for n, line in enumerate(INSTRUCTIONS, start=1):
            ws.cell(n, 1, line)
        ws = wb.create_sheet("统计表")
    elif ret.layout == "xlsx_hidden" and ret.last_year is not None:
        ws.title = f"{ret.year - 1}年"
        ws.sheet_state = "hidden"
        _sheet_form(ws, ret, ret.year - 1, dict(ret.last_year), wide=False)
        ws = wb.create_sheet(f"{ret.year}年")
        wb.active = 1
    else:
        ws.title = "Sheet1"
    _sheet_form(ws, ret, ret.year, ret.cells, wide=ret.layout == "xlsx_shift")
    return _save_xlsx(wb, ret)

