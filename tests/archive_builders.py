"""Archives as units send them: zips from Chinese Windows (GBK names, no UTF-8 flag), UTF-8 zips, 7z."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

_UTF8_FLAG = 0x800


class GbkInfo(zipfile.ZipInfo):
    """A member whose name is stored as GBK bytes with the UTF-8 flag cleared (what Windows Explorer writes)."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~_UTF8_FLAG


class FlaggedInfo(zipfile.ZipInfo):
    """A member that claims to be encrypted (general-purpose bit 0), as an encrypted zip's members do."""

    def _encodeFilenameFlags(self):
        name, flags = super()._encodeFilenameFlags()
        return name, flags | 0x1


def write_zip(path: Path, members: Mapping[str, bytes], *, gbk: bool = False, info=None) -> Path:
    """A deflated zip of ``members``; ``gbk`` stores names as Chinese Windows does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    make = info or (GbkInfo if gbk else zipfile.ZipInfo)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            member = make(name, date_time=(2023, 6, 1, 9, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(member, data)
    return path


def write_7z(path: Path, members: Mapping[str, bytes], password: str | None = None) -> Path:
    import py7zr

    path.parent.mkdir(parents=True, exist_ok=True)
    with py7zr.SevenZipFile(path, "w", password=password) as archive:
        if password:
            archive.set_encrypted_header(True)
        for name, data in members.items():
            archive.writestr(data, name)
    return path
