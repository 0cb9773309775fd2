"""Which reader opens a file: by content first (:mod:`~analysis.intake.readers.sniff`), then by extension; every
failure a Refused.  A file whose bytes are another format the package reads than its extension says (a .docx named
.zip, an .xlsx or a web page named .xls) is read as what it is, and :attr:`Opened.note` says so."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from analysis.intake.readers.csvfile import read_csv
from analysis.intake.readers.excel import read_spreadsheet, zip_workbook_grids
from analysis.intake.readers.formats import (
    CSV_EXT,
    IMAGE_EXT,
    LEGACY_WORD_EXT,
    PDF_EXT,
    TEXT_AS_SHEET_EXT,
    WORD_EXT,
    XML_EXT,
)
from analysis.intake.readers.grid import Grid
from analysis.intake.readers.html import read_html
from analysis.intake.readers.mht import read_mht
from analysis.intake.readers.ocr import read_image
from analysis.intake.readers.pdf import read_pdf
from analysis.intake.readers.sniff import ArchiveContent, note, ole_kind, sniff, zip_kind
from analysis.intake.readers.spreadsheetml import read_spreadsheetml
from analysis.intake.readers.word import docx_and_objects, read_legacy_doc
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused, ZipFacts, check_ole, check_size, check_zip
from analysis.intake.source import FileLike, Source


@dataclass(frozen=True)
class Opened:
    """A file's grids; for a zip-based (Office Open XML / ODF) file, what its pre-flight check read; and, when
    its content is another format than its extension says, the info saying what it was read as (Chinese)."""

    grids: list[Grid]
    facts: ZipFacts | None = None
    note: str = ""


def read_grids(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """All grids of a table-bearing file, PDF or image (by content, not only by extension); a Path or a Source."""
    return open_grids(path, limits).grids


def open_grids(path: FileLike, limits: Limits = DEFAULT_LIMITS, kind: str | None = None) -> Opened:
    """:func:`read_grids`, with the zip facts (so that the template check need not open the file again) and the
    note on a file read as another format than its extension; ``kind``: what :func:`sniff` said, when known."""
    path = path if isinstance(path, Source) else Path(path)
    check_size(path, limits)
    ext = path.suffix.lower()
    if ext in PDF_EXT:
        return Opened(read_pdf(path, limits))
    if ext in IMAGE_EXT:
        return Opened(read_image(path, limits))
    if ext in CSV_EXT:
        return Opened([read_csv(path, limits)])
    kind = kind or sniff(path, inside=False)
    opened = _by_content(path, ext, kind, limits)
    kind = zip_kind(opened.facts.names) if kind == "pk" and opened is not None and opened.facts else kind
    if opened is None:
        if ext in XML_EXT:
            raise Refused(
                "file_not_table",
                "这个 .xml 文件不是 Excel 2003 XML 表格，未读取。如是统计表，请另存为 .xlsx 后重新报送。",
                severity="info",
            )
        raise Refused(
            "file_wrong_format",
            f"文件扩展名为 {ext}，但内容不是该格式（可能是改了扩展名或文件已损坏），"
            "请用Excel/WPS/Word打开确认后另存为 .xlsx 或 .docx 再报送。",
        )
    if kind == "text":
        with path.open("rb") as fh:
            delimiter = "制表符" if b"\t" in fh.read(8192) else "逗号"
        return replace(
            opened,
            note=f"文件扩展名为 {ext}，但内容是以{delimiter}分隔的文本（网页系统“导出Excel”常见），"
            "已按文本表格（CSV）读取。",
        )
    if kind in ("unknown", "ole"):  # an OLE file's note says what it holds (Word or a workbook)
        return opened
    return replace(opened, note=note(ext, kind))


def _by_content(path: FileLike, ext: str, kind: str, limits: Limits) -> Opened | None:
    """The grids of a file read as the ``kind`` its bytes are; None when no reader takes it."""
    facts = None
    if kind == "pk":  # a zip whose directory the pre-flight reads: an Office file, or an archive under its name
        facts = check_zip(path, limits)
        kind = zip_kind(facts.names)
        if kind == "zip":
            raise ArchiveContent(ext)
    if kind == "docx":
        facts = facts or check_zip(path, limits)
        return Opened(docx_and_objects(path, facts, limits), facts)
    if kind in ("xlsx", "ods"):
        facts = facts or check_zip(path, limits)
        return Opened(zip_workbook_grids(path, facts, limits), facts)
    if kind == "ole":
        check_ole(path)
        holds = ole_kind(path)
        if holds == "word" or (holds == "" and ext in LEGACY_WORD_EXT + WORD_EXT):
            # .doc, WPS 文字 .wps (or a .doc under another name): through LibreOffice
            grids = read_legacy_doc(path, limits)
            return Opened(grids, note=note(ext, "ole-word") if holds else "")
        return Opened(read_spreadsheet(path, limits), note=note(ext, "ole-sheet") if holds else "")  # .xls, .et
    if kind == "html":
        return Opened(read_html(path, limits))
    if kind == "spreadsheetml":
        return Opened(read_spreadsheetml(path, limits))
    if kind == "mht":
        return Opened(read_mht(path, limits))
    if kind == "text" and ext in TEXT_AS_SHEET_EXT:
        return Opened([read_csv(path, limits)])
    return None
