"""A recognised online-form export → one return per row, each an archive-like member of the export file.

Row ``N`` of ``结果.xlsx`` is the member ``结果.xlsx/第N行``: files.csv lists the export and each row (with its
unit and status), values.csv and the issues point at the answer's own sheet and cell, and the received date is
the row's submit time.  A later submission of the same unit supersedes the earlier one through the ordinary
revision rule (its time is the row's submit time).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from analysis.form import Form
from analysis.intake.form_export import Export, ExportRow, Undecided
from analysis.intake.records import FileOutcome, ParsedCell
from analysis.intake.values import parse_value, raw_text
from analysis.issues import Issue

SUBMIT_TIME_SOURCE = "在线表单提交时间"


def row_name(source_file: str, row: int) -> str:
    """The source_file of an export's row: ``<export>/第N行`` (N as Excel numbers the row)."""
    return f"{source_file}/第{row}行"


def export_outcome(export: Export, source_file: str, sha: str, mtime: float, form: Form) -> FileOutcome:
    """The export file (kind other, like an archive) with one member per row."""
    sheet = f"工作表“{export.sheet}”" if export.sheet else ""
    issues: list[Issue] = [
        Issue(
            "info",
            "form_export",
            f"识别为在线表单导出的汇总表（{sheet}第{export.header_row}行为"
            f"题目），共{len(export.rows)}行，每行按一份报表读取。",
            source_file,
            export.sheet,
        )
    ]
    if export.missing:
        labels = "”“".join(form.by_key[k].label for k in export.missing)
        issues.append(
            Issue(
                "warning",
                "field_not_found",
                f"导出表中没有“{labels}”题，各单位的这些项目按未填报处理。如问卷漏设该题，请补充收集。",
                source_file,
                export.sheet,
            )
        )
    seen: dict[tuple, int] = {}
    members = []
    for row in export.rows:
        member = _row_outcome(export, row, source_file, mtime, form)
        answers = tuple((p.key, p.value) for p in member.parsed if p.value is not None)
        if answers and answers in seen:
            member = _with_issue(
                member,
                Issue(
                    "warning",
                    "form_export_duplicate",
                    f"第{row.row}行与第{seen[answers]}行的各项数据完全相同：请核实是否重复提交或填错了单位。",
                    member.source_file,
                    export.sheet,
                    f"A{row.row}",
                ),
            )
        seen.setdefault(answers, row.row)
        members.append(member)
    return FileOutcome(source_file, sha, "other", issues=tuple(issues), mtime=mtime, members=tuple(members))


def undecided_issue(found: Undecided, source_file: str) -> Issue:
    return Issue(
        "warning",
        "form_export_uncertain",
        f"无法判断“{source_file}”是在线表单导出的汇总表（每行一个单位）"
        f"还是一个单位的分项表（{found.reason}），已按一个单位的报表读取。"
        "请核实；如是导出表，请保留导出时的表头后重新放入。",
        source_file,
        found.sheet,
    )


def _with_issue(outcome: FileOutcome, issue: Issue) -> FileOutcome:
    return replace(outcome, issues=(*outcome.issues, issue))


def _row_outcome(export: Export, row: ExportRow, source_file: str, mtime: float, form: Form) -> FileOutcome:
    name = row_name(source_file, row.row)
    parsed: list[ParsedCell] = []
    issues: list[Issue] = []
    for key in form.keys:
        cell = row.cells.get(key)
        if cell is None:
            parsed.append(ParsedCell(key, None, "", export.sheet, "", "导出表中没有该题"))
            continue
        result = parse_value(cell.raw, key)
        issues += [Issue(f.severity, f.code, f.message, name, cell.sheet, cell.cell, key) for f in result.findings]
        parsed.append(ParsedCell(key, result.value, raw_text(cell.raw), cell.sheet, cell.cell, result.note))
    digest = hashlib.sha256("\x1f".join([row.unit, row.submitted_raw, *(p.raw for p in parsed)]).encode()).hexdigest()
    submitted = row.submitted
    # without a submit time, a later row is a later submission (the services append rows in order of submission)
    when = submitted.timestamp() if submitted is not None else mtime + row.row * 1e-3
    received = submitted.date().isoformat() if submitted is not None else ""
    if not row.unit:
        where = row.unit_cell or f"A{row.row}"
        asked = "“单位名称”题和提交者都为空" if export.has_unit_question else "导出表没有“单位名称”题，提交者也为空"
        issues.append(
            Issue(
                "warning",
                "form_export_no_unit",
                f"第{row.row}行{asked}，无法确定是哪个单位提交的，未计入。请向提交者核实后补报。",
                name,
                export.sheet,
                where,
            )
        )
        return FileOutcome(
            name,
            digest,
            "other",
            issues=tuple(issues),
            mtime=when,
            received=received,
            received_from=SUBMIT_TIME_SOURCE if received else "",
        )
    if all(p.value is None for p in parsed) and not issues:  # every question skipped: nothing reported
        issues.append(
            Issue(
                "info",
                "form_export_blank_row",
                f"第{row.row}行（{row.unit}）没有填写任何数值，未计入。",
                name,
                export.sheet,
                row.unit_cell or f"A{row.row}",
            )
        )
        return FileOutcome(
            name,
            digest,
            "other",
            issues=tuple(issues),
            mtime=when,
            received=received,
            received_from=SUBMIT_TIME_SOURCE if received else "",
        )
    return FileOutcome(
        name,
        digest,
        "form",
        row.unit,
        tuple(parsed),
        tuple(issues),
        when,
        stamp_from=row.unit_from,
        received=received,
        received_from=SUBMIT_TIME_SOURCE if received else "",
    )
