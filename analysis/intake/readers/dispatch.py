"""Which reader opens a file: by content first, then by extension; every failure a Refused."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from analysis.intake.readers.csvfile import read_csv
from analysis.intake.readers.excel import apply_number_formats, read_spreadsheet, restore_error_cells, \
    scaling_formats
from analysis.intake.readers.formats import CSV_EXT, IMAGE_EXT, LEGACY_WORD_EXT, PDF_EXT, WORD_EXT
from analysis.intake.readers.grid import Grid
from analysis.intake.readers.ocr import read_image
from analysis.intake.readers.pdf import read_pdf
from analysis.intake.readers.word import docx_grids, read_legacy_doc, word_grids
from analysis.intake.safety import (
    DEFAULT_LIMITS,
    OLE_MAGIC,
    ZIP_MAGIC,
    Limits,
    Refused,
    ZipFacts,
    check_ole,
    check_size,
    check_zip,
    signature,
)
from analysis.intake.source import FileLike, Source, zip_input



@dataclass(frozen=True)
class Opened:
    """A file's grids and, for a zip-based (Office Open XML / ODF) file, what its pre-flight check read."""

    grids: list[Grid]
    facts: ZipFacts | None = None


def read_grids(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """All grids of a table-bearing file, PDF or image (by content, not only by extension); a Path or a Source."""
    return open_grids(path, limits).grids


def open_grids(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> Opened:
    """:func:`read_grids`, with the zip facts (so that the template check need not open the file again)."""
    path = path if isinstance(path, Source) else Path(path)
    check_size(path, limits)
    ext = path.suffix.lower()
    if ext in PDF_EXT:
        return Opened(read_pdf(path, limits))
    if ext in IMAGE_EXT:
        return Opened(read_image(path, limits))
    head = signature(path)
    if ext in LEGACY_WORD_EXT or (ext in WORD_EXT and head.startswith(OLE_MAGIC)):
        if head.startswith(ZIP_MAGIC):  # a .docx named .doc
            facts = check_zip(path, limits)
            return Opened(docx_grids(facts, limits), facts)
        check_ole(path)
        return Opened(read_legacy_doc(path, limits))
    if ext in CSV_EXT:
        return Opened([read_csv(path, limits)])
    if head.startswith(OLE_MAGIC):  # .xls, .et, or an encrypted OOXML container
        check_ole(path)
        return Opened(read_spreadsheet(path, limits))
    if head.startswith(b"PK"):  # any zip (a local file header, or an empty/spanned archive marker)
        facts = check_zip(path, limits)
        if facts.word_body is not None:
            return Opened(word_grids(facts.word_body, limits), facts)
        grids = read_spreadsheet(path, limits)
        formats = scaling_formats(facts.styles) if facts.styles else {}
        if not facts.error_parts and not formats:
            return Opened(grids, facts)
        with zipfile.ZipFile(zip_input(path)) as zf:
            if facts.error_parts:
                grids = restore_error_cells(zf, grids, facts.error_parts)
            return Opened(apply_number_formats(zf, grids, formats) if formats else grids, facts)
    raise Refused("file_wrong_format", f"文件扩展名为 {ext}，但内容不是该格式（可能是改了扩展名或文件已损坏），"
                                       "请用Excel/WPS/Word打开确认后另存为 .xlsx 或 .docx 再报送。")
