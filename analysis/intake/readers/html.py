"""HTML tables (a web system's 导出Excel, Excel/LibreOffice 另存为网页) → one grid per table, plus ``正文``.

The charset comes from a byte order mark, else the ``<meta charset>`` / ``http-equiv`` tag, else UTF-8 when the
bytes are valid UTF-8, else GB18030 (a superset of GBK and GB2312).  Parsed with lxml's HTML parser with network
access off; nothing in the page is ever run or fetched (scripts, styles and comments are dropped, entities other
than HTML's own are not expanded).  ``rowspan``/``colspan`` become merged cells, the text of a spanned cell sits
in its top-left cell.  Text outside tables (the 盖章 line above a table) is the one-column grid ``正文``.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from analysis.intake.readers.grid import Grid, short
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused
from analysis.intake.source import FileLike

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
}
_DROPPED = ("script", "style", "noscript", "template", "iframe", "object", "embed")
_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "caption")
MAX_SPAN = 1000  # browsers cap colspan at 1000; a larger one is a broken or hostile page
MAX_DEPTH = 5  # tables inside tables


def read_html(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """The tables of an HTML file as grids."""
    data = path.read_bytes()
    return html_grids(decode_html(data), limits)


def decode_html(data: bytes, declared: str | None = None) -> str:
    """The text of an HTML document: BOM, then ``declared`` (a MIME charset), then its meta tag, then UTF-8/GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    meta = _META_CHARSET.search(data[:8192])
    for name in (declared, meta.group(1).decode("ascii", errors="replace") if meta else None):
        if name:
            codec = _SUPERSETS.get(name.strip().lower(), name.strip().lower())
            try:
                return data.decode(codec, errors="replace")
            except LookupError:
                continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def html_grids(text: str, limits: Limits = DEFAULT_LIMITS, first: int = 1) -> list[Grid]:
    """The grids of an HTML document's text: ``表格{first}``, ``表格{first+1}``… and ``正文``."""
    lowered = text.lower()
    if lowered.count("<td") + lowered.count("<th") > limits.max_cells:  # before building a tree of them
        raise Refused("file_limit_cells", f"网页表格单元格数超过上限 {limits.max_cells}（Limits.max_cells），未读取。")
    parser = lxml.html.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, huge_tree=False, default_doctype=False
    )
    try:
        root = lxml.html.document_fromstring(text.lstrip("\ufeff") or "<html></html>", parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise Refused(
            "file_corrupt", f"网页文件无法解析（{short(exc)}），请用Excel打开后另存为 .xlsx 再报送。"
        ) from exc
    for element in list(root.iter(*_DROPPED)):
        element.drop_tree()
    grids: list[Grid] = []
    for table in root.iter("table"):
        depth = sum(1 for a in table.iterancestors("table")) + 1
        if depth > MAX_DEPTH:
            raise Refused(
                "docx_nested_tables", f"网页中的表格嵌套超过 {MAX_DEPTH} 层，未读取。请使用不嵌套的普通表格。"
            )
        grids.append(_table_grid(table, f"表格{first + len(grids)}", limits))
    lines = [[line] for line in _body_lines(root)]
    if lines:
        grids.append(Grid(sheet="正文", rows=lines))
    return grids


def _table_grid(table: etree._Element, name: str, limits: Limits) -> Grid:
    rows: list[list[object]] = []
    below: set[tuple[int, int]] = set()  # slots of later rows that a rowspan above covers
    merged: list[tuple[int, int, int, int]] = []
    width = 0
    trs = _own_rows(table)
    for r, tr in enumerate(trs):
        row: list[object] = []
        for td in tr.iterchildren("td", "th"):
            while (r, len(row)) in below:
                row.append(None)
            c = len(row)
            rowspan = min(_span(td.get("rowspan")), max(len(trs) - r, 1))
            colspan = _span(td.get("colspan"))
            width = max(width, c + colspan)
            if len(trs) * width > limits.max_cells or len(below) + rowspan * colspan > limits.max_cells:
                raise Refused(
                    "file_limit_cells", f"网页表格单元格数超过上限 {limits.max_cells}（Limits.max_cells），未读取。"
                )
            row.append(_cell_text(td) or None)
            row.extend([None] * (colspan - 1))
            if rowspan > 1 or colspan > 1:
                merged.append((r, c, r + rowspan - 1, c + colspan - 1))
                below.update((r + i, c + j) for i in range(1, rowspan) for j in range(colspan))
        rows.append(row)
    return Grid(sheet=name, rows=[row + [None] * (width - len(row)) for row in rows], merged=tuple(merged))


def _own_rows(table: etree._Element) -> list[etree._Element]:
    """The table's rows (in thead, tbody, tfoot or directly), not those of tables inside its cells."""
    rows = []
    for child in table.iterchildren():
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(child.iterchildren("tr"))
    return rows


def _span(value: str | None) -> int:
    digits = re.match(r"\s*(\d+)", value or "")
    return max(1, min(int(digits.group(1)), MAX_SPAN)) if digits else 1


def _cell_text(cell: etree._Element) -> str:
    """What the cell shows: its text without nested tables, ``<br>`` as a line break, spaces collapsed."""
    parts: list[str] = []
    _gather(cell, parts)
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _gather(element: etree._Element, parts: list[str]) -> None:
    if element.text and element.tag != "table":
        parts.append(element.text)
    for child in element.iterchildren():
        if child.tag == "br":
            parts.append("\n")
        elif isinstance(child.tag, str) and child.tag != "table":  # not a nested table, nor an entity or a PI
            _gather(child, parts)
            if child.tag in _BLOCKS:
                parts.append("\n")
        if child.tail:
            parts.append(child.tail)


def _body_lines(root: etree._Element) -> list[str]:
    """Lines of text outside every table: the title, the 盖章 line, notes under the table."""
    out: list[str] = []
    body = root.find("body")
    for element in (body if body is not None else root).iter(*_BLOCKS):
        if any(True for _ in element.iterancestors("table")) or any(True for _ in element.iter("table")):
            continue
        if any(a.tag in _BLOCKS for a in element.iterancestors()):
            continue  # its text is in the enclosing block's line
        parts: list[str] = []
        _gather(element, parts)
        out.extend(" ".join(line.split()) for line in "".join(parts).split("\n") if line.strip())
    return out
