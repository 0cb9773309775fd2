"""What kind of file a name is: the one list of extensions the inventory, ingest and materials use."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from analysis.intake.archives import ARCHIVE_EXT
from analysis.intake.readers.formats import IMAGE_EXT, PDF_EXT, TABLE_EXT
from analysis.intake.readers.mail import MAIL_EXT

PHOTO_EXT = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".heic", ".webp", ".tif", ".tiff")
VIDEO_EXT = (".mp4", ".mov", ".m4v", ".avi", ".wmv", ".mkv", ".flv", ".3gp", ".mpg", ".mpeg", ".webm")
DOCUMENT_EXT = (".pdf", ".ppt", ".pptx", ".rtf", ".txt", ".md", ".odt")
SYSTEM_FILES = ("thumbs.db", ".ds_store", "desktop.ini")
SYSTEM_PREFIXES = ("~$", "._", ".~lock")


def classify(path: Path | str) -> str:
    """The kind of a file by its name alone: table / photo / video / document / system / other."""
    return _kind(os.path.basename(os.fspath(path)).lower())


def is_read(path: Path | str) -> bool:
    """Whether a worker opens this file: tables, PDFs, images (a scan or photo of the form?), archives and mail."""
    name = os.path.basename(os.fspath(path)).lower()
    return _kind(name) != "system" and _suffix(name) in READ_EXT


READ_EXT = frozenset(TABLE_EXT + PDF_EXT + IMAGE_EXT + ARCHIVE_EXT + MAIL_EXT)


def _suffix(name: str) -> str:
    """What ``Path(name).suffix`` is, without making a Path (this runs several times per file)."""
    ext = os.path.splitext(name)[1]
    return "" if ext == "." else ext


@lru_cache(maxsize=65536)
def _kind(name: str) -> str:
    ext = _suffix(name)
    if name in SYSTEM_FILES or name.startswith(SYSTEM_PREFIXES):
        return "system"
    if ext in TABLE_EXT:
        return "table"
    if ext in PHOTO_EXT:
        return "photo"
    if ext in VIDEO_EXT:
        return "video"
    if ext in DOCUMENT_EXT:
        return "document"
    return "other"
