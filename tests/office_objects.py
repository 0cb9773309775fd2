"""Word documents holding an Excel worksheet object, built as Word writes them (选择性粘贴 → Microsoft Excel 工作表 对象).

The run holds ``w:object`` with a ``v:shape`` whose ``v:imagedata`` is the preview picture (an image part) and an
``o:OLEObject`` whose ``ProgID`` names the object and whose ``r:id`` points at the data: an .xlsx package part
(``Excel.Sheet.12``, relationship type ``.../package``) or a compound file ``oleObject1.bin`` holding the workbook
streams (``Excel.Sheet.8``, relationship type ``.../oleObject``).  python-docx writes the parts, relationships and
content types; the workbooks are real openpyxl / xlwt output.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import docx
import fixtures as fx
import hostile as h
import olefile
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from PIL import Image

RT_PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
RT_OLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject"
RT_IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CT_OLE = "application/vnd.openxmlformats-officedocument.oleObject"
VML_NS = 'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
EXCEL_8_CLSID = bytes.fromhex("2008020000000000c000000000000046")  # {00020820-0000-0000-C000-000000000046}


def preview_png(number: int) -> bytes:
    """The picture Word shows in place of the object: pixels only (what a reader must never take as data)."""
    out = io.BytesIO()
    Image.new("RGB", (240, 160), (255, 255, 255 - number)).save(out, "PNG")
    return out.getvalue()


def compobj(user_type: str, prog_id: str) -> bytes:
    """The ``\\x01CompObj`` stream of an embedded object: its class, user type and ProgID."""

    def text(value: str) -> bytes:
        data = value.encode("ascii") + b"\0"
        return struct.pack("<I", len(data)) + data

    return (
        struct.pack("<HHI", 1, 0xFFFE, 0x0A03)
        + b"\xff\xff\xff\xff"
        + EXCEL_8_CLSID
        + text(user_type)
        + text("Biff8")
        + text(prog_id)
        + struct.pack("<I", 0x71B239F4)
    )


def excel8_object(xls: Path) -> bytes:
    """``oleObject1.bin`` for an Excel 97-2003 worksheet object: the workbook stream of a real .xls with the
    object's ``\\x01CompObj`` and ``\\x01Ole`` streams."""
    with olefile.OleFileIO(str(xls)) as ole:
        workbook = ole.openstream("Workbook").read()
    ole_stream = struct.pack("<IIII", 0x02000001, 0, 0, 0) + bytes(4)
    return h.compound_file(
        {
            "\x01CompObj": compobj("Microsoft Excel 97-2003 Worksheet", "Excel.Sheet.8"),
            "\x01Ole": ole_stream,
            "Workbook": workbook,
        }
    )


def write_docx_with_objects(
    path: Path,
    objects: list[tuple[str, bytes]],
    *,
    stamp: str | None,
    notes: tuple[str, ...] = ("填表人：张三", "填报日期：2023年6月1日"),
) -> Path:
    """A Word file: title, 盖章 line, then one paragraph per embedded object ``(ProgID, data)``, then notes.

    ``Excel.Sheet.12`` data is an .xlsx, anything else a compound file (``oleObject{n}.bin``)."""
    document = docx.Document()
    document.add_paragraph(fx.FORM_TITLE.format(year=2023))
    if stamp is not None:
        document.add_paragraph(fx.STAMP_LABEL + stamp)
    for n, (prog_id, data) in enumerate(objects, 1):
        package = prog_id == "Excel.Sheet.12"
        name = (
            f"/word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx" if package else f"/word/embeddings/oleObject{n}.bin"
        )
        embedded = Part(PackURI(name), CT_XLSX if package else CT_OLE, data, document.part.package)
        picture = Part(PackURI(f"/word/media/image{n}.png"), "image/png", preview_png(n), document.part.package)
        data_rid = document.part.relate_to(embedded, RT_PACKAGE if package else RT_OLE)
        image_rid = document.part.relate_to(picture, RT_IMAGE)
        shape = f"_x0000_i10{24 + n}"
        paragraph = document.add_paragraph()
        paragraph._p.append(
            parse_xml(
                f'<w:r {nsdecls("w", "r")} {VML_NS}><w:object w:dxaOrig="4800" w:dyaOrig="3200">'
                f'<v:shape id="{shape}" type="#_x0000_t75" style="width:240pt;height:160pt" o:ole="">'
                f'<v:imagedata r:id="{image_rid}" o:title=""/></v:shape>'
                f'<o:OLEObject Type="Embed" ProgID="{prog_id}" ShapeID="{shape}" DrawAspect="Content" '
                f'ObjectID="_17000000{n:02d}" r:id="{data_rid}"/></w:object></w:r>'
            )
        )
    for line in notes:
        document.add_paragraph(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path
