"""OCR text boxes → a grid read along the table's rows, however the photo is turned.

A phone photo of the printed form is seldom square: at 2.6° the value column, some 800 pixels right of the
labels, sits a whole row lower than a row's label.  So the boxes are first turned upright: the skew is the median
angle of the long text lines (rapidocr gives each box as a four-point polygon along its line), and every box is
placed by its centre in that upright frame.  Rows are then made there (by vertical centre) and columns by left
edge, as in a sheet.

Each cell is paired with its neighbour on the left (a value with its label) and knows how well it sits on that
row (``alignment``, 1 on the label's line, 0 half a row away), so that the confidence a value is reported with
combines recognition and alignment.  When two numbers from different lines lie within half a row of a label's
line, the cell is left empty and named in ``doubtful``: a value is never guessed between two rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median

from analysis.intake.readers.grid import Grid

MIN_LINE_RATIO = 4.0  # a box this many times wider than high is a line of text long enough to show the skew
MIN_SKEW_LINES = 3  # fewer such lines: the image is taken as upright
MAX_SKEW = 15.0  # degrees: a larger angle is not a tilted photo of the form (rotated pages are not read)
ROW_TOLERANCE = 0.5  # of the median text height: a box whose centre is this close to a row's line joins it
TWO_LINES = 0.5  # of the median text height: boxes of one cell this far apart vertically are two candidates


@dataclass(frozen=True)
class OcrBox:
    """One line of text OCR found: its box in image pixels, the text and the recogniser's confidence (0–1).

    ``quad`` is the polygon rapidocr gave (four corners along the text line; empty for an upright box), and
    ``alignment`` how well the box sits on its table row (1 on the row's line, 0 half a row away)."""

    x0: int
    y0: int
    x1: int
    y1: int
    text: str
    score: float
    quad: tuple[tuple[float, float], ...] = ()
    alignment: float = 1.0

    @property
    def label(self) -> str:
        return f"OCR({self.x0},{self.y0},{self.x1},{self.y1})"

    @property
    def confidence(self) -> float:
        """Recognition and alignment together: the chance that this is the right text of the right row."""
        return round(self.score * self.alignment, 3)

    @property
    def corners(self) -> tuple[tuple[float, float], ...]:
        return self.quad or ((self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1))


@dataclass(frozen=True)
class Doubtful:
    """A cell left empty because two boxes from different lines compete for it."""

    label: str  # OCR(x0,y0,x1,y1) around the candidates
    texts: tuple[str, ...]


@dataclass(frozen=True)
class OcrGrid(Grid):
    """A grid made from OCR boxes: a cell's address is its box; ``skew`` the angle the photo was turned upright by."""

    boxes: tuple[tuple[tuple[int, int], OcrBox], ...] = field(default=())
    spans: tuple[tuple[int, int], ...] = field(default=())  # per row: (y0, y1)
    columns: tuple[tuple[int, int], ...] = field(default=())  # per column: (x0, x1)
    doubtful: tuple[tuple[tuple[int, int], Doubtful], ...] = field(default=())
    skew: float = 0.0

    def address(self, r: int, c: int) -> str:
        for (br, bc), box in self.boxes:
            if (br, bc) == (r, c):
                return box.label
        for (br, bc), doubt in self.doubtful:
            if (br, bc) == (r, c):
                return doubt.label
        y0, y1 = self.spans[r] if r < len(self.spans) else (0, 0)
        x0, x1 = self.columns[c] if c < len(self.columns) else (0, 0)
        return OcrBox(x0, y0, x1, y1, "", 0.0).label

    def box(self, address: str) -> OcrBox | None:
        return next((box for _, box in self.boxes if box.label == address), None)

    def doubt(self, address: str) -> Doubtful | None:
        return next((d for _, d in self.doubtful if d.label == address), None)


def skew_of(boxes: list[OcrBox]) -> float:
    """The photo's tilt in degrees (positive: lines fall to the right in image coordinates), from the long lines."""
    angles = []
    for box in boxes:
        (ax, ay), (bx, by), (cx, cy) = box.corners[:3]
        width, height = math.hypot(bx - ax, by - ay), math.hypot(cx - bx, cy - by)
        if height and width >= MIN_LINE_RATIO * height:
            angles.append(math.degrees(math.atan2(by - ay, bx - ax)))
    if len(angles) < MIN_SKEW_LINES:
        return 0.0
    angle = median(angles)
    return angle if abs(angle) <= MAX_SKEW else 0.0


@dataclass(frozen=True)
class _Upright:
    """A box placed in the upright frame: its centre and extent along and across the text line."""

    box: OcrBox
    u0: float
    v0: float
    u1: float
    v1: float

    @property
    def v(self) -> float:
        return (self.v0 + self.v1) / 2


def _upright(box: OcrBox, degrees: float) -> _Upright:
    """The box in the frame turned back by ``degrees``: its centre turned, its sides as long as the polygon's."""
    a = math.radians(degrees)
    cos, sin = math.cos(a), math.sin(a)
    corners = box.corners
    cu = sum(x * cos + y * sin for x, y in corners) / len(corners)
    cv = sum(-x * sin + y * cos for x, y in corners) / len(corners)
    width = math.dist(corners[0], corners[1]) if box.quad else box.x1 - box.x0
    height = math.dist(corners[1], corners[2]) if box.quad else box.y1 - box.y0
    return _Upright(box, cu - width / 2, cv - height / 2, cu + width / 2, cv + height / 2)


def grid_from_boxes(sheet: str, boxes: list[OcrBox]) -> OcrGrid:
    """Boxes → rows (by vertical centre, upright) and columns (by left edge); boxes sharing a cell on one line are
    joined left to right, boxes of one cell on two lines leave it empty (``doubtful``)."""
    if not boxes:
        return OcrGrid(sheet=sheet, rows=[])
    skew = skew_of(boxes)
    placed = [_upright(b, skew) for b in boxes]
    height = median(p.v1 - p.v0 for p in placed) or 1
    rows: list[list[_Upright]] = []
    for p in sorted(placed, key=lambda p: p.v):
        if rows and abs(p.v - median(q.v for q in rows[-1])) <= ROW_TOLERANCE * height:
            rows[-1].append(p)
        else:
            rows.append([p])
    edges = sorted(p.u0 for p in placed)
    starts = [edges[0]] + [u for prev, u in zip(edges, edges[1:]) if u - prev > 1.5 * height]

    def column(p: _Upright) -> int:
        return max(i for i, start in enumerate(starts) if p.u0 >= start - 1e-6)

    # the row pitch, from the rows that pair something (a stray box on a line of its own is not a row of the table)
    lines = [median(p.v for p in row) for row in rows if len({column(p) for p in row}) > 1]
    pitch = median([b - a for a, b in zip(lines, lines[1:])] or [2 * height])

    cells: dict[tuple[int, int], list[_Upright]] = {}
    for r, row in enumerate(rows):
        for p in sorted(row, key=lambda p: p.u0):
            cells.setdefault((r, column(p)), []).append(p)
    joined: dict[tuple[int, int], OcrBox] = {}
    doubtful: dict[tuple[int, int], Doubtful] = {}
    for (r, c), parts in cells.items():
        around = _around([q.box for q in parts])
        partner = _partner(cells, r, c)
        line = median(q.v for q in partner) if partner else median(q.v for q in parts)
        rivals = [q for q in placed if column(q) == c and abs(q.v - line) < pitch / 2 and _numeric(q.box.text)]
        candidates = sorted(
            {*parts, *rivals} if _numeric("".join(q.box.text for q in parts)) else parts, key=lambda q: (q.v, q.u0)
        )
        if max(q.v for q in candidates) - min(q.v for q in candidates) > TWO_LINES * height:
            doubtful[(r, c)] = Doubtful(
                _around([q.box for q in candidates]).label, tuple(q.box.text for q in candidates)
            )
            continue
        offset = abs(median(q.v for q in parts) - line)
        alignment = max(0.0, 1 - (offset / (pitch / 2)) ** 2)
        joined[(r, c)] = OcrBox(
            around.x0,
            around.y0,
            around.x1,
            around.y1,
            "".join(q.box.text for q in parts),
            min(q.box.score for q in parts),
            alignment=round(alignment, 3),
        )
    grid_rows = [
        [joined[(r, c)].text if (r, c) in joined else None for c in range(len(starts))] for r in range(len(rows))
    ]
    spans = tuple((min(p.box.y0 for p in row), max(p.box.y1 for p in row)) for row in rows)
    columns = tuple(
        (min(p.box.x0 for p in placed if column(p) == c), max(p.box.x1 for p in placed if column(p) == c))
        for c in range(len(starts))
    )
    return OcrGrid(
        sheet=sheet,
        rows=grid_rows,
        boxes=tuple(sorted(joined.items())),
        spans=spans,
        columns=columns,
        doubtful=tuple(sorted(doubtful.items())),
        skew=round(skew, 2),
    )


def _numeric(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _partner(cells: dict[tuple[int, int], list[_Upright]], r: int, c: int) -> list[_Upright]:
    """The boxes a cell is paired with on its row: the nearest cell to its left (a value's label), else to its right."""
    row = sorted(cc for rr, cc in cells if rr == r and cc != c)
    left = [cc for cc in row if cc < c]
    return cells[(r, left[-1])] if left else cells[(r, row[0])] if row else []


def _around(boxes: list[OcrBox]) -> OcrBox:
    """The image-pixel box around several boxes (text and score are the caller's)."""
    return OcrBox(
        min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes), "", 0.0
    )
