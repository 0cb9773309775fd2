"""One table-bearing file → a FileOutcome: pre-flight, read, locate and parse (runs in a worker process)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from analysis.form import CURRENT, FIELD_KEYS, MONEY_KEYS, SUBTOTAL_PREFIX, Form, form_for
from analysis.intake.locate import Located, count_labels, locate
from analysis.intake.readers import LEGACY_WORD_EXT, WORD_EXT, read_grids
from analysis.intake.records import FileOutcome, ParsedCell
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused
from analysis.intake.template_form import recognise
from analysis.intake.values import parse_value, raw_text
from analysis.issues import Issue


class ReadTimeout(BaseException):
    """Raised by the alarm in a worker; a BaseException so that no reader's ``except`` swallows it."""


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
        form = form_for(year)
        located = locate(grids, year)
        template = recognise(path, grids, form, located)  # the package's own template: by name / tag, exact
        located = template.located if template is not None else located
        if located is None:
            kind, issues = _without_form(path, source_file, grids)
            return FileOutcome(source_file, sha, kind, issues=unreadable + issues, mtime=mtime)
        parsed, issues = parse_located(located, source_file, form)
        parsed = template.annotate(parsed) if template is not None else parsed
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


def _without_form(path: Path, source_file: str, grids: list) -> tuple[str, tuple[Issue, ...]]:
    """Kind of a table-bearing file in which no form was found, and whether a person should look at it.

    A Word file with prose is a summary (no issue).  A file named like the form, a CSV, a sheet holding some of
    the form's labels, or a very large sheet gets a warning; an unrelated workbook only an info line.
    """
    is_word = path.suffix.lower() in WORD_EXT + LEGACY_WORD_EXT
    paragraphs = sum(len(g.rows) for g in grids if g.sheet == "正文")
    named_like_form = any(word in path.stem for word in ("统计表", "附件", "开展情况"))
    if is_word and paragraphs >= 3 and not named_like_form:
        return "summary", ()
    labels = max((count_labels(g) for g in grids), default=0)
    cells = sum(len(row) for g in grids for row in g.rows)
    attention = named_like_form or path.suffix.lower() == ".csv" or labels >= 3 or cells > 100_000
    message = ("文件中未找到统计表（按标签识别到的项目不足），未计入。" +
               ("如这是统计表，请按通知附件的格式填写后重新报送。" if attention else "如不是统计表可忽略。"))
    issue = Issue("warning" if attention else "info", "no_form_found", message, source_file)
    return ("document" if is_word else "other"), (issue,)


def parse_located(located: Located, source_file: str,
                  form: Form = CURRENT) -> tuple[tuple[ParsedCell, ...], tuple[Issue, ...]]:
    """Parse every located raw cell of the form's items; sum the rows of a wide table that has no 合计 row."""
    parsed: list[ParsedCell] = []
    issues: list[Issue] = [replace(finding, source_file=source_file) for finding in located.findings]
    for key in form.keys:
        cells = located.cells.get(key)
        if not cells:
            issues.append(Issue("warning", "field_not_found", f"表中未找到“{form.by_key[key].label}”一项，请按通知附件的"
                                                              "统计表格式补报该项。", source_file, located.sheet, "", key))
            parsed.append(ParsedCell(key, None, "", located.sheet, "", "未找到该项"))
            continue
        results = [parse_value(c.raw, key, located.declared.get(key)) for c in cells]
        for cell, result in zip(cells, results):
            for finding in result.findings:
                issues.append(Issue(finding.severity, finding.code, finding.message, source_file, cell.sheet,
                                    cell.cell, key))
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
        issues.append(Issue("info", "rows_summed", f"表中有{located.summed}行分项数据但没有“合计”行，已将各行相加作为"
                                                   "本单位数据；如有合计数请在表中注明。", source_file, located.sheet))
    for sub in located.subtotals:
        measure_key = MONEY_KEYS[0] if "经费" in sub.category else FIELD_KEYS[0]
        parsed.append(ParsedCell(f"{SUBTOTAL_PREFIX}{sub.category}", parse_value(sub.raw, measure_key).value,
                                 raw_text(sub.raw), sub.sheet, sub.cell, "单位填写的小计/合计"))
    return tuple(parsed), tuple(issues)


def _round(money: bool, value: float) -> float:
    return round(value, 6) if money else float(round(value))
