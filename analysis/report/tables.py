"""Chinese-headed views of the processed tables, for notebooks and exports.  Pure functions."""

from __future__ import annotations

import pandas as pd

from analysis.form import BY_KEY, FIELD_KEYS, MONEY_KEYS
from analysis.intake.units import KIND_ZH
from analysis.issues import SEVERITIES, SEVERITY_ZH, STATUS_ZH, STATUSES, code_title, readable

FILE_KIND_ZH = {
    "form": "统计表",
    "summary": "总结",
    "photo": "照片",
    "video": "视频",
    "document": "文档",
    "other": "其他",
}
FILE_STATUS_ZH = {
    "accepted": "采用",
    "superseded": "被新版本替代",
    "stamped": "盖章件",
    "skipped": "跳过",
    "error": "出错",
}


def files_table(files: pd.DataFrame) -> pd.DataFrame:
    """Every file seen, with kind and status in Chinese."""
    return pd.DataFrame(
        {
            "文件": files["source_file"],
            "类型": files["kind"].map(FILE_KIND_ZH).fillna(files["kind"]),
            "处理结果": files["status"].map(FILE_STATUS_ZH).fillna(files["status"]),
            "单位": files["unit"].fillna(""),
        }
    )


def provenance_table(values: pd.DataFrame, unit: str | None = None, rows: int = 8) -> pd.DataFrame:
    """Where the numbers of one unit's accepted return came from (the first unit when none is given): file,
    sheet, cell, the text as written, the value taken and what was done to it."""
    accepted = values[(values["status"] == "accepted") & values["field"].isin(FIELD_KEYS)]
    if unit is None and not accepted.empty:
        unit = accepted["unit"].iloc[0]
    shown = accepted[accepted["unit"] == unit].head(rows)
    return pd.DataFrame(
        {
            "单位": shown["unit"],
            "项目": shown["field"].map(lambda k: BY_KEY[k].label),
            "文件": shown["source_file"],
            "工作表": shown["sheet"],
            "单元格": shown["cell"],
            "原文": shown["raw_text"],
            "采用数值": shown["value"],
            "处理说明": shown["note"],
        }
    )


def issue_counts(issues: pd.DataFrame) -> pd.DataFrame:
    """Counts by code and severity (severity columns in Chinese)."""
    if issues.empty:
        return pd.DataFrame(columns=["问题", "问题代码", *[SEVERITY_ZH[s] for s in SEVERITIES], "合计"])
    table = pd.crosstab(issues["code"], issues["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    table.columns = [SEVERITY_ZH[s] for s in SEVERITIES]
    table["合计"] = table.sum(axis=1)
    table = table.sort_values(["错误", "警告", "合计"], ascending=False).reset_index(names="问题代码")
    table.insert(0, "问题", table["问题代码"].map(code_title))
    return table


def issues_table(issues: pd.DataFrame, severities: tuple[str, ...] = ("error", "warning")) -> pd.DataFrame:
    """Issues of the given severities, for people (see :func:`analysis.issues.readable`)."""
    return readable(issues[issues["severity"].isin(severities)])


def materials_table(materials: pd.DataFrame) -> pd.DataFrame:
    """The per-unit materials checklist (``materials.checklist``) with Chinese headers."""
    from analysis.review.materials import CHECKLIST_ZH

    return materials.rename(columns=CHECKLIST_ZH)


def returns_table(returns: pd.DataFrame) -> pd.DataFrame:
    """Accepted returns: unit, kind and the 20 items with Chinese headers; 万元 rounded to 2 decimals."""
    out = returns[["unit", "unit_kind", *FIELD_KEYS]].copy()
    out["unit_kind"] = out["unit_kind"].map(KIND_ZH).fillna(out["unit_kind"])
    out = out.round({k: 2 for k in MONEY_KEYS})
    return out.rename(columns={"unit": "单位", "unit_kind": "类别", **{k: BY_KEY[k].headed for k in FIELD_KEYS}})


def ledger_state(issues: pd.DataFrame) -> pd.DataFrame:
    """Errors and warnings by where they stand after the review ledger (待核实 / 已确认无误 / 已更正)."""
    serious = issues[issues["severity"].isin(("error", "warning"))]
    status = serious["status"].fillna("open") if "status" in serious else pd.Series("open", index=serious.index)
    counts = status.value_counts().reindex(list(STATUSES), fill_value=0)
    return pd.DataFrame({"核实状态": [STATUS_ZH[s] for s in STATUSES], "问题数": counts.to_numpy()})


def decisions_table(decisions: pd.DataFrame) -> pd.DataFrame:
    """Every ledger decision applied (``review.csv``), for people."""
    d = decisions
    return pd.DataFrame(
        {
            "单位": d["unit"],
            "项目": d["field"].map(lambda k: BY_KEY[k].display if k in BY_KEY else ""),
            "问题": d["code"].map(code_title),
            "处理": d["action"],
            "原值": d["original"],
            "更正值": d["corrected"],
            "依据": d["basis"],
            "核实人": d["checker"],
            "核实日期": d["checked_on"],
            "台账行": d["ledger_row"],
        }
    ).reset_index(drop=True)
