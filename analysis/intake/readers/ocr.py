"""Scans and photos of the printed form → grids, by OCR (rapidocr with onnxruntime; optional extra ``.[ocr]``).

OCR is a flagged best effort.  Each text box rapidocr finds is placed into a row (by its vertical centre) and a
column (by its left edge), so the located cells behave like a sheet's; the address of a cell is the OCR box in
the image's pixels, ``OCR(x0,y0,x1,y1)``, and every value read this way carries its confidence
(:func:`ocr_findings`).  An ordinary activity photo is not OCR'd fully: a cheap first pass (text detection on a
reduced copy, no recognition) must find at least ``MIN_TEXT_LINES`` lines of text first.  Without the OCR
packages, a scan raises :class:`OcrUnavailable` (an issue saying so), and the package works as before.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median

from analysis.intake.readers.grid import Grid
from analysis.intake.records import ParsedCell
from analysis.intake.safety import Limits, Refused
from analysis.intake.source import FileLike
from analysis.issues import Issue

MIN_SIDE = 600            # pixels: a smaller image is a thumbnail or an activity photo; no form is legible in it
MAX_PIXELS = 60_000_000   # pixels: a larger image is refused before it is decoded (a 20,000 × 20,000 bomb)
OCR_SIDE = 2000           # pixels: the longest side OCR works on (larger images are reduced first)
FIRST_PASS_SIDE = 640     # pixels: the reduced copy the cheap first pass looks at
MIN_TEXT_LINES = 15       # a form has 20 labelled rows; an activity photo a few banners
LOW_CONFIDENCE = 0.9      # below this an OCR'd value is a warning: check it against the image
DET_SIDE = 960            # pixels: the longest side text detection works on
OCR_MEMORY = 512 * 1024**2  # memory a worker may take beyond the pool's WORKER_MEMORY once it has read a scan
OCR_PACKAGES = "rapidocr、onnxruntime"


class OcrUnavailable(Refused):
    """The OCR packages are not installed: the scan is inventoried with a warning saying so."""

    def __init__(self, what: str) -> None:
        super().__init__("ocr_not_installed", f"收到{what}，但本机未安装文字识别（OCR）组件（{OCR_PACKAGES}，"
                                              "pip install -e \".[ocr]\"），未能识别其中的统计表。请安装后重新运行，"
                                              "或请报送单位提供电子版统计表（Excel 或 Word）。", severity="warning")


@dataclass(frozen=True)
class OcrBox:
    """One line of text OCR found: its box in image pixels, the text and the recogniser's confidence (0–1)."""

    x0: int
    y0: int
    x1: int
    y1: int
    text: str
    score: float

    @property
    def label(self) -> str:
        return f"OCR({self.x0},{self.y0},{self.x1},{self.y1})"


@dataclass(frozen=True)
class OcrGrid(Grid):
    """A grid made from OCR boxes: a cell's address is its box; ``scores`` maps that address to the confidence."""

    boxes: tuple[tuple[tuple[int, int], OcrBox], ...] = field(default=())
    spans: tuple[tuple[int, int], ...] = field(default=())  # per row: (y0, y1)
    columns: tuple[tuple[int, int], ...] = field(default=())  # per column: (x0, x1)

    def address(self, r: int, c: int) -> str:
        for (br, bc), box in self.boxes:
            if (br, bc) == (r, c):
                return box.label
        y0, y1 = self.spans[r] if r < len(self.spans) else (0, 0)
        x0, x1 = self.columns[c] if c < len(self.columns) else (0, 0)
        return OcrBox(x0, y0, x1, y1, "", 0.0).label

    def score(self, address: str) -> float | None:
        return next((box.score for _, box in self.boxes if box.label == address), None)


@lru_cache(maxsize=1)
def ocr_engine():
    """The OCR engine, made once per process (the models ship inside the rapidocr wheel: nothing is downloaded)."""
    from rapidocr import RapidOCR  # ImportError also when onnxruntime or opencv is missing underneath

    allow_ocr_memory()
    # detection on at most DET_SIDE pixels (less memory, same boxes on a printed form); one thread per worker
    return RapidOCR(params={"Global.log_level": "error", "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                            "EngineConfig.onnxruntime.inter_op_num_threads": 1, "Det.limit_type": "max",
                            "Det.limit_side_len": DET_SIDE})


def allow_ocr_memory() -> None:
    """Raise this worker's soft data limit (set by :mod:`analysis.intake.pool`) by OCR_MEMORY, within the hard
    limit: the OCR models and their working memory need more than a table reader, and stay loaded afterwards."""
    try:
        import resource
    except ImportError:  # not on Windows: no limit to raise
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if soft == resource.RLIM_INFINITY:
        return
    raised = soft + OCR_MEMORY if hard == resource.RLIM_INFINITY else min(hard, soft + OCR_MEMORY)
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (raised, hard))
    except (ValueError, OSError):
        pass


def open_image(data: bytes):
    """A Pillow image from bytes, refused before decoding when it claims more than MAX_PIXELS."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # Pillow's own guard, past twice its MAX_IMAGE_PIXELS
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_large_refusal(f"{int(pixels.group(1)):,}" if pixels else "") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise Refused("file_corrupt", f"图片无法打开（{type(exc).__name__}），可能已损坏，请重新报送。") from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_large_refusal(f"{width} × {height} = {width * height:,}")
    return image


def _too_large_refusal(size: str) -> Refused:
    return Refused("image_too_large", f"图片尺寸过大（{size or '超过上限的'} 像素，上限 {MAX_PIXELS:,} 像素，readers.ocr.MAX_PIXELS），"
                                      "疑似异常文件，未读取。如这是统计表的照片，请用正常分辨率重新拍摄后报送。",
                   severity="warning")


def read_image(src: FileLike, limits: Limits) -> list[Grid]:  # noqa: ARG001 - same signature as the other readers
    """A photo or scan of the form → one OCR grid named 照片; [] for an ordinary photo (no form to read), and for
    an image that does not open (photos are materials, not returns: they are not validated here)."""
    try:
        image = open_image(src.read_bytes())
        if min(image.size) < MIN_SIDE:
            return []
        image.load()
    except Refused as exc:
        if exc.code == "image_too_large":
            raise
        return []
    except (OSError, ValueError):
        return []
    try:
        engine = ocr_engine()
    except ImportError as exc:
        raise OcrUnavailable("图片") from exc
    if not looks_like_text_page(engine, image):
        return []
    return [ocr_grid(engine, image, "照片")]


def looks_like_text_page(engine, image) -> bool:
    """The cheap first pass: text detection only, on a reduced copy; a form has many lines of text."""
    import numpy as np

    small = _reduced(image, FIRST_PASS_SIDE)
    found = engine(np.asarray(small), use_det=True, use_cls=False, use_rec=False)
    boxes = found.boxes if found is not None and found.boxes is not None else ()
    return len(boxes) >= MIN_TEXT_LINES


def _reduced(image, side: int):
    image = image.convert("RGB")
    scale = side / max(image.size)
    if scale >= 1:
        return image
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))


def ocr_grid(engine, image, sheet: str) -> OcrGrid:
    """OCR one page or photo into a grid (coordinates in the original image's pixels)."""
    import numpy as np

    work = _reduced(image, OCR_SIDE)
    back = image.width / work.width
    found = engine(np.asarray(work), use_det=True, use_cls=False, use_rec=True)  # settings persist: all three
    boxes: list[OcrBox] = []
    if found is not None and found.boxes is not None:
        for quad, text, score in zip(found.boxes, found.txts, found.scores):
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            boxes.append(OcrBox(round(min(xs) * back), round(min(ys) * back), round(max(xs) * back),
                                round(max(ys) * back), str(text).strip(), round(float(score), 3)))
    return grid_from_boxes(sheet, [b for b in boxes if b.text])


def grid_from_boxes(sheet: str, boxes: list[OcrBox]) -> OcrGrid:
    """Boxes → rows (by vertical centre) and columns (by left edge); boxes sharing a cell are joined left to right."""
    if not boxes:
        return OcrGrid(sheet=sheet, rows=[])
    height = median(b.y1 - b.y0 for b in boxes) or 1
    rows: list[list[OcrBox]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        centre = (box.y0 + box.y1) / 2
        if rows and abs(centre - median((b.y0 + b.y1) / 2 for b in rows[-1])) <= 0.5 * height:
            rows[-1].append(box)
        else:
            rows.append([box])
    edges = sorted(b.x0 for b in boxes)
    starts = [edges[0]] + [x for prev, x in zip(edges, edges[1:]) if x - prev > 1.5 * height]

    def column(box: OcrBox) -> int:
        return max(i for i, start in enumerate(starts) if box.x0 >= start)

    cells: dict[tuple[int, int], list[OcrBox]] = {}
    for r, row in enumerate(rows):
        for box in sorted(row, key=lambda b: b.x0):
            cells.setdefault((r, column(box)), []).append(box)
    joined = {rc: OcrBox(min(b.x0 for b in bs), min(b.y0 for b in bs), max(b.x1 for b in bs), max(b.y1 for b in bs),
                         "".join(b.text for b in bs), min(b.score for b in bs)) for rc, bs in cells.items()}
    grid_rows = [[joined[(r, c)].text if (r, c) in joined else None for c in range(len(starts))]
                 for r in range(len(rows))]
    spans = tuple((min(b.y0 for b in row), max(b.y1 for b in row)) for row in rows)
    columns = tuple((min(b.x0 for b in boxes if column(b) == c), max(b.x1 for b in boxes if column(b) == c))
                    for c in range(len(starts)))
    return OcrGrid(sheet=sheet, rows=grid_rows, boxes=tuple(sorted(joined.items())), spans=spans, columns=columns)


def ocr_findings(grids: list[Grid], parsed: tuple[ParsedCell, ...], source_file: str) -> tuple[Issue, ...]:
    """One finding per value read by OCR: info with its confidence, a warning under LOW_CONFIDENCE."""
    by_sheet = {g.sheet: g for g in grids if isinstance(g, OcrGrid)}
    out = []
    for cell in parsed:
        grid = by_sheet.get(cell.sheet)
        if grid is None or cell.value is None:
            continue
        score = grid.score(cell.cell)
        if score is None:
            continue
        where = f"{cell.sheet}{cell.cell}"
        if score < LOW_CONFIDENCE:
            out.append(Issue("warning", "ocr_low_confidence", f"该值由文字识别（OCR）从扫描件/照片读出为“{cell.raw}”，"
                                                              f"置信度 {score:.2f}（低于 {LOW_CONFIDENCE}）：请对照原图（{where}）"
                                                              "核实，必要时请单位提供电子版。",
                             source_file, cell.sheet, cell.cell, cell.key))
        else:
            out.append(Issue("info", "ocr_value", f"该值由文字识别（OCR）从扫描件/照片读出为“{cell.raw}”，置信度 {score:.2f}；"
                                                  f"上报前请对照原图（{where}）核对。", source_file, cell.sheet, cell.cell,
                             cell.key))
    return tuple(out)
