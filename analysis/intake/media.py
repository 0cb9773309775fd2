"""Facts read from media files at intake: video durations (tinytag reads the container; no ffmpeg needed)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import BinaryIO

from tinytag import TinyTag


def video_seconds(path: Path | BinaryIO) -> float:
    """Duration of a video read from its container (MP4/MOV/M4V, also WMV/ASF), a file or a seekable stream (an
    archive member); NaN when it cannot be read."""
    try:
        tag = TinyTag.get(path) if isinstance(path, Path) else TinyTag.get(file_obj=path)
        length = float(tag.duration) if tag.duration is not None else math.nan
    except Exception:  # noqa: BLE001 - any damaged or unknown container just means "unknown"
        return math.nan
    return length if length > 0 else math.nan
