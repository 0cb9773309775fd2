"""Reading the tables and links of an exported notebook (nbconvert HTML) as a reader sees them, for the tests of the
display style.  Independent of analysis.report.display: the checks restate the style, they do not call it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import lxml.html

from analysis.form import FIELDS

MEASURED = re.compile(r"[（(]([^（）()]+)[)）]$")
COUNT_MEASURES = ("次", "个", "人", "人次", "家", "篇", "所")
NOT_A_NUMBER = ("—", "未设此项", "")
SNAKE = re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$")
VERBATIM = ("原文",)  # the text as the unit wrote it: shown as written, never reformatted
ITEM_MEASURES = {name: f.measure for f in FIELDS for name in (f.label, f.display, f.short)}


@dataclass
class Rendered:
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]  # the cell's class says num (right-aligned, sorted as a number)

    def column(self, name: str) -> list[str]:
        return [row[self.columns.index(name)] for row in self.rows]


def tables(html: str) -> list[Rendered]:
    """Every shown table (the static rendering DataTables starts from), header text without itables' marks."""
    doc = lxml.html.fromstring(html)
    found = []
    for table in doc.xpath("//table[not(@hidden)][.//td[contains(@class, 'data')]]"):
        for sup in table.xpath(".//th//sup"):
            sup.drop_tree()
        columns = [th.text_content().strip() for th in table.xpath("./thead/tr[last()]/th")]
        body = table.xpath("./tbody/tr")
        rows = [[td.text_content().strip() for td in tr.xpath("./td")] for tr in body]
        first = body[0].xpath("./td") if body else []
        found.append(Rendered(columns, rows, ["num" in (td.get("class") or "").split() for td in first]))
    return found


def _decimals(text: str) -> int:
    number = text.rstrip("%")
    return len(number.split(".")[1]) if "." in number else 0


def _row_measure(table: Rendered, row: list[str]) -> str:
    if "计量单位" in table.columns:
        return row[table.columns.index("计量单位")]
    for name in ("项目", "指标"):
        if name in table.columns:
            item = row[table.columns.index(name)]
            found = MEASURED.search(item)
            return found.group(1) if found else ITEM_MEASURES.get(item, "")
    return ""


def style_problems(table: Rendered) -> list[str]:
    """Where the table breaks the style: several numbers of decimals in a column (among rows of one measure),
    万元 not with 2 decimals, counts not whole, % not with 1 decimal, a number that is not right-aligned."""
    problems = []
    for j, name in enumerate(table.columns):
        if name in VERBATIM:
            continue
        seen: dict[str, set[int]] = {}
        for row in table.rows:
            text = row[j]
            if not re.fullmatch(r"[+-]?[\d,]+(\.\d+)?%?", text):
                continue
            if not table.numeric[j]:
                problems.append(f"{name}：数字 {text} 未按数字对齐")
            seen.setdefault(_row_measure(table, row), set()).add(_decimals(text))
            if text.endswith("%") and _decimals(text) != 1:
                problems.append(f"{name}：百分数 {text} 不是一位小数")
        for measure, decimals in seen.items():
            if len(decimals) > 1:
                problems.append(f"{name}（{measure or '同一列'}）：小数位数不一 {sorted(decimals)}")
        header = MEASURED.search(name)
        if header and header.group(1) == "万元" and any(d != {2} for d in seen.values()):
            problems.append(f"{name}：万元不是两位小数")
        if header and header.group(1) in COUNT_MEASURES and any(d != {0} for d in seen.values()):
            problems.append(f"{name}：数量不是整数")
    return problems


def visible_codes(table: Rendered) -> list[str]:
    return [cell for row in table.rows for cell in row if SNAKE.match(cell)]


def local_links(html: str) -> list[str]:
    """Links to files (not web pages, not anchors within the page), as written."""
    doc = lxml.html.fromstring(html)
    return [
        a.get("href")
        for a in doc.xpath("//a[@href]")
        if not re.match(r"^([a-z][a-z0-9+.-]*:|#|data:)", a.get("href"), re.IGNORECASE)
    ]


def resolves(href: str, folder: Path) -> bool:
    return not href.startswith("/") and (Path(folder) / unquote(href)).is_file()
