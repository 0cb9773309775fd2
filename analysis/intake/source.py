"""A file held in memory (an archive member) that the readers can take instead of a Path, and file names as
people read them.

:class:`Source` answers the few questions readers ask of a :class:`~pathlib.Path` (``name``, ``suffix``,
``stem``, ``stat().st_size``, ``open("rb")``, ``read_bytes()``), so a member of a zip is read from its bytes and
never written to disk.  :func:`decode_name` turns the bytes of a file name (GBK from Chinese Windows, or UTF-8)
into text that every output can hold.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath


@dataclass(frozen=True)
class MemoryStat:
    """The part of ``os.stat_result`` readers use."""

    st_size: int


@dataclass(frozen=True)
class Source:
    """An in-memory file: its path inside the archive (decoded, ``/``-separated) and its bytes."""

    member: str
    data: bytes

    @cached_property
    def name(self) -> str:
        return PurePosixPath(self.member).name

    @cached_property
    def suffix(self) -> str:
        return PurePosixPath(self.member).suffix

    @cached_property
    def stem(self) -> str:
        return PurePosixPath(self.member).stem

    def stat(self) -> MemoryStat:
        return MemoryStat(len(self.data))

    def open(self, mode: str = "rb") -> io.BytesIO:
        if mode != "rb":
            raise ValueError("Source is read-only")
        return io.BytesIO(self.data)

    def read_bytes(self) -> bytes:
        return self.data


FileLike = Path | Source


def zip_input(src: FileLike) -> Path | io.BytesIO:
    """What ``zipfile.ZipFile`` takes for ``src``: the path itself, or the member's bytes as a stream."""
    return src.open("rb") if isinstance(src, Source) else src


@dataclass(frozen=True)
class DecodedName:
    """A file name as shown in the outputs, and how it was stored: ``utf-8``, ``gb18030`` or ``escaped``."""

    text: str
    encoding: str


def decode_name(raw: bytes) -> DecodedName:
    """Bytes of a file name → text: UTF-8 when valid, else GB18030 (Chinese Windows), else with ``\\x..`` escapes."""
    try:
        return DecodedName(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return DecodedName(raw.decode("gb18030"), "gb18030")
    except UnicodeDecodeError:
        return DecodedName(raw.decode("utf-8", errors="backslashreplace"), "escaped")


def shown_path(rel: str) -> DecodedName:
    """A relative path from the folder walk (undecodable bytes kept by the OS as surrogates) → text for outputs.

    Each part is decoded on its own, so a GBK folder holding a UTF-8 file name reads right.
    """
    parts = [decode_name(os.fsencode(part)) for part in rel.split("/")]
    worst = next((p.encoding for p in parts if p.encoding == "escaped"), None) or next(
        (p.encoding for p in parts if p.encoding != "utf-8"), "utf-8"
    )
    return DecodedName("/".join(p.text for p in parts), worst)
