"""The form as an OpenDocument spreadsheet (odfpy; the ``demo`` extra), as LibreOffice and WPS save it."""

from __future__ import annotations

import contextlib
import io
from typing import Iterator

from odf import dc, meta
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
from odf.text import P

from analysis import form
from analysis.demo.returns import Return, blocks, cell_value
from analysis.demo.spelling import Typed
from analysis.outputs import normalize_zip


def _ods_cell(value: Typed, columns: int = 1, rows: int = 1) -> TableCell:
    spans = {"numbercolumnsspanned": columns} if columns > 1 else {}
    spans |= {"numberrowsspanned": rows} if rows > 1 else {}
    if isinstance(value, str):
        cell = TableCell(valuetype="string", **spans)
    else:
        cell = TableCell(valuetype="float", value=value, **spans)
    cell.addElement(P(text=str(value)))
    return cell


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


def ods_form(ret: Return) -> bytes:
    """The form as an OpenDocument spreadsheet (LibreOffice / WPS)."""
    with _own_odf_namespaces():
        return normalize_zip(_ods_bytes(ret), ret.when)


def _ods_bytes(ret: Return) -> bytes:
    doc = OpenDocumentSpreadsheet()
    stamp = ret.when.strftime("%Y-%m-%dT%H:%M:%S")
    doc.meta.addElement(meta.CreationDate(text=stamp))
    doc.meta.addElement(dc.Date(text=stamp))
    doc.meta.addElement(meta.InitialCreator(text=ret.stamp))
    table = Table(name="Sheet1")
    table.addElement(TableColumn(numbercolumnsrepeated=3))

    def add_row(*cells: TableCell | CoveredTableCell) -> None:
        tr = TableRow()
        for cell in cells:
            tr.addElement(cell)
        table.addElement(tr)

    for line in (form.FORM_TITLE.format(year=ret.year), form.STAMP_LABEL + ret.stamp):
        add_row(_ods_cell(line, columns=3), CoveredTableCell(), CoveredTableCell())
    for category, keys in blocks():
        for n, key in enumerate(keys):
            label = ret.labels[key].replace("\n", "")
            value = _ods_cell(cell_value(ret.cells[key]))
            if not category:
                add_row(_ods_cell(label, columns=2), CoveredTableCell(), value)
            elif n == 0:
                add_row(_ods_cell(ret.categories[category].replace("\n", ""), rows=len(keys)),
                        _ods_cell(label), value)
            else:
                add_row(CoveredTableCell(), _ods_cell(label), value)
    if ret.note:
        add_row(_ods_cell(ret.note))
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()

