"""Real MIME written by Python's email and mailbox modules: a unit's mail with its return attached."""

from __future__ import annotations

import mailbox
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

CHINA = timezone(timedelta(hours=8))


def mail(
    sender: str,
    subject: str,
    when: datetime | None,
    attachments: list[tuple[str, bytes, str]] = (),
    *,
    body: str = "您好，附件是我单位的统计表，请查收。",
    inline_image: bytes | None = None,
) -> EmailMessage:
    """A message as a mail client writes it; attachments (file name, bytes, MIME type) with RFC 2231 names."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "随州市科技局 <kjj@example.gov.cn>"
    msg["Subject"] = subject
    if when is not None:
        msg["Date"] = format_datetime(when)
    msg.set_content(body)
    if inline_image is not None:
        msg.add_alternative(f'<p>{body}</p><img src="cid:logo">', subtype="html")
        msg.get_payload()[1].add_related(inline_image, "image", "png", cid="<logo>")
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def write_eml(path: Path, msg: EmailMessage) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(msg))
    return path


def write_mbox(path: Path, messages: list[EmailMessage]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.mbox(path)
    for msg in messages:
        box.add(msg)
    box.flush()
    box.close()
    return path


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def with_raw_name(msg: EmailMessage, placeholder: str, disposition: bytes) -> bytes:
    """The message's bytes with one attachment's Content-Disposition written as a given client writes it (e.g.
    ``filename="=?GBK?B?...?="`` from Foxmail, or raw GBK bytes)."""
    data = bytes(msg)
    start = data.index(f'Content-Disposition: attachment; filename="{placeholder}"'.encode())
    end = data.index(b"\n", start)
    return data[:start] + b"Content-Disposition: " + disposition + data[end:].replace(b"\r", b"", 0)


def forwarded(outer_sender: str, subject: str, when: datetime, inner: EmailMessage) -> EmailMessage:
    """A mail forwarding ``inner`` as an attachment (message/rfc822)."""
    msg = mail(outer_sender, subject, when, [])
    msg.add_attachment(inner)
    return msg
