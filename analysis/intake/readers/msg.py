"""Outlook .msg (MS-OXMSG) read with olefile (BSD-2-Clause) by its documented streams.

extract-msg is GPL-3.0, which a government office's package cannot ship; the few streams needed here are
documented by Microsoft ([MS-OXMSG] 2.1 – 2.4, property ids in [MS-OXPROPS]) and read directly:

* ``__substg1.0_<id><type>``: a string property (type ``001F`` UTF-16LE, ``001E`` 8-bit in the message's code
  page) or binary (``0102``): subject ``0037``, sender name ``0C1A`` / ``0042``, sender address ``0C1F`` /
  ``5D01``;
* ``__properties_version1.0``: fixed-size properties after a header (32 bytes for the message, 24 for an
  embedded message, 8 for an attachment), 16 bytes each: tag, flags, value — the submit time ``0039`` (else the
  delivery time ``0E06``) as a FILETIME, an attachment's method ``3705`` and hidden flag ``7FFE``;
* ``__attach_version1.0_#XXXXXXXX``: one storage per attachment, its bytes in ``37010102``, its name in ``3707``
  (long) or ``3704`` (short) or ``3001`` (display name); an attached Outlook message (method 5) is the storage
  ``__substg1.0_3701000D``, read one level deep like a forwarded mail.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from analysis.intake.archives import UnsafeMember, unsafe_reason
from analysis.intake.readers.mail import FORWARDED, SIGNATURE_EXT, Mail
from analysis.intake.safety import Limits, Refused
from analysis.intake.source import FileLike, Source, decode_name

_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_EMBEDDED = 5  # PidTagAttachMethod: afEmbeddedMessage


def read_msg(src: FileLike, limits: Limits) -> Mail:
    """An Outlook message: sender, subject, submit time and attachments; raises Refused when it is not one."""
    import olefile

    try:
        with src.open("rb") as fh, olefile.OleFileIO(fh) as ole:
            entries = ole.listdir(streams=True, storages=True)
            if len(entries) > limits.max_members * 4:
                raise Refused("file_limit_members", "Outlook 邮件的部件超过上限（Limits.max_members），未读取。")
            if not ole.exists("__properties_version1.0"):
                raise Refused(
                    "mail_corrupt", "文件扩展名为 .msg，但不是 Outlook 邮件，请在 Outlook 中重新“另存为”后报送。"
                )
            return _message(ole, [], 32, limits, 0)
    except Refused:
        raise
    except Exception as exc:
        raise Refused(
            "mail_corrupt", f"Outlook 邮件（.msg）已损坏，无法读取（{type(exc).__name__}），请重新导出后报送。"
        ) from exc


def _message(ole, path: list[str], header: int, limits: Limits, depth: int) -> Mail:
    props = _properties(ole, path, header)
    sent = _filetime(props.get(0x0039)) or _filetime(props.get(0x0E06))
    sender = _string(ole, path, 0x0042) or _string(ole, path, 0x0C1A)
    address = _string(ole, path, 0x5D01) or _string(ole, path, 0x0C1F)
    attachments: list[Source | UnsafeMember] = []
    problems: list[str] = []
    total = 0
    storages = sorted(
        {
            e[len(path)]
            for e in ole.listdir(streams=True, storages=True)
            if len(e) > len(path) and e[: len(path)] == path and e[len(path)].startswith("__attach_version1.0_")
        }
    )
    if len(storages) > limits.max_members:
        raise Refused("file_limit_members", f"邮件附件超过 {limits.max_members} 个（Limits.max_members），未读取。")
    forwarded: list[Mail] = []
    for n, storage in enumerate(storages, start=1):
        here = [*path, storage]
        aprops = _properties(ole, here, 8)
        if aprops.get(0x3705, 0) & 0xFFFFFFFF == _EMBEDDED:
            if depth >= 1:
                attachments.append(
                    UnsafeMember(f"{FORWARDED}{len(forwarded) + 1}", "转发的邮件中又套有转发邮件（超过一层），未读取")
                )
                continue
            forwarded.append(_message(ole, [*here, "__substg1.0_3701000D"], 24, limits, depth + 1))
            continue
        name = _string(ole, here, 0x3707) or _string(ole, here, 0x3704) or _string(ole, here, 0x3001)
        name = name.replace("\\", "/").split("/")[-1]
        if not name or "\ufffd" in name:
            problems.append(f"第{n}个附件的文件名无法解码，记为“附件{n}”")
            name = f"附件{n}"
        if aprops.get(0x7FFE) or name.lower().endswith(SIGNATURE_EXT):  # hidden: an inline image; a signature
            continue
        reason = unsafe_reason(name)
        stream = "/".join([*here, "__substg1.0_37010102"])
        size = ole.get_size(stream) if ole.exists(stream) else 0
        if reason or size > limits.max_file_bytes:
            attachments.append(
                UnsafeMember(
                    name,
                    reason or f"附件超过单个文件上限 {limits.max_file_bytes // 1024**2} MB（Limits.max_file_bytes）",
                )
            )
            continue
        total += size
        if total > limits.max_unzipped_bytes:
            raise Refused(
                "file_limit_unzipped",
                f"邮件附件合计超过 {limits.max_unzipped_bytes // 1024**2} MB"
                "（Limits.max_unzipped_bytes），未读取。请分几封邮件报送。",
            )
        attachments.append(Source(name, ole.openstream(stream).read() if size else b""))
    subject = _string(ole, path, 0x0037)
    return Mail(
        sender or address,
        address,
        subject,
        sent,
        "Date" if sent else "",
        tuple(attachments),
        tuple(problems),
        tuple(forwarded),
    )


def _string(ole, path: list[str], prop: int) -> str:
    """A string property: UTF-16LE (``001F``), else 8-bit (``001E``) as UTF-8 or GB18030; '' when absent."""
    for kind, decode in (
        ("001F", lambda b: b.decode("utf-16-le", errors="replace")),
        ("001E", lambda b: decode_name(b).text),
    ):
        stream = "/".join([*path, f"__substg1.0_{prop:04X}{kind}"])
        if ole.exists(stream):
            return " ".join(decode(ole.openstream(stream).read()).rstrip("\x00").split())
    return ""


def _properties(ole, path: list[str], header: int) -> dict[int, int]:
    """The fixed-size properties of a storage: property id → the value's first 8 bytes as an integer."""
    stream = "/".join([*path, "__properties_version1.0"])
    if not ole.exists(stream):
        return {}
    data = ole.openstream(stream).read()
    out: dict[int, int] = {}
    for offset in range(header, len(data) - 15, 16):
        tag, _flags, value = struct.unpack_from("<IIQ", data, offset)
        out[tag >> 16] = value
    return out


def _filetime(value: int | None) -> datetime | None:
    """A FILETIME (100 ns since 1601 UTC) as an aware datetime; None when absent or implausible."""
    if not value:
        return None
    try:
        when = _FILETIME_EPOCH + timedelta(microseconds=value // 10)
    except OverflowError:
        return None
    return when.astimezone() if 1990 <= when.year <= 2100 else None  # the bureau's local time
