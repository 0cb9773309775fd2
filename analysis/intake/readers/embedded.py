"""Excel worksheets embedded in a Word file (选择性粘贴 → Microsoft Excel 工作表 对象) → their grids.

Word stores such an object as ``w:object`` holding a ``v:shape`` (whose ``v:imagedata`` is only the preview
picture: never read) and an ``o:OLEObject`` whose ``ProgID`` says what it is and whose ``r:id`` points (through
``word/_rels/document.xml.rels``) at the data: ``word/embeddings/*.xlsx`` for ``Excel.Sheet.12`` (also
``Excel.SheetMacroEnabled.12``), or ``word/embeddings/oleObject*.bin`` for ``Excel.Sheet.8``, a compound file
holding the ``Workbook`` stream (or a ``Package`` stream holding an .xlsx, as WPS writes it).  olefile reads the
compound file's directory and streams; python-calamine reads the workbook.  An object with no ProgID (LibreOffice
writes ``ProgID=""`` for an Excel 97-2003 object when it turns a .doc into .docx) is judged by its content: a
compound file holding a ``Workbook`` (or ``Book``) stream, or whose ``\x01CompObj`` stream names an Excel ProgID, is
a workbook; anything else without a ProgID is skipped, as every object that is not Excel is.

Objects are numbered in document order (every OLE object counts); a sheet of the N-th becomes the grid
``嵌入对象N/<sheet>``, so a value's place reads ``文件 · 嵌入对象1/Sheet1 · C5``.  Each embedded workbook is held to
the same limits as a file sent on its own; one that cannot be read becomes a grid with a ``problem``.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import replace

from analysis.intake.readers.excel import read_spreadsheet, zip_workbook_grids
from analysis.intake.readers.grid import Grid, short
from analysis.intake.readers.sniff import sniff
from analysis.intake.safety import Limits, Refused, ZipFacts, check_ole, check_zip
from analysis.intake.source import FileLike, Source, zip_input

EMBEDDED = "嵌入对象"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
_OLE_OBJECT = re.compile(rb"<o:OLEObject\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_REL = re.compile(rb"<Relationship\b([^>]*)>")
_EXCEL_PROGIDS = (
    "Excel.Sheet",
    "Excel.SheetMacroEnabled",
    "Excel.SheetBinaryMacroEnabled",
    "ET.Sheet",
    "KET.Sheet",
    "ET.Xlsx",
    "KET.Xlsx",
)


def has_objects(word_body: bytes) -> bool:
    """Whether a checked ``word/document.xml`` holds any embedded OLE object (cheap: a byte search)."""
    return b"OLEObject" in word_body


def embedded_grids(path: FileLike, facts: ZipFacts, limits: Limits) -> list[Grid]:
    """The sheets of every Excel workbook embedded in a Word file (``path``, pre-flight ``facts``)."""
    objects = [dict(_ATTR.findall(m.group(1))) for m in _OLE_OBJECT.finditer(facts.word_body or b"")]
    if not objects:
        return []
    grids: list[Grid] = []
    with zipfile.ZipFile(zip_input(path)) as zf:
        targets = _relationships(zf)
        for n, attrs in enumerate(objects, 1):
            prog_id = attrs.get(b"ProgID", b"").decode("ascii", errors="replace").strip()
            part = targets.get(attrs.get(b"r:id", b"").decode("ascii", errors="replace"), "")
            if part not in facts.names or (prog_id and not prog_id.startswith(_EXCEL_PROGIDS)):
                continue
            name = f"{EMBEDDED}{n}"
            try:
                src = Source(part, _member(zf, part, limits))
                if not prog_id and not _holds_workbook(src):
                    continue  # no ProgID and not a workbook: skipped as any object that is not Excel
                found = _workbook(src, limits)
            except Refused as exc:
                grids.append(Grid(sheet=name, rows=[], problem=f"嵌入的 Excel 工作表（{name}）未读取：{exc.message}"))
                continue
            grids.extend(
                replace(g, sheet=f"{name}/{g.sheet}", problem=g.problem and f"{name}：{g.problem}") for g in found
            )
    return grids


def _holds_workbook(src: Source) -> bool:
    """Whether an object without a ProgID is an Excel workbook: a compound file holding a ``Workbook`` (or
    ``Book``) stream, or whose ``\x01CompObj`` stream names an Excel ProgID."""
    if sniff(src) != "ole":
        return False
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(src.data)) as ole:
            if ole.exists("Workbook") or ole.exists("Book"):
                return True
            if not ole.exists("\x01CompObj"):
                return False
            return _compobj_prog_id(ole.openstream("\x01CompObj").read(4096)).startswith(_EXCEL_PROGIDS)
    except Exception:  # noqa: BLE001 - olefile raises several error types on a broken file: not known Excel
        return False


def _compobj_prog_id(data: bytes) -> str:
    """The ProgID of a ``\x01CompObj`` stream ([MS-OLEDS] 2.3.8): after the 28-byte header come three
    length-prefixed ANSI strings, the user type, the clipboard format and the ProgID; "" when unreadable."""
    at = 28
    texts = []
    for _ in range(3):
        if at + 4 > len(data):
            return ""
        size = int.from_bytes(data[at : at + 4], "little")
        if size in (0xFFFFFFFF, 0xFFFFFFFE):  # a clipboard format given as a number (4 more bytes)
            at += 8
            texts.append("")
            continue
        if size > 256 or at + 4 + size > len(data):
            return ""
        texts.append(data[at + 4 : at + 4 + size].rstrip(b"\0").decode("ascii", errors="replace"))
        at += 4 + size
    return texts[2]


def _relationships(zf: zipfile.ZipFile) -> dict[str, str]:
    """Relationship id → the part it names (``word/embeddings/oleObject1.bin``)."""
    try:
        data = zf.read(DOCUMENT_RELS)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, zlib.error):
        return {}
    out = {}
    for m in _REL.finditer(data):
        attrs = dict(_ATTR.findall(m.group(1)))
        rid, target = attrs.get(b"Id"), attrs.get(b"Target")
        if rid and target and attrs.get(b"TargetMode") != b"External":
            target_text = target.decode("utf-8", errors="replace")
            out[rid.decode("ascii", errors="replace")] = (
                target_text.lstrip("/")
                if target_text.startswith("/")
                else posixpath.normpath(posixpath.join("word", target_text))
            )
    return out


def _member(zf: zipfile.ZipFile, part: str, limits: Limits) -> bytes:
    info = zf.getinfo(part)
    if info.file_size > limits.max_file_bytes:
        raise Refused(
            "file_too_large", f"大小 {info.file_size / 1024**2:.0f} MB，超过单个文件上限（Limits.max_file_bytes）。"
        )
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
        raise Refused("file_corrupt", f"文件部件 {part} 已损坏（{type(exc).__name__}）。") from exc


def _workbook(src: Source, limits: Limits, nested: bool = False) -> list[Grid]:
    """The sheets of one embedded object's data: an .xlsx package or a compound file."""
    kind = sniff(src)
    if kind == "xlsx":
        return zip_workbook_grids(src, check_zip(src, limits), limits)
    if kind != "ole":
        raise Refused("file_wrong_format", "嵌入对象的内容不是 Excel 工作簿。")
    check_ole(src)
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(src.data)) as ole:
            if ole.exists("Package") and not nested:  # an .xlsx wrapped in a compound file
                package = ole.openstream("Package").read(limits.max_file_bytes + 1)
                if len(package) > limits.max_file_bytes:
                    raise Refused("file_too_large", "嵌入的工作簿超过单个文件上限（Limits.max_file_bytes）。")
                return _workbook(Source(src.member + "/Package", package), limits, nested=True)
            if not (ole.exists("Workbook") or ole.exists("Book")):
                raise Refused("file_wrong_format", "嵌入对象中没有 Excel 工作簿数据（Workbook）。")
    except Refused:
        raise
    except Exception as exc:  # olefile raises several error types on a broken compound file
        raise Refused("file_corrupt", f"嵌入对象已损坏（{short(exc)}）。") from exc
    return read_spreadsheet(src, limits)
