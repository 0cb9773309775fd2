"""What kind of file a name is: the one list of extensions the inventory, ingest and materials use."""

from __future__ import annotations

from pathlib import Path

from analysis.intake.archives import ARCHIVE_EXT
from analysis.intake.readers import IMAGE_EXT, PDF_EXT, TABLE_EXT

PHOTO_EXT = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".heic", ".webp", ".tif", ".tiff")
VIDEO_EXT = (".mp4", ".mov", ".m4v", ".avi", ".wmv", ".mkv", ".flv", ".3gp", ".mpg", ".mpeg", ".webm")
DOCUMENT_EXT = (".pdf", ".ppt", ".pptx", ".rtf", ".txt", ".md", ".odt")
SYSTEM_FILES = ("thumbs.db", ".ds_store", "desktop.ini")
SYSTEM_PREFIXES = ("~$", "._", ".~lock")


def classify(path: Path | str) -> str:
    """The kind of a file by its name alone: table / photo / video / document / system / other."""
    path = Path(path)
    name, ext = path.name.lower(), path.suffix.lower()
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


def is_read(path: Path | str) -> bool:
    """Whether a worker opens this file: tables, PDFs, images (a scan or photo of the form?) and archives."""
    path = Path(path)
    return classify(path) != "system" and path.suffix.lower() in TABLE_EXT + PDF_EXT + IMAGE_EXT + ARCHIVE_EXT
