"""Locate: cell grids → the form's labelled raw cells, found by label text, never by address.

Three layouts are recognised:

* ``vertical`` — the notice's own form: category | item | value, labels down a
  column (merged categories, the last three items merged over two columns,
  values possibly one column further right);
* ``horizontal`` — labels across one or two header rows with one value row
  under them (a transposed form);
* ``wide`` — the same with one row per sub-unit: the 合计 row is taken, else
  the rows are summed (``summed`` is set so the caller can say so).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from analysis.form import (
    BY_KEY,
    MONEY_KEYS,
    NOTE_WORDS,
    SUBTOTAL_WORDS,
    TOTAL_WORDS,
    is_category,
    match_label,
)
from analysis.intake.readers.grid import Grid, Shown
from analysis.intake.values import Declared, parse_value
from analysis.issues import Issue

MIN_FIELDS = 6  # fewer labelled items than this and the grid is not the form
SUMMARY_SHEET_WORDS = ("汇总", "合计", "总表")  # a sheet so named is the return when several sheets hold the form
SUM_TOLERANCE = 0.005  # per summed sheet: 万元 figures are rounded to two places
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMBERISH = re.compile(r"^\s*(约|大约|近)?[\d０-９一二三四五六七八九十两百千万零]|^\s*(无|/|／|—|-)\s*$")
_STAMP = re.compile(r"(盖章|填报单位|报送单位|填表单位|单位名称|地方/部门|地方／部门)")
_SUM_WORDS = SUBTOTAL_WORDS + TOTAL_WORDS
_SEAL = re.compile(r"[（(]\s*盖\s*章\s*[)）]")
# a money column or table declared in 元 (the form's own measure is 万元): 金额（元）, （单位：元）, 单位：元
_YUAN_HEADER = re.compile(r"[（(]\s*(?:单位\s*[:：]\s*)?元\s*[)）]")
_YUAN_LINE = re.compile(r"单位\s*[:：]\s*元(?![\u4e00-\u9fff])")
_STAMP_STRIP = re.compile(r"^.*?(盖章|单位名称|填报单位|报送单位|填表单位|地方/部门|地方／部门)\s*[:：]?\s*")


@dataclass(frozen=True)
class RawCell:
    """One value cell as found: what was typed and where."""

    key: str
    raw: object
    sheet: str
    cell: str
    row_label: str = ""  # for wide tables: the sub-unit the row belongs to


@dataclass(frozen=True)
class Subtotal:
    """A 小计/合计 row the unit wrote inside a category block."""

    category: str
    raw: object
    sheet: str
    cell: str


@dataclass(frozen=True)
class Located:
    """The form found in a file."""

    sheet: str
    layout: str
    cells: dict[str, tuple[RawCell, ...]]
    stamp: str = ""
    summed: int = 0  # >1: rows of a wide table without a 合计 row were summed
    subtotals: tuple[Subtotal, ...] = field(default=())
    findings: tuple[Issue, ...] = field(default=())  # how the sheet was chosen (source_file left for the caller)
    declared: dict[str, Declared] = field(default_factory=dict)  # money keys the table declares in 元

    @property
    def found(self) -> int:
        return len(self.cells)

    @property
    def numbers(self) -> int:
        """How many located cells hold something number-like (an instruction sheet holds none)."""
        return sum(1 for cells in self.cells.values() for c in cells if _numberish(c.raw))


def _numberish(value: object) -> bool:
    if isinstance(value, (int, float, Shown)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and len(value) <= 40 and bool(_NUMBERISH.search(value))


@lru_cache(maxsize=8192)
def _field_of_label(text: str) -> str | None:
    if len(text) > 60 or not _CJK.search(text):
        return None
    if is_category(text):
        return None
    return match_label(text)


def _stripped(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


@lru_cache(maxsize=8192)
def _has_word(text: str, words: tuple[str, ...]) -> bool:
    folded = _fold(text)
    return any(w in folded for w in words)


def find_stamp(grids: list[Grid]) -> str:
    """The unit written on the 地方/部门（盖章）： line (text after the colon, or the next cell)."""
    for grid in grids:
        for row in grid.rows[:80]:
            for c, value in enumerate(row):
                text = _stripped(value)
                if not text or len(text) > 80 or not _STAMP.search(text):
                    continue
                rest = _STAMP_STRIP.sub("", _SEAL.sub("", text), count=1).strip()
                rest = re.split(r"\s{2,}|填报日期|填表日期|日期[:：]|填表人|联系", rest)[0].strip(" ：:")
                if rest:
                    return rest
                for nxt in row[c + 1 :]:
                    if _stripped(nxt):
                        return _stripped(nxt)
    return ""


def _labels(grid: Grid) -> list[tuple[int, int, str]]:
    out = []
    for r, row in enumerate(grid.rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                key = _field_of_label(value.strip())
                if key:
                    out.append((r, c, key))
    return out


def count_labels(grid: Grid) -> int:
    """How many distinct form items are labelled in a grid."""
    return len({key for _, _, key in _labels(grid)})


def _cell(grid: Grid, r: int, c: int) -> object:
    row = grid.rows[r] if r < len(grid.rows) else []
    return row[c] if c < len(row) else None


def locate_grid(grid: Grid) -> Located | None:
    """The form in one grid, or None when fewer than MIN_FIELDS labels are there."""
    labels = _labels(grid)
    if len({k for _, _, k in labels}) < MIN_FIELDS:
        return None
    per_row: dict[int, int] = {}
    for r, _, _ in labels:
        per_row[r] = per_row.get(r, 0) + 1
    if max(per_row.values()) >= MIN_FIELDS:
        return _horizontal(grid, labels, per_row)
    return _vertical(grid, labels)


def _vertical(grid: Grid, labels: list[tuple[int, int, str]]) -> Located:
    first: dict[str, tuple[int, int]] = {}
    for r, c, key in labels:
        first.setdefault(key, (r, c))
    label_rows = {r for r, _ in first.values()}
    label_cells = {(r, c) for r, c, _ in labels}
    max_label_col = max(c for _, c in first.values())
    width = max((len(row) for row in grid.rows), default=0)
    scores = []
    for j in range(max_label_col + 1, max(width, max_label_col + 2)):
        filled = sum(1 for r in label_rows if (r, j) not in label_cells and _cell(grid, r, j) not in (None, ""))
        scores.append((filled, -j))
    value_col = -max(scores)[1] if scores and max(scores)[0] > 0 else max_label_col + 1
    cells = {
        key: (RawCell(key, _cell(grid, r, value_col), grid.sheet, grid.address(r, value_col)),)
        for key, (r, c) in sorted(first.items(), key=lambda kv: kv[1])
    }
    top = min(r for r, _ in first.values())
    declared = _declared_in_yuan(grid, top, {key: _stripped(_cell(grid, r, c)) for key, (r, c) in first.items()})
    return Located(grid.sheet, "vertical", cells, subtotals=_subtotals(grid, first, value_col), declared=declared)


def _subtotals(grid: Grid, first: dict[str, tuple[int, int]], value_col: int) -> tuple[Subtotal, ...]:
    rows_by_key = sorted((r, key) for key, (r, _) in first.items())
    label_rows = {r for r, _ in rows_by_key}
    out = []
    for r, row in enumerate(grid.rows):
        if r in label_rows:
            continue
        if not any(isinstance(v, str) and len(v) <= 12 and _has_word(v.strip(), _SUM_WORDS) for v in row[:value_col]):
            continue
        above = [key for lr, key in rows_by_key if lr < r]
        if above and _cell(grid, r, value_col) not in (None, ""):
            out.append(
                Subtotal(BY_KEY[above[-1]].category, _cell(grid, r, value_col), grid.sheet, grid.address(r, value_col))
            )
    return tuple(out)


def _horizontal(grid: Grid, labels: list[tuple[int, int, str]], per_row: dict[int, int]) -> Located:
    header = max(per_row, key=lambda r: (per_row[r], -r))
    header_rows = {header} | {r for r in (header - 1, header + 1) if r in per_row or _row_has_category(grid, r)}
    columns: dict[str, int] = {}
    for r, c, key in sorted(labels, key=lambda t: -t[0]):
        if r in header_rows and key not in columns and c not in columns.values():
            columns[key] = c
    last_header = max(header_rows)
    value_cols = sorted(columns.values())
    name_cols = [c for c in range(0, value_cols[0])]
    data: list[int] = []
    for r in range(last_header + 1, len(grid.rows)):
        name = " ".join(_stripped(_cell(grid, r, c)) for c in name_cols).strip()
        first_text = name or _stripped(_cell(grid, r, value_cols[0]))
        if first_text and _has_word(first_text, NOTE_WORDS):
            break
        if all(_cell(grid, r, c) in (None, "") for c in value_cols):
            continue
        data.append(r)
    names = {r: " ".join(_stripped(_cell(grid, r, c)) for c in name_cols).strip() for r in data}
    totals = [r for r in data if _has_word(names[r], TOTAL_WORDS)]
    subtotal_rows = {r for r in data if _has_word(names[r], SUBTOTAL_WORDS)}
    if totals:
        rows, layout = [totals[-1]], "wide"
    elif len(data) <= 1:
        rows, layout = data, "horizontal"
    else:
        rows, layout = [r for r in data if r not in subtotal_rows], "wide"
    cells = {
        key: tuple(RawCell(key, _cell(grid, r, c), grid.sheet, grid.address(r, c), names.get(r, "")) for r in rows)
        or (RawCell(key, None, grid.sheet, grid.address(last_header + 1, c)),)
        for key, c in sorted(columns.items(), key=lambda kv: kv[1])
    }
    label_text = {
        key: _stripped(_cell(grid, r, c)) for r, c, key in labels if columns.get(key) == c and r in header_rows
    }
    declared = _declared_in_yuan(grid, min(header_rows), label_text)
    return Located(grid.sheet, layout, cells, summed=len(rows) if len(rows) > 1 else 0, declared=declared)


def _declared_in_yuan(grid: Grid, top: int, label_text: dict[str, str]) -> dict[str, Declared]:
    """Money keys declared in 元: by a header or line above the table (单位：元, 金额（元）), by the funding
    category (活动经费投入数量（单位：元）), or by the item's own label (中央财政经费（元）)."""
    above = [_stripped(v) for row in grid.rows[:top] for v in row if isinstance(v, str) and "元" in v]
    categories = [_stripped(v) for row in grid.rows for v in row if isinstance(v, str) and "元" in v and is_category(v)]
    for text in (*above, *categories):
        if len(text) <= 60 and (_YUAN_HEADER.search(text) or _YUAN_LINE.search(text)):
            return {key: Declared(f"表中注明“{text}”") for key in MONEY_KEYS}
    return {
        key: Declared(f"项目名称注明“{text}”")
        for key, text in label_text.items()
        if key in MONEY_KEYS and _YUAN_HEADER.search(text)
    }


def _body_lines_in_yuan(grids: list[Grid]) -> tuple[str, ...]:
    """Lines of a Word body that declare 元 (单位：元 above the table is a paragraph there)."""
    return tuple(
        _stripped(v)
        for g in grids
        if g.sheet == "正文"
        for row in g.rows
        for v in row
        if isinstance(v, str) and "元" in v and len(v) <= 60 and _YUAN_LINE.search(v)
    )


def _row_has_category(grid: Grid, r: int) -> bool:
    return 0 <= r < len(grid.rows) and any(isinstance(v, str) and is_category(v) for v in grid.rows[r])


def locate(grids: list[Grid], year: int | None = None) -> Located | None:
    """The best form among a file's grids.

    Preference: a sheet holding numbers (not an instruction sheet listing the labels), this year's sheet over
    last year's (by sheet name), visible over hidden, then the most numbers and the most fields.  When several
    sheets equal on the first three hold the same items (a county workbook with one sheet per town),
    :func:`choose_sheet` decides.
    """
    ranked: list[tuple[tuple, Located]] = []
    for grid in grids:
        found = locate_grid(grid)
        if found is not None:
            ranked.append(((found.numbers >= 3, _year_rank(grid.sheet, year), not grid.hidden), found))
    if not ranked:
        return None
    top = max(rank for rank, _ in ranked)
    group = [found for rank, found in ranked if rank == top]
    located, findings = max(group, key=lambda f: (f.numbers, f.found)), ()
    # other returns of the same items (not the parts of one form split over two tables)
    alternatives = [f for f in group if len(f.cells.keys() & located.cells.keys()) >= MIN_FIELDS]
    if len(alternatives) > 1 and top[0]:
        located, findings = choose_sheet(alternatives)
    body = _body_lines_in_yuan(grids)
    if body and not located.declared:
        located = replace(located, declared={key: Declared(f"表上方注明“{body[0]}”") for key in MONEY_KEYS})
    # the 盖章 line of the form's own sheet first, then the Word body, then the rest (visible before hidden)
    ordered = sorted(grids, key=lambda g: (g.sheet != located.sheet, g.sheet != "正文", g.hidden))
    return replace(located, stamp=find_stamp(ordered), findings=tuple(findings))


def choose_sheet(forms: list[Located]) -> tuple[Located, tuple[Issue, ...]]:
    """The return among several sheets that each hold the form; sub-unit sheets are never added to it.

    Identical sheets are one; else a sheet named 汇总/合计/总表, else the one sheet whose figures equal the sums
    of all the others (an info finding says which and why); else the first, with a warning naming the sheets.
    """
    figures = [_figures(f) for f in forms]
    if all(f == figures[0] for f in figures[1:]):
        return forms[0], ()
    names = "、".join(f"“{f.sheet}”" for f in forms)
    named = [f for f in forms if any(w in _fold(f.sheet) for w in SUMMARY_SHEET_WORDS)]
    if len(named) == 1:
        return named[0], (_chosen(named[0], len(forms), names, "按工作表名称"),)
    summing = [f for i, f in enumerate(forms) if _is_sum(figures[i], [g for j, g in enumerate(figures) if j != i])]
    if len(summing) == 1:
        return summing[0], (_chosen(summing[0], len(forms), names, "该表各项等于其他各表之和"),)
    first = forms[0]
    message = (
        f"文件中有{len(forms)}张表都填写了统计表（{names}），无法确定哪一张是本单位的报表"
        "（没有名为“汇总”“合计”或“总表”的工作表，也没有一张等于其他各表之和），"
        f"暂按第一张“{first.sheet}”计入，其余未计入。请核实后只保留本单位的汇总表，或将汇总表命名为“汇总”后重新报送。"
    )
    return first, (Issue("warning", "form_sheet_ambiguous", message, sheet=first.sheet),)


def _chosen(form: Located, count: int, names: str, why: str) -> Issue:
    return Issue(
        "info",
        "form_sheet_chosen",
        f"文件中有{count}张表都填写了统计表（{names}），{why}采用“{form.sheet}”，"
        "其余各表视为下属单位分表，不计入也不相加。",
        sheet=form.sheet,
    )


def _figures(form: Located) -> dict[str, float | None]:
    """The number of each located field (rows of a wide table added), None when blank or unusable."""
    out: dict[str, float | None] = {}
    for key, cells in form.cells.items():
        values = [parse_value(c.raw, key, form.declared.get(key)).value for c in cells]
        usable = [v for v in values if v is not None]
        out[key] = sum(usable) if usable else None
    return out


def _is_sum(total: dict[str, float | None], parts: list[dict[str, float | None]]) -> bool:
    """True when every filled field of ``total`` equals the sum of ``parts`` (blank parts count 0)."""
    compared = 0
    for key in {*total, *(k for p in parts for k in p)}:
        part_sum = sum(p.get(key) or 0.0 for p in parts)
        if total.get(key) is None:
            if part_sum:
                return False
            continue
        if abs(total[key] - part_sum) > SUM_TOLERANCE * len(parts) + 1e-9:
            return False
        compared += 1
    return compared >= MIN_FIELDS


def _year_rank(sheet: str, year: int | None) -> int:
    if year is None:
        return 0
    if str(year) in sheet:
        return 1
    if str(year - 1) in sheet:
        return -1
    return 0
