"""One file → a FileOutcome: pre-flight, read, locate and parse (runs in a worker process); an archive member by member."""

from __future__ import annotations

import hashlib
import math
import os
import signal
import time
from dataclasses import replace
from pathlib import Path

from analysis.form import CURRENT, FIELD_KEYS, MONEY_KEYS, SUBTOTAL_PREFIX, Form, form_for
from analysis.intake.archives import MAX_ARCHIVE_DEPTH, HashedMember, UnsafeMember, is_archive, members
from analysis.intake.export_returns import export_outcome, undecided_issue
from analysis.intake.filekinds import classify, is_read
from analysis.intake.form_export import Export, Undecided, find_export
from analysis.intake.locate import Located, count_labels, find_stamp, locate
from analysis.intake.media import video_seconds
from analysis.intake.read_mail import read_mail_file
from analysis.intake.readers.dispatch import open_grids
from analysis.intake.readers.formats import IMAGE_EXT, LEGACY_WORD_EXT, PDF_EXT, WORD_EXT
from analysis.intake.readers.mail import is_mail
from analysis.intake.readers.ocr import OcrGrid, OcrUnavailable, ocr_findings
from analysis.intake.readers.sniff import ArchiveContent, note, sniff
from analysis.intake.records import NARRATIVE, FileOutcome, ParsedCell
from analysis.intake.safety import DEFAULT_LIMITS, ZIP_MAGIC, Limits, Refused
from analysis.intake.source import FileLike, Source
from analysis.intake.template_form import recognise
from analysis.intake.values import parse_value, raw_text
from analysis.issues import Issue

ARCHIVE_KINDS = ("zip", "7z", "rar")  # content read as an archive, whatever the name
READ_AS_FILE = ("docx", "xlsx", "ods", "ole", "html", "spreadsheetml", "mht")  # read as a file, even if named .zip
FORM_NAME_WORDS = ("统计表", "附件", "开展情况")  # a file named with these is probably the form
SCAN_NAME_WORDS = ("扫描", "盖章")  # … and with these, a scan of it


class ReadTimeout(BaseException):
    """Raised by the alarm in a worker; a BaseException so that no reader's ``except`` swallows it."""


def timeout_issue(source_file: str, limits: Limits) -> Issue:
    """The error row of a file (or archive member) whose reading ran out of time."""
    return Issue(
        "error",
        "file_timeout",
        f"读取超过 {limits.seconds_per_file} 秒（Limits.seconds_per_file）仍未完成，已跳过。"
        "请检查文件是否过大或另存为新文件后重新报送。",
        source_file,
    )


def task_seconds(path: str | Path, limits: Limits) -> int:
    """The longest a worker may spend on one file: an archive gets the time of all its members."""
    name = os.path.basename(path)
    return limits.seconds_per_archive if is_archive(name) or is_mail(name) else limits.seconds_per_file


def _restart_alarm(seconds: int) -> None:
    """Give the next archive member its own time, as if it had been sent alone: the worker's alarm (a worker has
    a handler for it; reading in this process has none) starts again."""
    if hasattr(signal, "SIGALRM") and callable(signal.getsignal(signal.SIGALRM)):
        signal.alarm(max(1, seconds))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def process_file(
    path: Path, source_file: str, year: int | None, limits: Limits = DEFAULT_LIMITS, form: Form | None = None
) -> FileOutcome:
    """Pre-flight, read, locate and parse one file (an archive: each member).  Never raises for bad input.

    ``form``: the year's form as the caller knows it (default :func:`analysis.form.form_for` of ``year``).

    An Office Open XML / ODF file within the size limit is read from disk once and handled in memory (as a
    :class:`~analysis.intake.source.Source`): its hash, the safety checks, the reader and the template
    check then cost no further system calls (a zip is otherwise opened four times and seeked some sixty)."""
    try:
        with open(path, "rb") as fh:
            stat = os.fstat(fh.fileno())
            data = fh.read() if 0 < stat.st_size <= limits.max_file_bytes else None
        sha = hashlib.sha256(data).hexdigest() if data is not None else sha256_of(path)
    except OSError as exc:
        return FileOutcome(
            source_file,
            issues=(
                Issue(
                    "error",
                    "file_unreadable",
                    f"文件无法打开（{exc.strerror}），请检查文件权限或重新报送。",
                    source_file,
                ),
            ),
        )
    in_memory = data is not None and data.startswith(ZIP_MAGIC) and not is_archive(path.name)
    src: FileLike = Source(path.name, data) if in_memory else path
    return read_source(src, source_file, sha, stat.st_mtime, year, limits, form=form)


def read_source(
    src: FileLike,
    source_file: str,
    sha: str,
    mtime: float,
    year: int | None,
    limits: Limits,
    depth: int = 0,
    form: Form | None = None,
    deadline: float | None = None,
) -> FileOutcome:
    """One file on disk or in memory → its outcome; ``depth`` counts the archives it sits in, ``deadline`` (a
    ``time.monotonic`` value) is when the outermost archive's time is up."""
    form = form or form_for(year)
    if is_mail(src.name):
        deadline = deadline if deadline is not None else time.monotonic() + limits.seconds_per_archive
        return read_mail_file(
            src,
            source_file,
            sha,
            mtime,
            depth,
            limits,
            lambda member, name, when, level: _read_member(member, name, when, year, limits, level, form, deadline),
        )
    if not is_read(src.name):  # an archive member that is a video, a document, a system file …
        kind = classify(src.name)
        seconds = video_seconds(src.open("rb")) if kind == "video" and isinstance(src, Source) else None
        return FileOutcome(source_file, sha, kind, mtime=mtime, seconds=seconds)
    named_archive = is_archive(src.name)
    content = _content(src, inside=named_archive)
    if content in ARCHIVE_KINDS if not named_archive else content not in READ_AS_FILE:
        return _read_archive_as(src, content, source_file, sha, mtime, year, limits, depth, form, deadline)
    try:
        try:
            opened = open_grids(src, limits, content)
        except ArchiveContent:  # a zip named as an Office file
            return _read_archive_as(src, "zip", source_file, sha, mtime, year, limits, depth, form, deadline)
        grids = opened.grids
        unreadable = tuple(
            Issue("warning", "sheet_unreadable", g.problem, source_file, g.sheet) for g in grids if g.problem
        )
        if opened.note:
            unreadable = (Issue("info", "file_ext_mismatch", opened.note, source_file),) + unreadable
        export = find_export(grids, form)
        if isinstance(export, Export):  # an online form's export: one return per row
            return export_outcome(export, source_file, sha, mtime, form)
        if isinstance(export, Undecided):
            unreadable += (undecided_issue(export, source_file),)
        located = locate(grids, year)
        template = recognise(opened.facts, grids, form, located)  # the package's own template: by name / tag, exact
        located = template.located if template is not None else located
        if located is None:
            kind, issues = _without_form(src, source_file, grids)
            stamp = find_stamp(grids) if any(isinstance(g, OcrGrid) for g in grids) else ""
            return FileOutcome(source_file, sha, kind, stamp, issues=unreadable + issues, mtime=mtime)
        parsed, issues = parse_located(located, source_file, form)
        parsed = template.annotate(parsed) if template is not None else parsed
        issues = unreadable + issues + ocr_findings(grids, parsed, source_file)
    except Refused as exc:
        if isinstance(exc, OcrUnavailable) and _is_image(src) and not _named_like_form(src):
            return FileOutcome(source_file, sha, "photo", mtime=mtime)  # without OCR a photo stays a photo
        return FileOutcome(
            source_file,
            sha,
            _kind_unread(src),
            mtime=mtime,
            issues=(Issue(exc.severity, exc.code, exc.message, source_file),),
        )
    except ReadTimeout:
        raise
    except BaseException as exc:  # noqa: BLE001 - native readers raise anything (PanicException is a BaseException)
        return FileOutcome(
            source_file,
            sha,
            _kind_unread(src),
            mtime=mtime,
            issues=(
                Issue(
                    "error",
                    "file_unreadable",
                    f"文件无法读取（{type(exc).__name__}），可能已损坏，请重新保存后报送。",
                    source_file,
                ),
            ),
        )
    return FileOutcome(source_file, sha, "form", located.stamp, parsed, issues, mtime)


def _read_archive(
    src: FileLike,
    source_file: str,
    sha: str,
    mtime: float,
    year: int | None,
    limits: Limits,
    depth: int,
    form: Form,
    deadline: float,
) -> FileOutcome:
    """Each member of an archive read in memory, named ``<archive>/<member path>``, each in its own time
    (``Limits.seconds_per_file``: a member that runs out costs only itself) until the archive's is up."""
    if depth >= MAX_ARCHIVE_DEPTH + 1:
        return FileOutcome(
            source_file,
            sha,
            "other",
            mtime=mtime,
            issues=(
                Issue(
                    "warning",
                    "archive_too_deep",
                    f"压缩包中套压缩包超过 {MAX_ARCHIVE_DEPTH + 1} 层（archives.MAX_ARCHIVE_DEPTH），"
                    "未读取这一层。请解压后直接报送其中的文件。",
                    source_file,
                ),
            ),
        )
    outcomes: list[FileOutcome] = []
    issues: list[Issue] = []
    try:
        for member in members(src, limits, wanted=lambda name, size: _wanted(name, size, limits)):
            if isinstance(member, UnsafeMember):
                issues.append(
                    Issue(
                        "warning",
                        "archive_member_skipped",
                        f"压缩包中的“{member.name}”未读取：{member.reason}。请检查压缩包内容后重新报送。",
                        source_file,
                    )
                )
                continue
            if isinstance(member, HashedMember):  # a video, a document …: inventoried, not read
                outcomes.append(
                    FileOutcome(f"{source_file}/{member.name}", member.sha256, classify(member.name), mtime=mtime)
                )
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                issues.append(
                    Issue(
                        "warning",
                        "archive_time_limit",
                        f"读取压缩包已超过 {limits.seconds_per_archive} 秒"
                        f"（Limits.seconds_per_archive），从“{member.member}”起的其余文件"
                        "未读取。请解压后直接报送其中的文件，或分成几个压缩包。",
                        source_file,
                    )
                )
                break
            name = f"{source_file}/{member.member}"
            digest = hashlib.sha256(member.data).hexdigest()
            _restart_alarm(min(limits.seconds_per_file, math.ceil(left)))
            try:
                outcomes.append(read_source(member, name, digest, mtime, year, limits, depth + 1, form, deadline))
            except ReadTimeout:
                outcomes.append(
                    FileOutcome(name, digest, _kind_unread(member), mtime=mtime, issues=(timeout_issue(name, limits),))
                )
    except Refused as exc:
        return FileOutcome(
            source_file, sha, "other", mtime=mtime, issues=(Issue(exc.severity, exc.code, exc.message, source_file),)
        )
    return FileOutcome(source_file, sha, "other", issues=tuple(issues), mtime=mtime, members=tuple(outcomes))


def _read_member(
    member: Source, name: str, mtime: float, year: int | None, limits: Limits, depth: int, form: Form, deadline: float
) -> FileOutcome:
    """A mail attachment in its own time (as an archive member is) until the mail's is up."""
    digest = hashlib.sha256(member.data).hexdigest()
    left = deadline - time.monotonic()
    if left <= 0:
        return FileOutcome(name, digest, _kind_unread(member), mtime=mtime, issues=(timeout_issue(name, limits),))
    _restart_alarm(min(limits.seconds_per_file, math.ceil(left)))
    try:
        return read_source(member, name, digest, mtime, year, limits, depth, form, deadline)
    except ReadTimeout:
        return FileOutcome(name, digest, _kind_unread(member), mtime=mtime, issues=(timeout_issue(name, limits),))


def _content(src: FileLike, inside: bool) -> str:
    """What the file's bytes are (:func:`~analysis.intake.readers.sniff.sniff`); "unknown" when it cannot be read
    (the reader then says why)."""
    try:
        return sniff(src, inside)
    except OSError:
        return "unknown"


def _read_archive_as(
    src: FileLike,
    content: str,
    source_file: str,
    sha: str,
    mtime: float,
    year: int | None,
    limits: Limits,
    depth: int,
    form: Form,
    deadline: float | None,
) -> FileOutcome:
    """An archive (by name or by content), with an info when its name says otherwise."""
    deadline = deadline if deadline is not None else time.monotonic() + limits.seconds_per_archive
    outcome = _read_archive(src, source_file, sha, mtime, year, limits, depth, form, deadline)
    said = note(src.suffix.lower(), content) if content in ARCHIVE_KINDS else ""
    return (
        replace(outcome, issues=(Issue("info", "file_ext_mismatch", said, source_file),) + outcome.issues)
        if said
        else outcome
    )


def _wanted(name: str, size: int, limits: Limits) -> bool:
    """Archive members held in memory: what a reader opens, and videos up to the file size limit (their duration
    is read in the worker); the rest is only hashed."""
    return is_read(name) or (classify(name) == "video" and size <= limits.max_file_bytes)


def _is_image(src: FileLike) -> bool:
    return src.suffix.lower() in IMAGE_EXT


def _named_like_form(src: FileLike) -> bool:
    return any(word in src.stem for word in FORM_NAME_WORDS)


def _kind_unread(src: FileLike) -> str:
    """Kind of a file that could not be read: what its name says (a photo stays a photo), else other."""
    kind = classify(src.name)
    return kind if kind in ("photo", "document") else "other"


def _without_form(src: FileLike, source_file: str, grids: list) -> tuple[str, tuple[Issue, ...]]:
    """Kind of a file in which no form was found, and whether a person should look at it.

    A Word file with prose is a summary (no issue); an ordinary photo stays a photo and a PDF without the form a
    document.  A scan or photo read by OCR that shows some of the form's labels, or is named like the form or a
    scan, gets a warning asking for the electronic table.  A file named like the form, a CSV, a sheet holding some
    of the form's labels, or a very large sheet gets a warning; an unrelated workbook only an info line.
    """
    ext = src.suffix.lower()
    is_word = ext in WORD_EXT + LEGACY_WORD_EXT
    paragraphs = sum(len(g.rows) for g in grids if g.sheet == "正文")
    named_like_form = _named_like_form(src)
    if is_word and paragraphs >= 3 and not named_like_form:
        return NARRATIVE, ()
    labels = max((count_labels(g) for g in grids), default=0)
    kind = "photo" if ext in IMAGE_EXT else "document" if is_word or ext in PDF_EXT else "other"
    if ext in IMAGE_EXT + PDF_EXT:
        scanned = any(isinstance(g, OcrGrid) for g in grids)
        if scanned and (labels >= 3 or named_like_form or any(w in src.stem for w in SCAN_NAME_WORDS)):
            return kind, (
                Issue(
                    "warning",
                    "scan_no_form",
                    "收到统计表的扫描件/照片，但文字识别（OCR）未能从中读出统计表"
                    "（可能不清晰、倾斜或不完整），未计入。请报送单位提供电子版统计表"
                    "（Excel 或 Word），或重新清晰拍摄。",
                    source_file,
                ),
            )
        if not named_like_form and labels < 3:
            return kind, ()
    cells = sum(len(row) for g in grids for row in g.rows)
    attention = named_like_form or ext == ".csv" or labels >= 3 or cells > 100_000
    message = "文件中未找到统计表（按标签识别到的项目不足），未计入。" + (
        "如这是统计表，请按通知附件的格式填写后重新报送。" if attention else "如不是统计表可忽略。"
    )
    return kind, (Issue("warning" if attention else "info", "no_form_found", message, source_file),)


def parse_located(
    located: Located, source_file: str, form: Form = CURRENT
) -> tuple[tuple[ParsedCell, ...], tuple[Issue, ...]]:
    """Parse every located raw cell of the form's items; sum the rows of a wide table that has no 合计 row."""
    parsed: list[ParsedCell] = []
    issues: list[Issue] = [replace(finding, source_file=source_file) for finding in located.findings]
    for key in form.keys:
        cells = located.cells.get(key)
        if not cells:
            issues.append(
                Issue(
                    "warning",
                    "field_not_found",
                    f"表中未找到“{form.by_key[key].label}”一项，请按通知附件的统计表格式补报该项。",
                    source_file,
                    located.sheet,
                    "",
                    key,
                )
            )
            parsed.append(ParsedCell(key, None, "", located.sheet, "", "未找到该项"))
            continue
        results = [parse_value(c.raw, key, located.declared.get(key)) for c in cells]
        for cell, result in zip(cells, results):
            for finding in result.findings:
                issues.append(
                    Issue(finding.severity, finding.code, finding.message, source_file, cell.sheet, cell.cell, key)
                )
        if len(cells) == 1:
            r = results[0]
            parsed.append(ParsedCell(key, r.value, raw_text(cells[0].raw), cells[0].sheet, cells[0].cell, r.note))
            continue
        usable = [r.value for r in results if r.value is not None]
        broken = any(r.value is None and not r.blank for r in results)
        total = None if broken or not usable else _round(form.by_key[key].is_money, sum(usable))
        span = f"{cells[0].cell}:{cells[-1].cell}"
        raws = "；".join(f"{c.row_label or c.cell}={raw_text(c.raw)}" for c in cells if c.raw not in (None, ""))
        note = f"无合计行，{len(cells)}行相加" + ("；含无法识别的值，未合计" if broken else "")
        parsed.append(ParsedCell(key, total, raws, cells[0].sheet, span, note))
    if located.summed:
        issues.append(
            Issue(
                "info",
                "rows_summed",
                f"表中有{located.summed}行分项数据但没有“合计”行，已将各行相加作为本单位数据；如有合计数请在表中注明。",
                source_file,
                located.sheet,
            )
        )
    for sub in located.subtotals:
        measure_key = MONEY_KEYS[0] if "经费" in sub.category else FIELD_KEYS[0]
        parsed.append(
            ParsedCell(
                f"{SUBTOTAL_PREFIX}{sub.category}",
                parse_value(sub.raw, measure_key).value,
                raw_text(sub.raw),
                sub.sheet,
                sub.cell,
                "单位填写的小计/合计",
            )
        )
    return tuple(parsed), tuple(issues)


def _round(money: bool, value: float) -> float:
    return round(value, 6) if money else float(round(value))
