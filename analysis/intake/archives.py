"""Archives (.zip, .7z; .rar is refused with a clear issue): list and read members in memory under the Limits.

Nothing is ever extracted to disk: each member becomes a :class:`~analysis.intake.source.Source` (its decoded
path and bytes).  Before any member is read, the archive's own directory is checked against the same limits as
an Office file (member count, total expanded size, compression ratio of each member); an encrypted archive is
refused whole.  Zip member names written by Chinese Windows (GBK, without the UTF-8 flag) are decoded as GB18030.
A member whose name climbs out (``../``) or is absolute is skipped with a warning.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from analysis.intake.safety import ARCHIVE_MEMBERS, Limits, Refused, check_expansion
from analysis.intake.source import FileLike, Source, decode_name, zip_input

ARCHIVE_EXT = (".zip", ".7z", ".rar")
MAX_ARCHIVE_DEPTH = 1  # an archive inside an archive is read; one inside that is not
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_SKIPPED_PREFIXES = ("__MACOSX/",)  # macOS resource forks: not the sender's files
_ENCRYPTED = "压缩包设置了密码（已加密），无法读取。请取消密码后重新压缩报送，或直接报送其中的文件。"


@dataclass(frozen=True)
class MemberEntry:
    """One member as the archive's directory lists it: decoded name, declared sizes, and how to read it."""

    name: str
    size: int
    compressed: int
    key: object  # zipfile.ZipInfo or the 7z file name


@dataclass(frozen=True)
class HashedMember:
    """A zip member no reader needs (a video, a document): only its hash, computed while streaming it."""

    name: str
    sha256: str


@dataclass(frozen=True)
class UnsafeMember:
    """A member that is not read: its decoded name and why (Chinese)."""

    name: str
    reason: str


def is_archive(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in ARCHIVE_EXT


def members(
    src: FileLike, limits: Limits, wanted: Callable[[str, int], bool] = lambda name, size: True
) -> Iterator[Source | HashedMember | UnsafeMember]:
    """The members of an archive, one at a time, in name order; raises Refused for the archive as a whole.

    A zip member that ``wanted(name, size)`` rejects is only hashed (a large video is never held in memory)."""
    ext = src.suffix.lower()
    with src.open("rb") as fh:
        head = fh.read(6)
    if ext == ".rar" or head.startswith(b"Rar!"):
        raise Refused(
            "archive_rar_unsupported",
            "这是 RAR 压缩包，本程序不读取 RAR 格式。请解压后直接报送其中的文件，或改用 zip 压缩后重新报送。",
        )
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        yield from _seven_zip(src, limits)
    elif head.startswith(b"PK"):
        yield from _zip(src, limits, wanted)
    else:
        raise Refused(
            "file_wrong_format",
            f"文件扩展名为 {ext}，但内容不是压缩包（可能是改了扩展名或文件已损坏），请确认后重新报送。",
        )


def _check_directory(entries: list[MemberEntry], limits: Limits) -> None:
    check_expansion([(e.name, e.size, e.compressed) for e in entries], limits, ARCHIVE_MEMBERS)


def _screened(entries: list[MemberEntry]) -> Iterator[MemberEntry | UnsafeMember]:
    """An archive's members in name order, system files left out, a member with an unsafe name as
    :class:`UnsafeMember`."""
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.name.startswith(_SKIPPED_PREFIXES):
            continue
        reason = unsafe_reason(entry.name)
        yield UnsafeMember(entry.name, reason) if reason else entry


def unsafe_reason(name: str) -> str:
    """Why a member name is not read ('' when it is fine): absolute, or climbing out with ``..``."""
    path = PurePosixPath(name)
    if name.startswith("/") or (len(path.parts) > 0 and path.parts[0].endswith(":")):
        return "成员名是绝对路径"
    if ".." in path.parts:
        return "成员名含有“../”（指向压缩包之外）"
    return ""


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as the sender wrote it: UTF-8 when flagged, else the raw bytes decoded (GBK on Chinese
    Windows); backslashes as folder separators."""
    if info.flag_bits & _UTF8_FLAG:
        name = info.filename
    else:
        try:
            raw = info.orig_filename.encode("cp437")  # zipfile decodes unflagged names as cp437
        except UnicodeEncodeError:
            raw = info.orig_filename.encode("utf-8", errors="surrogateescape")
        name = decode_name(raw).text
    return name.replace("\\", "/")


def _zip(
    src: FileLike, limits: Limits, wanted: Callable[[str, int], bool]
) -> Iterator[Source | HashedMember | UnsafeMember]:
    try:
        zf = zipfile.ZipFile(zip_input(src))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise Refused("file_corrupt", f"压缩包已损坏或不完整（{type(exc).__name__}），请重新压缩后报送。") from exc
    with zf:
        infos = zf.infolist()
        entries = [MemberEntry(_member_name(i), i.file_size, i.compress_size, i) for i in infos if not i.is_dir()]
        _check_directory(entries, limits)
        if any(i.flag_bits & _ENCRYPTED_FLAG for i in infos):
            raise Refused("file_encrypted", _ENCRYPTED)
        for entry in _screened(entries):
            if isinstance(entry, UnsafeMember):
                yield entry
                continue
            try:
                with zf.open(entry.key) as fh:
                    if wanted(entry.name, entry.size):
                        yield Source(entry.name, fh.read(entry.size + 1))
                    else:
                        digest = hashlib.sha256()
                        for block in iter(lambda: fh.read(1024**2), b""):
                            digest.update(block)
                        yield HashedMember(entry.name, digest.hexdigest())
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError) as exc:
                yield UnsafeMember(entry.name, f"成员已损坏，无法解压（{type(exc).__name__}）")


def _seven_zip(src: FileLike, limits: Limits) -> Iterator[Source | UnsafeMember]:
    import py7zr
    from py7zr.exceptions import PasswordRequired
    from py7zr.io import BytesIOFactory

    try:
        with src.open("rb") as fh, py7zr.SevenZipFile(fh, mode="r") as archive:
            if archive.needs_password():
                raise Refused("file_encrypted", _ENCRYPTED)
            listed = [f for f in archive.list() if not f.is_directory]
            # a solid archive does not say how far each member was compressed: the ratio is checked where it does
            entries = [
                MemberEntry(
                    f.filename.replace("\\", "/"),
                    int(f.uncompressed or 0),
                    int(f.compressed or 0) or int(f.uncompressed or 0),
                    f.filename,
                )
                for f in listed
            ]
            _check_directory(entries, limits)
            safe = [e for e in entries if not unsafe_reason(e.name) and not e.name.startswith(_SKIPPED_PREFIXES)]
            factory = BytesIOFactory(limits.max_file_bytes + 1)
            if safe:
                archive.extract(targets=[str(e.key) for e in safe], factory=factory)
    except Refused:
        raise
    except PasswordRequired as exc:  # file names encrypted too
        raise Refused("file_encrypted", _ENCRYPTED) from exc
    except Exception as exc:
        raise Refused("file_corrupt", f"7z 压缩包已损坏或不完整（{type(exc).__name__}），请重新压缩后报送。") from exc
    for entry in _screened(entries):
        if isinstance(entry, UnsafeMember):
            yield entry
            continue
        try:
            product = factory.get(str(entry.key))
            product.seek(0)
            data = product.read()
        except KeyError:
            yield UnsafeMember(entry.name, "成员无法解压")
            continue
        yield Source(entry.name, bytes(data))
