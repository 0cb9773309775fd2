"""PDF → grids: the form's table from the text layer (pdfplumber), image-only pages by OCR (pypdfium2 renders them).

A page with text gives one grid per ruled table (``第1页表格1``, addresses A1-style inside that table) and one
grid of its text lines (``第1页文字``, where the 盖章 line usually is).  A page with images and no text is a
scan: it is rendered and read by :mod:`analysis.intake.readers.ocr` (``第1页``, addresses are OCR boxes).
Before any parser sees the file, its streams are inflated once with a budget (a content stream that expands to
gigabytes is refused), and only the first ``MAX_PAGES`` pages are read.
"""

from __future__ import annotations

import io
import re
import zlib

from analysis.intake.readers.grid import Grid
from analysis.intake.safety import Limits, Refused
from analysis.intake.source import FileLike

MAX_PAGES = 10  # a return is one or two pages; a longer PDF is read only this far
MAX_SCAN_PAGES = 2  # scanned pages OCR reads (seconds each): the form is on the first ones
SCAN_DPI = 200  # resolution scanned pages are rendered at for OCR (capped by readers.ocr.OCR_SIDE)
_STREAM = re.compile(rb"stream\r?\n")
_MAGIC = {
    b"\xff\xd8\xff": "JPEG 图片",
    b"\x89PNG": "PNG 图片",
    b"PK\x03\x04": "压缩包或 Office 文件",
    b"\xd0\xcf\x11\xe0": "旧版 Office 文件",
}


def check_streams(data: bytes, limits: Limits) -> None:
    """Inflate every Flate stream with a running budget (output discarded): refuse a decompression bomb."""
    budget = limits.max_unzipped_bytes
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        end = data.find(b"endstream", match.end())
        chunk = memoryview(data)[match.end() : end if end >= 0 else len(data)]
        try:
            out = inflater.decompress(chunk, 1024**2)
            while True:
                budget -= len(out)
                if budget < 0:
                    raise Refused(
                        "file_limit_unzipped",
                        f"PDF 中的内容流解压后超过 {limits.max_unzipped_bytes / 1024**2:.0f} MB"
                        "（Limits.max_unzipped_bytes），疑似压缩炸弹，未读取。",
                    )
                if not inflater.unconsumed_tail or inflater.eof:
                    break
                out = inflater.decompress(inflater.unconsumed_tail, 1024**2)
        except zlib.error:
            continue  # not a Flate stream (images, plain text): nothing to inflate


def read_pdf(src: FileLike, limits: Limits) -> list[Grid]:
    """The grids of a PDF: tables and text lines of text pages, OCR grids of scanned pages."""
    data = src.read_bytes()
    if b"%PDF-" not in data[:1024]:
        what = next((name for magic, name in _MAGIC.items() if data.startswith(magic)), "")
        raise Refused(
            "file_wrong_format",
            f"文件扩展名为 .pdf，但内容{'是' + what if what else '不是 PDF'}"
            "（可能是改了扩展名或文件已损坏）。请用正确的格式重新报送，统计表最好报送 Excel 或 Word 电子版。",
        )
    check_streams(data, limits)
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
            grids, scans = [], []
            for number, page in enumerate(pdf.pages[:MAX_PAGES], start=1):
                if page.chars:
                    grids += _text_page(page, number)
                elif page.images:
                    scans.append(number)
    except PDFPasswordIncorrect as exc:
        raise Refused("file_encrypted", "PDF 设置了打开密码，无法读取。请取消密码后重新报送。") from exc
    except Refused:
        raise
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in type(exc).__name__.lower():
            raise Refused("file_encrypted", "PDF 设置了打开密码，无法读取。请取消密码后重新报送。") from exc
        raise Refused("file_corrupt", f"PDF 无法解析（{type(exc).__name__}），可能已损坏，请重新导出后报送。") from exc
    if count > MAX_PAGES:
        grids.append(
            Grid(
                sheet=f"第{MAX_PAGES + 1}-{count}页",
                rows=[],
                problem=(
                    f"PDF 共 {count} 页，只读取了前 {MAX_PAGES} 页（readers.pdf.MAX_PAGES）。统计表如在后面的页上，请单独报送统计表。"
                ),
            )
        )
    if scans:
        grids += _scanned_pages(data, scans[:MAX_SCAN_PAGES])
    return grids


def _text_page(page, number: int) -> list[Grid]:
    grids = []
    for index, table in enumerate(page.extract_tables(), start=1):
        rows = [[_cell(v) for v in row] for row in table]
        grids.append(Grid(sheet=f"第{number}页表格{index}", rows=rows))
    lines = [line.strip() for line in (page.extract_text() or "").splitlines() if line.strip()]
    if lines:
        grids.append(Grid(sheet=f"第{number}页文字", rows=[[line] for line in lines]))
    return grids


def _cell(value: object) -> object:
    if not isinstance(value, str):
        return None
    text = value.replace("\n", "").strip()
    return text or None


def _scanned_pages(data: bytes, numbers: list[int]) -> list[Grid]:
    from analysis.intake.readers.ocr import OCR_SIDE, OcrUnavailable, ocr_engine, ocr_grid

    try:
        engine = ocr_engine()
    except ImportError as exc:
        raise OcrUnavailable("扫描件（PDF 中只有图片、没有文字）") from exc
    import pypdfium2 as pdfium

    grids: list[Grid] = []
    doc = pdfium.PdfDocument(data)
    try:
        for number in numbers:
            page = doc[number - 1]
            width, height = page.get_size()
            scale = min(SCAN_DPI / 72, OCR_SIDE / max(width, height, 1))
            image = page.render(scale=scale).to_pil()
            grids.append(ocr_grid(engine, image, f"第{number}页"))
    finally:
        doc.close()
    return grids
