"""Online-form exports as the services write them: header row of meta columns and numbered question texts."""

from __future__ import annotations

from analysis.form import FIELDS

# The question texts a bureau's online form asks, as 问卷星 numbers them (1 is the unit question).
WJX_QUESTIONS = ["1、单位名称", *[f"{i}、{f.label}（{f.measure}）" for i, f in enumerate(FIELDS, start=2)]]
WJX_META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
# 腾讯文档收集表: submitter and submit time first, questions unnumbered; group-prefixed money items.
TENCENT_META = ["提交者", "提交时间"]
TENCENT_QUESTIONS = [
    "单位名称",
    *[(f"{f.category}-{f.label}" if f.measure == "万元" else f"{f.label}（{f.measure}）") for f in FIELDS],
]
# WPS 表单: 序号, 提交时间, 提交者, then questions numbered "1. ".
WPS_HEADER = [
    "序号",
    "提交时间",
    "提交者",
    "1. 单位名称",
    *[f"{i}. {f.label}（{f.measure}）" for i, f in enumerate(FIELDS, start=2)],
]
# 金数据: questions first, then 提交人 … 提交时间 at the end.
JINSHUJU_TAIL = ["提交人", "填写设备", "操作系统", "浏览器", "填写地区", "IP", "提交时间", "修改时间"]


def wjx_rows(answers: list[tuple[str, str, list[object]]]) -> list[list[object]]:
    """问卷星 “按文本” export: (submit time, unit, 20 answers) per submission."""
    rows: list[list[object]] = [WJX_META + WJX_QUESTIONS]
    for n, (when, unit, values) in enumerate(answers, start=1):
        rows.append([n, when, "125秒", "手机提交", "直接访问", f"10.0.0.{n}(湖北-随州)", unit, *values])
    return rows
