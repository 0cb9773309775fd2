"""Ingest: a year folder of returns → the four traceable tables (returns, values, issues, files).

The edges are here: the folder walk, hashing and file times, and the worker pool that reads every
table-bearing file once.  Who sent each return and which revision counts are decided by the pure
:func:`analysis.intake.assemble.assemble`.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from analysis.form import form_for
from analysis.intake.assemble import SeenFile, all_members, assemble
from analysis.intake.dates import RECEIVED_CSV, ChannelDate, parse_date, read_received, received_dates, with_received
from analysis.intake.filekinds import classify, is_read
from analysis.intake.pool import ReadTask, WorkerPool, run_tasks
from analysis.intake.read_file import sha256_of
from analysis.intake.records import FileOutcome, IngestResult
from analysis.intake.safety import DEFAULT_LIMITS, Limits
from analysis.intake.store import write_result
from analysis.intake.units import Registry
from analysis.intake.walk import walk
from analysis.paths import DEMO_MARKER, ROOT, UNITS_CSV, is_demo, year_of

PROJECT_FILES = (DEMO_MARKER, RECEIVED_CSV, "README.md")  # the bureau's own files in a year folder


def ingest(
    raw_dir: Path,
    out_dir: Path | None = None,
    year: int | None = None,
    workers: int | None = None,
    progress: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    registry: Registry | None = None,
    units_csv: Path = UNITS_CSV,
    pool: WorkerPool | None = None,
) -> IngestResult:
    """Read every return under ``raw_dir``; write the tables to ``out_dir`` when given.

    The files are read in ``pool`` when given (the caller's, left open), else in worker processes of its own."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"报送文件夹不存在：{raw_dir}")
    year = year if year is not None else year_of(raw_dir)
    registry = registry or Registry.load(units_csv)
    walked, walk_issues = walk(raw_dir)
    seen = []
    for item in walked:
        path = item.path
        kind = "project" if path.parent == raw_dir and path.name in PROJECT_FILES else classify(path)
        read = kind != "project" and is_read(path)
        seen.append(SeenFile(path, item.source_file, kind, "" if read else _safe_sha(path), read))
    form = form_for(year)
    tasks = [ReadTask(str(s.path), s.source_file, year, limits, form) for s in seen if s.read]
    bar = _progress(len(tasks)) if progress else None
    try:
        workers = workers or min(os.cpu_count() or 1, max(1, len(tasks) // 8))  # a few files: one reader is enough
        outcomes = run_tasks(tasks, workers, bar, pool=pool)
    finally:
        if bar is not None:
            bar.close()
    path_of = {s.source_file: s.path for s in seen}
    # a crashed or timed-out worker hashed nothing: hash the file here
    read = {o.source_file: o if o.sha256 else replace(o, sha256=_safe_sha(path_of[o.source_file])) for o in outcomes}
    meta = {
        "year": year,
        "demo": is_demo(raw_dir),
        "raw_dir": _shown_path(raw_dir),
        "units_expected": [u.name for u in registry.roster(year)],
        "form_version": form.version,
    }
    log = read_received(raw_dir)
    result = assemble(seen, read, walk_issues + log.issues, registry, meta)
    times = {s.source_file: t for s in seen if (t := _mtime(s.path)) is not None}
    times.update(
        {
            member.source_file: times[archive]
            for archive, outcome in read.items()
            if archive in times
            for member in all_members(outcome)
        }
    )  # an archive's members were received with it
    result.file_times = times
    channel = {name: day for outcome in read.values() for name, day in channel_dates(outcome).items()}
    result.files = with_received(result.files, received_dates(log.listed, result.files, times, channel))
    result.video_seconds = {
        member.source_file: member.seconds
        for outcome in read.values()
        for member in all_members(outcome)
        if member.seconds is not None
    }
    if out_dir is not None:
        write_result(result, Path(out_dir))
    return result


def channel_dates(outcome: FileOutcome, inherited: ChannelDate | None = None) -> dict[str, ChannelDate]:
    """The date each file's channel gives (a mail's Date, an export row's submit time); a mail's attachments and
    the members of an archive attached to it inherit the mail's."""
    day = parse_date(outcome.received)
    own = ChannelDate(day, outcome.received_from) if day is not None else inherited
    found = {outcome.source_file: own} if own is not None else {}
    for member in outcome.members:
        found.update(channel_dates(member, own))
    return found


def _progress(total: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="读取报表", unit="个", leave=False)


def _shown_path(folder: Path) -> str:
    """A folder as recorded in meta.json: relative to the project when inside it, so runs agree byte for byte."""
    resolved = Path(folder).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return resolved.as_posix()


def _safe_sha(path: Path) -> str:
    try:
        return sha256_of(path)
    except OSError:
        return ""


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
