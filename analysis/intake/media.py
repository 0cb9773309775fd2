"""Facts read from media files at intake: video durations (mutagen reads the container; no ffmpeg needed)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import BinaryIO

import mutagen


def video_seconds(path: Path | BinaryIO) -> float:
    """Duration of a video read from its container (MP4/MOV/M4V, also WMV), a file or a seekable stream (an
    archive member); NaN when it cannot be read."""
    try:
        media = mutagen.File(path)
        length = float(media.info.length) if media is not None else math.nan
    except Exception:  # noqa: BLE001 - any damaged or unknown container just means "unknown"
        return math.nan
    return length if length > 0 else math.nan
