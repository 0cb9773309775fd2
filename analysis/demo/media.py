"""Small valid media files for the demo: an activity photo (JPEG), a video whose container states its length
(MP4), a blank scanned report (PDF)."""

from __future__ import annotations

import io
import struct
from fractions import Fraction

import numpy as np
from PIL import Image


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full_box(kind: bytes, version: int, payload: bytes, flags: int = 0) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags) + payload)


def _timebase(seconds: float) -> tuple[int, int]:
    """A (timescale, duration) pair whose ratio is ``seconds``: exactly for whole milliseconds (or
    1/600, 1/90000 s), else the nearest fraction with a 31-bit timescale (within a few ulps)."""
    for scale in (1000, 600, 90000):
        ticks = round(seconds * scale)
        if ticks / scale == seconds:
            return scale, ticks
    exact = Fraction(seconds).limit_denominator(2**31 - 1)
    return exact.denominator, exact.numerator


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def minimal_mp4(seconds: float) -> bytes:
    """A tiny valid MP4 (ftyp + moov with one empty video track) whose container says it lasts ``seconds``.

    ``tinytag.TinyTag.get(...).duration == seconds`` exactly when ``seconds`` is a whole number of
    milliseconds (and for most other values); otherwise it differs by a few units in the last place.
    """
    if not (seconds >= 0 and seconds != float("inf")):
        raise ValueError(f"duration must be finite and non-negative: {seconds!r}")
    scale, ticks = _timebase(float(seconds))
    version = 0 if ticks < 2**31 else 1
    times = struct.pack(">IIII", 0, 0, scale, ticks) if version == 0 else struct.pack(">QQIQ", 0, 0, scale, ticks)
    track_times = struct.pack(">IIIII", 0, 0, 1, 0, ticks) if version == 0 else struct.pack(">QQIIQ", 0, 0, 1, 0, ticks)
    mvhd = _full_box(
        b"mvhd", version, times + struct.pack(">IH10x", 0x10000, 0x100) + _MATRIX + bytes(24) + struct.pack(">I", 2)
    )
    tkhd = _full_box(
        b"tkhd",
        version,
        track_times + bytes(8) + struct.pack(">hhH2x", 0, 0, 0) + _MATRIX + struct.pack(">II", 320 << 16, 240 << 16),
        flags=3,
    )
    mdhd = _full_box(b"mdhd", version, times + struct.pack(">HH", 0x55C4, 0))  # language 'und'
    hdlr = _full_box(b"hdlr", 0, bytes(4) + b"vide" + bytes(12) + b"VideoHandler\x00")
    dinf = _box(b"dinf", _full_box(b"dref", 0, struct.pack(">I", 1) + _full_box(b"url ", 0, b"", flags=1)))
    stbl = _box(
        b"stbl",
        b"".join(_full_box(k, 0, struct.pack(">I", 0)) for k in (b"stsd", b"stts", b"stsc", b"stco"))
        + _full_box(b"stsz", 0, struct.pack(">II", 0, 0)),
    )
    minf = _box(b"minf", _full_box(b"vmhd", 0, bytes(8), flags=1) + dinf + stbl)
    trak = _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + minf))
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41")
    return ftyp + _box(b"moov", mvhd + trak) + _box(b"mdat", b"")


def minimal_pdf() -> bytes:
    """A valid one-page blank PDF (a stand-in for a scanned media report)."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_jpeg(rng: np.random.Generator, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG: a coloured gradient standing in for an activity photo."""
    width, height = size
    base = rng.integers(40, 200, size=3)
    ramp = np.linspace(0, 55, width)[None, :, None] + np.linspace(0, 30, height)[:, None, None]
    pixels = np.clip(base[None, None, :] + ramp, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format="JPEG", quality=70)
    return buf.getvalue()
