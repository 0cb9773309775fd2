"""Readers: one file → cell grids.  No interpretation of what the cells mean.

Spreadsheets (.xlsx .xlsm .xls .ods) are read with python-calamine (cached
values of formula cells, never macros); Word tables are read straight from
``word/document.xml`` with a hardened lxml parser (no DTD, no entities, no
network); CSV text is decoded by trying UTF-8 (with or without BOM), UTF-16
with BOM, then GB18030.  Legacy .doc is converted with LibreOffice when it is
installed.  Every failure is a :class:`~analysis.safety.Refused` carrying the
Chinese message for the issue row.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from analysis.intake.safety import (
    DEFAULT_LIMITS,
    OLE_MAGIC,
    ZIP_MAGIC,
    Limits,
    Refused,
    check_ole,
    check_size,
    check_zip,
    column_number,
    signature,
)
from analysis.intake.source import FileLike, Source, zip_input

SPREADSHEET_EXT = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
WORD_EXT = (".docx", ".docm", ".wps")
LEGACY_WORD_EXT = (".doc",)
CSV_EXT = (".csv",)
TABLE_EXT = SPREADSHEET_EXT + WORD_EXT + LEGACY_WORD_EXT + CSV_EXT
PDF_EXT = (".pdf",)
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")  # photos and scans, read by OCR

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_TBL, _W_TR, _W_TC, _W_P, _W_T = (f"{{{_W}}}{t}" for t in ("tbl", "tr", "tc", "p", "t"))
_W_TAB, _W_BR = f"{{{_W}}}tab", f"{{{_W}}}br"
_W_VAL = f"{{{_W}}}val"


@dataclass(frozen=True)
class Grid:
    """The cells of one sheet or table; ``rows[r][c]`` is at sheet row ``r + origin[0]``."""

    sheet: str
    rows: list[list[object]]
    hidden: bool = False
    origin: tuple[int, int] = (0, 0)
    merged: tuple[tuple[int, int, int, int], ...] = field(default=())  # (r0, c0, r1, c1) in grid coordinates
    problem: str = ""  # why this sheet could not be read (Chinese), when it could not

    def address(self, r: int, c: int) -> str:
        """A1-style address of grid cell (r, c)."""
        return f"{column_letters(c + self.origin[1] + 1)}{r + self.origin[0] + 1}"


def column_letters(n: int) -> str:
    """1 → 'A', 28 → 'AB'."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def read_grids(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """All grids of a table-bearing file, PDF or image (by content, not only by extension); a Path or a Source."""
    path = path if isinstance(path, Source) else Path(path)
    check_size(path, limits)
    ext = path.suffix.lower()
    if ext in PDF_EXT:
        from analysis.intake.pdf_reader import read_pdf

        return read_pdf(path, limits)
    if ext in IMAGE_EXT:
        from analysis.intake.ocr_reader import read_image

        return read_image(path, limits)
    head = signature(path)
    if ext in LEGACY_WORD_EXT or (ext in WORD_EXT and head.startswith(OLE_MAGIC)):
        if head.startswith(ZIP_MAGIC):
            return read_docx(path, limits)
        check_ole(path)
        return _read_legacy_doc(path, limits)
    if ext in CSV_EXT:
        return [read_csv(path, limits)]
    if head.startswith(OLE_MAGIC):  # .xls, .et, or an encrypted OOXML container
        check_ole(path)
        return read_spreadsheet(path, limits)
    if head.startswith(b"PK"):  # any zip (a local file header, or an empty/spanned archive marker)
        facts = check_zip(path, limits)
        if facts.word_body is not None:
            return word_grids(facts.word_body, limits)
        grids = read_spreadsheet(path, limits)
        if not facts.error_parts:
            return grids
        with zipfile.ZipFile(zip_input(path)) as zf:
            return _restore_error_cells(zf, grids, facts.error_parts)
    raise Refused("file_wrong_format", f"文件扩展名为 {ext}，但内容不是该格式（可能是改了扩展名或文件已损坏），"
                                       "请用Excel/WPS/Word打开确认后另存为 .xlsx 或 .docx 再报送。")


def read_spreadsheet(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """Every worksheet of a workbook, with its visibility, through python-calamine."""
    import python_calamine as pc

    try:
        if _utf8_path(path):  # by path: calamine also goes by the extension (an encrypted .xls says so)
            wb = pc.CalamineWorkbook.from_path(str(path))
        else:  # from bytes: archive members, and names that are not UTF-8
            with path.open("rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
    except pc.PasswordError as exc:
        raise Refused("file_encrypted", "文件设置了密码保护，无法读取。请取消密码后重新报送。") from exc
    except Exception as exc:  # calamine raises several error types for broken files
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise Refused("file_encrypted", "文件设置了密码保护，无法读取。请取消密码后重新报送。") from exc
        raise Refused("file_corrupt", f"文件无法打开（已损坏或格式不符：{_short(exc)}），请重新保存后报送。") from exc
    grids: list[Grid] = []
    metas = wb.sheets_metadata
    if len(metas) > limits.max_sheets:
        raise Refused("file_limit_sheets", f"工作表数量 {len(metas)} 超过上限 {limits.max_sheets}"
                                           "（Limits.max_sheets），未读取。")
    for meta in metas:
        if "Worksheet" not in str(meta.typ) and "WorkSheet" not in str(meta.typ):
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
            grids.append(Grid(sheet=meta.name, rows=[], problem=f"工作表“{meta.name}”无法读取（{_short(exc)}），已跳过该表。"
                                                               "如统计表在这张表上，请另存为新文件后重新报送。"))
            continue
        grids.append(Grid(sheet=meta.name, rows=[[_blank(v) for v in row] for row in rows],
                          hidden="Visible" not in str(meta.visible), origin=tuple(start), merged=merged))
    return grids


_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_ENTRY = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                        rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.DOTALL)
_CELL_R = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_CELL_V = re.compile(rb"<v>([^<]*)</v>")


def _restore_error_cells(zf: zipfile.ZipFile, grids: list[Grid], error_parts: dict[str, bytes]) -> list[Grid]:
    """Put the text of formula-error cells (#REF!, #DIV/0! …) back where calamine left them empty."""
    try:
        rels = {}
        for m in _REL_ENTRY.finditer(zf.read("xl/_rels/workbook.xml.rels")):
            rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            rels[rid.decode()] = "xl/" + target.decode().lstrip("/").removeprefix("xl/")
        part_of = {html.unescape(name.decode()): rels.get(rid.decode(), "")
                   for name, rid in _SHEET_ENTRY.findall(zf.read("xl/workbook.xml"))}
    except (KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return grids
    out = []
    for grid in grids:
        data = error_parts.get(part_of.get(grid.sheet, ""))
        if data:
            rows = [list(row) for row in grid.rows]
            for attrs, body in _ERROR_CELL.findall(data):
                ref, value = _CELL_R.search(attrs), _CELL_V.search(body)
                if not ref or not value:
                    continue
                r = int(ref.group(2)) - 1 - grid.origin[0]
                c = column_number(ref.group(1)) - 1 - grid.origin[1]
                if r < 0 or c < 0:
                    continue
                while len(rows) <= r:
                    rows.append([])
                rows[r].extend([None] * (c + 1 - len(rows[r])))
                rows[r][c] = html.unescape(value.group(1).decode(errors="replace"))
            grid = Grid(grid.sheet, rows, grid.hidden, grid.origin, grid.merged)
        out.append(grid)
    return out


def _utf8_path(path: FileLike) -> bool:
    """A file on disk whose name native readers can take (not a Source, no undecodable bytes)."""
    if isinstance(path, Source):
        return False
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _blank(value: object) -> object:
    return None if value == "" else value


def read_csv(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> Grid:
    """A CSV file as one grid, decoding UTF-8 (BOM or not), UTF-16 (BOM) or GB18030."""
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused("csv_nul_bytes", "CSV 文件中含有空字符（NUL），可能不是文本文件或已损坏。"
                                       "请用Excel另存为“CSV UTF-8”或 .xlsx 后重新报送。")
    text = decode_text(data)
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > limits.max_csv_line:
        raise Refused("csv_line_too_long", f"CSV 文件中有一行长达 {longest} 个字符，超过上限 {limits.max_csv_line}"
                                           "（Limits.max_csv_line），未读取。")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = [[cell.strip() or None for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise Refused("csv_malformed", f"CSV 文件格式有误（{_short(exc)}），请用Excel另存为“CSV UTF-8”或 .xlsx 后重新报送。"
                      ) from exc
    if len(rows) * max((len(r) for r in rows), default=0) > limits.max_cells:
        raise Refused("file_limit_cells", f"CSV 文件单元格数超过上限 {limits.max_cells}（Limits.max_cells），未读取。")
    return Grid(sheet="", rows=rows)


def decode_text(data: bytes) -> str:
    """Text of a CSV-like file: UTF-8 (BOM or not), UTF-16 (BOM), else GB18030 (Excel on Chinese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def read_docx(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """Word tables as grids (merged cells expanded), plus the body paragraphs as a one-column grid ``正文``."""
    body = check_zip(path, limits).word_body
    if body is None:
        raise Refused("file_corrupt", "Word 文件缺少正文部分（word/document.xml），文件可能已损坏，请重新保存后报送。")
    return word_grids(body, limits)


def word_grids(xml: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """The grids of a checked ``word/document.xml``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise Refused("file_corrupt", f"Word 文件正文无法解析（{_short(exc)}），请重新保存后报送。") from exc
    body = root.find(f"{{{_W}}}body")
    if body is None:
        return []
    grids: list[Grid] = []
    paragraphs: list[list[object]] = []
    for element in body.iterchildren():
        if element.tag == _W_P:
            text = _text(element)
            if text:
                paragraphs.append([text])
        elif element.tag == _W_TBL:
            _collect_tables(element, grids, depth=1, limits=limits)
    if paragraphs:
        grids.append(Grid(sheet="正文", rows=paragraphs))
    return grids


def _collect_tables(tbl: etree._Element, grids: list[Grid], depth: int, limits: Limits) -> None:
    if depth > limits.max_table_depth:
        raise Refused("docx_nested_tables", f"Word 表格嵌套超过 {limits.max_table_depth} 层"
                                            "（Limits.max_table_depth），未读取。请使用不嵌套的普通表格。")
    index = len(grids) + 1
    grids.append(Grid(sheet=f"表格{index}", rows=[]))
    rows: list[list[object]] = []
    merged: list[tuple[int, int, int, int]] = []
    for r, tr in enumerate(tbl.iterchildren(_W_TR)):
        row: list[object] = []
        for tc in tr.iterchildren(_W_TC):
            props = tc.find(f"{{{_W}}}tcPr")
            span, vmerge = 1, None
            if props is not None:
                gs = props.find(f"{{{_W}}}gridSpan")
                if gs is not None and (gs.get(_W_VAL) or "1").isdigit():
                    span = max(1, min(int(gs.get(_W_VAL) or 1), 64))
                vm = props.find(f"{{{_W}}}vMerge")
                if vm is not None:
                    vmerge = vm.get(_W_VAL) or "continue"
            for nested in tc.iterchildren(_W_TBL):
                _collect_tables(nested, grids, depth + 1, limits)
            text = "\n".join(t for t in (_text(p) for p in tc.iterchildren(_W_P)) if t)
            value: object = None if vmerge == "continue" or not text else text
            if span > 1:
                merged.append((r, len(row), r, len(row) + span - 1))
            row.append(value)
            row.extend([None] * (span - 1))
        rows.append(row)
        if len(rows) * max(len(row), 1) > limits.max_cells:
            raise Refused("file_limit_cells", f"Word 表格单元格数超过上限 {limits.max_cells}（Limits.max_cells），未读取。")
    grids[index - 1] = Grid(sheet=f"表格{index}", rows=rows, merged=tuple(merged))


def _text(paragraph: etree._Element) -> str:
    parts: list[str] = []
    for node in paragraph.iter(_W_T, _W_TAB, _W_BR):
        if node.tag == _W_T:
            parts.append(node.text or "")
        else:
            parts.append(" " if node.tag == _W_TAB else "\n")
    return "".join(parts).strip()


def _read_legacy_doc(path: FileLike, limits: Limits) -> list[Grid]:
    if isinstance(path, Source):
        raise Refused("doc_legacy", "压缩包中的文件为旧版 Word（.doc）格式，压缩包成员不解压到磁盘，无法转换读取。"
                                    "请用 Word/WPS 另存为 .docx 后重新报送。")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise Refused("doc_legacy", "文件为旧版 Word（.doc）格式，本机未安装 LibreOffice，无法转换读取。"
                                    "请用 Word/WPS 另存为 .docx 后重新报送。")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "docx", "--outdir", tmp, str(path)],
                           check=True, capture_output=True, timeout=limits.seconds_per_file)
        except (subprocess.SubprocessError, OSError) as exc:
            raise Refused("doc_convert_failed", f"旧版 Word（.doc）文件转换失败（{_short(exc)}），"
                                                "请另存为 .docx 后重新报送。") from exc
        converted = Path(tmp) / (path.stem + ".docx")
        if not converted.is_file():
            raise Refused("doc_convert_failed", "旧版 Word（.doc）文件转换失败，请另存为 .docx 后重新报送。")
        return read_docx(converted, limits)


def _short(exc: BaseException) -> str:
    """The exception as a labelled technical detail inside a Chinese message."""
    text = f"{type(exc).__name__}: {exc}"
    return "技术信息：" + (text if len(text) <= 120 else text[:117] + "...")
