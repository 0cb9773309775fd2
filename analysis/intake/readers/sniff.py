"""What a file's bytes are, whatever its name says: the dispatcher reads a file as what it is.

Only the head of the file is looked at (and, for a zip, its directory of member names), so this costs one small
read.  Kinds: ``docx``, ``xlsx`` (also .xlsm), ``ods``, ``zip`` (an archive, not an Office file), ``7z``, ``rar``,
``ole`` (a compound file: .xls, .doc, .et, .wps), ``pdf``, ``image``, ``mht`` (a single-file web page),
``spreadsheetml`` (Excel 2003 XML), ``html``, ``text`` (tab- or comma-separated lines) and ``unknown``.
"""

from __future__ import annotations

import re
import zipfile
import zlib

from analysis.intake.safety import OLE_MAGIC, Refused
from analysis.intake.source import FileLike, zip_input

HEAD_BYTES = 64 * 1024
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
_SPREADSHEETML = re.compile(rb"urn:schemas-microsoft-com:office:spreadsheet")
_XML_WORKBOOK = re.compile(rb"<(?:ss:)?Workbook\b")
_HTML = re.compile(rb"<(?:!doctype\s+html|html|table|body|head|meta)\b", re.IGNORECASE)
_MIME = re.compile(rb"^(?:[\w-]+:[^\r\n]*\r?\n)*?(?:mime-version|content-type):", re.IGNORECASE)
_MULTIPART = re.compile(rb"content-type:\s*multipart/related", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

# what each kind is called in a message, and the extensions that are its own (no note when it has one of them)
NAMES = {
    "docx": "Word 文档（.docx）",
    "xlsx": "Excel 工作簿（.xlsx）",
    "ods": "OpenDocument 电子表格（.ods）",
    "ole": "Office 97-2003 文件",
    "ole-word": "Word 97-2003 文档（.doc）",
    "ole-sheet": "Excel 97-2003 工作簿（.xls）",
    "zip": "zip 压缩包",
    "7z": "7z 压缩包",
    "rar": "RAR 压缩包",
    "pdf": "PDF 文件",
    "image": "图片",
    "mht": "单个文件网页（.mht）",
    "spreadsheetml": "Excel 2003 XML 表格",
    "html": "网页（HTML）表格",
    "text": "以制表符或逗号分隔的文本",
}
OWN_EXT = {
    "docx": (".docx", ".docm", ".wps"),
    "xlsx": (".xlsx", ".xlsm"),
    "ods": (".ods",),
    "ole": (".xls", ".et", ".doc", ".wps"),
    "ole-word": (".doc", ".wps"),
    "ole-sheet": (".xls", ".et"),
    "zip": (".zip",),
    "7z": (".7z",),
    "rar": (".rar",),
    "mht": (".mht", ".mhtml"),
    "spreadsheetml": (".xml",),
    "html": (".htm", ".html"),
    "text": (".csv", ".txt"),
}


class ArchiveContent(Refused):
    """A file named as an Office file whose zip holds no Office document: an archive (the caller may read it so)."""

    def __init__(self, ext: str) -> None:
        super().__init__(
            "file_wrong_format",
            f"文件扩展名为 {ext}，但内容是 zip 压缩包，不是 Office 文件。请解压后报送其中的文件，或把扩展名改为 .zip。",
        )


def sniff(path: FileLike, inside: bool = True) -> str:
    """The kind of file the bytes of ``path`` are (see the module docstring).  ``inside=False``: a zip is only
    ``"pk"`` (its directory is left to the Office pre-flight, which reads it anyway: see :func:`zip_kind`)."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"PK"):
        return _zip_kind(path) if inside else "pk"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"Rar!"):
        return "rar"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(_IMAGE_MAGIC) or head[8:12] == b"WEBP":
        return "image"
    return text_kind(head)


def text_kind(head: bytes) -> str:
    """The kind of a file that starts with text: mht, spreadsheetml, html, text or unknown."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte order mark
        head = head[: HEAD_BYTES - HEAD_BYTES % 2].decode("utf-16", errors="replace").encode("utf-8")
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if _MIME.match(body[:4096]) and _MULTIPART.search(body[:8192]):
        return "mht"
    if body.startswith(b"<?xml") or body.startswith(b"<"):
        if _SPREADSHEETML.search(body[:8192]) and _XML_WORKBOOK.search(body[:8192]):
            return "spreadsheetml"
        if _HTML.search(body[:8192]):
            return "html"
        return "unknown"
    if b"\x00" in head:
        return "unknown"
    lines = [line for line in body[:8192].splitlines()[:20] if line.strip()]
    if lines and sum(1 for line in lines if b"\t" in line or b"," in line) * 2 >= len(lines):
        return "text"
    return "unknown"


def zip_kind(names: frozenset[str] | set[str]) -> str:
    """docx, xlsx, ods or zip, by the member names of a zip."""
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    return "zip"


def _zip_kind(path: FileLike) -> str:
    try:
        with zipfile.ZipFile(zip_input(path)) as zf:
            kind = zip_kind(set(zf.namelist()))
            if kind == "ods" and not (
                zf.getinfo("mimetype").file_size <= 256
                and zf.read("mimetype").strip().endswith(b"opendocument.spreadsheet")
            ):
                return "zip"  # a text document or a presentation: not a table
            return kind
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error):
        return "unknown"  # a broken zip: the Office reader names what is wrong with it


def ole_kind(path: FileLike) -> str:
    """What a compound file holds: "word" (a WordDocument stream), "sheet" (Workbook or Book), or "" when neither
    (or its directory cannot be read: the reader then says what is wrong)."""
    import olefile

    try:
        with path.open("rb") as fh, olefile.OleFileIO(fh) as ole:
            if ole.exists("WordDocument"):
                return "word"
            if ole.exists("Workbook") or ole.exists("Book"):
                return "sheet"
    except Exception:  # noqa: BLE001 - olefile raises several error types on a broken directory
        return ""
    return ""


def note(ext: str, kind: str) -> str:
    """The info that a file with extension ``ext`` was read as the ``kind`` it is; "" when they agree."""
    if ext in OWN_EXT.get(kind, ()):
        return ""
    return (
        f"文件扩展名为 {ext or '（无）'}，但内容是{NAMES[kind]}，已按其实际格式读取。如有疑问，请用Excel/WPS打开核对。"
    )
