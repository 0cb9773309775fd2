"""One unit's feedback workbook as bytes, made fast: the layout is written once by xlsxwriter, each file then
gets only its own cells and sheet name (:class:`Book`), well under a millisecond a unit.

Worker processes import this module to write their share of the unit files, so it loads no pandas.  Every text
cell is neutralised and written as text, so nothing taken from a return can become a formula; the zip entries
carry the fixed times of :func:`analysis.outputs.normalize_zip` (:func:`analysis.outputs.fixed_entry`), so the
same findings give the same bytes.
"""

from __future__ import annotations

import io
import math
import numbers
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from analysis.issues import ISSUE_HEADERS_ZH
from analysis.outputs import FIXED_TIME, fixed_entry, neutralize
from analysis.paths import DEMO_LABEL

NO_UNIT = "未识别单位"
COLUMNS = ("severity", "title", "source_file", "sheet", "cell", "field", "message", "status")  # a unit's own sheet
HEADERS = tuple(ISSUE_HEADERS_ZH[c] for c in COLUMNS)
WIDTHS = (9, 18, 30, 12, 9, 22, 60, 12)

_FORBIDDEN_SHEET = re.compile(r"[\[\]:*?/\\]")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # shown as U+FFFD
_WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\ or control characters, no leading/trailing quote, ≤ 31 characters."""
    base = _FORBIDDEN_SHEET.sub("_", _NOT_IN_XML.sub("_", name)).strip("'").strip() or NO_UNIT
    title, n = base[:31], 1
    while title.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title)
    return title


@dataclass(frozen=True)
class UnitFeedback:
    """One unit's feedback file: where it goes and its findings, worst first, as display text."""

    unit: str
    path: Path
    severities: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # one per finding, cells in :data:`HEADERS` order


_TOP = {"text_wrap": True, "valign": "top"}
_BOXED = {**_TOP, "border": 1, "border_color": "#808080"}
STYLES: dict[str, dict[str, object]] = {  # the cell formats, by name
    "plain": _TOP,
    "bold": {**_TOP, "bold": True},
    "title": {"bold": True, "font_size": 14, "valign": "top"},
    "demo": {**_TOP, "bold": True, "font_color": "#C00000"},
    "header": {**_BOXED, "bold": True, "pattern": 1, "bg_color": "#DDEBF7"},
    "boxed": _BOXED,
    "boxed_bold": {**_BOXED, "bold": True},
    "error": {**_BOXED, "pattern": 1, "bg_color": "#F8CBAD"},
    "warning": {**_BOXED, "pattern": 1, "bg_color": "#FFE699"},
}
_SHEET_MARK = "SHEETMARK"
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_COLUMNS = [chr(65 + i) for i in range(26)]


@dataclass(frozen=True)
class Row:
    """One row of cells from column A: numbers stay numbers, everything else is text."""

    at: int  # 0-based row
    values: tuple[object, ...]
    style: str  # a key of STYLES


@dataclass(frozen=True)
class Layout:
    """What a sheet looks like apart from its cells."""

    widths: tuple[tuple[int, int, float], ...]  # (first column, last column, width), 0-based
    header_row: int | None  # repeated on every printed page and frozen; None for none


@dataclass(frozen=True)
class _SheetPart:
    head: bytes  # the sheet XML up to and including <sheetData>
    tail: bytes  # from </sheetData> on


class Book:
    """A workbook layout written once by xlsxwriter (styles, column widths, page setup, print titles, frozen
    panes, fixed document time); each file made from it differs only in its cells and sheet names.

    Rendering the cells of a sheet directly is what makes a file per unit cheap (well under a millisecond,
    against about 3 ms for a whole xlsxwriter workbook), so thousands of units take seconds.
    """

    def __init__(self, layouts: list[Layout], *, compressed: bool = True) -> None:
        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, _WORKBOOK_OPTIONS)
        wb.set_properties({"created": FIXED_TIME})
        formats = {name: wb.add_format(spec) for name, spec in STYLES.items()}
        for n, layout in enumerate(layouts):
            ws = wb.add_worksheet(f"{_SHEET_MARK}{n}")
            for first, last, width in layout.widths:
                ws.set_column(first, last, width)
            _print_setup(ws, layout.header_row)
            for col, fmt in enumerate(formats.values()):  # so that every format is in the styles part
                ws.write_blank(0, col, None, fmt)
        wb.close()
        self.styles = {name: fmt.xf_index for name, fmt in formats.items()}
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
            self.members = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
        self.compress_type = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED  # stored: no deflate cost
        self.sheets: dict[str, _SheetPart] = {}
        for n in range(len(layouts)):
            xml = dict(self.members)[f"xl/worksheets/sheet{n + 1}.xml"]
            head, rest = xml.split(b"<sheetData>", 1)
            self.sheets[f"xl/worksheets/sheet{n + 1}.xml"] = _SheetPart(
                head + b"<sheetData>", rest[rest.index(b"</sheetData>") :]
            )

    def render(self, names: list[str], sheets: list[list[Row]]) -> bytes:
        """The reproducible bytes of a workbook with these sheet names and rows."""
        members = []
        for member, data in self.members:
            if member in self.sheets:
                part = self.sheets[member]
                rows = sheets[int(member.removeprefix("xl/worksheets/sheet").removesuffix(".xml")) - 1]
                body, ref = self._rows(rows)
                data = _DIMENSION.sub(f'<dimension ref="{ref}"/>'.encode(), part.head, count=1) + body + part.tail
            elif member in ("xl/workbook.xml", "docProps/app.xml"):
                for n, name in reversed(list(enumerate(names))):  # SHEETMARK10 is replaced before SHEETMARK1
                    quoted = "'" + name.replace("'", "''") + "'!"
                    data = data.replace(f"{_SHEET_MARK}{n}!".encode(), _xml(quoted).encode())
                    data = data.replace(f"{_SHEET_MARK}{n}".encode(), _xml(name).encode())
            members.append((member, data))
        if self.compress_type == zipfile.ZIP_STORED:
            return _stored_zip(members)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for member, data in members:
                zf.writestr(fixed_entry(member, self.compress_type), data)
        return buffer.getvalue()  # already what normalize_zip would make of it (tests check)

    def _rows(self, rows: list[Row]) -> tuple[bytes, str]:
        """``<row>`` elements of ``rows`` and the dimension (A1:…) they cover."""
        out, last_col = [], 0
        for row in rows:
            style, n = self.styles[row.style], row.at + 1
            cells = []
            for col, value in enumerate(row.values):
                ref = f"{_COLUMNS[col]}{n}"
                if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
                    cells.append(f'<c r="{ref}" s="{style}"/>')
                elif isinstance(value, numbers.Number) and not isinstance(value, bool):
                    cells.append(
                        f'<c r="{ref}" s="{style}"><v>{float(value)!r}</v></c>'
                        if isinstance(value, float)
                        else f'<c r="{ref}" s="{style}"><v>{int(value)}</v></c>'
                    )
                else:
                    text = _xml(neutralize(_NOT_IN_XML.sub("\ufffd", str(value))))
                    cells.append(
                        f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
                    )
            last_col = max(last_col, len(row.values))
            out.append(f'<row r="{n}">{"".join(cells)}</row>')
        last_row = max((r.at + 1 for r in rows), default=1)
        return "".join(out).encode("utf-8"), f"A1:{_COLUMNS[max(last_col, 1) - 1]}{last_row}"


_LOCAL = struct.Struct("<4s2B4HL2L2H")  # zipfile's local file header, central directory entry, end record
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


def _stored_zip(members: list[tuple[str, bytes]]) -> bytes:
    """The bytes ``zipfile`` writes for these uncompressed members with :func:`analysis.outputs.fixed_entry`
    entries (tests check it against :func:`analysis.outputs.normalize_zip`), without its per-entry overhead."""
    entry = fixed_entry("x", zipfile.ZIP_STORED)
    year, month, day, hour, minute, second = entry.date_time
    time_, date_ = hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day
    local, central, offset = [], [], 0
    for name, data in members:
        raw, crc = name.encode("ascii"), zlib.crc32(data)
        header = _LOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, time_, date_, crc, len(data), len(data), len(raw), 0)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                20,
                entry.create_system,
                20,
                0,
                0,
                0,
                time_,
                date_,
                crc,
                len(data),
                len(data),
                len(raw),
                0,
                0,
                0,
                0,
                entry.external_attr,
                offset,
            )
            + raw
        )
        local += [header, raw, data]
        offset += len(header) + len(raw) + len(data)
    directory = b"".join(central)
    return b"".join(
        [*local, directory, _END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)]
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _print_setup(ws: Worksheet, header_row: int | None) -> None:
    """A4 landscape, one page wide, centred; the header row repeated on every page and frozen."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    if header_row is not None:
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, 0)


def heading(title: str, demo: bool) -> list[Row]:
    """Demo label (when demo) and the title."""
    return [*([Row(0, (DEMO_LABEL,), "demo")] if demo else []), Row(int(demo), (title,), "title")]


def _unit_layout(demo: bool) -> Layout:
    return Layout(tuple((col, col, width) for col, width in enumerate(WIDTHS)), int(demo) + 2)


def _unit_rows(job: UnitFeedback, year: int, demo: bool) -> list[Row]:
    """A unit's sheet: heading, what to do, the header and its findings only."""
    header = _unit_layout(demo).header_row
    return [
        *heading(f"{job.unit}：{year}年科技活动周统计表核查反馈", demo),
        Row(header - 1, ("请逐条核实；需要改正的，请改正后重新报送统计表或补充材料。",), "plain"),
        Row(header, HEADERS, "header"),
        *(
            Row(n, cells, severity if severity in ("error", "warning") else "boxed")
            for n, (severity, cells) in enumerate(zip(job.severities, job.rows), start=header + 1)
        ),
    ]


def unit_workbook(job: UnitFeedback, *, year: int, demo: bool, book: Book | None = None) -> bytes:
    """The bytes of one unit's feedback file: its findings only (``book``: the layout, made once per run)."""
    book = book or Book([_unit_layout(demo)])
    return book.render([sheet_title(job.unit, set())], [_unit_rows(job, year, demo)])


def write_units(jobs: list[UnitFeedback], folder: Path, year: int, demo: bool) -> None:
    """Write each job's file into ``folder`` (a new folder of :func:`analysis.outputs.atomic_folder`)."""
    book = Book([_unit_layout(demo)], compressed=False)  # about 13 kB a file, and no time spent deflating
    for job in jobs:
        (folder / job.path.name).write_bytes(unit_workbook(job, year=year, demo=demo, book=book))
