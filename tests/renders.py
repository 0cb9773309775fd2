"""Render a return as a person sees it on paper: a PNG (Pillow) or a PDF with a text layer (matplotlib).

The form comes from :mod:`tests.fixtures` (``vertical_form``), so labels and categories are the notice's; the
numbers are the caller's.  Used by the PDF, OCR, archive and benchmark tests.
"""

from __future__ import annotations

import io
from pathlib import Path

from fixtures import SAMPLE, Form

from analysis.paths import FONTS

FONT = FONTS / "NotoSansSC-Regular-GB2312.ttf"
COLUMNS = (190, 560, 220)  # category | item | value, in pixels at scale 1
ROW = 44
FONT_SIZE = 22
LINE = 28
MARGIN = 60


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def wrap(text: str, width: float) -> list[str]:
    """``text`` broken into lines that fit ``width`` pixels in the bundled font (as Word wraps a cell)."""
    from PIL import ImageFont

    font = ImageFont.truetype(str(FONT), FONT_SIZE)
    lines, line = [], ""
    for ch in text:
        if line and font.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines


def _layout(
    form: Form,
) -> tuple[list[tuple[float, float, float, float, str]], list[tuple[float, float, str]], float, float]:
    """Cell rectangles (x0, y0, x1, y1, text) of the table and free lines (x, y, text) above and under it."""
    width = sum(COLUMNS)
    lines = [
        (MARGIN, MARGIN + i * ROW, _text(" ".join(_text(v) for v in row if v is not None)))
        for i, row in enumerate(form.head)
    ]
    top = MARGIN + len(form.head) * ROW + 10
    covered: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for r0, c0, r1, c1 in form.merges:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                covered[(r, c)] = (r0, c0, r1, c1)
    edges = [MARGIN + sum(COLUMNS[:i]) for i in range(len(COLUMNS) + 1)]
    cells = []
    for r, row in enumerate(form.table):
        for c in range(len(COLUMNS)):
            r0, c0, r1, c1 = covered.get((r, c), (r, c, r, c))
            if (r, c) != (r0, c0):
                continue
            value = row[c] if c < len(row) else None
            cells.append(
                (edges[c0], top + r0 * ROW, edges[min(c1, len(COLUMNS) - 1) + 1], top + (r1 + 1) * ROW, _text(value))
            )
    bottom = top + len(form.table) * ROW + 20
    lines += [
        (MARGIN, bottom + i * ROW, " ".join(_text(v) for v in row if v is not None)) for i, row in enumerate(form.notes)
    ]
    return cells, lines, MARGIN * 2 + width, bottom + len(form.notes) * ROW + MARGIN


def form_png(form: Form, scale: float = 1.0) -> bytes:
    """The printed form as a PNG (black on white, the bundled Chinese font)."""
    from PIL import Image, ImageDraw, ImageFont

    cells, lines, width, height = _layout(form)
    image = Image.new("RGB", (int(width * scale), int(height * scale)), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), int(FONT_SIZE * scale))
    for x, y, text in lines:
        draw.text((x * scale, y * scale), text, fill="black", font=font)
    for x0, y0, x1, y1, text in cells:
        draw.rectangle((x0 * scale, y0 * scale, x1 * scale, y1 * scale), outline="black", width=max(1, int(2 * scale)))
        lines = wrap(text, x1 - x0 - 20)
        top = (y0 + y1) / 2 - len(lines) * LINE / 2
        for i, line in enumerate(lines):
            draw.text(((x0 + 10) * scale, (top + i * LINE) * scale), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def form_pdf(form: Form) -> bytes:
    """The form as Word's "export as PDF" gives it: one page, ruled table, a real text layer (TrueType fonts)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    cells, lines, width, height = _layout(form)
    dpi = 100
    prop = font_manager.FontProperties(fname=str(FONT), size=FONT_SIZE * 72 / dpi)
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)

    def at(x: float, y: float) -> tuple[float, float]:
        return x / width, 1 - y / height

    for x, y, text in lines:
        fig.text(*at(x, y + 22), text, fontproperties=prop)
    for x0, y0, x1, y1, text in cells:
        (fx0, fy0), (fx1, fy1) = at(x0, y0), at(x1, y1)
        fig.add_artist(
            matplotlib.patches.Rectangle(
                (fx0, fy1), fx1 - fx0, fy0 - fy1, fill=False, linewidth=1, transform=fig.transFigure
            )
        )
        lines = wrap(text, x1 - x0 - 20)
        top = (y0 + y1) / 2 - len(lines) * LINE / 2
        for i, line in enumerate(lines):
            fig.text(*at(x0 + 10, top + (i + 0.8) * LINE), line, fontproperties=prop)
    out = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig.savefig(out, format="pdf", metadata={"CreationDate": None, "Producer": None})
    return out.getvalue()


def image_pdf(png: bytes) -> bytes:
    """A scan: the PNG as the only content of a one-page PDF (no text layer)."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, "PDF", resolution=150)
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def value_box(form: Form, key: str) -> tuple[float, float, float, float]:
    """Where the value of ``key`` is printed on the PNG at scale 1: its cell (x0, y0, x1, y1) in pixels."""
    from analysis.form import BY_KEY

    cells, _, _, _ = _layout(form)
    label = BY_KEY[key].label
    row = next(r for r, row in enumerate(form.table) if label in [v for v in row if isinstance(v, str)])
    top = MARGIN + len(form.head) * ROW + 10 + row * ROW
    return COLUMNS[0] + COLUMNS[1] + MARGIN, top, sum(COLUMNS) + MARGIN, top + ROW


def photo_png(text: str = "热爱科学 崇尚科学", size: tuple[int, int] = (1600, 1200)) -> bytes:
    """An ordinary activity photo: a coloured gradient with one banner line of text."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 100, 1400, 220), fill=(180, 20, 20))
    draw.text((300, 130), text, fill="white", font=ImageFont.truetype(str(FONT), 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def notice_png(lines: list[str]) -> bytes:
    """A scanned page of prose (not the form): a few lines of text on white."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 32)
    for i, line in enumerate(lines):
        draw.text((120, 150 + i * 60), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def tilted_photo(form: Form, degrees: float, *, scale: float = 1.25, big_metadata: bool = False) -> bytes:
    """The printed form as a phone photographs it: turned by ``degrees`` (counter-clockwise, white around it) and
    saved as a JPEG; ``big_metadata`` adds very large EXIF and ICC blocks (as some phones write them)."""
    from PIL import Image

    image = Image.open(io.BytesIO(form_png(form, scale=scale))).convert("RGB")
    image = image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    options: dict[str, object] = {"quality": 88}
    if big_metadata:
        exif = Image.Exif()
        exif[0x010F] = "Phone Maker"  # Make
        exif[0x0110] = "Model X"  # Model
        exif[0x9286] = b"ASCII\0\0\0" + b"x" * 60_000  # UserComment: a large block
        options |= {"exif": exif.tobytes(), "icc_profile": bytes(range(256)) * 1000}
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


# The photo set of issue 22: the form with distinct figures (a value taken from the neighbouring row is then a wrong
# value, as 曾都区's 线下参与 read 133, its 其他人员数量), photographed at the angles phones take it, both ways, and
# a JPEG with very large EXIF and ICC blocks, slightly turned.
PHOTO_VALUES = {
    **SAMPLE,
    "events_held": 37,
    "most_tasks": 4,
    "funding_central": 2.4,
    "funding_other": 0.35,
    "staff_fulltime": 18,
    "staff_other": 133,
    "public_offline": 76486,
    "media_outlets": 9,
    "media_reports": 52,
}
TILT_ANGLES = (0.0, 0.6, -0.6, 1.5, -1.5, 2.6, -2.6, 3.0, -3.0)
BIG_METADATA_ANGLE = 1.2


def photo_set(form: Form) -> dict[str, bytes]:
    """Name → JPEG bytes: the form at each of TILT_ANGLES, and the big-metadata JPEG."""
    made = {f"{a:+.1f}°": tilted_photo(form, a) for a in TILT_ANGLES}
    made["EXIF/ICC"] = tilted_photo(form, BIG_METADATA_ANGLE, big_metadata=True)
    return made
