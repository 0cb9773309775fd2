"""Scans and photos of the printed form → grids, by OCR (rapidocr with onnxruntime; optional extra ``.[ocr]``).

OCR is a flagged best effort.  The text boxes rapidocr finds are turned upright (a photo's tilt is read from
them) and placed into rows and columns by :mod:`~analysis.intake.readers.ocr_layout`, so the located cells behave
like a sheet's; the address of a cell is the OCR box in the image's pixels, ``OCR(x0,y0,x1,y1)``, and every value
read this way carries its confidence, recognition × alignment with its row (:func:`ocr_findings`).  A return read
this way stays unverified until a person confirms it in the review ledger (:func:`unverified`).  An ordinary activity photo is not OCR'd fully: a cheap first pass (text detection on a
reduced copy, no recognition) must find at least ``MIN_TEXT_LINES`` lines of text first.  Without the OCR
packages, a scan raises :class:`OcrUnavailable` (an issue saying so), and the package works as before.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

from analysis.form import SUBTOTAL_PREFIX
from analysis.intake.readers.grid import Grid
from analysis.intake.readers.ocr_layout import OcrBox, OcrGrid, grid_from_boxes
from analysis.intake.records import FileOutcome, ParsedCell
from analysis.intake.safety import Limits, Refused
from analysis.intake.source import FileLike
from analysis.issues import Issue

MIN_SIDE = 600  # pixels: a smaller image is a thumbnail or an activity photo; no form is legible in it
MAX_PIXELS = 60_000_000  # pixels: a larger image is refused before it is decoded (a 20,000 × 20,000 bomb)
OCR_SIDE = 2000  # pixels: the longest side OCR works on (larger images are reduced first)
FIRST_PASS_SIDE = 640  # pixels: the reduced copy the cheap first pass looks at
MIN_TEXT_LINES = 15  # a form has 20 labelled rows; an activity photo a few banners
LOW_CONFIDENCE = 0.9  # below this an OCR'd value is a warning: check it against the image
DET_SIDE = 960  # pixels: the longest side text detection works on
OCR_MEMORY = 512 * 1024**2  # memory a worker may take beyond the pool's WORKER_MEMORY once it has read a scan
OCR_PACKAGES = "rapidocr、onnxruntime"
UNVERIFIED = "ocr_unverified"  # the open warning of a return read by OCR, until a ledger row confirms the file
SETTLED_WITH_FILE = ("ocr_low_confidence",)  # findings that row settles too (a blank left by ocr_unpaired: not)


class OcrUnavailable(Refused):
    """The OCR packages are not installed: the scan is inventoried with a warning saying so."""

    def __init__(self, what: str) -> None:
        super().__init__(
            "ocr_not_installed",
            f"收到{what}，但本机未安装文字识别（OCR）组件（{OCR_PACKAGES}，"
            'pip install -e ".[ocr]"），未能识别其中的统计表。请安装后重新运行，'
            "或请报送单位提供电子版统计表（Excel 或 Word）。",
            severity="warning",
        )


@lru_cache(maxsize=1)
def ocr_engine():
    """The OCR engine, made once per process (the models ship inside the rapidocr wheel: nothing is downloaded)."""
    from rapidocr import RapidOCR  # ImportError also when onnxruntime or opencv is missing underneath

    allow_ocr_memory()
    # detection on at most DET_SIDE pixels (less memory, same boxes on a printed form); one thread per worker
    return RapidOCR(
        params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Det.limit_type": "max",
            "Det.limit_side_len": DET_SIDE,
        }
    )


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
    return Refused(
        "image_too_large",
        f"图片尺寸过大（{size or '超过上限的'} 像素，上限 {MAX_PIXELS:,} 像素，readers.ocr.MAX_PIXELS），"
        "疑似异常文件，未读取。如这是统计表的照片，请用正常分辨率重新拍摄后报送。",
        severity="warning",
    )


def read_image(src: FileLike, limits: Limits) -> list[Grid]:
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
            boxes.append(
                OcrBox(
                    round(min(xs) * back),
                    round(min(ys) * back),
                    round(max(xs) * back),
                    round(max(ys) * back),
                    str(text).strip(),
                    round(float(score), 3),
                    tuple((float(x) * back, float(y) * back) for x, y in quad),
                )
            )
    return grid_from_boxes(sheet, [b for b in boxes if b.text])


def ocr_findings(grids: list[Grid], parsed: tuple[ParsedCell, ...], source_file: str) -> tuple[Issue, ...]:
    """One finding per item read by OCR: an info with the confidence (recognition × alignment with its row), a
    warning under LOW_CONFIDENCE, and a warning naming the item when no value, or two, sit on its row."""
    by_sheet = {g.sheet: g for g in grids if isinstance(g, OcrGrid)}
    out = []
    for cell in parsed:
        grid = by_sheet.get(cell.sheet)
        if grid is None or cell.key.startswith(SUBTOTAL_PREFIX):
            continue
        where = f"{cell.sheet}{cell.cell}"
        box, doubt = grid.box(cell.cell), grid.doubt(cell.cell)
        if doubt is not None:
            texts = "”“".join(doubt.texts)
            out.append(
                _unpaired(
                    f"文字识别（OCR）在该项所在的行上找到两个上下错开的候选数值（“{texts}”），无法确定哪个"
                    f"属于本项，未计入；请对照原图（{where}）核对，在核实台账中填写更正值。",
                    cell,
                    source_file,
                )
            )
        elif box is None and cell.value is None and not cell.raw:
            out.append(
                _unpaired(
                    f"文字识别（OCR）在该项所在的行上没有找到数值，按未填写计；请对照原图（{where} 附近）核对，"
                    "如原表填有数值，请在核实台账中填写更正值。",
                    cell,
                    source_file,
                )
            )
        elif box is not None and cell.value is not None:
            said = f"置信度 {box.confidence:.2f}（识别 {box.score:.2f}，与本行对齐 {box.alignment:.2f}）"
            if box.confidence < LOW_CONFIDENCE:
                out.append(
                    Issue(
                        "warning",
                        "ocr_low_confidence",
                        f"该值由文字识别（OCR）从扫描件/照片读出为“{cell.raw}”，"
                        f"{said}，低于 {LOW_CONFIDENCE}：请对照原图（{where}）"
                        "核实，必要时请单位提供电子版。",
                        source_file,
                        cell.sheet,
                        cell.cell,
                        cell.key,
                    )
                )
            else:
                out.append(
                    Issue(
                        "info",
                        "ocr_value",
                        f"该值由文字识别（OCR）从扫描件/照片读出为“{cell.raw}”，{said}；"
                        f"上报前请对照原图（{where}）核对。",
                        source_file,
                        cell.sheet,
                        cell.cell,
                        cell.key,
                    )
                )
    return tuple(out)


def _unpaired(message: str, cell: ParsedCell, source_file: str) -> Issue:
    return Issue("warning", "ocr_unpaired", message, source_file, cell.sheet, cell.cell, cell.key)


def read_by_ocr(outcome: FileOutcome) -> bool:
    """True when the return's values were read from a photo or scan (their cells are OCR boxes)."""
    return any(p.cell.startswith("OCR(") for p in outcome.parsed)


def unverified(outcome: FileOutcome, unit: str) -> Issue:
    """The open warning every accepted return read by OCR carries until a person has checked it against the image.

    Its ``cell`` is the file's fingerprint (the start of its SHA-256): a ledger row that confirmed one photo does not
    confirm another sent later under the same name."""
    count = sum(1 for p in outcome.parsed if p.cell.startswith("OCR(") and p.value is not None)
    sheet = next((p.sheet for p in outcome.parsed if p.cell.startswith("OCR(")), "")
    return Issue(
        "warning",
        UNVERIFIED,
        f"本表由文字识别（OCR）从照片/扫描件读出（{count} 个数值），在有人对照原图核对之前"
        "均视为未核实，本年度汇总因此为初稿。核对无误后，在核实台账中为该文件填写一行"
        "即可确认其全部数值：问题代码 ocr_unverified、文件及单元格（文件指纹）照本行填写，"
        "处理“确认无误”，依据如“已对照原图核对”；个别数值有误的，另填“更正”行。",
        outcome.source_file,
        sheet,
        f"文件指纹{outcome.sha256[:12]}",
        "",
        unit,
    )
