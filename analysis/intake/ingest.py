"""Ingest: a folder of returns → the four traceable tables (returns, values, issues, files).

The CPU work per file (pre-flight, read, locate, parse values) runs in worker
processes; a worker that dies or hangs on a crafted file costs only that file,
which becomes an issue row.  Who sent each return, which revision is accepted
and the tables themselves are decided here, in the parent.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

import pandas as pd

from analysis.intake.filekinds import classify
from analysis.form import BY_KEY, FIELD_KEYS, MONEY_KEYS, SUBTOTAL_PREFIX
from analysis.issues import Issue, issues_frame
from analysis.intake.locate import Located, count_labels, locate
from analysis.paths import DEMO_MARKER, ROOT, UNITS_CSV, is_demo, year_of
from analysis.intake.readers import LEGACY_WORD_EXT, TABLE_EXT, WORD_EXT, read_grids
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused
from analysis.intake.units import Registry, Unit, fold_name
from analysis.intake.values import parse_value, raw_text

RECEIVED_CSV = "received.csv"  # optional: when each return arrived (source_file, received)
PROJECT_FILES = (DEMO_MARKER, RECEIVED_CSV, "README.md")
WORKER_MEMORY = 384 * 1024**2  # memory a reader process may take beyond what it inherits (2 workers: < 1 GB)

RETURN_COLUMNS = ("source_file", "unit", "unit_kind", *FIELD_KEYS)
VALUE_COLUMNS = ("source_file", "unit", "field", "value", "raw_text", "sheet", "cell", "status", "note")
FILE_COLUMNS = ("source_file", "kind", "status", "unit", "sha256")
FILE_KINDS = ("form", "summary", "photo", "video", "document", "other")
FILE_STATUSES = ("accepted", "superseded", "skipped", "error")
TABLES = ("returns", "values", "issues", "files")

_REVISION = re.compile(r"(最终|终稿|定稿)|(修改|更正|修订|调整|补充|重报|新版)|[vV](\d+)|[（(](\d+)[)）]$")


@dataclass(frozen=True)
class FileOutcome:
    """What a worker learned about one file (picklable)."""

    source_file: str
    sha256: str = ""
    kind: str = "other"
    stamp: str = ""  # the unit written on the 盖章 line
    parsed: tuple[tuple[str, float | None, str, str, str, str], ...] = ()  # key, value, raw, sheet, cell, note
    issues: tuple[Issue, ...] = ()
    mtime: float = 0.0


@dataclass
class IngestResult:
    """The four tables of one year's returns, and what they were made from."""

    returns: pd.DataFrame
    values: pd.DataFrame
    issues: pd.DataFrame
    files: pd.DataFrame
    meta: dict = field(default_factory=dict)


# ---------------------------------------------------------------- per file (worker side)

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def process_file(path: Path, source_file: str, year: int | None, limits: Limits = DEFAULT_LIMITS) -> FileOutcome:
    """Pre-flight, read, locate and parse one table-bearing file.  Never raises for bad input."""
    try:
        sha, mtime = sha256_of(path), path.stat().st_mtime
    except OSError as exc:
        return FileOutcome(source_file, issues=(Issue("error", "file_unreadable", f"文件无法打开（{exc.strerror}），"
                                                      "请检查文件权限或重新报送。", source_file),))
    try:
        grids = read_grids(path, limits)
        unreadable = tuple(Issue("warning", "sheet_unreadable", g.problem, source_file, g.sheet) for g in grids
                           if g.problem)
        located = locate(grids, year)
        if located is None:
            kind, stamp, parsed, issues = _without_form(path, source_file, grids)
            return FileOutcome(source_file, sha, kind, stamp, parsed, unreadable + issues, mtime)
        parsed, issues = parse_located(located, source_file)
        issues = unreadable + issues
    except Refused as exc:
        return FileOutcome(source_file, sha, "other", mtime=mtime,
                           issues=(Issue(exc.severity, exc.code, exc.message, source_file),))
    except ReadTimeout:
        raise
    except BaseException as exc:  # noqa: BLE001 - native readers raise anything (PanicException is a BaseException)
        return FileOutcome(source_file, sha, "other", mtime=mtime, issues=(Issue(
            "error", "file_unreadable", f"文件无法读取（{type(exc).__name__}），可能已损坏，请重新保存后报送。", source_file),))
    return FileOutcome(source_file, sha, "form", located.stamp, parsed, issues, mtime)


def _without_form(path: Path, source_file: str, grids: list) -> tuple[str, str, tuple, tuple[Issue, ...]]:
    """Kind of a table-bearing file in which no form was found, and whether a person should look at it.

    A Word file with prose is a summary (no issue).  A file named like the form, a CSV, a sheet holding some of
    the form's labels, or a very large sheet gets a warning; an unrelated workbook only an info line.
    """
    is_word = path.suffix.lower() in WORD_EXT + LEGACY_WORD_EXT
    paragraphs = sum(len(g.rows) for g in grids if g.sheet == "正文")
    named_like_form = any(word in path.stem for word in ("统计表", "附件", "开展情况"))
    if is_word and paragraphs >= 3 and not named_like_form:
        return "summary", "", (), ()
    labels = max((count_labels(g) for g in grids), default=0)
    cells = sum(len(row) for g in grids for row in g.rows)
    attention = named_like_form or path.suffix.lower() == ".csv" or labels >= 3 or cells > 100_000
    message = ("文件中未找到统计表（按标签识别到的项目不足），未计入。" +
               ("如这是统计表，请按通知附件的格式填写后重新报送。" if attention else "如不是统计表可忽略。"))
    issue = Issue("warning" if attention else "info", "no_form_found", message, source_file)
    return ("document" if is_word else "other"), "", (), (issue,)


def parse_located(located: Located, source_file: str) -> tuple[tuple, tuple[Issue, ...]]:
    """Parse every located raw cell; sum the rows of a wide table that has no 合计 row."""
    parsed, issues = [], []
    for key in FIELD_KEYS:
        cells = located.cells.get(key)
        if not cells:
            issues.append(Issue("warning", "field_not_found", f"表中未找到“{BY_KEY[key].label}”一项，请按通知附件的"
                                                              "统计表格式补报该项。", source_file, located.sheet, "", key))
            parsed.append((key, None, "", located.sheet, "", "未找到该项"))
            continue
        results = [parse_value(c.raw, key) for c in cells]
        for cell, result in zip(cells, results):
            for finding in result.findings:
                issues.append(Issue(finding.severity, finding.code, finding.message, source_file, cell.sheet,
                                    cell.cell, key))
        if len(cells) == 1:
            r = results[0]
            parsed.append((key, r.value, raw_text(cells[0].raw), cells[0].sheet, cells[0].cell, r.note))
            continue
        usable = [r.value for r in results if r.value is not None]
        broken = any(r.value is None and not r.blank for r in results)
        total = None if broken or not usable else _round(key, sum(usable))
        span = f"{cells[0].cell}:{cells[-1].cell}"
        raws = "；".join(f"{c.row_label or c.cell}={raw_text(c.raw)}" for c in cells if c.raw not in (None, ""))
        note = f"无合计行，{len(cells)}行相加" + ("；含无法识别的值，未合计" if broken else "")
        parsed.append((key, total, raws, cells[0].sheet, span, note))
    if located.summed:
        issues.append(Issue("info", "rows_summed", f"表中有{located.summed}行分项数据但没有“合计”行，已将各行相加作为"
                                                   "本单位数据；如有合计数请在表中注明。", source_file, located.sheet))
    for sub in located.subtotals:
        parsed.append((f"{SUBTOTAL_PREFIX}{sub.category}", parse_value(sub.raw, MONEY_KEYS[0] if "经费" in sub.category
                       else FIELD_KEYS[0]).value, raw_text(sub.raw), sub.sheet, sub.cell, "单位填写的小计/合计"))
    return tuple(parsed), tuple(issues)


def _round(key: str, value: float) -> float:
    return round(value, 6) if BY_KEY[key].is_money else float(round(value))


# ---------------------------------------------------------------- the batch (parent side)

def _worker_init(memory_bytes: int | None) -> None:
    """Ignore Ctrl-C (the parent handles it) and cap how much more memory this worker may take."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_bytes:
        try:
            import resource

            in_use = _data_in_use()
            if not in_use:  # no /proc: leave the limit alone rather than guess
                return
            _, hard = resource.getrlimit(resource.RLIMIT_DATA)
            limit = in_use + memory_bytes  # a forked worker inherits the parent's mappings
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
        except (ImportError, ValueError, OSError):
            pass


def _data_in_use() -> int:
    """This process's data segment (VmData) in bytes; 0 where /proc is not available."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _task(args: tuple[str, str, int | None, Limits]) -> FileOutcome:
    path, source_file, year, limits = args
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(limits.seconds_per_file)
    try:
        return process_file(Path(path), source_file, year, limits)
    except ReadTimeout:
        return _crashed(source_file, limits, timed_out=True)
    finally:
        if hasattr(signal, "SIGALRM"):
            signal.alarm(0)


class ReadTimeout(BaseException):
    """Raised by the alarm in a worker; a BaseException so that no reader's ``except`` swallows it."""


def _on_alarm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise ReadTimeout


def _crashed(source_file: str, limits: Limits, timed_out: bool) -> FileOutcome:
    if timed_out:
        message = (f"读取超过 {limits.seconds_per_file} 秒（Limits.seconds_per_file）仍未完成，已跳过。"
                   "请检查文件是否过大或另存为新文件后重新报送。")
        return FileOutcome(source_file, issues=(Issue("error", "file_timeout", message, source_file),))
    message = ("读取该文件时读取进程异常终止（可能是文件过大、已损坏或被构造为耗尽内存），已跳过。"
               "请另存为新文件后重新报送。")
    return FileOutcome(source_file, issues=(Issue("error", "file_crashed_reader", message, source_file),))


def run_tasks(tasks: list[tuple[str, str, int | None, Limits]], workers: int, progress=None,
              memory_bytes: int | None = WORKER_MEMORY) -> list[FileOutcome]:
    """Run ``_task`` over ``tasks`` in worker processes; a dead or hung worker costs only its file."""
    results: dict[str, FileOutcome] = {}
    pending = list(tasks)
    if pending:
        _run_pool(pending, workers, results, progress, memory_bytes)
    for task in pending:
        if task[1] not in results:  # the pool broke or hung: each remaining file alone
            results[task[1]] = _run_alone(task, memory_bytes)
            if progress is not None:
                progress.update(1)
    return [results[t[1]] for t in tasks]


def _run_chunk(chunk: list[tuple[str, str, int | None, Limits]]) -> list[FileOutcome]:
    return [_task(task) for task in chunk]


def _run_pool(tasks, workers, results, progress, memory_bytes) -> None:
    """Files go to the workers in small chunks (less inter-process traffic); any chunk that fails is left
    out of ``results`` so that its files are retried one by one."""
    limits: Limits = tasks[0][3]
    size = max(1, min(16, len(tasks) // (4 * max(1, workers))))
    chunks = [tasks[i:i + size] for i in range(0, len(tasks), size)]
    with ProcessPoolExecutor(max_workers=max(1, workers), initializer=_worker_init,
                             initargs=(memory_bytes,)) as pool:
        futures: dict[Future, list] = {pool.submit(_run_chunk, chunk): chunk for chunk in chunks}
        remaining = set(futures)
        while remaining:
            done, remaining = wait(remaining, timeout=limits.seconds_per_file * size + 10, return_when=FIRST_COMPLETED)
            if not done:  # no progress at all: a worker hangs in native code
                _kill(pool)
                return
            for fut in done:
                try:
                    outcomes = fut.result()
                except BaseException:  # noqa: BLE001 - a dead worker (BrokenProcessPool), or an unpicklable result
                    continue
                for outcome in outcomes:
                    results[outcome.source_file] = outcome
                if progress is not None:
                    progress.update(len(outcomes))


def _run_alone(task, memory_bytes) -> FileOutcome:
    limits: Limits = task[3]
    pool = ProcessPoolExecutor(max_workers=1, initializer=_worker_init, initargs=(memory_bytes,))
    try:
        return pool.submit(_task, task).result(timeout=limits.seconds_per_file + 10)
    except TimeoutError:
        _kill(pool)
        return _crashed(task[1], limits, timed_out=True)
    except BaseException:  # noqa: BLE001 - a dead worker, or a result that cannot be pickled back
        return _crashed(task[1], limits, timed_out=False)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()


def walk(raw_dir: Path) -> tuple[list[Path], list[Issue]]:
    """Every file under ``raw_dir`` in a stable order; links and odd entries become issues."""
    files, issues = [], []
    raw_dir = Path(raw_dir)
    root = raw_dir.resolve()
    for dirpath, dirnames, filenames in os.walk(raw_dir, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        for name in list(dirnames):
            rel = (here / name).relative_to(raw_dir).as_posix()
            if (here / name).is_symlink():
                dirnames.remove(name)
                issues.append(Issue("warning", "link_skipped", "这是一个指向其他位置的快捷方式（链接）文件夹，未读取。"
                                                               "请把文件本身放入文件夹。", rel))
            elif Path(name).suffix.lower() in TABLE_EXT:
                issues.append(Issue("warning", "directory_named_like_file", f"“{name}”是文件夹而不是文件，"
                                                                            "已按文件夹读取其中内容。", rel))
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(raw_dir).as_posix()
            if path.is_symlink():
                target = path.resolve()
                if not target.exists() or root not in target.parents:
                    issues.append(Issue("error", "link_skipped", "这是一个快捷方式（链接），指向的文件不存在或在报送文件夹之外，"
                                                                 "未读取。请把文件本身放入文件夹。", rel))
                    continue
            if not path.is_file():
                issues.append(Issue("warning", "not_a_file", "这不是普通文件（设备、管道等），未读取。", rel))
                continue
            files.append(path)
    return files, issues


def _revision_rank(outcome: FileOutcome) -> tuple:
    stem = Path(outcome.source_file).stem
    m = _REVISION.findall(stem)
    final = any(g[0] for g in m)
    revised = any(g[1] for g in m)
    version = max([int(g[2] or g[3] or 0) for g in m], default=0)
    return (final, revised or version > 0, version, outcome.mtime, outcome.source_file)


Candidate = tuple[str, str, "Unit | None"]  # (where: 盖章栏/文件名/文件夹, the text, the registered unit or None)


def unit_candidates(source_file: str, stamp: str, registry: Registry) -> list[Candidate]:
    """Where a return names its unit, most trusted first: the 盖章 line, the file name, the folders inward-out."""
    rel = Path(source_file)
    texts = [("盖章栏", stamp), ("文件名", rel.stem), *[("文件夹", p) for p in reversed(rel.parts[:-1])]]
    return [(source, text, registry.resolve(text) if text else None) for source, text in texts]


def resolve_unit(source_file: str, stamp: str, candidates: list[Candidate]) -> tuple[str, str, str]:
    """(unit name, kind, where it came from); an unregistered name is kept as written, kind ``other``."""
    for source, _, unit in candidates:
        if unit:
            return unit.name, unit.kind, source
    rel = Path(source_file)
    written = stamp or (rel.parts[0] if len(rel.parts) > 1 else fold_name(rel.stem)) or rel.stem
    return written, "other", ""


def unit_conflict(source_file: str, candidates: list[Candidate]) -> Issue | None:
    """A warning when the 盖章 line and the file or folder name name different registered units."""
    found = [(source, unit) for source, _, unit in candidates if unit]
    if len({unit.name for _, unit in found}) < 2:
        return None
    (first_source, first), (other_source, other) = found[0], next(f for f in found if f[1].name != found[0][1].name)
    return Issue("warning", "unit_conflict", f"{first_source}写的是“{first.name}”，但{other_source}指向“{other.name}”："
                                             f"已按“{first.name}”计入，请核实该表属于哪个单位。", source_file,
                 unit=first.name)


def ingest(raw_dir: Path, out_dir: Path | None = None, year: int | None = None, workers: int | None = None,
           progress: bool = False, limits: Limits = DEFAULT_LIMITS, registry: Registry | None = None,
           units_csv: Path = UNITS_CSV) -> IngestResult:
    """Read every return under ``raw_dir``; write the tables to ``out_dir`` when given."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"报送文件夹不存在：{raw_dir}")
    year = year if year is not None else year_of(raw_dir)
    registry = registry or Registry.load(units_csv)
    paths, issues = walk(raw_dir)
    kinds = {p: "project" if p.parent == raw_dir and p.name in PROJECT_FILES else classify(p) for p in paths}
    tasks = [(str(p), p.relative_to(raw_dir).as_posix(), year, limits) for p in paths if kinds[p] == "table"]
    bar = _progress(len(tasks)) if progress else None
    try:
        workers = workers or min(os.cpu_count() or 1, max(1, len(tasks) // 8))  # a few files: one reader is enough
        outcomes = {o.source_file: o for o in run_tasks(tasks, workers, bar)}
    finally:
        if bar is not None:
            bar.close()
    result = assemble(raw_dir, paths, kinds, outcomes, issues, registry, year)
    if out_dir is not None:
        write_result(result, Path(out_dir))
    return result


def _progress(total: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="读取报表", unit="个", leave=False)


def assemble(raw_dir: Path, paths: list[Path], kinds: dict[Path, str], outcomes: dict[str, FileOutcome],
             issues: list[Issue], registry: Registry, year: int | None) -> IngestResult:
    """Decide units, revisions and statuses; build the four tables."""
    issues = list(issues)
    # entries that are not readable files (links, folders named like files, devices) are inventoried too
    file_rows: list[dict] = [dict(source_file=i.source_file, kind="other",
                                  status="error" if i.severity == "error" else "skipped", unit="", sha256="")
                             for i in issues if i.code in ("link_skipped", "not_a_file")]
    forms: dict[str, list[tuple[FileOutcome, str, str]]] = {}
    unit_of: dict[str, str] = {}
    for path in paths:
        rel = path.relative_to(raw_dir).as_posix()
        kind = kinds[path]
        outcome = outcomes.get(rel)
        if outcome is None:  # not a table: photo, video, document, system or project file
            sha = _safe_sha(path)
            if kind in ("system", "project"):
                file_rows.append(dict(source_file=rel, kind="other", status="skipped", unit="", sha256=sha))
            else:
                file_rows.append(dict(source_file=rel, kind=kind, status="skipped", unit=_unit_from_path(rel, registry),
                                      sha256=sha))
            continue
        issues.extend(outcome.issues)
        if not outcome.sha256:  # a crashed or timed-out worker: hash the file here
            outcome = replace(outcome, sha256=_safe_sha(path))
        if outcome.kind == "form":
            candidates = unit_candidates(rel, outcome.stamp, registry)
            unit, unit_kind, source = resolve_unit(rel, outcome.stamp, candidates)
            unit_of[rel] = unit
            if _is_blank_template(outcome):
                file_rows.append(dict(source_file=rel, kind="form", status="skipped", unit="", sha256=outcome.sha256))
                issues.append(Issue("info", "blank_template", "这是未填写任何数值的空白统计表（模板），未计入。"
                                                              "如这是本单位的报表，请填写后重新报送。", rel))
                unit_of.pop(rel)
                continue
            issues.extend(registry.notes(rel, [(where, text) for where, text, _ in candidates]))
            conflict = unit_conflict(rel, candidates)
            if conflict:
                issues.append(conflict)
            if not source:
                issues.append(Issue("warning", "unit_unknown", f"无法确定报送单位，暂按“{unit}”记录。请在表头“地方/部门"
                                                               "（盖章）”处填写单位全称，或在单位名录中登记该单位。",
                                    rel, unit=unit))
            forms.setdefault(unit, []).append((outcome, unit_kind, source))
            file_rows.append(dict(source_file=rel, kind="form", status="accepted", unit=unit, sha256=outcome.sha256))
        else:
            status = "error" if any(i.severity == "error" for i in outcome.issues) else "skipped"
            unit = _unit_from_path(rel, registry)
            file_rows.append(dict(source_file=rel, kind=outcome.kind, status=status, unit=unit, sha256=outcome.sha256))
    file_rows.sort(key=lambda row: row["source_file"])
    status_of = {row["source_file"]: row for row in file_rows}
    accepted: list[tuple[FileOutcome, str, str]] = []
    for unit, group in forms.items():
        group.sort(key=lambda g: _revision_rank(g[0]), reverse=True)
        accepted.append((group[0][0], unit, group[0][1]))
        for outcome, _, _ in group[1:]:
            status_of[outcome.source_file]["status"] = "superseded"
            issues.append(Issue("info", "superseded_revision", f"“{unit}”报送了多份统计表，采用较新的“"
                                                               f"{group[0][0].source_file}”，本文件不计入。",
                                outcome.source_file, unit=unit))
    returns = _returns_frame(accepted)
    values = _values_frame(forms, status_of)
    issues = [_with_unit(i, unit_of) for i in issues]
    meta = {"year": year, "demo": is_demo(raw_dir), "raw_dir": _shown_path(raw_dir),
            "units_expected": [u.name for u in registry.roster(year)]}
    files = pd.DataFrame(file_rows, columns=list(FILE_COLUMNS), dtype="str")
    return IngestResult(returns, values, issues_frame(issues), files, meta)


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


def _unit_from_path(rel: str, registry: Registry) -> str:
    """The registered unit a file's name or folders point to ("" when none): for photos, summaries …"""
    return next((unit.name for _, _, unit in unit_candidates(rel, "", registry) if unit), "")


def _is_blank_template(outcome: FileOutcome) -> bool:
    return all(v is None for key, v, *_ in outcome.parsed if not key.startswith(SUBTOTAL_PREFIX))


def _with_unit(issue: Issue, unit_of: dict[str, str]) -> Issue:
    if issue.unit or issue.source_file not in unit_of:
        return issue
    return Issue(issue.severity, issue.code, issue.message, issue.source_file, issue.sheet, issue.cell, issue.field,
                 unit_of[issue.source_file])


def _returns_frame(accepted: Iterable[tuple[FileOutcome, str, str]]) -> pd.DataFrame:
    rows = []
    for outcome, unit, unit_kind in accepted:
        row = {"source_file": outcome.source_file, "unit": unit, "unit_kind": unit_kind}
        row.update({key: value for key, value, *_ in outcome.parsed if key in BY_KEY})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(RETURN_COLUMNS))
    return typed_returns(frame)


def typed_returns(frame: pd.DataFrame) -> pd.DataFrame:
    """Money as float, counts as nullable integers, text as str; sorted by unit."""
    out = frame.copy()
    for key in FIELD_KEYS:
        numbers = pd.to_numeric(out[key], errors="coerce")
        out[key] = numbers.astype("float64") if BY_KEY[key].is_money else numbers.round().astype("Int64")
    for col in ("source_file", "unit", "unit_kind"):
        out[col] = out[col].astype("str")
    return out.sort_values(["unit_kind", "unit"], kind="stable").reset_index(drop=True)


def _values_frame(forms: dict[str, list[tuple[FileOutcome, str, str]]], status_of: dict[str, dict]) -> pd.DataFrame:
    rows = []
    for unit, group in forms.items():
        for outcome, _, _ in group:
            status = status_of[outcome.source_file]["status"]
            for key, value, raw, sheet, cell, note in outcome.parsed:
                rows.append(dict(source_file=outcome.source_file, unit=unit, field=key, value=value, raw_text=raw,
                                 sheet=sheet, cell=cell, status=status, note=note))
    frame = pd.DataFrame(rows, columns=list(VALUE_COLUMNS))
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    return frame.sort_values(["source_file", "field"], kind="stable", key=_field_order).reset_index(drop=True)


def _field_order(col: pd.Series) -> pd.Series:
    if col.name != "field":
        return col
    order = {k: i for i, k in enumerate(FIELD_KEYS)}
    return col.map(lambda k: order.get(k, len(order)))


def write_result(result: IngestResult, out_dir: Path) -> None:
    """The four tables as CSV (UTF-8 with BOM) and Parquet, plus meta.json, replaced together.

    Everything is written to temporary files first; only when all are complete are they renamed over the
    previous outputs, so a failure leaves the previous run's tables as they were.
    """
    from analysis.outputs import csv_writer, parquet_writer, replace_together, text_writer

    jobs = []
    for name in TABLES:
        frame = getattr(result, name)
        jobs += [(out_dir / f"{name}.csv", csv_writer(frame)), (out_dir / f"{name}.parquet", parquet_writer(frame))]
    meta = json.dumps(result.meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    jobs.append((out_dir / "meta.json", text_writer(meta)))
    replace_together(jobs)


def is_processed(out_dir: Path) -> bool:
    """True when ``out_dir`` holds a written returns table."""
    return (Path(out_dir) / "returns.parquet").is_file() or (Path(out_dir) / "returns.csv").is_file()


def read_meta(out_dir: Path) -> dict:
    """meta.json of a processed folder ({} when absent)."""
    path = Path(out_dir) / "meta.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def load_processed(out_dir: Path) -> IngestResult:
    """Read a processed year folder back with the right dtypes."""
    out_dir = Path(out_dir)
    frames = {}
    for name in TABLES:
        parquet = out_dir / f"{name}.parquet"
        frames[name] = pd.read_parquet(parquet) if parquet.is_file() else pd.read_csv(out_dir / f"{name}.csv",
                                                                                    encoding="utf-8-sig", dtype="str")
    frames["returns"] = typed_returns(frames["returns"])
    return IngestResult(frames["returns"], frames["values"], frames["issues"], frames["files"], read_meta(out_dir))
