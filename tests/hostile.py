"""Builders for hostile files: broken, disguised, encrypted, oversized or crafted returns.

Good returns come from :mod:`fixtures`.  Hostile files are written byte by byte
where a library would refuse to produce them (raw sheet XML, DOCTYPE
declarations, a hand-made OLE compound file).  Nothing here ever opens a
hostile file with a reader: the files claiming a used range up to XFD1048576 or
expanding to hundreds of MB abort python-calamine 0.9, so only the project's
ingest (worker processes) may read them.
"""

from __future__ import annotations

import random
import struct
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from analysis.form import FIELDS, STAMP_LABEL
from analysis.intake.safety import OLE_MAGIC

# ---------------------------------------------------------------- zip plumbing


def write_zip(path: Path, parts: Mapping[str, bytes], compresslevel: int = 6) -> Path:
    """A zip with the given members, deflated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def break_deflate(src: Path, dst: Path, member: str) -> Path:
    """Copy a zip with the first deflate block of ``member`` marked as the reserved block type (zlib fails on it)."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        offset = zf.getinfo(member).header_offset
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    data[offset + 30 + name_len + extra_len] = 0x07  # BFINAL=1, BTYPE=11
    return write_bytes(dst, bytes(data))


def zip_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rewrite_zip(src: Path, dst: Path, change: Callable[[dict[str, bytes]], dict[str, bytes]]) -> Path:
    """Copy a zip-based Office file with its members changed by ``change``."""
    return write_zip(dst, change(zip_members(src)))


_CT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
)
_SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx_parts(sheets: list[bytes], shared_strings: bytes | None = None) -> dict[str, bytes]:
    """The members of a minimal workbook whose sheet XML is given verbatim."""
    ct = _CT_HEAD + "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_CT}"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared_strings is not None:
        ct += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_CT}"/>'
    ct += "</Types>"
    wb_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared_strings is not None:
        wb_rels += f'<Relationship Id="rIdS" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    parts = {
        "[Content_Types].xml": ct.encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org'
            f'/package/2006/relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            f'Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(f'<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1))
            + "</sheets></workbook>"
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{wb_rels}</Relationships>'
        ).encode(),
    }
    parts.update({f"xl/worksheets/sheet{i}.xml": xml for i, xml in enumerate(sheets, 1)})
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    return parts


def sheet_xml(cells: Iterable[tuple[str, object]], dimension: str | None = None) -> bytes:
    """Sheet XML from ``(address, value)`` pairs: str inline, ``("s", n)`` shared string ``n``, else a number."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells:
        if isinstance(value, tuple):
            cell = f'<c r="{ref}" t="s"><v>{value[1]}</v></c>'
        elif isinstance(value, str):
            cell = f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        else:
            cell = f'<c r="{ref}"><v>{value}</v></c>'
        rows.setdefault(int("".join(ch for ch in ref if ch.isdigit())), []).append(cell)
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">{dim}<sheetData>'
        + "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
        + "</sheetData></worksheet>"
    ).encode()


# ---------------------------------------------------------------- hostile spreadsheets


def write_extent_claim(path: Path) -> Path:
    """A sheet that declares its used range as the whole grid (A1:XFD1048576) but holds one cell."""
    return write_zip(path, xlsx_parts([sheet_xml([("A1", "举办活动次数")], dimension="A1:XFD1048576")]))


def write_last_cell(path: Path) -> Path:
    """A sheet with a real value in the very last cell, XFD1048576."""
    return write_zip(path, xlsx_parts([sheet_xml([("A1", "举办活动次数"), ("XFD1048576", 1)])]))


def write_wide_sheet(path: Path, columns: int = 16_384, rows: int = 200) -> Path:
    """A sheet with a value in every one of ``columns`` columns of row 1 and one cell on row ``rows``."""
    from analysis.intake.readers.grid import column_letters

    cells = [(f"{column_letters(c)}1", c) for c in range(1, columns + 1)] + [(f"A{rows}", 1)]
    return write_zip(path, xlsx_parts([sheet_xml(cells)]))


def write_zip_bomb(path: Path, unzipped_mb: int = 210) -> Path:
    """A workbook whose one sheet XML is ``unzipped_mb`` MB of blank rows, deflating to about 0.2 MB."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'.encode()
    chunk = b"<row/>" * (1024 * 1024 // 6)
    parts = xlsx_parts([b""])
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                zf.writestr(name, data)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(head)
            for _ in range(unzipped_mb):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")
    return path


def write_many_sheets(path: Path, count: int = 250) -> Path:
    return write_zip(path, xlsx_parts([sheet_xml([("A1", i)]) for i in range(count)]))


def write_many_rows(path: Path, rows: int = 300_000) -> Path:
    """One sheet of ``rows`` numbered rows (two columns), written as raw XML; small once deflated."""
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>' for r in range(1, rows + 1))
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><dimension ref="A1:B{rows}"/>'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()
    return write_zip(path, xlsx_parts([xml]), compresslevel=1)


def write_malformed_sheet(path: Path) -> Path:
    """A valid zip whose sheet XML is cut off mid-tag."""
    cut = f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>举办'
    return write_zip(path, xlsx_parts([cut.encode()]))


def doctype(secret: Path | None = None, laughs: bool = False, root: str = "sst") -> str:
    """A DOCTYPE declaring an external entity ``xxe`` (a local file) and/or the billion-laughs ``lol9``."""
    decl = f'<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">' if secret else ""
    if laughs:
        decl += '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return f"<!DOCTYPE {root} [{decl}]>"


def padding(size: int = 6000) -> str:
    """An XML comment that pushes what follows past the head of a part."""
    return f"<!--{'x' * size}-->"


def write_entity_xlsx(path: Path, secret: Path | None, laughs: bool = False, padded: bool = False) -> Path:
    """A form-like workbook whose sharedStrings.xml declares entities and uses them in a string."""
    refs = ("&xxe;" if secret else "") + ("&lol9;" if laughs else "")
    labels = [f.label for f in FIELDS[:8]]
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?>{padding() if padded else ""}{doctype(secret, laughs)}'
        f'<sst xmlns="{_MAIN}">'
        + "".join(f"<si><t>{t}</t></si>" for t in labels)
        + f"<si><t>{STAMP_LABEL}{refs}</t></si></sst>"
    ).encode()
    cells: list[tuple[str, object]] = [("A1", ("s", len(labels)))]
    for i in range(len(labels)):
        cells += [(f"B{i + 2}", ("s", i)), (f"C{i + 2}", i + 1)]
    sheet = sheet_xml(cells)
    return write_zip(path, xlsx_parts([sheet], sst))


# ---------------------------------------------------------------- hostile web pages and Excel 2003 XML

_SS = "urn:schemas-microsoft-com:office:spreadsheet"


def spreadsheetml(rows: str, prolog: str = "") -> bytes:
    """An Excel 2003 XML workbook with one sheet whose ``<Row>`` elements are given verbatim."""
    return (
        f'<?xml version="1.0"?>{prolog}<Workbook xmlns="{_SS}" xmlns:ss="{_SS}"><Worksheet ss:Name="Sheet1">'
        f"<Table>{rows}</Table></Worksheet></Workbook>"
    ).encode()


def _labelled_rows(refs: str = "") -> str:
    rows = "".join(
        f'<Row><Cell><Data ss:Type="String">{f.label}</Data></Cell>'
        f'<Cell><Data ss:Type="Number">{i + 1}</Data></Cell></Row>'
        for i, f in enumerate(FIELDS[:8])
    )
    return f'<Row><Cell><Data ss:Type="String">{STAMP_LABEL}{refs}</Data></Cell></Row>' + rows


def write_entity_spreadsheetml(path: Path, secret: Path | None, laughs: bool = False, padded: bool = False) -> Path:
    """A form-like Excel 2003 XML file declaring entities (a local file, billion laughs) and using them."""
    refs = ("&xxe;" if secret else "") + ("&lol9;" if laughs else "")
    prolog = (padding() if padded else "") + doctype(secret, laughs, root="Workbook")
    return write_bytes(path, spreadsheetml(_labelled_rows(refs), prolog))


def write_far_cell_spreadsheetml(path: Path) -> Path:
    """Excel 2003 XML placing one cell at the very last row and column (ss:Index) after a few labels."""
    far = '<Row ss:Index="1048576"><Cell ss:Index="16384"><Data ss:Type="Number">1</Data></Cell></Row>'
    return write_bytes(path, spreadsheetml(_labelled_rows() + far))


def write_spanning_html(path: Path) -> Path:
    """An HTML table (as a web system's .xls export) whose first cell spans 1000 columns and 65534 rows."""
    rows = "".join(f"<tr><td>{f.label}</td><td>{i}</td></tr>" for i, f in enumerate(FIELDS * 150))
    return write_bytes(
        path,
        (
            '<html><head><meta charset="gb2312"></head><body><table>'
            '<tr><td colspan="1000" rowspan="65534">x</td></tr>' + rows + "</table></body></html>"
        ).encode("gbk"),
    )


def add_macro(xlsm: Path, payload: bytes) -> Path:
    """Give an .xlsm (written with ``fixtures.write_xlsx(..., macro=True)``) an ``xl/vbaProject.bin`` part.

    ``payload`` stands in for the VBA project; nothing may ever open it.
    """

    def change(parts: dict[str, bytes]) -> dict[str, bytes]:
        ct = parts["[Content_Types].xml"].replace(
            b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
        )
        rels = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/'
            b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
        )
        return {**parts, "[Content_Types].xml": ct, "xl/_rels/workbook.xml.rels": rels, "xl/vbaProject.bin": payload}

    return rewrite_zip(xlsm, xlsm, change)


# ---------------------------------------------------------------- hostile Word files


def write_entity_docx(
    path: Path, template: Path, secret: Path | None, laughs: bool = False, padded: bool = False
) -> Path:
    """A copy of a good .docx whose document.xml declares entities and references them in the 盖章 line."""
    refs = ("&xxe;" if secret else "") + ("&lol9;" if laughs else "")

    def change(parts: dict[str, bytes]) -> dict[str, bytes]:
        xml = parts["word/document.xml"].decode()
        head_end = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
        xml = xml[:head_end] + (padding() if padded else "") + doctype(secret, laughs, "w:document") + xml[head_end:]
        xml = xml.replace(STAMP_LABEL, STAMP_LABEL + refs, 1)
        return {**parts, "word/document.xml": xml.encode()}

    return rewrite_zip(template, path, change)


def write_docx_without_table(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("统计表见附件。")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def write_nested_tables(path: Path, depth: int = 50) -> Path:
    """A Word file whose one table holds a table holding a table … ``depth`` levels deep."""
    inner = "<w:p><w:r><w:t>举办活动次数</w:t></w:r></w:p>"
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}<w:p/></w:tc></w:tr></w:tbl>"
    document = docx.Document()
    document.element.body.insert(0, parse_xml(inner.replace("<w:tbl>", f"<w:tbl {nsdecls('w')}>", 1)))
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


# ---------------------------------------------------------------- OLE compound files

_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(streams: Mapping[str, bytes], true_sizes: bool = False) -> bytes:
    """A minimal version-3 compound file (512-byte sectors) holding ``streams`` in its root storage.

    Streams are padded to at least 4096 bytes so that they live in regular
    sectors (no mini stream).  Layout: sector 0 FAT, sector 1 directory, then
    the streams one after another.  With ``true_sizes`` the directory records
    the unpadded sizes: short streams then claim to live in a mini stream the
    file does not have (a malformed container; python-calamine 0.9 panics on it).
    """
    payloads = [(name, data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0")) for name, data in streams.items()]
    if len(payloads) > 3:
        raise ValueError("one directory sector holds the root and three streams")
    fat = [_FATSECT, _END]
    starts = []
    for _, data in payloads:
        first = len(fat)
        count = len(data) // 512
        starts.append(first)
        fat.extend(first + k + 1 for k in range(count - 1))
        fat.append(_END)
    if len(fat) > 128:
        raise ValueError("streams too large for one FAT sector")
    fat += [_FREE] * (128 - len(fat))
    header = OLE_MAGIC + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108
    order = sorted(range(len(payloads)), key=lambda i: (len(payloads[i][0]), payloads[i][0].upper()))
    entries = [_dir_entry("Root Entry", 5, _NOSTREAM, _NOSTREAM, order[0] + 1 if order else _NOSTREAM, _END, 0)]
    for i, (name, data) in enumerate(payloads):
        pos = order.index(i)
        right = order[pos + 1] + 1 if pos + 1 < len(order) else _NOSTREAM
        size = len(streams[name]) if true_sizes else len(data)
        entries.append(_dir_entry(name, 2, _NOSTREAM, right, _NOSTREAM, starts[i], size))
    while len(entries) < 4:
        entries.append(bytes(64) + struct.pack("<HBBIII", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM) + bytes(48))
    body = struct.pack("<128I", *fat) + b"".join(entries) + b"".join(data for _, data in payloads)
    return header + body


def _dir_entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0"
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(encoded), kind, 1, left, right, child)
        + bytes(16 + 4 + 16)
        + struct.pack("<IQ", start, size)
    )


def write_encrypted_ooxml(path: Path) -> Path:
    """What Excel saves for a password-protected .xlsx: an OLE file with EncryptionInfo + EncryptedPackage."""
    rng = random.Random(6)
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    package = struct.pack("<Q", 8000) + bytes(rng.getrandbits(8) for _ in range(8000))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


def _biff(record: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", record, len(data)) + data


def write_xls_filepass(path: Path, broken: bool = False) -> Path:
    """A BIFF8 .xls whose workbook globals start with a FILEPASS record (RC4 encryption).

    ``broken``: the same in a malformed container (see :func:`compound_file`'s ``true_sizes``).
    """
    bof = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    filepass = _biff(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(compound_file({"Workbook": bof + filepass + _biff(0x000A)}, true_sizes=broken))
    return path


# ---------------------------------------------------------------- hostile text files

BIG5_TEXT = "舉辦活動次數,12\n承接科技部活動任務個數,3\n"


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def long_line_csv(megabytes: int = 10) -> bytes:
    return "举办活动次数,".encode() + b"1" * (megabytes * 1024 * 1024) + b"\n"


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(100)
