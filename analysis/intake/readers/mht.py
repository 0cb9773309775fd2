"""Single-file web pages (.mht/.mhtml: Excel/Word/IE 另存为“单个文件网页”) → the grids of their HTML parts.

The file is a MIME ``multipart/related`` message; Python's :mod:`email` decodes each part (quoted-printable or
base64) and its charset.  Every ``text/html`` part is read as HTML (an Excel workbook saved so has one part per
sheet); images, styles and scripts are never read.  Tables are numbered across the parts.
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message

from analysis.intake.readers.grid import Grid, short
from analysis.intake.readers.html import decode_html, html_grids
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused
from analysis.intake.source import FileLike

MAX_PARTS = 1000


def read_mht(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """The tables of every HTML part of a single-file web page."""
    try:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        parts = [part for n, part in zip(range(MAX_PARTS + 1), message.walk())]
    except Exception as exc:  # the email parser is lenient; anything it raises means a broken file
        raise Refused(
            "file_corrupt", f"单个文件网页（.mht）无法解析（{short(exc)}），请用Excel打开后另存为 .xlsx 再报送。"
        ) from exc
    if len(parts) > MAX_PARTS:
        raise Refused(
            "file_limit_members", f"单个文件网页中的部件超过 {MAX_PARTS} 个，未读取。请另存为 .xlsx 后重新报送。"
        )
    pages = [part for part in parts if part.get_content_type() == "text/html"]
    if not pages:
        raise Refused(
            "file_wrong_format",
            "单个文件网页（.mht）中没有网页正文（text/html），未找到表格。请用Excel打开后另存为 .xlsx 再报送。",
        )
    grids: list[Grid] = []
    body: list[list[object]] = []
    for page in pages:
        for grid in html_grids(_page_text(page), limits, first=len(grids) + 1):
            if grid.sheet == "正文":
                body.extend(grid.rows)
            else:
                grids.append(grid)
    return grids + ([Grid(sheet="正文", rows=body)] if body else [])


def _page_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    return decode_html(data, part.get_content_charset())
