"""Recognise the package's own fillable template (:mod:`analysis.template`) and read it exactly.

A template is known by its document properties (``identifier`` = :data:`analysis.form.FORM_ID`,
``version`` = the form's version); a file without them is left to the label search.  Values are then read by defined name (.xlsx: the named cell, from the
grids the reader already made) or by content-control tag (.docx: the text of the ``w:sdt``; its placeholder is
blank space, so an untouched control reads as blank).  An item whose name or tag is gone (the form was altered) keeps the label search's cell.
Each value's way of reading is returned, for the ``note`` of values.csv.

Only zip containers the pre-flight checks have passed reach this module; XML is parsed with DTDs, entities and
network access off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from lxml import etree

from analysis.form import FORM_ID, UNIT_ALIAS, UNIT_KEY, Form
from analysis.intake.locate import Located, RawCell
from analysis.intake.readers.grid import Grid, column_letters
from analysis.intake.records import ParsedCell
from analysis.intake.safety import ZipFacts, column_number

BY_NAME = "按模板定义名称读取"
BY_TAG = "按模板内容控件读取"
BY_LABEL = "模板的定义名称或内容控件缺失，按标签查找读取"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CORE = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
}
_REF = re.compile(r"^'?(?P<sheet>(?:[^']|'')+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d{1,7})$")
_CELL = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")


@dataclass(frozen=True)
class Identity:
    """What a file says it is (its core document properties)."""

    form_id: str
    version: str


@dataclass(frozen=True)
class Recognised:
    """A template read by name or tag; ``ways`` says, per field key, how its value was read."""

    located: Located
    ways: dict[str, str]

    def annotate(self, parsed: tuple[ParsedCell, ...]) -> tuple[ParsedCell, ...]:
        """The parsed cells with the way each was read put first in its ``note``."""
        return tuple(replace(p, note="；".join(t for t in (self.ways.get(p.key, ""), p.note) if t)) for p in parsed)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )


def _xml(data: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(data, _parser()) if data else None
    except etree.XMLSyntaxError:
        return None


def identity(core_xml: bytes) -> Identity | None:
    """The form id and version in ``docProps/core.xml``, or None when the file carries none."""
    root = _xml(core_xml) if FORM_ID.encode() in core_xml else None  # most files are not templates: no parse
    if root is None:
        return None
    form_id = (root.findtext("dc:identifier", default="", namespaces=_CORE) or "").strip()
    version = (root.findtext("cp:version", default="", namespaces=_CORE) or "").strip()
    return Identity(form_id, version) if form_id == FORM_ID else None


def named_cells(workbook_xml: bytes) -> dict[str, tuple[str, str]]:
    """Workbook-level defined names of ``xl/workbook.xml`` that point at one cell: name → (sheet, A1 address)."""
    root = _xml(workbook_xml)
    if root is None:
        return {}
    out = {}
    for node in root.iter(f"{{{_MAIN}}}definedName"):
        m = _REF.match((node.text or "").strip())
        if m and node.get("localSheetId") is None:
            out[node.get("name", "")] = (m["sheet"].replace("''", "'"), f"{m['col']}{m['row']}")
    return out


def _grid_value(grids: list[Grid], sheet: str, address: str) -> tuple[bool, object]:
    """(the sheet exists, the value at ``address`` of that sheet's grid, None when outside its cells)."""
    m = _CELL.match(address)
    grid = next((g for g in grids if g.sheet == sheet and not g.problem), None)
    if grid is None or m is None:
        return False, None
    r, c = int(m[2]) - 1 - grid.origin[0], column_number(m[1]) - 1 - grid.origin[1]
    row = grid.rows[r] if 0 <= r < len(grid.rows) else []
    return True, row[c] if 0 <= c < len(row) else None


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _table_address(sdt: etree._Element, tables: dict[etree._Element, int]) -> tuple[str, str]:
    """(grid name, A1 address) of the Word table cell holding ``sdt``, as the Word reader names them."""
    tc = next((a for a in sdt.iterancestors(_w("tc"))), None)
    if tc is None:
        return "正文", ""
    tr, tbl = tc.getparent(), tc.getparent().getparent()
    row = list(tbl.iterchildren(_w("tr"))).index(tr)
    col = 0
    for cell in tr.iterchildren(_w("tc")):
        if cell is tc:
            break
        span = cell.find(f"{_w('tcPr')}/{_w('gridSpan')}")
        value = span.get(_w("val")) if span is not None else "1"
        col += max(1, min(int(value), 64)) if (value or "").isdigit() else 1
    return f"表格{tables.get(tbl, 0)}", f"{column_letters(col + 1)}{row + 1}"


def tagged_values(document_xml: bytes, titles: dict[str, str]) -> dict[str, tuple[str | None, str, str]]:
    """Content controls of ``word/document.xml``: tag → (text, None when blank or the placeholder; grid; cell).

    A control without a tag is named by its title (``w:alias``) through ``titles`` (LibreOffice keeps the title
    and drops the tag when it saves)."""
    root = _xml(document_xml)
    if root is None:
        return {}
    tables = {tbl: i for i, tbl in enumerate(root.iter(_w("tbl")), start=1)}
    out: dict[str, tuple[str | None, str, str]] = {}
    for sdt in root.iter(_w("sdt")):
        tag, alias = (sdt.find(f"{_w('sdtPr')}/{_w(t)}") for t in ("tag", "alias"))
        name = tag.get(_w("val"), "") if tag is not None else ""
        name = name or (titles.get(alias.get(_w("val"), ""), "") if alias is not None else "")
        if not name or name in out:
            continue
        content = sdt.find(_w("sdtContent"))
        text = "".join(t.text or "" for t in content.iter(_w("t"))).strip() if content is not None else ""
        sheet, cell = _table_address(sdt, tables)
        out[name] = (text or None, sheet, cell)  # the placeholder is blank space: nothing typed reads as blank
    return out


def recognise(facts: ZipFacts | None, grids: list[Grid], form: Form, located: Located | None) -> Recognised | None:
    """The file read as the package's template (from what its pre-flight check read: ``facts``; None for a file
    that is not zip-based), or None when it is not one (then the label search stands)."""
    ident = identity(facts.core) if facts is not None else None
    if ident is None:  # a plain return (or a template whose properties were removed): the label search
        return None
    part, data = (
        ("word/document.xml", facts.word_body) if facts.word_body is not None else ("xl/workbook.xml", facts.workbook)
    )
    if not data:
        return None
    if part == "word/document.xml":
        way = BY_TAG
        titles = {f.headed: f.key for f in form.fields} | {UNIT_ALIAS: UNIT_KEY}
        cells = {k: RawCell(k, text, sheet, cell) for k, (text, sheet, cell) in tagged_values(data, titles).items()}
    else:
        way = BY_NAME
        cells = {}
        for k, (sheet, address) in named_cells(data).items():
            exists, value = _grid_value(grids, sheet, address)
            if exists:
                cells[k] = RawCell(k, value, sheet, address)
    known = [k for k in form.keys if k in cells]
    chosen: dict[str, tuple[RawCell, ...]] = {k: (cells[k],) for k in known}
    shown = f"{way}（{ident.version}年版模板）" if ident.version else way  # which template the unit filled
    ways = {k: shown for k in known}
    for key in form.keys:
        if key not in chosen and located is not None and key in located.cells:
            chosen[key], ways[key] = located.cells[key], BY_LABEL
    unit = cells.get(UNIT_KEY)
    stamp = str(unit.raw).strip() if unit is not None and unit.raw not in (None, "") else ""
    sheet = next((c.sheet for c in cells.values()), located.sheet if located else "")
    by_label = {k for k, w in ways.items() if w == BY_LABEL}  # what the label search still decides
    result = Located(
        sheet,
        "template",
        chosen,
        stamp or (located.stamp if located else ""),
        subtotals=located.subtotals if located else (),
        findings=located.findings if located and by_label else (),
        declared={k: d for k, d in located.declared.items() if k in by_label} if located else {},
    )
    return Recognised(result, ways)
