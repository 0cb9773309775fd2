"""One return as a unit filled it in (what was typed in each cell), and how its cells read once written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from analysis import form
from analysis.demo.spelling import Typed, number_text
from analysis.intake.units import Unit


@dataclass
class Return:
    """A statistics table as one unit filled it in; ``cells`` hold what was typed."""

    unit: Unit
    year: int
    path: str  # relative to the year folder, '/' separators
    layout: str
    stamp: str
    labels: dict[str, str]
    categories: dict[str, str]
    cells: dict[str, Typed]
    note: str
    when: dt.datetime
    money_text: Callable[[float], str] = number_text
    last_year: dict[str, float] | None = None


def blocks() -> list[tuple[str, list[str]]]:
    """The form's rows grouped as printed: (category, keys); '' for the rows without one."""
    grouped: list[tuple[str, list[str]]] = []
    for f in form.FIELDS:
        if f.category and grouped and grouped[-1][0] == f.category:
            grouped[-1][1].append(f.key)
        else:
            grouped.append((f.category, [f.key]))
    return grouped


def typed_text(ret: Return, key: str) -> str:
    """A cell as text (Word, CSV): what was typed, or the number written the unit's way."""
    value = ret.cells[key]
    if isinstance(value, str):
        return value
    return ret.money_text(value) if key in form.MONEY_KEYS else str(int(value))


def cell_value(value: Typed) -> Typed:
    """What a spreadsheet cell holds: numbers stay numbers, whole money amounts become ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
