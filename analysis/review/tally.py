"""Rule by rule, as R's validate summarises a confrontation: how many values each rule of rules.csv looked at, how
many passed, failed, or could not be judged (blank: a value, or a part of a ratio, not reported).

Pure: the checks' context and their findings in, one row per rule out.  A rule that looked at nothing (no unit of a
kind it applies to, no comparison year) shows as 0 looked at, instead of passing silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import catalog
from analysis.form import MONEY_KEYS, PUBLIC_KEYS
from analysis.issues import Issue
from analysis.review.checks import CheckContext, _numbers

TALLY_COLUMNS = ("rule", "parameters", "code", "looked_at", "passed", "failed", "blank")
TALLY_HEADERS = {
    "rule": "核查规则",
    "parameters": "规则参数",
    "code": "问题代码",
    "looked_at": "检查数值",
    "passed": "通过",
    "failed": "未通过",
    "blank": "无法判断（空白）",
}


@dataclass(frozen=True)
class Line:
    """One rule of the tally: the rules.csv names it reads, the finding it raises, the values it judges."""

    rule: str  # Chinese
    parameters: tuple[str, ...]
    code: str
    keys: Callable[[CheckContext], list[str]]  # the items it looks at (a ratio: the item its finding is placed at)
    parts: Callable[[str], tuple[str, ...]]  # what must be reported (and, for a ratio, non-zero) to judge an item
    marker: str = ""  # text of its messages, telling it from another line with the same code
    zero_blank: bool = False  # a ratio: a part that is 0 cannot be judged either


def _each(key: str) -> tuple[str, ...]:
    return (key,)


LINES: tuple[Line, ...] = (
    Line(
        "单项数量上限",
        ("small_field_max",),
        "small_field_too_large",
        lambda ctx: [k for k in ctx.rules.fields("small_field_max") if k in ctx.form.by_key],
        _each,
    ),
    Line(
        "单项经费上限（疑似元填成万元）",
        ("money_max_wan",),
        "money_in_yuan_suspect",
        lambda ctx: list(ctx.form.money_keys),
        _each,
    ),
    Line(
        "场均线下参与人次",
        ("offline_per_event_min", "offline_per_event_max"),
        "ratio_implausible",
        lambda ctx: ["public_offline"],
        lambda _: ("events_held", "public_offline"),
        "平均每次活动",
        True,
    ),
    Line(
        "每家媒体报道篇数",
        ("reports_per_outlet_max",),
        "ratio_implausible",
        lambda ctx: ["media_reports"],
        lambda _: ("media_outlets", "media_reports"),
        "平均每家媒体",
        True,
    ),
    Line(
        "每人次经费",
        ("yuan_per_participant_max",),
        "ratio_implausible",
        lambda ctx: ["public_offline"],
        lambda _: ("funding", "public"),
        "平均每人次",
        True,
    ),
    Line(
        "与同类单位相比的异常值",
        ("min_peers", "outlier_z", "outlier_fold"),
        "outlier_mad",
        lambda ctx: list(ctx.form.keys),
        _each,
    ),
    Line(
        "与对比年度相比的变化",
        ("yoy_factor", "yoy_floor_money", "yoy_floor_count"),
        "yoy_jump",
        lambda ctx: list(ctx.form.keys),
        _each,
    ),
    Line(
        "县市区宣传报道篇数", ("county_min_reports",), "county_media_reports_lt2", lambda ctx: ["media_reports"], _each
    ),
)


def _part(ctx: CheckContext, name: str) -> pd.Series:
    """An item's values (positional), or the funding / participation sum of a return for a ratio."""
    if name == "funding":
        keys = [k for k in MONEY_KEYS if k in ctx.form.by_key]
    elif name == "public":
        keys = [k for k in PUBLIC_KEYS if k in ctx.form.by_key]
    else:
        return _numbers(ctx.returns, name).reset_index(drop=True)
    frame = pd.concat([_numbers(ctx.returns, k).reset_index(drop=True) for k in keys], axis=1)
    return frame.sum(axis=1, min_count=1)


def _previous(ctx: CheckContext, key: str) -> pd.Series:
    """Each return's unit's value of ``key`` in the comparison year (NaN when unknown)."""
    if ctx.previous is None or ctx.previous.empty or key not in ctx.previous:
        return pd.Series(np.nan, index=range(len(ctx.returns)), dtype="float64")
    prev = ctx.previous.drop_duplicates("unit", keep="last")
    by_unit = pd.Series(_numbers(prev, key).to_numpy(), index=prev["unit"].astype(str).to_numpy())
    return pd.Series(ctx.ids.units).map(by_unit).astype("float64")


def _line(ctx: CheckContext, line: Line, found: pd.DataFrame) -> dict[str, object]:
    kinds = pd.Series(ctx.ids.kinds)
    files = pd.Series(ctx.ids.sources)
    mine = found[(found["code"] == line.code) & found["message"].str.contains(line.marker, regex=False)]
    looked = passed = failed = blank = 0
    for key in line.keys(ctx):
        applies = ctx.rules.per_row(line.parameters[0], kinds, pd.Series([key] * len(kinds))).notna()
        parts = [_part(ctx, p) for p in line.parts(key)]
        missing = pd.concat([p.isna() | ((p == 0) if line.zero_blank else False) for p in parts], axis=1).any(axis=1)
        if line.code == "yoy_jump":
            missing |= _previous(ctx, key).isna()
        if line.marker == "平均每人次":  # money already suspected as 元 is judged by that rule, not this one
            missing |= files.isin(set(found.loc[found["code"] == "money_in_yuan_suspect", "source_file"]))
            hit = files.isin(set(mine["source_file"]))
        else:
            hit = pd.Series(list(zip(files, [key] * len(files)))).isin(set(zip(mine["source_file"], mine["field"])))
        applies, missing, hit = applies.to_numpy(), missing.to_numpy(), hit.to_numpy()
        looked += int(applies.sum())
        blank += int((applies & missing).sum())
        failed += int((applies & ~missing & hit).sum())
        passed += int((applies & ~missing & ~hit).sum())
    return {
        "rule": line.rule,
        "parameters": "、".join(line.parameters),
        "code": line.code,
        "looked_at": looked,
        "passed": passed,
        "failed": failed,
        "blank": blank,
    }


def tally(ctx: CheckContext, findings: list[Issue]) -> pd.DataFrame:
    """One row per rule (:data:`LINES`, covering every rule name of rules.csv): ``TALLY_COLUMNS``."""
    found = pd.DataFrame(
        [(i.code, i.source_file, i.field, i.message) for i in findings],
        columns=["code", "source_file", "field", "message"],
    )
    return pd.DataFrame([_line(ctx, line, found) for line in LINES], columns=list(TALLY_COLUMNS))


def read_tally(processed_dir: Path) -> pd.DataFrame:
    """The tally a processed year wrote (``catalog.RULE_TALLY_CSV``); empty when checks did not run."""
    path = Path(processed_dir) / catalog.RULE_TALLY_CSV
    if not path.is_file():
        return pd.DataFrame(columns=list(TALLY_COLUMNS))
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)


def tally_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The tally with Chinese headers, for people (notebook 01, summary.xlsx); the parameters as the rows of
    rules.csv to look up (``rules.csv：outlier_z、…``), not as bare identifiers."""
    table = frame.reindex(columns=list(TALLY_COLUMNS))
    named = table["parameters"].fillna("").astype(str)
    table = table.assign(parameters=named.map(lambda names: f"rules.csv：{names}" if names else ""))
    return table.rename(columns=TALLY_HEADERS)
