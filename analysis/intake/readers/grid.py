"""The reader's output: cell grids, shared by every format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Shown:
    """A number cell whose number format displays another number than the one stored (e.g. 126000 as 12.6万).

    ``text`` is what the person saw; ``stored`` the value in the file; ``number_format`` the format code.
    """

    text: str
    stored: float
    number_format: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Grid:
    """The cells of one sheet or table; ``rows[r][c]`` is at sheet row ``r + origin[0]``."""

    sheet: str
    rows: list[list[object]]
    hidden: bool = False
    origin: tuple[int, int] = (0, 0)
    merged: tuple[tuple[int, int, int, int], ...] = field(default=())  # (r0, c0, r1, c1) in grid coordinates
    problem: str = ""  # why this sheet could not be read (Chinese), when it could not

    def address(self, r: int, c: int) -> str:
        """A1-style address of grid cell (r, c)."""
        return f"{column_letters(c + self.origin[1] + 1)}{r + self.origin[0] + 1}"


def column_letters(n: int) -> str:
    """1 → 'A', 28 → 'AB'."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def short(exc: BaseException) -> str:
    """The exception as a labelled technical detail inside a Chinese message."""
    text = f"{type(exc).__name__}: {exc}"
    return "技术信息：" + (text if len(text) <= 120 else text[:117] + "...")
