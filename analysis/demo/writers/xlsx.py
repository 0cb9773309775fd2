"""Excel workbooks (openpyxl): any :class:`~.grid.Sheet` list, and the form in the layouts units use (plain, with
an instruction sheet first, with last year's form on a hidden sheet, or with the values one column further right)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from analysis.demo.returns import Return
from analysis.demo.writers.grid import Sheet
from analysis.demo.writers.vertical import vertical_sheet
from analysis.outputs import normalize_zip

INSTRUCTIONS = (
    "填表说明",
    "1．本表由各县、市、区和市直各有关单位填写，加盖公章后报送。",
    "2．经费单位为万元，人员和活动按实际发生填写，没有的填“0”。",
    "3．请于规定时间前将电子版和盖章扫描件一并报送市科技局外专科。",
)


def xlsx_bytes(sheets: Sequence[Sheet], *, author: str | None = None, when: dt.datetime | None = None) -> bytes:
    """The sheets as an .xlsx; text always stays text (even "=1+1"); the first visible sheet is the active one.

    With ``when`` the document properties and every zip entry carry that time (identical bytes on every run).
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = ws.cell(r, c, value)
                    if isinstance(value, str):
                        cell.data_type = "s"
        for r0, c0, r1, c1 in sheet.merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for column, width in sheet.widths.items():
            ws.column_dimensions[get_column_letter(column + 1)].width = width
        if sheet.hidden:
            ws.sheet_state = "hidden"
    wb.active = next((n for n, s in enumerate(sheets) if not s.hidden), 0)
    if author is not None:
        wb.properties.creator = wb.properties.lastModifiedBy = author
    if when is not None:
        wb.properties.created = wb.properties.modified = when
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    return buf.getvalue() if when is None else normalize_zip(buf.getvalue(), when)


def xlsx_form(ret: Return) -> bytes:
    """The form as an Excel workbook, in the return's layout."""
    sheets = [vertical_sheet(ret, offset=int(ret.layout == "xlsx_shift"))]
    if ret.layout == "xlsx_help":
        sheets = [Sheet("填表说明", [[line] for line in INSTRUCTIONS]), vertical_sheet(ret, "统计表")]
    elif ret.layout == "xlsx_hidden" and ret.last_year is not None:
        sheets = [
            vertical_sheet(ret, f"{ret.year - 1}年", year=ret.year - 1, cells=dict(ret.last_year), hidden=True),
            vertical_sheet(ret, f"{ret.year}年"),
        ]
    return xlsx_bytes(sheets, author=ret.stamp, when=ret.when)
