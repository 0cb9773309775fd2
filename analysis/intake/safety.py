"""Pre-flight checks: what a file claims, looked at before any reader sees it.

Readers are fast native code that trust their input; a workbook that expands to
gigabytes, declares a used range up to XFD1048576, hides an XML entity or is an
encrypted container can abort or exhaust the process.  These checks read only
the zip directory, file signatures and the head of each XML part, and turn what
they find into a :class:`Refused` with a Chinese message naming the limit.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass

from analysis.intake.source import FileLike, zip_input


@dataclass(frozen=True)
class Limits:
    """Per-file limits.  Change them here or pass your own to ``ingest``."""

    max_file_bytes: int = 50 * 1024**2  # the file as received
    max_unzipped_bytes: int = 200 * 1024**2  # all members of a zip-based file, uncompressed
    max_member_ratio: int = 100  # uncompressed / compressed, for members over 1 MB
    max_members: int = 5_000
    max_cells: int = 2_000_000  # rows × columns of one sheet's used range
    max_sheets: int = 200
    max_csv_line: int = 1024**2  # characters in one CSV line
    max_table_depth: int = 5  # nested Word tables
    seconds_per_file: int = 30  # one file; in an archive, each member
    seconds_per_archive: int = 600  # all members of one archive together


DEFAULT_LIMITS = Limits()

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_ROW_REF = re.compile(rb'<row\b[^>]*?\br="(\d{1,9})"')
_CELL_COL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,4})\d')
WORD_BODY = "word/document.xml"
STYLES = "xl/styles.xml"
WORKBOOK = "xl/workbook.xml"
CORE = "docProps/core.xml"
_NEVER_PARSED = (
    "xl/theme/",
    "docProps/",
    "customXml/",
    "xl/printerSettings/",
    "xl/media/",
    "Thumbnails/",
    "Configurations2/",
)


class Refused(Exception):
    """The file is not read; ``code`` and the Chinese ``message`` become an issue row."""

    def __init__(self, code: str, message: str, severity: str = "error") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.severity = severity


def column_number(letters: bytes | str) -> int:
    """'A' → 1, 'XFD' → 16384."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


def signature(path: FileLike) -> bytes:
    with path.open("rb") as fh:
        return fh.read(8)


def check_size(path: FileLike, limits: Limits) -> None:
    size = path.stat().st_size
    if size == 0:
        raise Refused("file_empty", "文件为空（0字节），可能下载或保存不完整，请重新报送。")
    if size > limits.max_file_bytes:
        raise Refused(
            "file_too_large",
            f"文件大小 {size / 1024**2:.0f} MB，超过单个文件上限 "
            f"{limits.max_file_bytes / 1024**2:.0f} MB（Limits.max_file_bytes），未读取。"
            "统计表通常不足1 MB，请确认文件是否正确。",
        )


def check_ole(path: FileLike) -> None:
    """An OLE container with an .xlsx/.docx name is an encrypted Office file (or a legacy one)."""
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if (
        b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in head
        or b"EncryptedPackage" in head
    ):
        raise Refused("file_encrypted", "文件设置了打开密码（已加密），无法读取。请取消密码后重新报送。")


@dataclass(frozen=True)
class ZipFacts:
    """What the pre-flight learned of a zip-based file, so that readers need not open it again.

    ``error_parts``: worksheet parts holding formula-error cells (``t="e"``), which python-calamine reads as
    empty (the reader puts ``#REF!`` … back so they are reported, not taken as blank); ``word_body``: the
    checked ``word/document.xml`` of a Word file; ``styles``: the checked ``xl/styles.xml`` of a workbook (its
    number formats); ``workbook`` and ``core``: what :func:`analysis.intake.template_form.recognise` reads.
    """

    names: frozenset[str]
    error_parts: dict[str, bytes]
    word_body: bytes | None = None
    styles: bytes | None = None
    workbook: bytes = b""  # the checked xl/workbook.xml (a template's defined names)
    core: bytes = b""  # docProps/core.xml, where the package's template says what it is; b"" when unreadable


@dataclass(frozen=True)
class PartWords:
    """How limit messages name a container's parts: an Office file's parts, or an archive's members."""

    count: str  # 文件内部部件数 / 压缩包内文件数
    whole: str  # 文件 / 压缩包
    part: str  # 文件部件 / 压缩包成员
    advice: str = ""  # what to do about too many parts


OFFICE_PARTS = PartWords("文件内部部件数", "文件", "文件部件")
ARCHIVE_MEMBERS = PartWords("压缩包内文件数", "压缩包", "压缩包成员", "请只压缩统计表及所需材料后重新报送。")


def check_expansion(parts: list[tuple[str, int, int]], limits: Limits, words: PartWords) -> None:
    """A container's parts (name, expanded size, compressed size) against the limits: how many, how large once
    expanded, how far each was compressed (zip bombs).  Raises :class:`Refused`."""
    if len(parts) > limits.max_members:
        raise Refused(
            "file_limit_members",
            f"{words.count} {len(parts)} 超过上限 {limits.max_members}（Limits.max_members），未读取。{words.advice}",
        )
    total = sum(size for _, size, _ in parts)
    if total > limits.max_unzipped_bytes:
        raise Refused(
            "file_limit_unzipped",
            f"{words.whole}解压后约 {total / 1024**2:.0f} MB，超过上限 "
            f"{limits.max_unzipped_bytes / 1024**2:.0f} MB"
            "（Limits.max_unzipped_bytes），疑似压缩炸弹，未读取。",
        )
    for name, size, compressed in parts:
        if size > 1024**2 and size > limits.max_member_ratio * max(compressed, 1):
            raise Refused(
                "file_limit_ratio",
                f"{words.part} {name} 压缩比异常（{size}/{compressed}，上限 "
                f"{limits.max_member_ratio} 倍，Limits.max_member_ratio），疑似压缩炸弹，未读取。",
            )


def check_zip(path: FileLike, limits: Limits) -> ZipFacts:
    """Refuse zip bombs, XML entity declarations and oversize sheets in an Office Open XML / ODF file."""
    try:
        zf = zipfile.ZipFile(zip_input(path))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused(
            "file_corrupt", f"文件已损坏或不完整（无法按压缩包打开：{type(exc).__name__}），请重新保存后报送。"
        ) from exc
    with zf:
        infos = zf.infolist()
        check_expansion([(i.filename, i.file_size, i.compress_size) for i in infos], limits, OFFICE_PARTS)
        sheets = [i for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        if len(sheets) > limits.max_sheets:
            raise Refused(
                "file_limit_sheets",
                f"工作表数量 {len(sheets)} 超过上限 {limits.max_sheets}（Limits.max_sheets），未读取。",
            )
        error_parts: dict[str, bytes] = {}
        word_body = styles = None
        workbook = core = b""
        is_word = any(i.filename == WORD_BODY for i in infos)
        for info in infos:
            if info.filename == CORE:
                core = _part_or_nothing(zf, info)
            if not _parsed_by_readers(info.filename, is_word):
                continue
            try:
                data = zf.read(info)
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                NotImplementedError,
                RuntimeError,
                EOFError,
                zlib.error,
            ) as exc:
                raise Refused(
                    "file_corrupt", f"文件部件 {info.filename} 已损坏（{type(exc).__name__}），请重新保存后报送。"
                ) from exc
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                raise Refused(
                    "file_xml_entity",
                    f"文件部件 {info.filename} 含有 DOCTYPE/ENTITY 声明，"
                    "这在正常的Office文件中不会出现，出于安全原因未读取。"
                    "请用Excel/WPS另存为新文件后重新报送。",
                )
            if info in sheets:
                _check_sheet_extent(info.filename, data, limits)
                if b't="e"' in data:
                    error_parts[info.filename] = data
            if info.filename == WORD_BODY:
                word_body = data
            elif info.filename == STYLES:
                styles = data
            elif info.filename == WORKBOOK:
                workbook = data
    return ZipFacts(frozenset(i.filename for i in infos), error_parts, word_body, styles, workbook, core)


def _part_or_nothing(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part no reader parses as XML, b'' when it cannot be read (the file may still be a good return)."""
    try:
        return zf.read(info) if info.file_size <= 1024**2 else b""
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError, zlib.error):
        return b""


def _parsed_by_readers(name: str, is_word: bool) -> bool:
    """XML parts some reader of ours parses (only these can carry an entity trick to a parser)."""
    if is_word:
        return name == WORD_BODY
    return name.endswith((".xml", ".rels")) and not name.startswith(_NEVER_PARSED)


def _check_sheet_extent(name: str, data: bytes, limits: Limits) -> None:
    rows = cols = 0
    dim = _DIMENSION.search(data[:4096])
    if dim:
        last_col, last_row = (dim.group(3), dim.group(4)) if dim.group(3) else (dim.group(1), dim.group(2))
        rows, cols = int(last_row), column_number(last_col)
    # the cells themselves, in case the declared dimension is missing or lies
    rows = max([rows, *map(int, _ROW_REF.findall(data))])
    cols = max([cols, *map(column_number, set(_CELL_COL.findall(data)))])
    if rows * cols > limits.max_cells:
        raise Refused(
            "file_limit_cells",
            f"工作表 {name} 的使用区域达 {rows} 行 × {cols} 列，超过单表上限 "
            f"{limits.max_cells} 个单元格（Limits.max_cells），未读取。"
            "请删除多余的行列后重新报送。",
        )
