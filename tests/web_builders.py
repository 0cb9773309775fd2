"""Web pages as web systems and Office write them: an HTML table with a meta charset (导出Excel), and a single-file
web page (multipart/related, Python's email package).  Shared by the reader tests and the benchmark."""

from __future__ import annotations

from email.charset import BASE64, QP, Charset
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import fixtures as fx
import office_objects as oo


def form_html(values: dict, *, stamp: str, charset: str) -> str:
    """The form as a web system's 导出Excel writes it: a meta charset, the 盖章 line above a bordered table whose
    categories span rows (rowspan) and whose last three items span two columns (colspan)."""
    form = fx.vertical_form(values, stamp=None)
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in form.merges}
    covered = {
        (r, c)
        for r0, c0, r1, c1 in form.merges
        for r in range(r0, r1 + 1)
        for c in range(c0, c1 + 1)
        if (r, c) != (r0, c0)
    }
    rows = []
    for r, row in enumerate(form.table):
        cells = []
        for c, value in enumerate(row):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
            cells.append(f"<td{attrs}>{'' if value is None else value}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>导出</title><script>document.write('<table><tr><td>举办活动次数</td><td>999</td></tr></table>')"
        f"</script></head><body><h3>{fx.FORM_TITLE.format(year=2023)}</h3><p>{fx.STAMP_LABEL}{stamp}</p>"
        f'<table border="1">{"".join(rows)}</table><p>填表人：张三</p></body></html>'
    )


def single_file_page(html: str, charset: str, encoding: str) -> bytes:
    """A single-file web page (multipart/related) with the HTML part in ``encoding`` (quoted-printable or base64)."""
    page = MIMEMultipart("related", type="text/html")
    page["Subject"] = "统计表"
    codec = Charset(charset)
    codec.body_encoding = QP if encoding == "quoted-printable" else BASE64
    part = MIMEText(html, "html", codec)
    assert part["Content-Transfer-Encoding"] == encoding
    part["Content-Location"] = "file:///C:/统计表.htm"
    page.attach(part)
    picture = MIMEImage(oo.preview_png(1), "png")
    picture["Content-Location"] = "file:///C:/统计表.files/image001.png"
    page.attach(picture)
    return page.as_bytes()
