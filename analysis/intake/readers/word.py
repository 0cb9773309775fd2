"""Word (.docx, and .doc through LibreOffice) → one grid per table plus the body paragraphs as ``正文``, then the
sheets of the Excel worksheets embedded in it (:mod:`~analysis.intake.readers.embedded`).

``word/document.xml`` is parsed with a hardened lxml parser (no DTD, no entities, no network).  Text is read
as Word shows it: content controls (``w:sdt``, inline, block, row and cell level) count, their placeholder
text (单击或点击此处输入文字。) is blank; tracked insertions count, deletions (``w:del``, ``w:moveFrom``)
never; field results count, field instructions (``w:instrText``) never; text boxes (``w:txbxContent``)
become lines of ``正文`` of their own.  A table continued after a page break (续表, or the header row
repeated) is read as one grid with the first part.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from analysis.intake.readers import libreoffice
from analysis.intake.readers.embedded import embedded_grids, has_objects
from analysis.intake.readers.grid import Grid, short
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused, ZipFacts, check_zip
from analysis.intake.source import FileLike, Source

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_TBL, _TR, _TC, _P, _T, _TAB, _BR, _CR = map(_w, ("tbl", "tr", "tc", "p", "t", "tab", "br", "cr"))
_SDT, _SDT_CONTENT, _SDT_PR, _CUSTOM_XML = map(_w, ("sdt", "sdtContent", "sdtPr", "customXml"))
_DEL, _MOVE_FROM, _TXBX, _VAL = map(_w, ("del", "moveFrom", "txbxContent", "val"))
_TC_PR, _TR_PR, _GRID_SPAN, _V_MERGE, _PLACEHOLDER = map(_w, ("tcPr", "trPr", "gridSpan", "vMerge", "showingPlcHdr"))
_FALLBACK = f"{{{_MC}}}Fallback"
_WRAPPERS = (_SDT, _CUSTOM_XML)
_NEVER_SHOWN = frozenset(
    {
        _DEL,
        _MOVE_FROM,
        _SDT_PR,
        _TXBX,
        _FALLBACK,
        _w("rPr"),
        _w("pPr"),
        _TC_PR,
        _TR_PR,
        _w("tblPr"),
        _w("delText"),
        _w("instrText"),
    }
)
# the placeholder texts Word and WPS put into an empty content control
PLACEHOLDERS = frozenset(
    {
        "单击或点击此处输入文字。",
        "单击此处输入文字。",
        "点击或单击此处输入文字。",
        "单击或点击此处输入日期。",
        "选择一项。",
        "Click or tap here to enter text.",
        "Click here to enter text.",
        "Choose an item.",
        "Click or tap to enter a date.",
    }
)
CONTINUED = "续表"
SAME_TABLE_LABELS = 3  # a "continuation" repeating this many labels of the first part is a second copy
# a document without any of these is read in one fast pass per paragraph (every w:t counts)
_MARKED = re.compile(rb"sdtContent|customXml|moveFrom|txbxContent|Fallback|delText|[<:]del[\s>/]")
# what a paragraph may hold that is not shown as its text (else one fast pass over its w:t suffices)
_HAS_HIDDEN_PARTS = etree.XPath(
    "boolean(.//w:sdt | .//w:del | .//w:moveFrom | .//w:txbxContent | .//mc:Fallback)", namespaces={"w": _W, "mc": _MC}
)


def read_docx(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """Word tables as grids (merged cells expanded), plus the body paragraphs as a one-column grid ``正文``."""
    return docx_grids(check_zip(path, limits), limits)


def docx_grids(facts: ZipFacts, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """:func:`read_docx` of a file whose pre-flight check is done."""
    if facts.word_body is None:
        raise Refused("file_corrupt", "Word 文件缺少正文部分（word/document.xml），文件可能已损坏，请重新保存后报送。")
    return word_grids(facts.word_body, limits)


def docx_and_objects(path: FileLike, facts: ZipFacts, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """The grids of a checked Word file (``path``, pre-flight ``facts``): its tables and ``正文`` (:func:`docx_grids`),
    then the sheets of its embedded Excel workbooks (``嵌入对象N/<sheet>``)."""
    grids = docx_grids(facts, limits)
    if has_objects(facts.word_body or b""):
        grids = grids + embedded_grids(path, facts, limits)
    return grids


@dataclass
class _Table:
    """A top-level table as read, and the paragraph texts between it and the next one."""

    index: int  # position in the list of grids
    width: int
    first_row: tuple[object, ...]
    gap: list[str]


def word_grids(xml: bytes, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """The grids of a checked ``word/document.xml``."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise Refused("file_corrupt", f"Word 文件正文无法解析（{short(exc)}），请重新保存后报送。") from exc
    body = root.find(_w("body"))
    if body is None:
        return []
    plain = _MARKED.search(xml) is None
    grids: list[Grid] = []
    paragraphs: list[list[object]] = []
    last: _Table | None = None
    for element, placeholder in _children(body, plain):
        if element.tag == _P:
            text = "" if placeholder else _shown_text(element, plain)
            if text:
                paragraphs.append([text])
            if not plain:
                paragraphs.extend([line] for line in _text_box_lines(element))
            if last is not None:
                last.gap.append(text)
        elif element.tag == _TBL:
            index = len(grids)
            _collect_tables(element, grids, depth=1, limits=limits, plain=plain)
            grid = grids[index]
            if last is not None and _continues(last, grids[last.index], grid):
                grids[last.index] = _joined(grids[last.index], grid, repeated=_first_row(grid) == last.first_row)
                del grids[index]
                last.gap = []
            else:
                last = _Table(index, _width(grid), _first_row(grid), [])
    if paragraphs:
        grids.append(Grid(sheet="正文", rows=paragraphs))
    return grids


def _children(parent: etree._Element, plain: bool, placeholder: bool = False) -> Iterator[tuple[etree._Element, bool]]:
    """The shown children of ``parent``: all of them in a plain document, else :func:`_unwrapped`."""
    return ((child, False) for child in parent.iterchildren()) if plain else _unwrapped(parent, placeholder)


def _unwrapped(parent: etree._Element, placeholder: bool = False) -> Iterator[tuple[etree._Element, bool]]:
    """Children of ``parent`` with content controls and custom XML opened up; ``True`` for placeholder content."""
    for child in parent.iterchildren():
        if child.tag in _WRAPPERS:
            shows_placeholder = placeholder or _showing_placeholder(child)
            content = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if content is not None:
                yield from _unwrapped(content, shows_placeholder)
        elif child.tag not in _NEVER_SHOWN:
            yield child, placeholder


def _showing_placeholder(sdt: etree._Element) -> bool:
    props = sdt.find(_SDT_PR)
    return props is not None and props.find(_PLACEHOLDER) is not None


def _collect_tables(tbl: etree._Element, grids: list[Grid], depth: int, limits: Limits, plain: bool) -> None:
    if depth > limits.max_table_depth:
        raise Refused(
            "docx_nested_tables",
            f"Word 表格嵌套超过 {limits.max_table_depth} 层"
            "（Limits.max_table_depth），未读取。请使用不嵌套的普通表格。",
        )
    index = len(grids) + 1
    grids.append(Grid(sheet=f"表格{index}", rows=[]))
    rows: list[list[object]] = []
    merged: list[tuple[int, int, int, int]] = []
    for tr, row_placeholder in _children(tbl, plain):
        if tr.tag != _TR or (not plain and _deleted_row(tr)):
            continue
        r = len(rows)
        row: list[object] = []
        for tc, placeholder in _children(tr, plain, row_placeholder):
            if tc.tag != _TC:
                continue
            props = tc.find(_TC_PR)
            span, vmerge = 1, None
            if props is not None:
                gs = props.find(_GRID_SPAN)
                if gs is not None and (gs.get(_VAL) or "1").isdigit():
                    span = max(1, min(int(gs.get(_VAL) or 1), 64))
                vm = props.find(_V_MERGE)
                if vm is not None:
                    vmerge = vm.get(_VAL) or "continue"
            lines = []
            for child, child_placeholder in _children(tc, plain, placeholder):
                if child.tag == _TBL:
                    _collect_tables(child, grids, depth + 1, limits, plain)
                elif child.tag == _P and not child_placeholder:
                    lines.append(_shown_text(child, plain))
            text = "\n".join(t for t in lines if t)
            value: object = None if vmerge == "continue" or not text else text
            if span > 1:
                merged.append((r, len(row), r, len(row) + span - 1))
            row.append(value)
            row.extend([None] * (span - 1))
        rows.append(row)
        if len(rows) * max(len(row), 1) > limits.max_cells:
            raise Refused(
                "file_limit_cells", f"Word 表格单元格数超过上限 {limits.max_cells}（Limits.max_cells），未读取。"
            )
    grids[index - 1] = Grid(sheet=f"表格{index}", rows=rows, merged=tuple(merged))


def _deleted_row(tr: etree._Element) -> bool:
    props = tr.find(_TR_PR)
    return props is not None and props.find(_DEL) is not None


def _shown_text(element: etree._Element, plain: bool = False) -> str:
    """The text Word shows for a paragraph; a content control still showing its placeholder is blank."""
    if not plain and _HAS_HIDDEN_PARTS(element):
        parts: list[str] = []
        _gather(element, parts, placeholder=False)
    else:  # the usual paragraph: every w:t counts (one pass in C)
        parts = [
            node.text or "" if node.tag == _T else " " if node.tag == _TAB else "\n"
            for node in element.iter(_T, _TAB, _BR, _CR)
        ]
    text = "".join(parts).strip()
    return "" if text in PLACEHOLDERS else text


def _gather(element: etree._Element, parts: list[str], placeholder: bool) -> None:
    for child in element.iterchildren():
        tag = child.tag
        if tag == _T:
            if not placeholder:
                parts.append(child.text or "")
        elif tag == _TAB:
            parts.append(" ")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                _gather(content, parts, placeholder or _showing_placeholder(child))
        elif tag not in _NEVER_SHOWN and isinstance(tag, str):
            _gather(child, parts, placeholder)


def _text_box_lines(paragraph: etree._Element) -> list[str]:
    """Lines of the text boxes anchored in a paragraph (the VML fallback copy of each box is skipped)."""
    lines = []
    for box in paragraph.iter(_TXBX):
        if any(a.tag in (_FALLBACK, _TXBX) for a in box.iterancestors()):
            continue
        for p, placeholder in _unwrapped(box):
            if p.tag == _P and not placeholder:
                text = _shown_text(p)
                if text:
                    lines.append(text)
    return lines


def _first_row(grid: Grid) -> tuple[object, ...]:
    return tuple(grid.rows[0]) if grid.rows else ()


def _width(grid: Grid) -> int:
    return max((len(row) for row in grid.rows), default=0)


def _continues(previous: _Table, first: Grid, grid: Grid) -> bool:
    """A table that goes on where the previous one stopped: only blank lines or 续表 between, the same columns,
    the header row repeated or the word 续表, and not a second copy of the same items."""
    if not grid.rows or _width(grid) != previous.width or any(t and CONTINUED not in t for t in previous.gap):
        return False
    repeated = any(v is not None for v in previous.first_row) and _first_row(grid) == previous.first_row
    if not (repeated or any(CONTINUED in t for t in previous.gap) or _is_caption(grid.rows[0])):
        return False
    return len(_labels(first.rows[1:]) & _labels(grid.rows[1 if repeated else 0 :])) < SAME_TABLE_LABELS


def _labels(rows: list[list[object]]) -> set[str]:
    """The words of a table (cells without digits): labels and categories."""
    return {v for row in rows for v in row if isinstance(v, str) and not any(ch.isdigit() for ch in v)}


def _is_caption(row: list[object]) -> bool:
    texts = [v for v in row if isinstance(v, str)]
    return bool(texts) and all(t.startswith(CONTINUED) for t in texts)


def _joined(first: Grid, more: Grid, repeated: bool) -> Grid:
    """The rows of a continuation table after those of the first part (repeated header and 续表 caption dropped)."""
    rows = list(more.rows)
    while rows and _is_caption(rows[0]):
        rows.pop(0)
    if repeated and rows:
        rows.pop(0)
    dropped = len(more.rows) - len(rows)
    shift = len(first.rows) - dropped
    merged = first.merged + tuple((r0 + shift, c0, r1 + shift, c1) for r0, c0, r1, c1 in more.merged if r0 >= dropped)
    return Grid(first.sheet, [*first.rows, *rows], merged=merged)


def read_legacy_doc(path: FileLike, limits: Limits) -> list[Grid]:
    """A Word 97-2003 file (or WPS 文字 .wps), converted to .docx with LibreOffice when it is installed (never an
    archive member: members are not written to disk), within the file's time limit (:func:`libreoffice.convert`);
    its tables, ``正文`` and embedded Excel worksheets, as a .docx's (:func:`docx_and_objects`)."""
    if isinstance(path, Source):
        raise Refused(
            "doc_legacy",
            "压缩包中的文件为旧版 Word（.doc）格式，压缩包成员不解压到磁盘，无法转换读取。"
            "请用 Word/WPS 另存为 .docx 后重新报送。",
        )
    try:
        converted = libreoffice.convert(path, "docx", limits.seconds_per_file)
    except libreoffice.LibreOfficeMissing:
        raise Refused(
            "doc_legacy",
            "文件为旧版 Word（.doc）格式，本机未安装 LibreOffice，无法转换读取。"
            "请用 Word/WPS 另存为 .docx 后重新报送。",
        ) from None
    except libreoffice.ConversionFailed as exc:
        raise Refused(
            "doc_convert_failed", f"旧版 Word（.doc）文件转换失败（{exc}，已重试一次），请另存为 .docx 后重新报送。"
        ) from exc
    docx = Source(path.name, converted)
    return docx_and_objects(docx, check_zip(docx, limits), limits)
