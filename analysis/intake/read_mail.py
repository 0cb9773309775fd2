"""A mail file (.eml, .mbox, .msg) → its outcome: each attachment read like an archive member, named
``<mail>/<attachment>``; an mbox's messages are ``<mbox>/第N封`` with their attachments under them.

The mail's Date (or latest Received) is each attachment's received date and its time for the revision rule; the
sender's display name and the subject are tried for the unit after the attachment's own name.  A mail without a
usable attachment is a warning naming the mail, its sender and its subject.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace

from analysis.intake.archives import UnsafeMember
from analysis.intake.readers.mail import FORWARDED, Mail, mbox_messages, read_mail
from analysis.intake.readers.msg import read_msg
from analysis.intake.records import FileOutcome
from analysis.intake.safety import Limits, Refused
from analysis.intake.source import FileLike, Source
from analysis.issues import Issue

MAIL_DATE = "邮件发送时间（Date）"
MAIL_RECEIVED = "邮件接收时间（Received）"
USABLE_KINDS = ("form", "summary", "photo", "video", "document")
MAX_MAIL_DEPTH = 1  # a mail saved inside a mail (or an archive) is read; one inside that is not

ReadMember = Callable[[Source, str, float, int], FileOutcome]  # (attachment, source_file, mtime, depth) → outcome


def read_mail_file(
    src: FileLike, source_file: str, sha: str, mtime: float, depth: int, limits: Limits, read_member: ReadMember
) -> FileOutcome:
    """The outcome of one mail file; never raises for bad input."""
    if depth > MAX_MAIL_DEPTH:
        return FileOutcome(
            source_file,
            sha,
            "other",
            mtime=mtime,
            issues=(
                Issue(
                    "warning",
                    "archive_too_deep",
                    "邮件或压缩包中又套有邮件，超过一层，未读取这一层。请把附件直接报送。",
                    source_file,
                ),
            ),
        )
    ext = src.suffix.lower()
    try:
        if ext == ".mbox":
            messages = [
                _message(
                    read_mail(data, limits),
                    f"{source_file}/第{n}封",
                    hashlib.sha256(data).hexdigest(),
                    mtime,
                    depth,
                    read_member,
                )
                for n, data in enumerate(mbox_messages(src), start=1)
            ]
            return FileOutcome(source_file, sha, "other", mtime=mtime, members=tuple(messages))
        mail = read_msg(src, limits) if ext == ".msg" else read_mail(src.read_bytes(), limits)
    except Refused as exc:
        return FileOutcome(
            source_file, sha, "other", mtime=mtime, issues=(Issue(exc.severity, exc.code, exc.message, source_file),)
        )
    return _message(mail, source_file, sha, mtime, depth, read_member)


def _message(mail: Mail, name: str, sha: str, mtime: float, depth: int, read_member: ReadMember) -> FileOutcome:
    when = mail.sent.timestamp() if mail.sent is not None else mtime
    names = tuple((where, text) for where, text in (("发件人", mail.sender), ("邮件主题", mail.subject)) if text)
    issues = [
        Issue(
            "warning",
            "mail_attachment_name",
            f"邮件（发件人“{mail.sender}”，主题“{mail.subject}”）中{p}，请核实该附件。",
            name,
        )
        for p in mail.problems
    ]
    members: list[FileOutcome] = []
    for attachment in mail.attachments:
        if isinstance(attachment, UnsafeMember):
            issues.append(
                Issue(
                    "warning",
                    "archive_member_skipped",
                    f"邮件附件“{attachment.name}”未读取：{attachment.reason}。",
                    name,
                )
            )
            continue
        outcome = read_member(attachment, f"{name}/{attachment.member}", when, depth + 1)
        members.append(_named(outcome, names))
    for n, inner in enumerate(mail.forwarded, start=1):  # the unit's own message: its sender, its date
        members.append(_message(inner, f"{name}/{FORWARDED}{n}", _digest(inner), when, depth, read_member))
    if not any(_usable(m) for m in members) and not mail.forwarded:
        issues.append(
            Issue(
                "warning",
                "mail_no_attachment",
                f"邮件“{name}”（发件人“{mail.sender}”，主题“{mail.subject}”）"
                "没有可用的附件（统计表、总结、照片或视频），未计入。"
                "请向发件单位索取附件。",
                name,
            )
        )
    received = mail.sent.date().isoformat() if mail.sent is not None else ""
    source = {"Date": MAIL_DATE, "Received": MAIL_RECEIVED}.get(mail.sent_from, "")
    return FileOutcome(
        name,
        sha,
        "other",
        issues=tuple(issues),
        mtime=when,
        members=tuple(members),
        names=names,
        received=received,
        received_from=source,
    )


def _digest(mail: Mail) -> str:
    """A forwarded message's hash (it is no file of its own): of its headers and attachments."""
    digest = hashlib.sha256(f"{mail.address}\x1f{mail.subject}\x1f{mail.sent}".encode())
    for attachment in mail.attachments:
        digest.update(attachment.data if isinstance(attachment, Source) else attachment.name.encode())
    return digest.hexdigest()


def _named(outcome: FileOutcome, names: tuple[tuple[str, str], ...]) -> FileOutcome:
    """An attachment (and an attached archive's members) with the mail's sender and subject as unit hints."""
    return replace(outcome, names=outcome.names or names, members=tuple(_named(m, names) for m in outcome.members))


def _usable(outcome: FileOutcome) -> bool:
    own = outcome.kind in USABLE_KINDS and not any(i.severity == "error" for i in outcome.issues)
    return own or any(_usable(m) for m in outcome.members)
