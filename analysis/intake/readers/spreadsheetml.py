"""Excel 2003 XML (SpreadsheetML: Excel/WPS 另存为“XML 电子表格 2003”) → one grid per worksheet.

``ss:Index`` places a row or cell; a cell without it follows the previous one, skipping the columns that a
``ss:MergeDown`` above still covers.  ``ss:MergeAcross``/``ss:MergeDown`` become merged cells; ``ss:Type`` says
what ``Data`` holds (Number → a number, Boolean → TRUE/FALSE, Error → its text such as #REF!, String and
DateTime → the text).  A sheet whose ``x:WorksheetOptions`` has ``x:Visible`` SheetHidden/SheetVeryHidden is
hidden.  Parsed with a hardened lxml parser; a file declaring a DOCTYPE or an entity is refused before parsing.
"""

from __future__ import annotations

import io
import math

from lxml import etree

from analysis.intake.readers.grid import Grid, short
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused
from analysis.intake.source import FileLike

SS = "urn:schemas-microsoft-com:office:spreadsheet"
X = "urn:schemas-microsoft-com:office:excel"
_WORKSHEET, _TABLE, _ROW, _CELL, _DATA = (f"{{{SS}}}{t}" for t in ("Worksheet", "Table", "Row", "Cell", "Data"))
_NAME, _INDEX, _ACROSS, _DOWN, _TYPE = (f"{{{SS}}}{a}" for a in ("Name", "Index", "MergeAcross", "MergeDown", "Type"))
_OPTIONS, _VISIBLE = f"{{{X}}}WorksheetOptions", f"{{{X}}}Visible"
MAX_INDEX = 1_048_576  # Excel's last row; larger indexes are not a real sheet


def read_spreadsheetml(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """Every worksheet of an Excel 2003 XML file, with its visibility."""
    data = path.read_bytes()
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Refused(
            "file_xml_entity",
            "Excel 2003 XML 文件含有 DOCTYPE/ENTITY 声明，这在正常的表格文件中不会出现，"
            "出于安全原因未读取。请用Excel/WPS另存为 .xlsx 后重新报送。",
        )
    if data.count(b"<Cell") + data.count(b":Cell") > limits.max_cells:  # before building a tree of them
        raise Refused(
            "file_limit_cells",
            f"Excel 2003 XML 文件的单元格数超过上限 {limits.max_cells}（Limits.max_cells），未读取。",
        )
    sheets: list[Grid] = []
    sheet: _Sheet | None = None
    try:  # row by row, each row's elements dropped once read: the tree of a large file is never held
        for event, element in etree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        ):
            if event == "start":
                if element.tag == _WORKSHEET:
                    if len(sheets) >= limits.max_sheets:
                        raise Refused(
                            "file_limit_sheets",
                            f"工作表数量超过上限 {limits.max_sheets}（Limits.max_sheets），未读取。",
                        )
                    sheet = _Sheet(element.get(_NAME) or f"Sheet{len(sheets) + 1}", limits)
            elif element.tag == _ROW and sheet is not None:
                sheet.add_row(element)
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
            elif element.tag == _OPTIONS and sheet is not None:
                sheet.hidden = _hidden(element)
            elif element.tag == _WORKSHEET and sheet is not None:
                sheets.append(sheet.grid())
                sheet = None
                element.clear()
    except etree.XMLSyntaxError as exc:
        raise Refused(
            "file_corrupt", f"Excel 2003 XML 文件无法解析（{short(exc)}），请用Excel/WPS打开后另存为 .xlsx 再报送。"
        ) from exc
    return sheets


class _Sheet:
    """One worksheet as its rows are read: the cells so far, the merges, the slots a MergeDown still covers."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits, self.hidden = name, limits, False
        self.cells: dict[tuple[int, int], object] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.covered: set[tuple[int, int]] = set()  # slots under a MergeDown of an earlier row
        self.r = -1
        self.height = self.width = 0

    def add_row(self, row: etree._Element) -> None:
        """Place the cells of one ``Row``."""
        r = self.r = _index(row, self.r)
        c = -1
        for cell in row.iterchildren(_CELL):
            if cell.get(_INDEX) is not None:
                c = _index(cell, c)
            else:
                c += 1
                while (r, c) in self.covered:
                    c += 1
            across, down = _count(cell.get(_ACROSS)), _count(cell.get(_DOWN))
            self.height, self.width = max(self.height, r + down + 1), max(self.width, c + across + 1)
            if self.height * self.width > self.limits.max_cells:
                raise Refused(
                    "file_limit_cells",
                    f"工作表“{self.name}”的使用区域超过单表上限 {self.limits.max_cells} 个单元格"
                    "（Limits.max_cells），未读取。请删除多余的行列后重新报送。",
                )
            value = _value(cell.find(_DATA))
            if value is not None:
                self.cells[(r, c)] = value
            if across or down:
                self.merged.append((r, c, r + down, c + across))
                self.covered.update((r + i, c + j) for i in range(1, down + 1) for j in range(across + 1))
            c += across

    def grid(self) -> Grid:
        rows = [[self.cells.get((i, j)) for j in range(self.width)] for i in range(self.height)]
        return Grid(sheet=self.name, rows=rows, hidden=self.hidden, merged=tuple(self.merged))


def _index(element: etree._Element, previous: int) -> int:
    """The 0-based position of a row or cell: its ``ss:Index`` (1-based), else the one after ``previous``."""
    text = (element.get(_INDEX) or "").strip()
    if not text:
        return previous + 1
    if not text.isdigit() or not 1 <= int(text) <= MAX_INDEX:
        raise Refused(
            "file_corrupt",
            f'Excel 2003 XML 文件中的 ss:Index="{text[:20]}" 不是有效的行号或列号，'
            "文件可能已损坏。请用Excel/WPS打开后另存为 .xlsx 再报送。",
        )
    return int(text) - 1


def _count(text: str | None) -> int:
    text = (text or "").strip()
    return min(int(text), MAX_INDEX) if text.isdigit() else 0


def _value(data: etree._Element | None) -> object:
    if data is None:
        return None
    text = "".join(data.itertext())
    kind = data.get(_TYPE) or "String"
    if kind == "Number":
        try:
            number = float(text)
        except ValueError:
            return text.strip() or None
        return number if math.isfinite(number) else text.strip()
    if kind == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    return text if text.strip() else None


def _hidden(options: etree._Element) -> bool:
    """Whether a sheet's ``x:WorksheetOptions`` hide it (SheetHidden, SheetVeryHidden)."""
    return (options.findtext(_VISIBLE) or "").strip() in ("SheetHidden", "SheetVeryHidden")
