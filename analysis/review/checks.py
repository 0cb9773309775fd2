"""Data-quality checks on one year's processed returns: one small rule per finding.

Each rule takes a :class:`CheckContext` and returns located :class:`Issue` rows with
a stable code and a Chinese message saying what is wrong and what to fix.  Rules
never change a value.  Every threshold is a named constant below, so they can be
reviewed in one place; they are deliberately conservative (a warning should point
at a real problem, not at an unusual but genuine week).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from analysis.form import (
    BY_KEY,
    CAT_FUNDING,
    CAT_PUBLIC,
    CAT_STAFF,
    FIELD_KEYS,
    FIELDS,
    MONEY_KEYS,
    PUBLIC_KEYS,
    SUBTOTAL_PREFIX,
    normalize_label,
)
from analysis.intake.dates import RECEIVED_CSV, WeekDates
from analysis.issues import Issue
from analysis.review.materials import materials_issues
from analysis.paths import ROOT, WEEKS_CSV
from analysis.intake.units import KIND_ZH

# --- thresholds -------------------------------------------------------------------------------------------------
# Fields that can only be small for one unit, with the largest plausible value.
SMALL_FIELD_MAX: dict[str, int] = {"most_tasks": 10, "open_venues": 50, "open_institutes": 20, "open_universities": 5}
# Largest plausible amount (万元) from one money source of one unit for one week, by unit kind.
MONEY_MAX_WAN: dict[str, float] = {"county": 100.0}
MONEY_MAX_WAN_DEFAULT = 30.0
# Ratios: offline participations per activity, 元 per participation, reports per media outlet.
OFFLINE_PER_EVENT_MIN = 1.0
OFFLINE_PER_EVENT_MAX = 5000.0
YUAN_PER_PARTICIPANT_MAX = 1000.0
REPORTS_PER_OUTLET_MAX = 50.0
# Robust outliers against units of the same kind: group size (the unit included), robust z and fold above the
# median.  Only values far above are flagged: a small unit legitimately reports far less than the others.
MIN_PEERS = 5
OUTLIER_Z = 5.0
OUTLIER_FOLD = 5.0
# Year-on-year jumps: factor, and last year's value must reach this floor (万元 / count) to be a fair base.
YOY_FACTOR = 10.0
YOY_FLOOR_MONEY = 1.0
YOY_FLOOR_COUNT = 10
# The notice: each county-level unit reports at least this many publicity reports.
COUNTY_MIN_REPORTS = 2

WEEKS_SHOWN = WEEKS_CSV.relative_to(ROOT).as_posix()  # data/reference/weeks.csv, as named in messages
# Statistical findings: kept only for a value no other rule has flagged, and once per value.
STATISTICAL_CODES = ("outlier_mad", "yoy_jump")


@dataclass(frozen=True, eq=False)
class CheckContext:
    """Everything the rules read.  Frames follow docs/contracts.md.

    ``roster``: expected units (``name, kind``); ``previous``: last year's returns;
    ``received``: the frame of :func:`analysis.intake.dates.received_dates`; ``materials``: :func:`analysis.review.materials.material_files`.
    """

    year: int
    returns: pd.DataFrame
    values: pd.DataFrame
    files: pd.DataFrame
    roster: pd.DataFrame
    previous: pd.DataFrame | None = None
    week: WeekDates | None = None
    received: pd.DataFrame | None = None
    materials: pd.DataFrame | None = None

    @cached_property
    def cells(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        """(source_file, field) → (sheet, cell, raw_text) of accepted values."""
        v = self.values
        if v is None or v.empty:
            return {}
        v = v[v["status"] == "accepted"]
        return {(_text(r["source_file"]), _text(r["field"])):
                (_text(r["sheet"]), _text(r["cell"]), _text(r["raw_text"])) for r in v.to_dict("records")}


Rule = Callable[[CheckContext], list[Issue]]


# --- small helpers ---------------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    """A cell as text; missing → ''."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _num(value: Any) -> float | None:
    """A reported number as float; not reported → None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return float(value)


def _fmt(value: float) -> str:
    """A number as written in a message: integers without decimals, else up to 4 decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _label(key: str) -> str:
    return BY_KEY[key].display


def _with_measure(key: str, value: float) -> str:
    return f"{_fmt(value)} {BY_KEY[key].measure}"


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None or frame.empty else frame.to_dict("records")


def _reported(ctx: CheckContext, keys: Iterable[str]) -> Iterator[tuple[dict[str, Any], str, float]]:
    """(return row, key, value) for every reported value of ``keys`` in the accepted returns."""
    for ret in _records(ctx.returns):
        for key in keys:
            value = _num(ret.get(key))
            if value is not None:
                yield ret, key, value


def _at(ctx: CheckContext, ret: dict[str, Any], key: str, severity: str, code: str, message: str) -> Issue:
    """An issue located on the cell of ``key`` in the return ``ret``."""
    source = _text(ret["source_file"])
    sheet, cell, _ = ctx.cells.get((source, key), ("", "", ""))
    return Issue(severity, code, message, source_file=source, sheet=sheet,  # type: ignore[arg-type]
                 cell=cell, field=key, unit=_text(ret["unit"]))


def money_limit(kind: str) -> float:
    """Largest plausible amount (万元) from one source for a unit of this kind."""
    return MONEY_MAX_WAN.get(kind, MONEY_MAX_WAN_DEFAULT)


def too_large(key: str, value: float, kind: str) -> bool:
    """True when one unit's value is implausibly large on its own (small fields, money likely typed in 元)."""
    if key in MONEY_KEYS:
        return value > money_limit(kind)
    return key in SMALL_FIELD_MAX and value > SMALL_FIELD_MAX[key]


def _money_suspect(ret: dict[str, Any]) -> bool:
    kind = _text(ret.get("unit_kind"))
    return any(too_large(k, _num(ret.get(k)) or 0.0, kind) for k in MONEY_KEYS)


# --- completeness -----------------------------------------------------------------------------------------------
def missing_return(ctx: CheckContext) -> list[Issue]:
    """A unit on the year's roster has no accepted return."""
    returned = set(ctx.returns["unit"].dropna()) if not ctx.returns.empty else set()
    files = ctx.files if ctx.files is not None else pd.DataFrame(columns=["source_file", "unit"])
    out = []
    for unit in _records(ctx.roster):
        name, kind = _text(unit["name"]), _text(unit["kind"])
        if name in returned:
            continue
        sent = sorted(files.loc[files["unit"] == name, "source_file"].dropna().astype(str))
        if sent:
            shown = "、".join(sent[:3]) + ("等" if len(sent) > 3 else "")
            msg = (f"已收到“{name}”（{KIND_ZH.get(kind, kind)}）的文件（{shown}），但其中没有可用的开展情况统计表："
                   f"请按通知附件的格式重新报送统计表。")
        else:
            msg = f"名单中的“{name}”（{KIND_ZH.get(kind, kind)}）未报送开展情况统计表：请催报（按通知附件格式，Excel 或 Word 均可）。"
        out.append(Issue("warning", "missing_return", msg, unit=name))
    return out


def field_not_reported(ctx: CheckContext) -> list[Issue]:
    """A located field of an accepted return is blank.

    Unreadable text and labels not found are reported by ingest already, so only a
    located cell with nothing in it is reported here.
    """
    out = []
    for ret in _records(ctx.returns):
        for key in FIELD_KEYS:
            if _num(ret.get(key)) is not None:
                continue
            _, cell, raw = ctx.cells.get((_text(ret["source_file"]), key), ("", "", ""))
            if not cell or raw.strip():
                continue
            out.append(_at(ctx, ret, key, "warning", "field_not_reported",
                           f"“{_label(key)}”未填写：没有发生请填 0，不要留空（空白按“未报送”处理，不计入合计）。"))
    return out


# --- form rules (fractions and negatives are refused by ingest: value_fraction, value_negative) -----------------
def small_field_too_large(ctx: CheckContext) -> list[Issue]:
    """A field that can only be small for one unit (universities, institutes, MOST tasks, venues) is large."""
    return [_at(ctx, ret, key, "warning", "small_field_too_large",
                f"“{_label(key)}”填报 {_with_measure(key, v)}，一个单位一般不超过 {SMALL_FIELD_MAX[key]} "
                f"{BY_KEY[key].measure}：请核实是否多写了位数或填错了栏目。")
            for ret, key, v in _reported(ctx, SMALL_FIELD_MAX) if too_large(key, v, _text(ret.get("unit_kind")))]


# --- magnitudes -------------------------------------------------------------------------------------------------
def money_in_yuan_suspect(ctx: CheckContext) -> list[Issue]:
    """One money source is implausibly large for one unit's week: probably 元 typed into a 万元 field."""
    out = []
    for ret, key, v in _reported(ctx, MONEY_KEYS):
        kind = _text(ret.get("unit_kind"))
        if too_large(key, v, kind):
            out.append(_at(ctx, ret, key, "warning", "money_in_yuan_suspect",
                           f"“{_label(key)}”填报 {_fmt(v)} 万元，对一个单位一周的活动明显偏大"
                           f"（{KIND_ZH.get(kind, kind)}单位单项一般不超过 {_fmt(money_limit(kind))} 万元），"
                           f"很可能把“元”填进了“万元”栏：若原意是 {_fmt(v)} 元，应填 {_fmt(v / 10000)} 万元。"
                           f"请核实后改正（汇总数据未作改动）。"))
    return out


def ratio_implausible(ctx: CheckContext) -> list[Issue]:
    """Offline participations per activity, 元 per participation or reports per outlet out of range."""
    out = []
    for ret in _records(ctx.returns):
        events, offline = _num(ret.get("events_held")), _num(ret.get("public_offline"))
        if events and offline:
            r = offline / events
            if not OFFLINE_PER_EVENT_MIN <= r <= OFFLINE_PER_EVENT_MAX:
                out.append(_at(ctx, ret, "public_offline", "warning", "ratio_implausible",
                               f"线下参与 {_fmt(offline)} 人次、举办活动 {_fmt(events)} 次，平均每次活动 {r:.1f} 人次，"
                               f"不在合理范围（{_fmt(OFFLINE_PER_EVENT_MIN)}–{_fmt(OFFLINE_PER_EVENT_MAX)} 人次）内："
                               f"请核实这两项。"))
        outlets, reports = _num(ret.get("media_outlets")), _num(ret.get("media_reports"))
        if outlets and reports and reports / outlets > REPORTS_PER_OUTLET_MAX:
            out.append(_at(ctx, ret, "media_reports", "warning", "ratio_implausible",
                           f"宣传报道 {_fmt(reports)} 篇、参与媒体 {_fmt(outlets)} 家，平均每家媒体 {reports / outlets:.1f} 篇，"
                           f"超过 {_fmt(REPORTS_PER_OUTLET_MAX)} 篇：请核实这两项。"))
        money = sum(_num(ret.get(k)) or 0.0 for k in MONEY_KEYS)
        people = sum(_num(ret.get(k)) or 0.0 for k in PUBLIC_KEYS)
        if money > 0 and people > 0 and not _money_suspect(ret):
            yuan = money * 10000 / people
            if yuan > YUAN_PER_PARTICIPANT_MAX:
                at = next(k for k in PUBLIC_KEYS if (_num(ret.get(k)) or 0.0) > 0)  # a participation cell
                out.append(_at(ctx, ret, at, "warning", "ratio_implausible",
                               f"经费合计 {_fmt(money)} 万元、群众参与 {_fmt(people)} 人次，平均每人次 {yuan:.0f} 元，"
                               f"超过 {_fmt(YUAN_PER_PARTICIPANT_MAX)} 元：请核实经费（单位为万元）和参与人次。"))
    return out


def outlier_mad(ctx: CheckContext) -> list[Issue]:
    """A value far above the other units of the same kind (median and MAD, robust z), with enough peers."""
    out = []
    returns = ctx.returns
    if returns.empty:
        return out
    for kind, group in returns.groupby("unit_kind", sort=True):
        rows = group.to_dict("records")
        for key in FIELD_KEYS:
            vals = [(r, _num(r.get(key))) for r in rows]
            vals = [(r, v) for r, v in vals if v is not None]
            if len(vals) < MIN_PEERS:
                continue
            x = np.array([v for _, v in vals])
            med = float(np.median(x))
            mad = float(np.median(np.abs(x - med)))
            if mad == 0:
                continue
            for r, v in vals:
                if 0.6745 * (v - med) / mad > OUTLIER_Z and v >= OUTLIER_FOLD * med:
                    out.append(_at(ctx, r, key, "warning", "outlier_mad",
                                   f"“{_label(key)}”填报 {_with_measure(key, v)}，远高于同类单位"
                                   f"（{KIND_ZH.get(str(kind), str(kind))}，{len(vals)} 家）的中位数 "
                                   f"{_with_measure(key, med)}：请核实是否多写了位数或填错了栏目。"))
    return out


def yoy_jump(ctx: CheckContext) -> list[Issue]:
    """A value ten times above or below (down to 0) the same unit's previous-year value, when that was plausible
    and not tiny."""
    if ctx.previous is None or ctx.previous.empty:
        return []
    last = {_text(r["unit"]): r for r in _records(ctx.previous)}
    out = []
    for ret, key, v in _reported(ctx, FIELD_KEYS):
        before = _num(last.get(_text(ret["unit"]), {}).get(key))
        floor = YOY_FLOOR_MONEY if key in MONEY_KEYS else YOY_FLOOR_COUNT
        if before is None or before < floor or too_large(key, before, _text(ret.get("unit_kind"))):
            continue
        factor = v / before
        if factor >= YOY_FACTOR or factor <= 1 / YOY_FACTOR:
            change = (f"是上年的 {factor:.1f} 倍" if factor > 1 else f"只有上年的 {factor:.1%}" if factor > 0
                      else "降为 0")
            out.append(_at(ctx, ret, key, "warning", "yoy_jump",
                           f"“{_label(key)}”填报 {_with_measure(key, v)}，上年（{ctx.year - 1}年）为 "
                           f"{_with_measure(key, before)}，{change}：请核实是否有误，属实请简要说明原因。"))
    return out


# --- consistency ------------------------------------------------------------------------------------------------
def _exceeds(ctx: CheckContext, bigger: str, smaller: str, at: str, code: str, explain: str) -> list[Issue]:
    """Flag, at field ``at``, each return whose ``bigger`` item exceeds its ``smaller`` item (both reported)."""
    out = []
    for ret in _records(ctx.returns):
        big, small = _num(ret.get(bigger)), _num(ret.get(smaller))
        if big is not None and small is not None and big > small:
            out.append(_at(ctx, ret, at, "warning", code,
                           f"{_label(bigger)} {_with_measure(bigger, big)}，多于{_label(smaller)} "
                           f"{_with_measure(smaller, small)}（{explain}）：请核实这两项。"))
    return out


def reports_lt_outlets(ctx: CheckContext) -> list[Issue]:
    """Fewer publicity reports than participating media outlets."""
    return _exceeds(ctx, "media_outlets", "media_reports", "media_reports", "reports_lt_outlets",
                    "每家参与的媒体至少应有 1 篇报道")


def most_tasks_gt_events(ctx: CheckContext) -> list[Issue]:
    """More MOST tasks taken on than activities held."""
    return _exceeds(ctx, "most_tasks", "events_held", "most_tasks", "most_tasks_gt_events", "承接的任务也是举办的活动")


# Categories whose items add up (a subtotal of events and MOST tasks, or of outlets and reports, means nothing).
_CATEGORY_KEYS: dict[str, tuple[str, ...]] = {
    normalize_label(c): tuple(f.key for f in FIELDS if f.category == c) for c in (CAT_FUNDING, CAT_STAFF, CAT_PUBLIC)
}


def subtotal_mismatch(ctx: CheckContext) -> list[Issue]:
    """A subtotal written by the unit (values rows ``subtotal:<category>``) disagrees with its items."""
    v = ctx.values
    if v is None or v.empty:
        return []
    subs = v[(v["status"] == "accepted") & v["field"].astype(str).str.startswith(SUBTOTAL_PREFIX)]
    by_file = {_text(r["source_file"]): r for r in _records(ctx.returns)}
    out = []
    for sub in _records(subs):
        ret = by_file.get(_text(sub["source_file"]))
        category = _text(sub["field"])[len(SUBTOTAL_PREFIX):]
        keys = _CATEGORY_KEYS.get(normalize_label(category), ())
        written = _num(sub["value"])
        items = [x for x in (_num(ret.get(k)) for k in keys) if x is not None] if ret else []
        if written is None or not items:
            continue
        total = sum(items)
        money = keys[0] in MONEY_KEYS
        if not math.isclose(written, total, abs_tol=0.01 if money else 0.5):
            measure = "万元" if money else ""
            out.append(Issue("warning", "subtotal_mismatch",
                             f"“{category}”小计填 {_fmt(written)}{measure}，但各分项之和为 {_fmt(round(total, 4))}{measure}："
                             f"请核对小计或各分项。",
                             source_file=_text(sub["source_file"]), sheet=_text(sub["sheet"]), cell=_text(sub["cell"]),
                             field=_text(sub["field"]), unit=_text(ret["unit"])))
    return out


# --- the notice's own rules -------------------------------------------------------------------------------------
def county_media_reports_lt2(ctx: CheckContext) -> list[Issue]:
    """The notice: each county-level unit reports at least two publicity reports."""
    return [_at(ctx, ret, key, "warning", "county_media_reports_lt2",
                f"通知要求各县、市、区宣传报道不少于 {COUNTY_MIN_REPORTS} 篇，本单位填报 {_fmt(v)} 篇："
                f"请补报宣传报道资料，或核实填报数。")
            for ret, key, v in _reported(ctx, ("media_reports",))
            if _text(ret.get("unit_kind")) == "county" and v < COUNTY_MIN_REPORTS]


def late_return(ctx: CheckContext) -> list[Issue]:
    """A return received after the deadline (warning with received.csv; info when only the file time is known)."""
    if ctx.week is None or ctx.received is None or ctx.received.empty:
        return []
    when = {_text(r["source_file"]): r for r in _records(ctx.received)}
    out = []
    for ret in _records(ctx.returns):
        rec = when.get(_text(ret["source_file"]))
        if rec is None or pd.isna(rec["received"]):
            continue
        got = pd.Timestamp(rec["received"]).date()
        if got <= ctx.week.deadline:
            continue
        source = _text(rec["date_source"])
        severity = "warning" if source == RECEIVED_CSV else "info"
        hint = "" if severity == "warning" else "；文件修改时间可能因复制而改变，仅供参考"
        out.append(Issue(severity, "late_return",  # type: ignore[arg-type]
                         f"本表收到日期为 {got.isoformat()}（依据：{source}{hint}），晚于通知规定的截止日期 "
                         f"{ctx.week.deadline.isoformat()}：请今后按时报送。",
                         source_file=_text(ret["source_file"]), unit=_text(ret["unit"])))
    return out


def deadline_unknown(ctx: CheckContext) -> list[Issue]:
    """The year has returns but no deadline in weeks.csv, so late returns cannot be judged."""
    if ctx.week is not None or ctx.returns.empty:
        return []
    return [Issue("info", "deadline_unknown",
                  f"{WEEKS_SHOWN} 中没有{ctx.year}年的截止日期（或该行日期无法识别），未核查逾期报送："
                  f"请补充该年度一行（year,start,end,deadline，日期如 {ctx.year}-06-03）。")]


def materials_checklist(ctx: CheckContext) -> list[Issue]:
    """The notice's materials per unit that returned a table: summary, images, media reports, videos ≤ 3 minutes."""
    if ctx.materials is None:
        return []
    return materials_issues(ctx.materials, ctx.returns["unit"].dropna().astype(str).tolist())


# Specific rules first, the statistical ones last (see STATISTICAL_CODES).
RULES: tuple[Rule, ...] = (
    missing_return, field_not_reported, small_field_too_large, money_in_yuan_suspect, ratio_implausible,
    reports_lt_outlets, most_tasks_gt_events, subtotal_mismatch, county_media_reports_lt2, late_return,
    deadline_unknown, materials_checklist, outlier_mad, yoy_jump,
)


def _one_per_cell(issues: list[Issue]) -> list[Issue]:
    """Drop a statistical finding on a value that an earlier finding already points at."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for issue in issues:
        where = (issue.source_file, issue.unit, issue.field)
        if issue.code in STATISTICAL_CODES and where in seen:
            continue
        if issue.field:
            seen.add(where)
        out.append(issue)
    return out


def run_checks(ctx: CheckContext) -> list[Issue]:
    """All rules in order; statistical findings only where no other rule has spoken."""
    return _one_per_cell([issue for rule in RULES for issue in rule(ctx)])


# --- inputs -------------------------------------------------------------------------------------------------
def roster_frame(units: Iterable[Any]) -> pd.DataFrame:
    """Roster as the context's ``name, kind`` frame from objects with ``.name`` and ``.kind``."""
    return pd.DataFrame([(u.name, u.kind) for u in units], columns=["name", "kind"], dtype="str")
