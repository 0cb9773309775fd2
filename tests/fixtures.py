"""Builders that write statistics returns (and things that are not returns) into a folder.

A return is built once as a :class:`Form` (lines above the table, the table with
its merged cells, lines under it) and rendered into any format by the demo's own
writers (:mod:`analysis.demo.writers`: .xlsx/.xlsm with openpyxl, .xls with xlwt,
.ods with odfpy, .docx with python-docx, .csv in any encoding), which take a
:class:`~analysis.demo.writers.grid.Sheet`.  Labels, categories and the title come
from :mod:`analysis.form`; the numbers are the caller's.  Shared by the ingest,
hostile-file and benchmark tests.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine  # noqa: F401  (same)

from analysis.demo.media import minimal_mp4
from analysis.demo.writers.delimited import csv_bytes
from analysis.demo.writers.grid import Merge, Sheet
from analysis.demo.writers.ods import ods_bytes
from analysis.demo.writers.word import word_table
from analysis.demo.writers.xls import xls_bytes
from analysis.demo.writers.xlsx import xlsx_bytes
from analysis.form import FIELDS, FORM_TITLE, STAMP_LABEL
from analysis.intake.ingest import ingest
from analysis.intake.records import IngestResult

# A complete, clean return: every field filled (hand-written; tests compare against these numbers).
SAMPLE: dict[str, float] = {
    "events_held": 12,
    "most_tasks": 2,
    "funding_central": 0,
    "funding_provincial": 1.5,
    "funding_municipal": 3,
    "funding_county": 8.25,
    "funding_enterprise": 2,
    "funding_in_kind": 0.5,
    "funding_other": 0,
    "staff_fulltime": 15,
    "staff_scientists": 40,
    "staff_volunteers": 120,
    "staff_other": 30,
    "public_offline": 16520,
    "public_online": 165200,
    "media_outlets": 6,
    "media_reports": 25,
    "open_venues": 3,
    "open_institutes": 1,
    "open_universities": 1,
}

# A small unit registry for tests (name, kind, aliases): independent of data/reference/units.csv.
TEST_UNITS: tuple[tuple[str, str, str], ...] = (
    ("曾都区", "county", "曾都区科经局|曾都区科协|随州市曾都区"),
    ("随县", "county", "随县科经局|随县科协"),
    ("广水市", "county", "广水市科经局|广水"),
    ("随州高新区", "county", "高新区|高新区科创局|随州高新技术产业开发区"),
    ("大洪山风景名胜区", "county", "大洪山|大洪山风景区|大洪山管委会"),
    ("市教育局", "department", "随州市教育局"),
    ("市科协", "department", "随州市科学技术协会|随州市科协"),
    ("市卫健委", "department", "随州市卫生健康委员会|市卫生健康委员会"),
    ("市气象局", "department", "随州市气象局"),
    ("市文化和旅游局", "department", "随州市文化和旅游局|市文旅局"),
    ("随州职业技术学院", "college", "随州职院|随州职业学院"),
    ("市农业科学院", "institute", "随州市农业科学院|市农科院"),
)

NOTES: tuple[tuple[object, ...], ...] = (
    ("填表人：张三", "联系电话：", "0722-3596290"),
    ("备注：数据截至5月31日，含线上直播3场",),
    ("填报日期：", "2023年6月1日"),
)


@dataclass(frozen=True)
class Form:
    """A return: lines above the table, the table, lines under it."""

    head: list[list[object]]
    table: list[list[object]]
    merges: tuple[Merge, ...] = ()  # in table coordinates
    notes: list[list[object]] = field(default_factory=list)

    def sheet(self, name: str = "Sheet1", hidden: bool = False) -> Sheet:
        """The whole form on one worksheet: head rows, table, notes (merges shifted)."""
        top = len(self.head)
        merges = tuple((r0 + top, c0, r1 + top, c1) for r0, c0, r1, c1 in self.merges)
        return Sheet(name, [list(r) for r in (*self.head, *self.table, *self.notes)], merges, hidden)


def _head(year: int, stamp: str | None) -> list[list[object]]:
    head: list[list[object]] = [[FORM_TITLE.format(year=year)]]
    if stamp is not None:
        head.append([STAMP_LABEL + stamp])
    return head


def vertical_form(
    values: Mapping[str, object],
    *,
    year: int = 2023,
    stamp: str | None = "",
    label_overrides: Mapping[str, str] | None = None,
    value_offset: int = 0,
    notes: Iterable[Sequence[object]] = (),
    subtotals: Mapping[str, object] | None = None,
    subtotal_label: str = "小计",
) -> Form:
    """The notice's template: category | item | value, categories merged down, category-less items merged across.

    ``value_offset`` moves the value column right (an empty column before it); ``subtotals`` maps a
    category to the raw value of a ``subtotal_label`` row added under its block; ``stamp=None``
    drops the 盖章 line.
    """
    labels = dict(label_overrides or {})
    subtotals = dict(subtotals or {})
    width = 3 + value_offset
    table: list[list[object]] = []
    merges: list[Merge] = []
    block_start = 0
    for i, f in enumerate(FIELDS):
        row: list[object] = [None] * width
        label = labels.get(f.key, f.label)
        if f.category:
            row[0] = f.category if (i == 0 or FIELDS[i - 1].category != f.category) else None
            row[1] = label
        else:
            row[0] = label
            merges.append((len(table), 0, len(table), 1 + value_offset))
        row[2 + value_offset] = values.get(f.key)
        if row[0] is not None and f.category:
            block_start = len(table)
        table.append(row)
        last_in_block = f.category and (i + 1 == len(FIELDS) or FIELDS[i + 1].category != f.category)
        if last_in_block:
            if f.category in subtotals:
                sub: list[object] = [None] * width
                sub[1], sub[2 + value_offset] = subtotal_label, subtotals[f.category]
                table.append(sub)
            if len(table) - 1 > block_start:
                merges.append((block_start, 0, len(table) - 1, 0))
    return Form(_head(year, stamp), table, tuple(merges), [list(n) for n in notes])


def transposed_form(
    values: Mapping[str, object],
    *,
    header_rows: int = 1,
    year: int = 2023,
    stamp: str | None = "",
    unit_name: str | None = None,
    notes: Iterable[Sequence[object]] = (),
) -> Form:
    """One value row under the labels; with two header rows the categories sit above their items.

    ``unit_name`` adds a first column 单位名称 holding it.
    """
    return wide_form(
        {unit_name or "": values} if unit_name is not None else {"": values},
        header_rows=header_rows,
        year=year,
        stamp=stamp,
        name_column=unit_name is not None,
        notes=notes,
    )


def wide_form(
    rows: Mapping[str, Mapping[str, object]],
    *,
    total: Mapping[str, object] | None = None,
    header_rows: int = 1,
    year: int = 2023,
    stamp: str | None = "",
    name_column: bool = True,
    total_label: str = "合计",
    notes: Iterable[Sequence[object]] = (),
) -> Form:
    """One row per sub-unit (first column its name) and, when ``total`` is given, a 合计 row last."""
    lead = 1 if name_column else 0
    merges: list[Merge] = []
    if header_rows == 1:
        header = [[*(["单位名称"] if lead else []), *(f.label for f in FIELDS)]]
    else:
        top: list[object] = [*(["单位名称"] if lead else []), *([None] * len(FIELDS))]
        second: list[object] = [*([None] if lead else []), *([None] * len(FIELDS))]
        if lead:
            merges.append((0, 0, 1, 0))
        for i, f in enumerate(FIELDS):
            c = lead + i
            if not f.category:
                top[c] = f.label
                merges.append((0, c, 1, c))
                continue
            second[c] = f.label
            if i == 0 or FIELDS[i - 1].category != f.category:
                top[c] = f.category
                span = sum(1 for g in FIELDS if g.category == f.category)
                if span > 1:
                    merges.append((0, c, 0, c + span - 1))
        header = [top, second]
    body = [[*([name] if lead else []), *(vals.get(f.key) for f in FIELDS)] for name, vals in rows.items()]
    if total is not None:
        body.append([*([total_label] if lead else []), *(total.get(f.key) for f in FIELDS)])
    return Form(_head(year, stamp), header + body, tuple(merges), [list(n) for n in notes])


def instruction_sheet(name: str = "填表说明", glossary: bool = False) -> Sheet:
    """An instruction sheet; with ``glossary`` it explains every item by its label (label | 说明)."""
    rows: list[list[object]] = [
        ["填表说明"],
        ["1. 本表于2023年6月3日前报送市科技局外专科。"],
        ["2. 经费以万元为单位，保留两位小数；人员以人计，群众参与以人次计。"],
        ["3. 联系电话：0722-3596290"],
    ]
    if glossary:
        rows += [["指标", "说明"]] + [[f.label, f"填写活动周期间的{f.display}，单位：{f.measure}"] for f in FIELDS]
    return Sheet(name, rows)


# ---------------------------------------------------------------- writers


def _as_sheets(content: Form | Sheet | Sequence[Sheet]) -> list[Sheet]:
    if isinstance(content, Form):
        return [content.sheet()]
    if isinstance(content, Sheet):
        return [content]
    return list(content)


def write_xlsx(path: Path, content: Form | Sheet | Sequence[Sheet], *, macro: bool = False) -> Path:
    """Write sheets with openpyxl (strings always as text); ``macro`` marks the package as .xlsm."""
    write_bytes(path, xlsx_bytes(_as_sheets(content)))
    if macro:
        _patch_zip(
            path,
            "[Content_Types].xml",
            lambda xml: xml.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            ),
        )
    return Path(path)


def write_xls(path: Path, content: Form | Sheet | Sequence[Sheet]) -> Path:
    """Write a BIFF8 .xls (as WPS and old Excel save) with xlwt."""
    return write_bytes(path, xls_bytes(_as_sheets(content)))


def write_ods(path: Path, content: Form | Sheet | Sequence[Sheet]) -> Path:
    """Write an OpenDocument spreadsheet with odfpy (merged cells as spans + covered cells)."""
    return write_bytes(path, ods_bytes(_as_sheets(content)))


def write_docx(
    path: Path,
    form: Form | None,
    *,
    paragraphs: Iterable[str] = (),
    extra_tables: Iterable[Sequence[Sequence[object]]] = (),
) -> Path:
    """A Word file: the form's head as paragraphs, its table (merged cells merged), its notes as paragraphs.

    ``paragraphs`` are written before everything else; ``extra_tables`` after (plain tables).
    """
    from docx import Document

    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if form is not None:
        for line in form.head:
            doc.add_paragraph("".join(str(v) for v in line if v is not None))
        word_table(doc, Sheet("", form.table, form.merges))
        for line in form.notes:
            doc.add_paragraph("".join(str(v) for v in line if v is not None))
    for rows in extra_tables:
        word_table(doc, Sheet("", [list(r) for r in rows]))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def write_csv(path: Path, content: Form | Sheet, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """The form as CSV text (merged cells keep their text in the first cell only)."""
    sheet = content.sheet() if isinstance(content, Form) else content
    return write_bytes(path, csv_bytes(sheet.rows, encoding, delimiter))


# ---------------------------------------------------------------- short cuts named by layout


def write_vertical_xlsx(
    path: Path,
    values: Mapping[str, object],
    *,
    sheet: str = "Sheet1",
    extra_sheets: Sequence[Sheet] = (),
    macro: bool = False,
    **form: object,
) -> Path:
    """The template form on ``sheet``, after ``extra_sheets`` (e.g. an instruction sheet)."""
    form_sheet = vertical_form(values, **form).sheet(sheet)  # type: ignore[arg-type]
    return write_xlsx(path, [*extra_sheets, form_sheet], macro=macro)


def write_vertical_docx(path: Path, values: Mapping[str, object], **form: object) -> Path:
    """The template form as the notice's Word attachment."""
    return write_docx(path, vertical_form(values, **form))  # type: ignore[arg-type]


def write_transposed_xlsx(
    path: Path, values: Mapping[str, object], *, header_rows: int = 1, sheet: str = "Sheet1", **form: object
) -> Path:
    """Labels across (one or two header rows), one value row."""
    form_sheet = transposed_form(values, header_rows=header_rows, **form).sheet(sheet)  # type: ignore[arg-type]
    return write_xlsx(path, form_sheet)


def write_wide_xlsx(
    path: Path,
    rows: Mapping[str, Mapping[str, object]],
    *,
    total: Mapping[str, object] | None = None,
    sheet: str = "Sheet1",
    **form: object,
) -> Path:
    """One row per sub-unit, with a 合计 row when ``total`` is given."""
    return write_xlsx(path, wide_form(rows, total=total, **form).sheet(sheet))  # type: ignore[arg-type]


# ---------------------------------------------------------------- raw cell XML (formulas with cached values)


def set_xlsx_cells(path: Path, cells: Mapping[str, str], *, sheet_part: str = "xl/worksheets/sheet1.xml") -> Path:
    """Replace whole ``<c>`` elements of an openpyxl-written sheet, e.g. a formula with its cached value.

    ``cells`` maps an address to the new element, e.g. ``{"C5": '<c r="C5"><f>C3*2</f><v>70</v></c>'}``;
    the address must already hold a value (write a placeholder number first).
    """

    def patch(xml: bytes) -> bytes:
        for address, element in cells.items():
            xml, n = re.subn(
                rb'<c r="' + address.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', element.encode(), xml, count=1, flags=re.S
            )
            if n != 1:
                raise KeyError(f"cell {address} not found in {sheet_part}")
        return xml

    return _patch_zip(path, sheet_part, patch)


def patch_docx_body(path: Path, patch) -> Path:
    """Rewrite ``word/document.xml`` of a written .docx (``patch``: bytes → bytes), e.g. with lxml to add content
    controls, tracked changes, fields or text boxes that python-docx cannot write."""
    return _patch_zip(path, "word/document.xml", patch)


def _patch_zip(path: Path, member: str, patch) -> Path:
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, patch(data) if info.filename == member else data)
    return path


# ---------------------------------------------------------------- files that are not returns


def write_bytes(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_photo(path: Path) -> Path:
    return write_bytes(
        path, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"
    )


def write_video(path: Path, seconds: float = 30.0) -> Path:
    """A valid MP4 whose container says it lasts ``seconds`` (the demo's video)."""
    return write_bytes(path, minimal_mp4(seconds))


def write_pdf(path: Path) -> Path:
    return write_bytes(path, b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def write_legacy_doc(path: Path) -> Path:
    """An OLE compound file named .doc (what Word 97-2003 saves)."""
    return write_bytes(path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "统计表".encode("utf-16-le"))


def write_lock_file(path: Path) -> Path:
    """An Office owner file ``~$…`` (user name, padded)."""
    return write_bytes(path, b"\x06" + "张三".encode("utf-16-le").ljust(161, b"\x00"))


def write_summary_docx(path: Path) -> Path:
    """A Word summary of the week: paragraphs with numbers and an activity list, but no statistics table."""
    return write_docx(
        path,
        None,
        paragraphs=(
            "随县2023年科技活动周工作总结",
            "2023年5月20日至31日，我县围绕“热爱科学 崇尚科学”主题开展科技活动周。",
            "全县共举办科普活动12次，参与群众16520人次，线上参与165200人次。",
            "投入经费8.25万元，科技志愿者120人参与。",
        ),
        extra_tables=[
            ("活动名称", "时间", "地点"),
            ("科普进社区", "5月20日", "城区"),
            ("科技下乡", "5月25日", "厉山镇"),
        ],
    )


def write_unrelated_xlsx(path: Path) -> Path:
    """A workbook that is not the form: a sign-in sheet with names and phone numbers."""
    return write_xlsx(
        path,
        Sheet(
            "签到表",
            [
                ["序号", "姓名", "单位", "联系电话"],
                [1, "张三", "随县科经局", "13800000000"],
                [2, "李四", "市科协", "0722-3596290"],
            ],
        ),
    )


def write_units_csv(path: Path, units: Iterable[tuple[str, str, str]] = TEST_UNITS) -> Path:
    """A unit registry in the format of data/reference/units.csv."""
    lines = ["name,kind,aliases,since,until", *(f"{n},{k},{a},," for n, k, a in units)]
    return write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))


def with_values(base: Mapping[str, object], **changes: object) -> dict[str, object]:
    """A copy of ``base`` with some fields changed."""
    return {**base, **changes}


# ---------------------------------------------------------------- running ingest and reading its tables


def ingest_folder(raw: Path, **options: object) -> IngestResult:
    """``ingest`` on one process with the test registry and year 2023 unless told otherwise."""
    raw = Path(raw)
    defaults: dict[str, object] = {"year": 2023, "workers": 1}
    if "units_csv" not in options and "registry" not in options:
        defaults["units_csv"] = write_units_csv(raw.parent / f"{raw.name}-units.csv")
    return ingest(raw, **{**defaults, **options})  # type: ignore[arg-type]


def return_of(result: IngestResult, source_file: str) -> dict[str, object]:
    """The returns.csv row of one accepted file as a dict (fails when there is not exactly one)."""
    rows = result.returns[result.returns["source_file"] == source_file]
    assert len(rows) == 1, f"{source_file}: {len(rows)} rows in returns; files:\n{result.files}\n{result.issues}"
    return rows.iloc[0].to_dict()


def value_of(result: IngestResult, source_file: str, key: str) -> dict[str, object]:
    """The values.csv row of one field of one file."""
    rows = result.values[(result.values["source_file"] == source_file) & (result.values["field"] == key)]
    assert len(rows) == 1, f"{source_file}/{key}: {len(rows)} rows in values"
    return rows.iloc[0].to_dict()


def issues_of(result: IngestResult, source_file: str, code: str | None = None) -> pd.DataFrame:
    """Issue rows of one file (and one code)."""
    frame = result.issues[result.issues["source_file"] == source_file]
    return frame if code is None else frame[frame["code"] == code]


def file_row(result: IngestResult, source_file: str) -> dict[str, object]:
    """The files.csv row of one file."""
    rows = result.files[result.files["source_file"] == source_file]
    assert len(rows) == 1, f"{source_file}: {len(rows)} rows in files"
    return rows.iloc[0].to_dict()


def numbers(row: Mapping[str, object], keys: Iterable[str] = SAMPLE) -> dict[str, float | None]:
    """The field values of a returns row as plain floats (None for not reported)."""
    return {k: None if pd.isna(row[k]) else float(row[k]) for k in keys}  # type: ignore[arg-type]
