"""A worksheet as plain data, the one thing every writer here takes: rows of cell values with merged ranges.

The demo lays its returns out as :class:`Sheet` objects; the tests' fixtures lay out theirs the same way and write
them with the same writers (:mod:`.xlsx`, :mod:`.xls`, :mod:`.ods`, :mod:`.word`, :mod:`.delimited`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

Merge = tuple[int, int, int, int]  # (r0, c0, r1, c1), 0-based, inclusive
Cell = str | int | float | None


@dataclass(frozen=True)
class Sheet:
    """One worksheet: rows of cell values (None: empty) and merged ranges (the value sits in the top-left cell)."""

    name: str
    rows: list[list[Cell]]
    merges: tuple[Merge, ...] = ()
    hidden: bool = False
    widths: dict[int, float] = field(default_factory=dict)  # column → width in characters
    wrapped: frozenset[tuple[int, int]] = frozenset()  # (row, column) of cells whose text wraps (.xls)

    @property
    def width(self) -> int:
        """The number of columns the rows and merged ranges reach."""
        return max([len(r) for r in self.rows] + [c1 + 1 for _, _, _, c1 in self.merges], default=0)


def covered(merges: Iterable[Merge]) -> set[tuple[int, int]]:
    """Cells inside merged ranges other than each range's top-left cell."""
    return {
        (r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0)
    }


def cell_at(rows: list[list[Cell]], r: int, c: int) -> Cell:
    """The value at (r, c), None beyond a row's end."""
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None
