"""Mail saved by Foxmail, Thunderbird, QQ Mail or Outlook: .eml (RFC 822), .mbox (several messages), .msg.

A message becomes a :class:`Mail`: who sent it (display name and address), its subject, when it was sent (the
``Date`` header, else the latest ``Received`` header) and its attachments as in-memory
:class:`~analysis.intake.source.Source` files, read afterwards like archive members.  Attachment names are
decoded from RFC 2047 / RFC 2231 by Python's :mod:`email` (``policy.default``); a raw 8-bit name (as some Chinese
clients write it) is decoded as UTF-8, else GB18030.  A forwarded message (``message/rfc822``) is opened one level
deep (:attr:`Mail.forwarded`; listed as ``<mail>/转发邮件N``).  Inline images (a ``Content-ID`` referenced by the body)
and signatures (``.p7s``, ``application/pgp-signature``) are not attachments.  The limits of an archive apply:
the count of attachments (``Limits.max_members``), each one's size (``Limits.max_file_bytes``) and all together
(``Limits.max_unzipped_bytes``).  Outlook's .msg is read by :mod:`analysis.intake.readers.msg`.
"""

from __future__ import annotations

import email
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from analysis.intake.archives import UnsafeMember, unsafe_reason
from analysis.intake.safety import Limits, Refused
from analysis.intake.source import FileLike, Source, decode_name

MAIL_EXT = (".eml", ".mbox", ".msg")
SIGNATURE_TYPES = ("application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature")
SIGNATURE_EXT = (".p7s", ".asc", ".sig")
FORWARDED = "转发邮件"
_RAW_NAME = re.compile(r'(?:file)?name\s*=\s*"([^"]+)"')
_MBOX_SEPARATOR = re.compile(rb"(?:^|\n)From [^\n]*\n")


@dataclass(frozen=True)
class Mail:
    """One message: sender, subject, when it was sent (and from which header), attachments, and problems (Chinese)."""

    sender: str  # display name, else address
    address: str
    subject: str
    sent: datetime | None
    sent_from: str  # 'Date' or 'Received' ('' when neither could be read)
    attachments: tuple[Source | UnsafeMember, ...]
    problems: tuple[str, ...] = field(default=())
    forwarded: tuple[Mail, ...] = field(default=())  # attached messages (message/rfc822, an Outlook item), one level


def is_mail(name: str) -> bool:
    return name.lower().endswith(MAIL_EXT)


def mbox_messages(src: FileLike) -> list[bytes]:
    """The messages of an mbox file (each without its ``From `` separator line)."""
    data = src.read_bytes()
    starts = [m.end() for m in _MBOX_SEPARATOR.finditer(data)]
    if not data.startswith(b"From ") or not starts:
        raise Refused(
            "mail_corrupt", "文件扩展名为 .mbox，但内容不是邮箱导出文件（应以“From ”行开头），请重新导出后报送。"
        )
    ends = [m.start() for m in _MBOX_SEPARATOR.finditer(data)][1:] + [len(data)]
    return [data[s:e] for s, e in zip(starts, ends)]


def read_mail(data: bytes, limits: Limits) -> Mail:
    """A message's headers and attachments; raises Refused when the bytes are not a mail at all."""
    try:
        msg = email.message_from_bytes(data, policy=policy.default)
        headers = {k.lower() for k in msg.keys()}
        if not headers & {"from", "date", "subject", "received", "content-type", "message-id"}:
            raise Refused(
                "mail_corrupt", "文件不是有效的邮件（没有发件人、日期、主题等邮件头），可能已损坏，请重新导出后报送。"
            )
        found = _mail(msg, limits, 0)
    except Refused:
        raise
    except RecursionError as exc:
        raise Refused("mail_corrupt", "邮件的分段嵌套过深，无法读取，请把附件直接报送。") from exc
    except Exception as exc:
        raise Refused("mail_corrupt", f"邮件无法解析（{type(exc).__name__}），可能已损坏，请重新导出后报送。") from exc
    return found


def _mail(msg: EmailMessage, limits: Limits, depth: int) -> Mail:
    sender, address = _sender(msg)
    problems: list[str] = []
    forwarded: list[Mail] = []
    attachments = _attachments(msg, limits, problems, forwarded, depth)
    return Mail(
        sender,
        address,
        _header_text(msg, "subject"),
        *_sent(msg),
        tuple(attachments),
        tuple(problems),
        tuple(forwarded),
    )


def _header_text(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a header that cannot be decoded
        return ""
    return _clean(str(value)) if value is not None else ""


def _clean(text: str) -> str:
    """Header text with raw 8-bit bytes (surrogates) decoded as UTF-8, else GB18030, and whitespace folded."""
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_name(text.encode("utf-8", errors="surrogateescape")).text
    return " ".join(text.split())


def _sender(msg: EmailMessage) -> tuple[str, str]:
    raw = _header_text(msg, "from")
    name, address = parseaddr(raw)
    return (_clean(name) or address), address


def _sent(msg: EmailMessage) -> tuple[datetime | None, str]:
    try:
        date = msg["date"]
        when = getattr(date, "datetime", None) if date is not None else None
    except Exception:  # noqa: BLE001 - an unparseable Date header
        when = None
    if when is not None:
        return when, "Date"
    stamps = []
    for value in msg.get_all("received") or ():
        try:
            stamps.append(parsedate_to_datetime(str(value).rsplit(";", 1)[-1].strip()))
        except (TypeError, ValueError, IndexError):
            continue
    aware = [s for s in stamps if s.tzinfo is not None] or stamps
    return (max(aware), "Received") if aware else (None, "")


@dataclass(frozen=True)
class _Part:
    """A leaf part and the headers looked at, each parsed once (``policy.default`` parses a header at every access)."""

    part: EmailMessage
    ctype: str
    disposition: str | None
    filename: str  # as the email package decodes it ('' when none or malformed)


def _part(part: EmailMessage) -> _Part:
    try:
        filename = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - a malformed RFC 2231 parameter: the name is reported as undecodable
        filename = "\ufffd"
    return _Part(part, part.get_content_type(), part.get_content_disposition(), filename)


def _attachments(
    msg: EmailMessage, limits: Limits, problems: list[str], forwarded: list[Mail], depth: int
) -> list[Source | UnsafeMember]:
    out: list[Source | UnsafeMember] = []
    total = 0
    for n, leaf in enumerate(_attached(msg), start=1):
        part = leaf.part
        if leaf.ctype == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if depth >= 1 or not isinstance(inner, EmailMessage):
                out.append(
                    UnsafeMember(f"{FORWARDED}{len(forwarded) + 1}", "转发的邮件中又套有转发邮件（超过一层），未读取")
                )
                continue
            forwarded.append(_mail(inner, limits, depth + 1))
            continue
        if _is_decoration(leaf):
            continue
        name = _file_name(leaf, n, problems)
        reason = unsafe_reason(name)
        if reason:
            out.append(UnsafeMember(name, reason))
            continue
        if len(out) >= limits.max_members:
            raise Refused("file_limit_members", f"邮件附件超过 {limits.max_members} 个（Limits.max_members），未读取。")
        if len(str(part.get_payload())) * 3 // 4 > limits.max_file_bytes:
            out.append(
                UnsafeMember(
                    name, f"附件超过单个文件上限 {limits.max_file_bytes // 1024**2} MB（Limits.max_file_bytes）"
                )
            )
            continue
        data = part.get_payload(decode=True) or b""
        total += len(data)
        if total > limits.max_unzipped_bytes:
            raise Refused(
                "file_limit_unzipped",
                f"邮件附件合计超过 {limits.max_unzipped_bytes // 1024**2} MB"
                "（Limits.max_unzipped_bytes），未读取。请分几封邮件报送。",
            )
        out.append(Source(name, data))
    return out


def _attached(part: EmailMessage, root: bool = True) -> Iterator[_Part]:
    """The leaf parts of a message that are attachments (not its text or HTML body), forwarded messages whole."""
    if part.is_multipart() and not (not root and part.get_content_type() == "message/rfc822"):
        for sub in part.iter_parts():
            yield from _attached(sub, False)
        return
    leaf = _part(part)
    body = leaf.ctype in ("text/plain", "text/html")
    if leaf.ctype == "message/rfc822" or not body or (not root and (leaf.disposition == "attachment" or leaf.filename)):
        yield leaf


def _file_name(leaf: _Part, n: int, problems: list[str]) -> str:
    """The attachment's decoded name; one without a usable name is ``附件N`` plus its extension by type."""
    name = leaf.filename
    if "\ufffd" in name:  # raw 8-bit bytes in the header (some Chinese clients): decode them ourselves
        name = _raw_8bit_name(leaf.part) or name
    name = _clean(name).replace("\\", "/").split("/")[-1] if name else ""
    if not name or "\ufffd" in name or any(ord(ch) < 0x20 for ch in name):
        shown = f"附件{n}{mimetypes.guess_extension(leaf.ctype) or ''}"
        problems.append(f"“{shown}”的文件名无法解码" if name else f"第{n}个附件没有文件名，记为“{shown}”")
        return shown
    return name


def _raw_8bit_name(part: EmailMessage) -> str:
    """The name in a raw 8-bit ``filename=`` / ``name=`` parameter, decoded as UTF-8, else GB18030."""
    for header, value in part.raw_items():
        if header.lower() in ("content-disposition", "content-type"):
            m = _RAW_NAME.search(str(value))
            if m:
                return decode_name(m[1].encode("utf-8", errors="surrogateescape")).text
    return ""


def _is_decoration(leaf: _Part) -> bool:
    """An inline image shown in the body, or a signature: not a return."""
    if leaf.ctype in SIGNATURE_TYPES or leaf.filename.lower().endswith(SIGNATURE_EXT):
        return True
    return leaf.ctype.startswith("image/") and (
        leaf.disposition == "inline" or (leaf.disposition is None and leaf.part.get("content-id") is not None)
    )
