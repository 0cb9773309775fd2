"""The fillable return of a year, generated from that year's form and roster (``python -m analysis template``).

Both files look like the notice's attachment (title, 盖章 line, the three columns 类别 | 项目 | 数值, the notes
填表人 / 联系电话 / 填报日期) and carry an identity that ingest recognises exactly
(:mod:`analysis.intake.template_form`): document properties ``identifier`` = :data:`analysis.form.FORM_ID`
and ``version`` = the form's version, in both formats.

* ``.xlsx``: the form sheet protected without a password, labels locked; each value cell unlocked, defined-named
  with its field key and validated (whole ≥ 0 for counts, decimal ≥ 0 for 万元, the unit in the input message);
  the unit cell named ``unit`` with a dropdown of the roster, listed on a very hidden sheet.
* ``.docx``: each value an inline content control (``w:sdt``) tagged with its field key, the unit a dropdown
  content control tagged ``unit``; their placeholder is blank space, which ingest reads as not filled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analysis.form import FORM_ID, STAMP_LABEL, UNIT_ALIAS, UNIT_KEY, Field, Form, form_for
from analysis.intake.units import Registry
from analysis.outputs import neutralize, save_document, save_workbook, write_atomic
from analysis.paths import UNITS_CSV
from analysis.report.exports import TABLE_FONT, TITLE_FONT, fill_cell, form_labels, new_document, set_font

TEMPLATE_TITLE = "{year}年科技活动周开展情况统计表"
FORM_SHEET = "统计表"
ROSTER_SHEET = "单位名单"
HEADERS = ("类别", "项目", "数值")
NOTES = ("填表人：", "联系电话：", "填报日期：")
PLACEHOLDER = "\u3000" * 4  # ideographic spaces: shows an empty box in Word; blank to every reader
TABLE_TOP = 4  # first item row of the xlsx form sheet: title, 盖章 line, headers above it

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_LOCKED, _OPEN = Protection(locked=True), Protection(locked=False)


@dataclass(frozen=True)
class TemplateFiles:
    """The two files written for one year."""

    xlsx: Path
    docx: Path


def template_title(year: int) -> str:
    return TEMPLATE_TITLE.format(year=year)


def input_message(f: Field) -> str:
    """What the value cell's input message says: the measure and the kind of number."""
    kind = "数字，可保留两位小数" if f.is_money else "整数"
    return f"单位：{f.measure}。请填写不小于 0 的{kind}；没有发生请填 0，不要留空。"


def error_message(f: Field) -> str:
    kind = "数字" if f.is_money else "整数"
    return f"“{f.display}”应为不小于 0 的{kind}（单位：{f.measure}），请重新填写。"


# --- Excel ----------------------------------------------------------------------------------------------------


def _put(
    ws: Worksheet,
    row: int,
    col: int,
    value: object,
    *,
    align: Alignment = _WRAP,
    locked: bool = True,
    bold: bool = False,
) -> None:
    cell = ws.cell(row=row, column=col, value=neutralize(value) if value is not None else None)
    cell.border, cell.alignment, cell.protection = _BORDER, align, _LOCKED if locked else _OPEN
    if bold:
        cell.font = Font(bold=True)


def _name(wb: Workbook, name: str, row: int, col: int) -> None:
    from openpyxl.utils import get_column_letter

    wb.defined_names[name] = DefinedName(name, attr_text=f"'{FORM_SHEET}'!${get_column_letter(col)}${row}")


def _validation(f: Field) -> DataValidation:
    dv = DataValidation(
        type="decimal" if f.is_money else "whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="stop",
    )
    dv.promptTitle, dv.prompt = f.display[:32], input_message(f)
    dv.errorTitle, dv.error = "填写有误", error_message(f)
    return dv


def build_workbook(form: Form, year: int, roster: list[str]) -> Workbook:
    """The fillable .xlsx return (see the module docstring)."""
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    ws.merge_cells("A1:C1")
    ws["A1"] = template_title(year)
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=16), _CENTER
    ws.row_dimensions[1].height = 36
    ws.merge_cells("A2:B2")
    ws["A2"] = STAMP_LABEL
    ws["A2"].alignment = Alignment(horizontal="right", vertical="center")
    _put(ws, 2, 3, None, locked=False)
    _name(wb, UNIT_KEY, 2, 3)
    names = wb.create_sheet(ROSTER_SHEET)
    for i, unit in enumerate(roster, start=1):
        names.cell(row=i, column=1, value=neutralize(unit))
    names.sheet_state = "veryHidden"
    units = DataValidation(
        type="list",
        formula1=f"'{ROSTER_SHEET}'!$A$1:$A${max(len(roster), 1)}",
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=True,
        errorStyle="stop",
    )
    units.promptTitle, units.prompt = "报送单位", "请从下拉列表中选择本单位（名单见通知）。"
    units.errorTitle, units.error = "单位有误", "请从下拉列表中选择本单位；名单中没有的，请与通知联系人联系。"
    ws.add_data_validation(units)
    units.add("C2")
    for col, text in enumerate(HEADERS, start=1):
        _put(ws, 3, col, text, align=_CENTER, bold=True)
    form_labels(ws, form, TABLE_TOP, lambda row, col, value, align=_WRAP: _put(ws, row, col, value, align=align))
    for i, f in enumerate(form.fields):
        row = TABLE_TOP + i
        _put(ws, row, 3, None, align=Alignment(horizontal="right", vertical="center"), locked=False)
        ws.cell(row=row, column=3).number_format = "0.00" if f.is_money else "0"
        _name(wb, f.key, row, 3)
        dv = _validation(f)
        ws.add_data_validation(dv)
        dv.add(ws.cell(row=row, column=3))
    notes = TABLE_TOP + len(form.fields) + 1
    for offset, text in enumerate(NOTES):
        ws.cell(row=notes + offset, column=1, value=text).alignment = Alignment(horizontal="right")
        ws.merge_cells(start_row=notes + offset, start_column=2, end_row=notes + offset, end_column=3)
        ws.cell(row=notes + offset, column=2).protection = _OPEN
    for col, width in zip("ABC", (24, 52, 18)):
        ws.column_dimensions[col].width = width
    ws.protection.sheet = True  # no password: the labels are protected from slips, not from their owner
    ws.protection.formatCells = ws.protection.formatColumns = ws.protection.formatRows = False  # allowed
    wb.properties.title = template_title(year)
    wb.properties.identifier, wb.properties.version = FORM_ID, form.version
    return wb


# --- Word -----------------------------------------------------------------------------------------------------


def _sdt(tag: str, alias: str, choices: list[str] | None = None) -> object:
    """An inline content control: plain text, or a dropdown of ``choices``; placeholder text showing."""
    kind = (
        "<w:text/>"
        if choices is None
        else (
            "<w:dropDownList>"
            + "".join(f"<w:listItem w:displayText={quoteattr(c)} w:value={quoteattr(c)}/>" for c in choices)
            + "</w:dropDownList>"
        )
    )
    return parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtPr><w:alias w:val={quoteattr(alias)}/><w:tag w:val={quoteattr(tag)}/>"
        f'<w:showingPlcHdr/>{kind}</w:sdtPr><w:sdtContent><w:r><w:t xml:space="preserve">{escape(PLACEHOLDER)}'
        f"</w:t></w:r></w:sdtContent></w:sdt>"
    )


def _control(paragraph: Paragraph, tag: str, alias: str, choices: list[str] | None = None) -> None:
    paragraph._p.append(_sdt(tag, alias, choices))


def build_document(form: Form, year: int, roster: list[str]):
    """The fillable .docx return (see the module docstring)."""
    doc = new_document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(title.add_run(template_title(year)), TITLE_FONT, 16, bold=True)
    stamp = doc.add_paragraph()
    set_font(stamp.add_run(STAMP_LABEL), TABLE_FONT, 12)
    _control(stamp, UNIT_KEY, UNIT_ALIAS, roster)
    table = doc.add_table(rows=len(form.fields) + 1, cols=3)
    table.style = "Table Grid"
    widths = (40, 86, 32)
    for col, text in enumerate(HEADERS):
        fill_cell(table.cell(0, col), text, WD_ALIGN_PARAGRAPH.CENTER, widths[col])
    spans = form.category_spans
    for _, first, last in spans:
        table.cell(first + 1, 0).merge(table.cell(last + 1, 0))
    for i, f in enumerate(form.fields):
        if not f.category:
            table.cell(i + 1, 0).merge(table.cell(i + 1, 1))
    starts = {first: category for category, first, _ in spans}
    for i, f in enumerate(form.fields):
        row = i + 1
        if f.category:
            if i in starts:
                fill_cell(table.cell(row, 0), starts[i], WD_ALIGN_PARAGRAPH.CENTER, widths[0])
            fill_cell(table.cell(row, 1), f.label, WD_ALIGN_PARAGRAPH.LEFT, widths[1])
        else:
            fill_cell(table.cell(row, 0), f.label, WD_ALIGN_PARAGRAPH.LEFT, widths[0] + widths[1])
        value = table.cell(row, 2)
        fill_cell(value, "", WD_ALIGN_PARAGRAPH.RIGHT, widths[2])
        _control(value.paragraphs[0], f.key, f.headed)
    notes = doc.add_paragraph()
    set_font(notes.add_run("\u3000\u3000".join(f"{n}{PLACEHOLDER * 2}" for n in NOTES)), TABLE_FONT, 12)
    doc.core_properties.title = template_title(year)
    doc.core_properties.identifier, doc.core_properties.version = FORM_ID, form.version
    return doc


# --- both -----------------------------------------------------------------------------------------------------


def write_templates(
    year: int, out_dir: Path, *, form: Form | None = None, units_csv: Path = UNITS_CSV
) -> TemplateFiles:
    """Write ``<out_dir>/<title>.xlsx`` and ``.docx`` for ``year`` (its form and roster), atomically."""
    form = form or form_for(year)
    roster = [u.name for u in Registry.load(units_csv).roster(year)]
    out_dir = Path(out_dir)
    xlsx, docx = out_dir / f"{template_title(year)}.xlsx", out_dir / f"{template_title(year)}.docx"
    wb, doc = build_workbook(form, year, roster), build_document(form, year, roster)
    write_atomic(xlsx, lambda p: save_workbook(wb, p))
    write_atomic(docx, lambda p: save_document(doc, p))
    return TemplateFiles(xlsx, docx)
