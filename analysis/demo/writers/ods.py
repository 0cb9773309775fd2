"""OpenDocument spreadsheets (odfpy; the ``demo`` extra), as LibreOffice and WPS save them: any
:class:`~.grid.Sheet` list, and the form."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator, Sequence

from odf import dc, meta
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableProperties
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
from odf.text import LineBreak, P

from analysis.demo.returns import Return
from analysis.demo.writers.grid import Cell, Sheet, covered
from analysis.demo.writers.vertical import vertical_sheet
from analysis.outputs import normalize_zip


@contextlib.contextmanager
def _own_odf_namespaces() -> Iterator[None]:
    """odfpy declares every namespace any element in the process has used (one class-wide dict).

    Start from an empty dict so the document declares the same namespaces in the same
    order on every run; afterwards give back what other documents had registered.
    """
    saved = dict(Element.namespaces)
    Element.namespaces.clear()
    try:
        yield
    finally:
        Element.namespaces.update(saved)


def _cell(value: Cell, rows: int = 1, columns: int = 1) -> TableCell:
    """A cell: numbers as floats, text as strings (a line break as text:line-break), spanning ``rows``×``columns``."""
    spans = {"numbercolumnsspanned": columns} if columns > 1 else {}
    spans |= {"numberrowsspanned": rows} if rows > 1 else {}
    if value is None:
        return TableCell(**spans)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell = TableCell(valuetype="float", value=value, **spans)
    else:
        cell = TableCell(valuetype="string", **spans)
    first, *more = str(value).split("\n")
    paragraph = P(text=first)
    for line in more:
        paragraph.addElement(LineBreak())
        paragraph.addText(line)
    cell.addElement(paragraph)
    return cell


def ods_bytes(sheets: Sequence[Sheet], *, author: str | None = None, when: dt.datetime | None = None) -> bytes:
    """The sheets as an .ods (merged ranges as spans over covered cells); with ``when`` the metadata and every zip
    entry carry that time (identical bytes on every run)."""
    with _own_odf_namespaces():
        doc = OpenDocumentSpreadsheet()
        if when is not None:
            stamp = when.strftime("%Y-%m-%dT%H:%M:%S")
            doc.meta.addElement(meta.CreationDate(text=stamp))
            doc.meta.addElement(dc.Date(text=stamp))
        if author is not None:
            doc.meta.addElement(meta.InitialCreator(text=author))
        hidden = None
        if any(s.hidden for s in sheets):  # (a Style declares its namespace as soon as it is made)
            hidden = Style(name="hiddentable", family="table")
            hidden.addElement(TableProperties(display=False))
            doc.automaticstyles.addElement(hidden)
        for sheet in sheets:
            doc.spreadsheet.addElement(_table(sheet, hidden))
        buf = io.BytesIO()
        doc.write(buf)
    return buf.getvalue() if when is None else normalize_zip(buf.getvalue(), when)


def _table(sheet: Sheet, hidden: Style | None) -> Table:
    table = Table(name=sheet.name, **({"stylename": hidden} if sheet.hidden else {}))
    table.addElement(TableColumn(numbercolumnsrepeated=sheet.width))
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in sheet.merges}
    inside = covered(sheet.merges)
    for r, row in enumerate(sheet.rows):
        reach = max([len(row)] + [c + 1 for (rr, c) in inside if rr == r])
        tr = TableRow()
        for c in range(reach):
            value = row[c] if c < len(row) else None
            tr.addElement(CoveredTableCell() if (r, c) in inside else _cell(value, *spans.get((r, c), (1, 1))))
        table.addElement(tr)
    return table


def ods_form(ret: Return) -> bytes:
    """The form as an OpenDocument spreadsheet, its labels on one line each."""
    return ods_bytes([vertical_sheet(ret, one_line=True, note_gap=0)], author=ret.stamp, when=ret.when)
