"""Issue rows: every problem found in a return, located and explained in Chinese.

An :class:`Issue` is data, never an exception.  Codes are stable identifiers
(``snake_case``), severities are ``error`` (the value or file cannot be used),
``warning`` (used or left out, but a person must look) and ``info`` (what was
done, for the record).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
# Where a finding stands after the review ledger: still to settle, confirmed by the unit, or corrected.
STATUSES: tuple[str, ...] = ("open", "confirmed", "corrected")
STATUS_ZH = {"open": "待核实", "confirmed": "已确认无误", "corrected": "已更正"}

# The catalogue of issue codes with a short Chinese title each (tests check that every code used has one).
CODE_TITLES = {
    "missing_return": "未报送统计表",
    "field_not_reported": "项目未填写",
    "small_field_too_large": "数量明显偏大",
    "money_in_yuan_suspect": "疑似元填成万元",
    "ratio_implausible": "比例异常",
    "outlier_mad": "与同类单位差异过大",
    "yoy_jump": "与上年相差十倍以上",
    "reports_lt_outlets": "报道少于媒体数",
    "most_tasks_gt_events": "承接任务多于活动次数",
    "subtotal_mismatch": "小计与分项不符",
    "county_media_reports_lt2": "宣传报道少于2篇",
    "late_return": "逾期报送",
    "deadline_unknown": "截止日期未知",
    "received_csv_invalid": "收件登记表有误",
    "video_too_long": "视频超过3分钟",
    "video_duration_unknown": "视频时长无法读取",
    "materials_missing": "材料不全",
    "schema_violation": "处理结果格式错误",
    "field_not_found": "未找到项目",
    "value_unparsed": "数值无法识别",
    "value_unknown": "数值不详",
    "value_range": "填写了范围",
    "value_formula_error": "公式错误",
    "value_unit_mismatch": "计量单位不符",
    "value_negative": "数值为负",
    "value_fraction": "数量不是整数",
    "value_converted_yuan": "元已换算为万元",
    "value_approx": "约数",
    "value_remark": "数值带备注",
    "rows_summed": "分项已相加",
    "superseded_revision": "采用较新版本",
    "unit_unknown": "报送单位无法确定",
    "unit_official_name": "按单位全称对应",
    "unit_ambiguous": "单位名称可指多个单位",
    "no_form_found": "未找到统计表",
    "blank_template": "空白模板",
    "file_unreadable": "文件无法打开",
    "file_timeout": "读取超时",
    "file_crashed_reader": "文件读取失败",
    "link_skipped": "快捷方式未读取",
    "not_a_file": "不是普通文件",
    "directory_named_like_file": "文件夹名似文件",
    "file_empty": "空文件",
    "file_too_large": "文件过大",
    "file_encrypted": "文件已加密",
    "file_corrupt": "文件已损坏",
    "file_wrong_format": "扩展名与内容不符",
    "file_ext_mismatch": "已按实际格式读取",
    "file_not_table": "不是表格文件",
    "file_xml_entity": "不安全的XML声明",
    "file_limit_members": "文件部件过多",
    "file_limit_unzipped": "解压后过大",
    "file_limit_ratio": "压缩比异常",
    "file_limit_sheets": "工作表过多",
    "file_limit_cells": "表格过大",
    "sheet_unreadable": "工作表无法读取",
    "csv_nul_bytes": "CSV含空字符",
    "csv_line_too_long": "CSV行过长",
    "csv_malformed": "CSV格式有误",
    "docx_nested_tables": "表格嵌套过深",
    "value_too_large": "数值大得不合常理",
    "unit_conflict": "报送单位不一致",
    "doc_legacy": "旧版Word格式",
    "doc_convert_failed": "旧版Word转换失败",
    "review_unreadable": "核实台账无法使用",
    "review_invalid": "台账行无法采用",
    "review_stale": "台账原值已过时",
    "review_unknown_unit": "台账单位不存在",
    "review_unknown_field": "台账项目不存在",
    "review_unknown_file": "台账文件不存在",
    "summary_mismatch": "总结与统计表数字不符",
    "history_invalid": "历年上报数有误",
    "form_sheet_chosen": "多张分表中选定汇总表",
    "form_sheet_ambiguous": "多张统计表无法确定",
    "value_number_format": "按单元格显示值读取",
    "value_parse_error": "数值读取出错",
    "file_name_not_utf8": "文件名编码非UTF-8",
    "archive_rar_unsupported": "RAR压缩包未读取",
    "archive_too_deep": "压缩包嵌套过深",
    "archive_time_limit": "压缩包读取超时",
    "archive_member_skipped": "压缩包成员未读取",
    "image_too_large": "图片尺寸过大",
    "ocr_not_installed": "未安装文字识别",
    "ocr_value": "文字识别读出的数值",
    "ocr_low_confidence": "文字识别置信度低",
    "ocr_unpaired": "文字识别未能对应到本行",
    "ocr_unverified": "文字识别结果待核对",
    "scan_no_form": "扫描件未识别出统计表",
    "stamped_copy": "盖章件",
    "stamped_copy_differs": "盖章件与电子版不一致",
    "form_export": "在线表单导出表",
    "form_export_uncertain": "无法判断是否为导出表",
    "form_export_no_unit": "导出表中的行未填单位",
    "form_export_too_large": "导出表过大",
    "form_export_blank_row": "导出表中的空行",
    "form_export_duplicate": "导出表中两行数据相同",
    "mail_corrupt": "邮件无法解析",
    "mail_no_attachment": "邮件没有可用附件",
    "mail_attachment_name": "邮件附件名无法解码",
}


def code_title(code: str) -> str:
    """Short Chinese title of an issue code (the code itself when unknown)."""
    return CODE_TITLES.get(code, code)


def issue_field(field: object) -> str:
    """The ``field`` of an issue row as people read it: the item's name, "小计：<category>" for a subtotal.

    Empty when not applicable (also NaN, as read back from ``issues.csv``); other text is kept.
    """
    from analysis.form import BY_KEY, SUBTOTAL_PREFIX

    if not isinstance(field, str):
        return ""
    if field in BY_KEY:
        return BY_KEY[field].display
    if field.startswith(SUBTOTAL_PREFIX):
        return f"小计：{field[len(SUBTOTAL_PREFIX) :]}"
    return field


# Chinese headers of issue tables (notebooks, summary.xlsx, 反馈清单.xlsx), in display order.
ISSUE_HEADERS_ZH: dict[str, str] = {
    "severity": "严重程度",
    "title": "问题",
    "code": "问题代码",
    "unit": "单位",
    "source_file": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "field": "项目",
    "message": "说明及修改要求",
    "status": "核实状态",
}


def readable(frame: pd.DataFrame, columns: tuple[str, ...] = tuple(ISSUE_HEADERS_ZH)) -> pd.DataFrame:
    """Issue rows for people: severity, code title and item names in Chinese, Chinese headers, chosen columns."""
    import pandas as pd  # here, not at the top: the reader processes use Issue and never load pandas

    status = frame["status"] if "status" in frame else pd.Series("open", index=frame.index)
    shown = frame.assign(
        severity=frame["severity"].map(lambda s: SEVERITY_ZH.get(s, s)),
        title=frame["code"].map(code_title),
        field=frame["field"].map(issue_field),
        status=[
            STATUS_ZH.get(s, s) if sev in ("error", "warning") else ""
            for s, sev in zip(status.fillna("open").replace("", "open"), frame["severity"])
        ],
    )
    return shown[list(columns)].rename(columns=ISSUE_HEADERS_ZH).reset_index(drop=True)


ISSUE_COLUMNS: tuple[str, ...] = (
    "severity",
    "code",
    "source_file",
    "sheet",
    "cell",
    "field",
    "unit",
    "message",
    "status",
)


@dataclass(frozen=True)
class Issue:
    """One located finding.  Empty strings mean "not applicable"."""

    severity: Severity
    code: str
    message: str
    source_file: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    unit: str = ""
    status: str = "open"

    def row(self) -> dict[str, str]:
        return {c: getattr(self, c) for c in ISSUE_COLUMNS}


def issues_frame(issues: Iterable[Issue]) -> pd.DataFrame:
    """Issues as a table with the contract's columns, sorted for stable output."""
    import pandas as pd  # see readable

    frame = pd.DataFrame([i.row() for i in issues], columns=list(ISSUE_COLUMNS), dtype="str")
    if frame.empty:
        return frame
    rank = frame["severity"].map({s: n for n, s in enumerate(SEVERITIES)})
    frame = frame.assign(_rank=rank).sort_values(
        ["_rank", "source_file", "sheet", "cell", "code", "field", "message"], kind="stable"
    )
    return frame.drop(columns="_rank").drop_duplicates().reset_index(drop=True)


def summarize(frame: pd.DataFrame) -> str:
    """A short Chinese count of issues by severity and code (Chinese title first), for the end of a run."""
    if frame.empty:
        return "未发现数据问题。"
    counts = Counter(zip(frame["severity"], frame["code"]))
    lines = [f"数据问题共 {len(frame)} 条："]
    for sev in SEVERITIES:
        n = int((frame["severity"] == sev).sum())
        if n:
            lines.append(f"  {SEVERITY_ZH[sev]} {n} 条")
            for (s, code), k in sorted(counts.items()):
                if s == sev:
                    title = code_title(code)
                    lines.append(f"    {code}: {k}" if title == code else f"    {title} {code}: {k}")
    return "\n".join(lines)


OPEN_STATUSES = ("", "open")  # review-ledger status of a finding nobody has settled yet (blank = no ledger)


def is_open(frame: pd.DataFrame) -> pd.Series:
    """True for each error/warning row still open: ``status`` missing (no ledger yet), blank or "open".

    Rows marked ``confirmed`` or ``corrected`` in the review ledger, and every info row, are not open.
    """
    serious = frame["severity"].isin(("error", "warning"))
    if "status" not in frame.columns:
        return serious
    status = frame["status"].fillna("").astype(str).str.strip()
    return serious & status.isin(OPEN_STATUSES)


def open_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """The error and warning findings still to settle (the rows :func:`is_open` marks)."""
    return frame[is_open(frame)]
