"""Workbooks (.xlsx .xlsm .xls .ods .et) → one grid per worksheet, through python-calamine.

Cached values of formula cells, never macros.  calamine leaves formula-error cells empty; their text
(#REF! …) is put back from the sheet XML so that they are reported, not taken as blank.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from analysis.intake.readers.grid import Grid, short
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused, column_number


def read_spreadsheet(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """Every worksheet of a workbook, with its visibility, through python-calamine."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError as exc:
        raise Refused("file_encrypted", "文件设置了密码保护，无法读取。请取消密码后重新报送。") from exc
    except Exception as exc:  # calamine raises several error types for broken files
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise Refused("file_encrypted", "文件设置了密码保护，无法读取。请取消密码后重新报送。") from exc
        raise Refused("file_corrupt", f"文件无法打开（已损坏或格式不符：{short(exc)}），请重新保存后报送。") from exc
    grids: list[Grid] = []
    metas = wb.sheets_metadata
    if len(metas) > limits.max_sheets:
        raise Refused("file_limit_sheets", f"工作表数量 {len(metas)} 超过上限 {limits.max_sheets}"
                                           "（Limits.max_sheets），未读取。")
    for meta in metas:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = wb.get_sheet_by_name(meta.name)
            height, width = sheet.total_height, sheet.total_width
            if height * width > limits.max_cells:
                raise Refused("file_limit_cells", f"工作表“{meta.name}”的使用区域达 {height} 行 × {width} 列，"
                                                  f"超过单表上限 {limits.max_cells} 个单元格（Limits.max_cells），未读取。")
            rows = sheet.to_python(skip_empty_area=True)
            start = sheet.start or (0, 0)
            merged = tuple((r0 - start[0], c0 - start[1], r1 - start[0], c1 - start[1])
                           for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or ()))
        except Refused:
            raise
        except Exception as exc:  # one broken sheet: say so and read the others
            grids.append(Grid(sheet=meta.name, rows=[], problem=f"工作表“{meta.name}”无法读取（{short(exc)}），已跳过该表。"
                                                               "如统计表在这张表上，请另存为新文件后重新报送。"))
            continue
        # compare the enum itself: the text of SheetVisibleEnum.Hidden contains "Visible" too
        grids.append(Grid(sheet=meta.name, rows=[[_blank(v) for v in row] for row in rows],
                          hidden=meta.visible != pc.SheetVisibleEnum.Visible, origin=tuple(start), merged=merged))
    return grids


_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_ENTRY = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                        rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.DOTALL)
_CELL_R = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_CELL_V = re.compile(rb"<v>([^<]*)</v>")


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name → its part in the package (``xl/worksheets/sheet1.xml``); {} when the package is odd."""
    try:
        rels = {}
        for m in _REL_ENTRY.finditer(zf.read("xl/_rels/workbook.xml.rels")):
            rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            rels[rid.decode()] = "xl/" + target.decode().lstrip("/").removeprefix("xl/")
        return {html.unescape(name.decode()): rels.get(rid.decode(), "")
                for name, rid in _SHEET_ENTRY.findall(zf.read("xl/workbook.xml"))}
    except (KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return {}


def restore_error_cells(zf: zipfile.ZipFile, grids: list[Grid], error_parts: dict[str, bytes]) -> list[Grid]:
    """Put the text of formula-error cells (#REF!, #DIV/0! …) back where calamine left them empty."""
    part_of = sheet_parts(zf)
    out = []
    for grid in grids:
        data = error_parts.get(part_of.get(grid.sheet, ""))
        if data:
            rows = [list(row) for row in grid.rows]
            for attrs, body in _ERROR_CELL.findall(data):
                ref, value = _CELL_R.search(attrs), _CELL_V.search(body)
                if not ref or not value:
                    continue
                put(rows, grid, ref.group(1).decode(), int(ref.group(2)),
                    html.unescape(value.group(1).decode(errors="replace")))
            grid = Grid(grid.sheet, rows, grid.hidden, grid.origin, grid.merged)
        out.append(grid)
    return out


def put(rows: list[list[object]], grid: Grid, column: str, row: int, value: object) -> None:
    """Set the cell at sheet address (column letters, 1-based row) in ``rows`` (grid coordinates), growing them."""
    r = row - 1 - grid.origin[0]
    c = column_number(column) - 1 - grid.origin[1]
    if r < 0 or c < 0:
        return
    while len(rows) <= r:
        rows.append([])
    rows[r].extend([None] * (c + 1 - len(rows[r])))
    rows[r][c] = value


def _blank(value: object) -> object:
    return None if value == "" else value
