"""反馈清单.xlsx: the findings per unit, ready to e-mail back, plus an overview sheet.

One sheet per unit that has findings (what, where, what to fix), an overview
(counts by unit and severity, the units that have not returned, the date when one
is given) and, when given, the materials checklist.  Every text cell is neutralised
so nothing taken from a return can become a formula; the file is written atomically
with fixed document times, so the same findings give the same bytes.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.issues import ISSUE_HEADERS_ZH, SEVERITIES, SEVERITY_ZH, readable
from analysis.review.materials import CHECKLIST_ZH, minutes_seconds
from analysis.outputs import neutralize, save_workbook, write_atomic
from analysis.paths import DEMO_LABEL

OVERVIEW = "总览"
CHECKLIST_SHEET = "材料清单"
NO_UNIT = "未识别单位"
COLUMNS = ("severity", "title", "source_file", "sheet", "cell", "field", "message")  # a unit's own sheet
HEADERS = tuple(ISSUE_HEADERS_ZH[c] for c in COLUMNS)
WIDTHS = (9, 18, 30, 12, 9, 22, 60)
SEVERITY_NOTE = {"error": "该数值或文件无法使用，必须改正后重新报送",
                 "warning": "已按原样使用或暂未计入，请核实并回复",
                 "info": "已作处理，供核对备查"}

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_DEMO = Font(bold=True, color="C00000")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SEVERITY_FILL = {"error": PatternFill("solid", fgColor="F8CBAD"), "warning": PatternFill("solid", fgColor="FFE699")}
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, no leading/trailing quote, at most 31 characters."""
    base = _FORBIDDEN.sub("_", name).strip("'").strip() or NO_UNIT
    title, n = base[:31], 1
    while title.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = f"({n})"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title)
    return title


def _put(ws: Worksheet, row: int, values: list[object], *, font: Font | None = None,
         fill: PatternFill | None = None, border: bool = False) -> None:
    """Write one row of cells, every text neutralised."""
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=neutralize(value))
        cell.alignment = _WRAP
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        if border:
            cell.border = _BORDER


def _heading(ws: Worksheet, title: str, demo: bool) -> int:
    """Demo label (when demo) and the title; returns the next free row."""
    row = 1
    if demo:
        _put(ws, row, [DEMO_LABEL], font=_DEMO)
        row += 1
    _put(ws, row, [title], font=_TITLE)
    ws.cell(row=row, column=1).alignment = Alignment(vertical="top")
    return row + 1


def _print_setup(ws: Worksheet, header_row: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def _unit_sheet(ws: Worksheet, unit: str, issues: pd.DataFrame, year: int, demo: bool) -> None:
    row = _heading(ws, f"{unit}：{year}年科技活动周统计表核查反馈", demo)
    _put(ws, row, ["请逐条核实；需要改正的，请改正后重新报送统计表或补充材料。"])
    header = row + 1
    _put(ws, header, list(HEADERS), font=_BOLD, fill=_HEADER_FILL, border=True)
    for n, (severity, values) in enumerate(zip(issues["severity"], readable(issues, COLUMNS).itertuples(index=False)),
                                           start=header + 1):
        _put(ws, n, list(values), fill=_SEVERITY_FILL.get(severity), border=True)
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    _print_setup(ws, header)


def _counts(issues: pd.DataFrame) -> pd.DataFrame:
    """Findings by unit × severity, worst first."""
    table = pd.crosstab(issues["unit"], issues["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    table = table.assign(total=table.sum(axis=1)).sort_values(list(SEVERITIES), ascending=False, kind="stable")
    return table


def _overview(ws: Worksheet, issues: pd.DataFrame, counts: pd.DataFrame, year: int, demo: bool,
              today: date | None) -> None:
    row = _heading(ws, f"{year}年科技活动周统计表核查反馈清单", demo)
    if today is not None:
        _put(ws, row, [f"生成日期：{today.isoformat()}"])
        row += 1
    row += 1
    _put(ws, row, ["单位", *(SEVERITY_ZH[s] for s in SEVERITIES), "合计"], font=_BOLD, fill=_HEADER_FILL, border=True)
    for unit, r in counts.iterrows():
        row += 1
        _put(ws, row, [unit, *(int(r[s]) for s in SEVERITIES), int(r["total"])], border=True)
    row += 1
    _put(ws, row, ["合计", *(int(counts[s].sum()) for s in SEVERITIES), int(counts["total"].sum())],
         font=_BOLD, border=True)
    missing = sorted(issues.loc[issues["code"] == "missing_return", "unit"].unique())
    row += 2
    _put(ws, row, [f"未报送统计表的单位（{len(missing)} 个）"], font=_BOLD)
    _put(ws, row + 1, ["、".join(missing) if missing else "无"])
    row += 3
    _put(ws, row, ["严重程度说明"], font=_BOLD)
    for sev in SEVERITIES:
        row += 1
        _put(ws, row, [SEVERITY_ZH[sev], SEVERITY_NOTE[sev]])
    ws.column_dimensions["A"].width = 28
    for col in "BCDE":
        ws.column_dimensions[col].width = 10
    _print_setup(ws, None)


def _checklist_sheet(ws: Worksheet, materials: pd.DataFrame, year: int, demo: bool) -> None:
    header = _heading(ws, f"{year}年科技活动周报送材料清单（文件数）", demo)
    columns = [c for c in CHECKLIST_ZH if c in materials.columns]
    _put(ws, header, [CHECKLIST_ZH[c].replace("（秒）", "") for c in columns], font=_BOLD, fill=_HEADER_FILL,
         border=True)
    for n, r in enumerate(materials.to_dict("records"), start=header + 1):
        cells = [r[c] for c in columns]
        if "longest_video" in columns:
            seconds = r["longest_video"]
            cells[columns.index("longest_video")] = "" if pd.isna(seconds) or math.isnan(seconds) \
                else minutes_seconds(seconds)
        _put(ws, n, cells, border=True)
    ws.column_dimensions["A"].width = 24
    for col in range(2, len(columns) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 11
    _print_setup(ws, header)


def build_workbook(issues: pd.DataFrame, *, year: int, demo: bool, materials: pd.DataFrame | None = None,
                   today: date | None = None) -> Workbook:
    """The feedback workbook in memory (see :func:`write_feedback`); the overview shows ``today`` when given."""
    issues = issues.fillna("").astype(str).assign(unit=lambda f: f["unit"].where(f["unit"] != "", NO_UNIT))
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    issues = issues.assign(_rank=issues["severity"].map(rank)).sort_values(
        ["_rank", "source_file", "sheet", "cell", "code"], kind="stable").drop(columns="_rank")
    wb = Workbook()
    ws = wb.active
    taken: set[str] = set()
    ws.title = sheet_title(OVERVIEW, taken)
    counts = _counts(issues) if not issues.empty else pd.DataFrame(columns=[*SEVERITIES, "total"])
    _overview(ws, issues, counts, year, demo, today)
    if materials is not None:
        _checklist_sheet(wb.create_sheet(sheet_title(CHECKLIST_SHEET, taken)), materials, year, demo)
    for unit in counts.index:
        _unit_sheet(wb.create_sheet(sheet_title(str(unit), taken)), str(unit), issues[issues["unit"] == unit],
                    year, demo)
    return wb


def write_feedback(path: Path, issues_df: pd.DataFrame, *, year: int, demo: bool,
                   materials: pd.DataFrame | None = None, today: date | None = None) -> Path:
    """Write 反馈清单.xlsx: overview, optional materials checklist, one sheet per unit with findings.

    The bytes depend only on the arguments (no clock), so an unchanged year gives an unchanged file.
    """
    wb = build_workbook(issues_df, year=year, demo=demo, materials=materials, today=today)
    return write_atomic(Path(path), lambda tmp: save_workbook(wb, tmp))
