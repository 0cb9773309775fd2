"""A return laid out as the notice's table: category | item | value, each category merged down its items, the
items without a category merged across, the title and the 盖章 line above, the unit's note under it."""

from __future__ import annotations

from analysis import form
from analysis.demo.returns import Return, blocks, cell_value
from analysis.demo.spelling import Typed
from analysis.demo.writers.grid import Cell, Merge, Sheet

WIDTHS = {0: 18, 1: 30}  # the category and item columns, in characters
HEADER = ("类别", "指标", "数量")


def vertical_table(
    ret: Return, cells: dict[str, Typed] | None = None, *, offset: int = 0, one_line: bool = False
) -> Sheet:
    """The table alone: ``cells`` (default the return's own) in the value column, ``offset`` columns further
    right; ``one_line`` drops the line breaks in labels.  ``wrapped`` names the category and item cells."""
    cells = ret.cells if cells is None else cells
    value_col = 2 + offset
    rows: list[list[Cell]] = []
    merges: list[Merge] = []
    wrapped: set[tuple[int, int]] = set()

    def text(value: str) -> str:
        return value.replace("\n", "") if one_line else value

    for category, keys in blocks():
        if category and len(keys) > 1:
            merges.append((len(rows), 0, len(rows) + len(keys) - 1, 0))
        for n, key in enumerate(keys):
            row: list[Cell] = [None] * (value_col + 1)
            if category and n == 0:
                row[0] = text(ret.categories[category])
                wrapped.add((len(rows), 0))
            first = 1 if category else 0
            row[first] = text(ret.labels[key])
            wrapped.add((len(rows), first))
            if value_col - 1 > first:
                merges.append((len(rows), first, len(rows), value_col - 1))
            row[value_col] = cell_value(cells[key])
            rows.append(row)
    return Sheet("", rows, tuple(merges), wrapped=frozenset(wrapped))


def vertical_sheet(
    ret: Return,
    name: str = "Sheet1",
    *,
    year: int | None = None,
    cells: dict[str, Typed] | None = None,
    offset: int = 0,
    header: bool = False,
    one_line: bool = False,
    note_gap: int = 1,
    wrap: bool = False,
    hidden: bool = False,
) -> Sheet:
    """The whole form on a worksheet: the title (of ``year``, default the return's) and the 盖章 line merged across,
    a 类别/指标/数量 row with ``header``, the table, ``note_gap`` empty rows and the note; ``wrap`` wraps the
    category and item cells."""
    table = vertical_table(ret, cells, offset=offset, one_line=one_line)
    head: list[list[Cell]] = [
        [form.FORM_TITLE.format(year=ret.year if year is None else year)],
        [form.STAMP_LABEL + ret.stamp],
    ] + ([list(HEADER)] if header else [])
    top = len(head)
    merges = (
        (0, 0, 0, 2 + offset),
        (1, 0, 1, 2 + offset),
        *((r0 + top, c0, r1 + top, c1) for r0, c0, r1, c1 in table.merges),
    )
    notes: list[list[Cell]] = [[] for _ in range(note_gap)] + [[ret.note]] if ret.note else []
    wrapped = frozenset((r + top, c) for r, c in table.wrapped) if wrap else frozenset()
    return Sheet(name, head + table.rows + notes, merges, hidden, dict(WIDTHS), wrapped)
