"""The year's tables and texts as files: summary workbook, the city's own form as Word, the data paragraph.

Every file is written atomically through :mod:`analysis.outputs`, text taken from returns is neutralised,
and the Office files are byte-identical from run to run (fixed document times and zip entry times).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.run import Run
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis import chinese
from analysis.form import BY_KEY, FIELD_KEYS, FORM_TITLE, STAMP_LABEL, Form, form_for
from analysis.intake.units import KIND_ZH
from analysis.issues import readable, summarize
from analysis.outputs import (
    neutralize,
    save_document,
    save_workbook,
    write_atomic,
    write_text,
)
from analysis.paths import DEMO_LABEL
from analysis.report import stats
from analysis.report.model import Comparison
from analysis.report.stats import Completeness

CITY = "随州市"

SHEET_CITY = "全市汇总"
SHEET_UNITS = "分单位明细"
SHEET_YOY = "同比"
SHEET_ISSUES = "数据问题"
SHEET_AUDIT = "核实与更正"
SHEET_RULES = "规则核查"
CITY_TABLE_TOP = 3  # first table row of 全市汇总, below the title and the 盖章 line

UNIT_HEADERS: dict[str, str] = {"unit": "单位", "unit_kind": "单位类型", "source_file": "来源文件"}
YOY_HEADERS: tuple[str, ...] = ("项目", "本年", "上年", "增减", "增减率（%）", "主要变动单位")  # no comparison year
NO_PREVIOUS_YEAR = "无上年数据，未作同比。"
NO_COMPARE_YEAR = "无{compare_year}年数据，未作对比。"
TOTAL_ROW = "全市合计"

TITLE_FONT = "黑体"
TABLE_FONT = "宋体"
BODY_FONT = "仿宋"

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_DEMO_FONT = Font(bold=True, color="C00000")
_RED = RGBColor(0xC0, 0x00, 0x00)


# --- shared layout ------------------------------------------------------------------------------------------


def number_format(key: str) -> str:
    """Excel number format of a key: '#,##0.00' for 万元 items, '#,##0' for counts, else by its decimals."""
    places = stats.decimals(key)
    return "#,##0" + ("." + "0" * places if places else "")


def _plain(value: object) -> object:
    """A cell value: None when not reported, Python scalars for numpy ones, text neutralised."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return neutralize(value)


# --- Excel --------------------------------------------------------------------------------------------------


def _put(ws: Worksheet, row: int, col: int, value: object, fmt: str | None = None, align: Alignment = _WRAP) -> Cell:
    cell = ws.cell(row=row, column=col, value=_plain(value))
    cell.border = _BORDER
    cell.alignment = align
    if fmt:
        cell.number_format = fmt
    return cell


def _banner(ws: Worksheet, row: int, text: str, width: int, font: Font, align: Alignment = _CENTER) -> None:
    """A line of text merged across ``width`` columns."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    cell = ws.cell(row=row, column=1, value=neutralize(text))
    cell.font = font
    cell.alignment = align


def _print_setup(ws: Worksheet, *, landscape: bool, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _sheet_head(ws: Worksheet, title: str, headers: list[str], demo: bool) -> int:
    """Title row, demo line when ``demo``, header row; returns the header row number."""
    _banner(ws, 1, title, len(headers), Font(bold=True, size=14))
    row = 2
    if demo:
        _banner(ws, row, DEMO_LABEL, len(headers), _DEMO_FONT, _WRAP)
        row += 1
    for col, text in enumerate(headers, start=1):
        _put(ws, row, col, text, align=_CENTER)
        ws.cell(row=row, column=col).font = Font(bold=True)
    ws.row_dimensions[row].height = 45
    ws.freeze_panes = ws.cell(row=row + 1, column=2)
    _print_setup(ws, landscape=len(headers) > 8, title_rows=f"{row}:{row}")
    return row


def form_labels(ws: Worksheet, form: Form, top: int, put: Callable[..., object]) -> None:
    """The attachment's two label columns from row ``top``: each category once in a merged cell beside its
    items, items without a category across both columns.  ``put(row, col, value, align=…)`` writes a cell."""
    starts = {first: category for category, first, _ in form.category_spans}
    for i, f in enumerate(form.fields):
        row = top + i
        if f.category:
            put(row, 1, starts.get(i), align=_CENTER)
            put(row, 2, f.label)
        else:
            put(row, 1, f.label)
            put(row, 2, None)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    for _, first, last in form.category_spans:
        ws.merge_cells(start_row=top + first, start_column=1, end_row=top + last, end_column=1)


def _city_sheet(ws: Worksheet, year: int, totals: pd.Series, demo: bool, draft: str = "") -> None:
    """The city's own return in the layout of the notice's attachment (the items of that year's form); ``draft``
    (the 初稿 mark) beside the 盖章 line, above the table, while findings are open."""
    form = form_for(year)
    ws.title = SHEET_CITY
    _banner(ws, 1, FORM_TITLE.format(year=year), 3, Font(bold=True, size=16))
    ws.row_dimensions[1].height = 36
    if draft:
        _banner(ws, 2, STAMP_LABEL + CITY, 2, Font(size=12), Alignment(horizontal="left", vertical="center"))
        _put(ws, 2, 3, draft, align=Alignment(horizontal="right", vertical="center")).font = _DEMO_FONT
    else:
        _banner(ws, 2, STAMP_LABEL + CITY, 3, Font(size=12), Alignment(horizontal="left", vertical="center"))
    form_labels(ws, form, CITY_TABLE_TOP, lambda row, col, value, align=_WRAP: _put(ws, row, col, value, align=align))
    for i, f in enumerate(form.fields):
        _put(
            ws,
            CITY_TABLE_TOP + i,
            3,
            totals.get(f.key),
            number_format(f.key),
            Alignment(horizontal="right", vertical="center"),
        )
    if demo:
        _banner(ws, CITY_TABLE_TOP + len(form.fields) + 1, DEMO_LABEL, 3, _DEMO_FONT, _WRAP)
    _widths(ws, [24, 52, 18])
    ws.freeze_panes = ws.cell(row=CITY_TABLE_TOP, column=1)
    _print_setup(ws, landscape=False)


def _units_sheet(
    ws: Worksheet, year: int, table: pd.DataFrame, totals: pd.Series, derived: pd.Series, demo: bool
) -> None:
    form = form_for(year)
    keys = [c for c in table.columns if form.asks(c) or c in stats.DERIVED_BY_KEY]  # items not asked: no column
    headers = [UNIT_HEADERS[c] for c in UNIT_HEADERS] + [stats.headed(k) for k in keys]
    header_row = _sheet_head(ws, f"{year}年各单位科技活动周开展情况明细", headers, demo)
    city = pd.concat([totals, derived])
    rows = [
        [r["unit"], KIND_ZH.get(r["unit_kind"], r["unit_kind"]), r["source_file"], *[r[k] for k in keys]]
        for _, r in table.iterrows()
    ]
    rows.append([TOTAL_ROW, "", "", *[city.get(k) for k in keys]])
    for offset, values in enumerate(rows, start=1):
        for col, value in enumerate(values, start=1):
            fmt = number_format(keys[col - 4]) if col > 3 else None
            _put(ws, header_row + offset, col, value, fmt)
    for col in range(1, len(headers) + 1):
        ws.cell(row=header_row + len(rows), column=col).font = Font(bold=True)
    _widths(ws, [22, 10, 28] + [13] * len(keys))
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{header_row + len(rows) - 1}"


def yoy_headers(year: int, compare_year: int | None) -> tuple[str, ...]:
    """Headers of the 同比 sheet, naming both years; the generic 本年/上年 ones when there is no comparison year."""
    if compare_year is None:
        return YOY_HEADERS
    return ("项目", f"本年（{year}年）", f"{compare_year}年", f"较{compare_year}年增减", "增减率（%）", "主要变动单位")


def _yoy_sheet(ws: Worksheet, year: int, yoy: pd.DataFrame | None, compare_year: int | None, demo: bool) -> None:
    against = "上年" if compare_year is None else f"{compare_year}年"
    header_row = _sheet_head(ws, f"{year}年与{against}对比", list(yoy_headers(year, compare_year)), demo)
    _widths(ws, [36, 14, 14, 14, 12, 48])
    if yoy is None or yoy.empty:
        note = NO_PREVIOUS_YEAR if compare_year is None else NO_COMPARE_YEAR.format(compare_year=compare_year)
        _banner(ws, header_row + 1, note, len(YOY_HEADERS), Font(), _WRAP)
        return
    for offset, key in enumerate(k for k in FIELD_KEYS if k in yoy.index):
        r = yoy.loc[key]
        row = header_row + 1 + offset
        values = [stats.headed(key), r["current"], r["previous"], r["change"], r["change_pct"], r["drivers"]]
        formats = [None, number_format(key), number_format(key), number_format(key), "0.0", None]
        for col, (value, fmt) in enumerate(zip(values, formats), start=1):
            _put(ws, row, col, value, fmt)


def _issues_sheet(ws: Worksheet, year: int, issues: pd.DataFrame, demo: bool) -> None:
    table = readable(issues)
    headers = list(table.columns)
    header_row = _sheet_head(ws, f"{year}年统计表数据问题", headers, demo)
    _widths(ws, [10, 18, 22, 30, 12, 10, 22, 18, 60])
    if issues.empty:
        _banner(ws, header_row + 1, summarize(issues), len(headers), Font(), _WRAP)
        return
    for offset, values in enumerate(table.itertuples(index=False), start=1):
        for col, value in enumerate(values, start=1):
            _put(ws, header_row + offset, col, value)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(headers))}{header_row + len(issues)}"


def _audit_sheet(ws: Worksheet, year: int, tables: dict[str, pd.DataFrame], demo: bool) -> None:
    """Every ledger decision applied, then the city totals before and after the corrections."""
    row = 1
    _banner(ws, row, f"{year}年核实与更正记录", 10, Font(bold=True, size=14), Alignment(horizontal="left"))
    if demo:
        row += 1
        _banner(ws, row, DEMO_LABEL, 10, _DEMO_FONT, _WRAP)
    for caption, table in tables.items():
        row += 2
        _put(ws, row, 1, caption).font = Font(bold=True)
        if table.empty:
            _put(ws, row + 1, 1, "（无）")
            row += 1
            continue
        for col, header in enumerate(table.columns, start=1):
            _put(ws, row + 1, col, header).font = Font(bold=True)
        for r, values in enumerate(table.itertuples(index=False), start=row + 2):
            for col, value in enumerate(values, start=1):
                _put(ws, r, col, value)
        row += 1 + len(table)
    _widths(ws, [18, 30, 22, 10, 14, 14, 30, 10, 12, 8])


def _rules_sheet(ws: Worksheet, year: int, table: pd.DataFrame, demo: bool) -> None:
    """Rule by rule: values looked at, passed, failed and not judged; a rule that looked at nothing shows 0."""
    header_row = _sheet_head(ws, f"{year}年核查规则逐条统计", list(table.columns), demo)
    _widths(ws, [28, 44, 24, 10, 10, 10, 14])
    for offset, values in enumerate(table.itertuples(index=False), start=1):
        for col, value in enumerate(values, start=1):
            _put(ws, header_row + offset, col, value)


def write_summary_xlsx(
    path: Path,
    *,
    year: int,
    totals: pd.Series,
    derived: pd.Series,
    unit_table: pd.DataFrame,
    yoy: pd.DataFrame | None,
    issues: pd.DataFrame,
    demo: bool,
    compare_year: int | None = None,
    draft: str = "",
    audit: dict[str, pd.DataFrame] | None = None,
    rules: pd.DataFrame | None = None,
) -> Path:
    """The year's summary workbook: 全市汇总 (the attachment's form), 分单位明细, 同比, 数据问题, 核实与更正.

    ``yoy`` is :func:`stats.year_over_year` against ``compare_year`` (the previous year when None); ``draft``
    the 初稿 mark while findings are open; ``audit`` the tables of the 核实与更正 sheet, by caption; ``rules`` the
    rule-by-rule tally with Chinese headers (:func:`analysis.review.tally.tally_table`), sheet 规则核查.
    """
    if compare_year is None and yoy is not None:
        compare_year = year - 1
    wb = Workbook()
    _city_sheet(wb.active, year, totals, demo, draft)
    _units_sheet(wb.create_sheet(SHEET_UNITS), year, unit_table, totals, derived, demo)
    _yoy_sheet(wb.create_sheet(SHEET_YOY), year, yoy, compare_year, demo)
    _issues_sheet(wb.create_sheet(SHEET_ISSUES), year, issues, demo)
    _audit_sheet(wb.create_sheet(SHEET_AUDIT), year, audit or {}, demo)
    if rules is not None:
        _rules_sheet(wb.create_sheet(SHEET_RULES), year, rules, demo)
    return write_atomic(Path(path), lambda p: save_workbook(wb, p))


# --- Word ---------------------------------------------------------------------------------------------------


def set_font(run: Run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> Run:
    """Set a run's font, including the East Asian font that Word uses for Chinese text."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    return run


def new_document() -> DocxDocument:
    """An A4 portrait document with the body font set for Chinese text and fixed document times."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(26)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    return doc


def _paragraph(
    doc: DocxDocument,
    text: str,
    font: str,
    size: float,
    *,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    color: RGBColor | None = None,
) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    set_font(paragraph.add_run(text), font, size, bold=bold, color=color)


def _demo_note(doc: DocxDocument) -> None:
    _paragraph(doc, DEMO_LABEL, TITLE_FONT, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, color=_RED)


def _docx_value(value: object, key: str) -> str:
    """Table text of a total: the key's decimals and separators; empty when not reported."""
    return "" if pd.isna(value) else stats.format_value(value, key)


def fill_cell(cell: _Cell, text: str, align: WD_ALIGN_PARAGRAPH, width: float) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    cell.width = Mm(width)
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    if text:
        set_font(paragraph.add_run(text), TABLE_FONT, 12)


def write_city_table_docx(path: Path, *, year: int, totals: pd.Series, demo: bool, draft: str = "") -> Path:
    """The city's own return as a Word table in the layout of the notice's attachment; ``draft`` (the 初稿 mark)
    above it while findings are open."""
    doc = new_document()
    if demo:
        _demo_note(doc)
    if draft:
        _paragraph(doc, draft, TITLE_FONT, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, color=_RED)
    _paragraph(doc, FORM_TITLE.format(year=year), TITLE_FONT, 16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, STAMP_LABEL + CITY, TABLE_FONT, 12)
    form = form_for(year)
    table = doc.add_table(rows=len(form.fields), cols=3)
    table.style = "Table Grid"
    widths = (40, 86, 32)
    for _, first, last in form.category_spans:
        table.cell(first, 0).merge(table.cell(last, 0))
    for i, f in enumerate(form.fields):
        if not f.category:
            table.cell(i, 0).merge(table.cell(i, 1))
    starts = {first: category for category, first, _ in form.category_spans}
    for i, f in enumerate(form.fields):
        if f.category:
            if i in starts:
                fill_cell(table.cell(i, 0), starts[i], WD_ALIGN_PARAGRAPH.CENTER, widths[0])
            fill_cell(table.cell(i, 1), f.label, WD_ALIGN_PARAGRAPH.LEFT, widths[1])
        else:
            fill_cell(table.cell(i, 0), f.label, WD_ALIGN_PARAGRAPH.LEFT, widths[0] + widths[1])
        fill_cell(table.cell(i, 2), _docx_value(totals.get(f.key), f.key), WD_ALIGN_PARAGRAPH.RIGHT, widths[2])
    return write_atomic(Path(path), lambda p: save_document(doc, p))


# --- the data paragraph -------------------------------------------------------------------------------------


def _trend(pct: float, year: int, compare_year: int | None) -> str:
    """ "，同比增长12.3%" / "，较2021年下降4.0%" / "，同比持平"; empty when there is no comparison."""
    if compare_year is None:
        return ""
    text = chinese.change(pct, year, compare_year)
    return f"，{text}" if text else ""


def _item(totals: pd.Series, key: str) -> str:
    """ "参与媒体12家" from the form's short label and measure; empty when not reported."""
    value = totals.get(key)
    return "" if pd.isna(value) else f"{BY_KEY[key].short}{chinese.count(value)}{BY_KEY[key].measure}"


def data_paragraph(
    *,
    year: int,
    totals: pd.Series,
    derived: pd.Series,
    completeness: Completeness,
    comparison: Comparison | None = None,
    demo: bool,
) -> str:
    """The 数据摘要: a short Chinese paragraph of the week's figures for the work report.

    ``totals``/``derived`` are the week's (:class:`analysis.report.model.Week`); ``comparison`` gives the changes.
    Items nobody reported are left out.
    """
    change_pct = comparison.change_pct if comparison is not None else pd.Series(dtype="float64")
    compare_year = comparison.year if comparison is not None else None

    def trend(key: str) -> str:
        return _trend(change_pct.get(key, float("nan")), year, compare_year)

    missing = f"，{len(completeness.missing)}家未报送" if completeness.missing else ""
    opening = (
        f"{year}年科技活动周期间，全市共收到{completeness.received}家单位的统计表"
        f"（应报{completeness.expected}家{missing}）。"
    )
    clauses: list[str] = []
    if pd.notna(totals.get("events_held")):
        clauses.append(f"全市共举办科普活动{chinese.count(totals['events_held'])}场（次）{trend('events_held')}")
    clauses.append(_item(totals, "most_tasks"))
    if pd.notna(derived.get("total_funding")):
        share = derived.get("government_share")
        gov = f"，其中财政经费占{chinese.percent(share)}" if pd.notna(share) else ""
        clauses.append(f"投入经费合计{chinese.money(derived['total_funding'])}{trend('total_funding')}{gov}")
    if pd.notna(derived.get("total_staff")):
        clauses.append(f"科普工作人员{chinese.count(derived['total_staff'])}人")
    public = "、".join(filter(None, (_item(totals, k) for k in ("public_offline", "public_online"))))
    if public and pd.notna(derived.get("total_participation")):
        clauses.append(
            f"{public}，合计{chinese.count(derived['total_participation'])}人次{trend('total_participation')}"
        )
    clauses.append("、".join(filter(None, (_item(totals, k) for k in ("media_outlets", "media_reports")))))
    clauses.append(
        "、".join(filter(None, (_item(totals, k) for k in ("open_venues", "open_institutes", "open_universities"))))
    )
    body = "；".join(c for c in clauses if c)
    text = opening + (body + "。" if body else "")
    return f"【{DEMO_LABEL}】{text}" if demo else text


def write_paragraph(md_path: Path, docx_path: Path, text: str, *, title: str, demo: bool) -> tuple[Path, Path]:
    """The paragraph as Markdown and as a Word document (仿宋, first-line indent), each with the title."""
    note = demo and DEMO_LABEL not in text
    write_text(f"# {title}\n\n" + (f"> **{DEMO_LABEL}**\n\n" if note else "") + f"{text}\n", Path(md_path))
    doc = new_document()
    _paragraph(doc, title, TITLE_FONT, 16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if note:
        _demo_note(doc)
    body = doc.add_paragraph()
    body.paragraph_format.first_line_indent = Pt(32)
    body.paragraph_format.line_spacing = Pt(28)
    set_font(body.add_run(text), BODY_FONT, 16)
    write_atomic(Path(docx_path), lambda p: save_document(doc, p))
    return Path(md_path), Path(docx_path)
