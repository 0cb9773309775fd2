"""Rule checks: each rule with a case that passes and one that fails, on hand-made frames per the contract."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis.form import (
    BY_KEY,
    CAT_FUNDING,
    CAT_MEDIA,
    COUNT_KEYS,
    FIELD_KEYS,
    MONEY_KEYS,
)
from analysis.intake.dates import WeekDates
from analysis.review import checks
from analysis.review.checks import CheckContext

SHEET = "统计表"
# A plausible county return: 11.5 万元 in all, 23,000 participations, 12 reports from 5 outlets.
BASE = {
    "events_held": 20,
    "most_tasks": 1,
    "funding_central": 0.0,
    "funding_provincial": 2.0,
    "funding_municipal": 3.0,
    "funding_county": 5.0,
    "funding_enterprise": 1.0,
    "funding_in_kind": 0.5,
    "funding_other": 0.0,
    "staff_fulltime": 10,
    "staff_scientists": 30,
    "staff_volunteers": 50,
    "staff_other": 20,
    "public_offline": 3000,
    "public_online": 20000,
    "media_outlets": 5,
    "media_reports": 12,
    "open_venues": 3,
    "open_institutes": 1,
    "open_universities": 0,
}
WEEK = WeekDates(2023, date(2023, 5, 20), date(2023, 5, 31), date(2023, 6, 3))  # the notice
COUNTIES = ("曾都区", "随县", "广水市", "随州高新区", "大洪山风景名胜区")


def cell(key: str) -> str:
    """Where the test's template puts a field: column C, row order + 3."""
    return f"C{BY_KEY[key].order + 3}"


def ret(unit: str, kind: str = "county", scale: float = 1.0, **over: object) -> dict:
    row = {"source_file": f"{unit}/{unit}统计表.xlsx", "unit": unit, "unit_kind": kind}
    for key, v in BASE.items():
        row[key] = round(v * scale) if key in COUNT_KEYS else round(v * scale, 4)
    row.update(over)
    return row


def returns_frame(rows: list[dict], integer_counts: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["source_file", "unit", "unit_kind", *FIELD_KEYS])
    types = {k: ("Int64" if integer_counts else "float64") for k in COUNT_KEYS} | {k: "float64" for k in MONEY_KEYS}
    return frame.astype({"source_file": "str", "unit": "str", "unit_kind": "str"} | types)


def values_frame(
    returns: pd.DataFrame, raw: dict[tuple[str, str], str] | None = None, extra: list[dict] | None = None
) -> pd.DataFrame:
    raw = raw or {}
    rows = []
    for r in returns.to_dict("records"):
        for key in FIELD_KEYS:
            v = r[key]
            text = "" if pd.isna(v) else str(v)
            rows.append(
                {
                    "source_file": r["source_file"],
                    "unit": r["unit"],
                    "field": key,
                    "value": None if pd.isna(v) else float(v),
                    "raw_text": raw.get((r["unit"], key), text),
                    "sheet": SHEET,
                    "cell": cell(key),
                    "status": "accepted",
                    "note": "",
                }
            )
    rows.extend(extra or [])
    return pd.DataFrame(rows)


def context(
    rows: list[dict],
    *,
    roster: list[tuple[str, str]] | None = None,
    values: pd.DataFrame | None = None,
    integer_counts: bool = True,
    **kw: object,
) -> CheckContext:
    returns = returns_frame(rows, integer_counts)
    if roster is None:
        roster = [(r["unit"], r["unit_kind"]) for r in rows]
    files = pd.DataFrame(
        {
            "source_file": returns["source_file"],
            "kind": "form",
            "status": "accepted",
            "unit": returns["unit"],
            "sha256": "0" * 64,
        }
    )
    return CheckContext(
        year=2023,
        returns=returns,
        values=values if values is not None else values_frame(returns),
        files=files,
        roster=pd.DataFrame(roster, columns=["name", "kind"]),
        **kw,
    )


def only(issues: list, code: str, severity: str, unit: str, field: str, where: str):
    """Exactly one issue, with this code, severity, unit, field and cell; returns it."""
    assert len(issues) == 1, issues
    (issue,) = issues
    assert (issue.code, issue.severity, issue.unit, issue.field, issue.cell) == (code, severity, unit, field, where)
    if where:
        assert issue.sheet == SHEET
    assert issue.source_file
    return issue


def clean_year() -> list[dict]:
    scales = (1.0, 1.3, 0.8, 1.6, 0.6)
    departments = ("市教育局", "市科协", "市农业农村局", "市卫健委", "市气象局", "市地震局")
    return (
        [ret(u, "county", s) for u, s in zip(COUNTIES, scales)]
        + [ret(u, "department", s / 4) for u, s in zip(departments, (*scales, 1.1))]
        + [ret("随州职业技术学院", "college", 0.5), ret("市农业科学院", "institute", 0.3)]
    )


# --- the whole run --------------------------------------------------------------------------------------------
def test_clean_returns_give_no_findings():
    rows = clean_year()
    previous = returns_frame([ret(r["unit"], r["unit_kind"], 0.9) for r in rows])
    received = pd.DataFrame(
        {"source_file": [r["source_file"] for r in rows], "received": date(2023, 6, 2), "date_source": "received.csv"}
    )
    assert checks.run_checks(context(rows, previous=previous, received=received, event_window=WEEK)) == []


def test_statistical_findings_only_where_no_other_rule_spoke():
    rows = [ret("随县", media_reports=1, media_outlets=1, events_held=300)]
    previous = returns_frame([ret("随县", media_reports=12, events_held=20)])
    ctx = context(rows, previous=previous, event_window=WEEK)
    assert {(i.code, i.field) for i in checks.yoy_jump(ctx)} == {
        ("yoy_jump", "media_reports"),
        ("yoy_jump", "events_held"),
    }
    assert [(i.code, i.field) for i in checks.run_checks(ctx)] == [
        ("county_media_reports_lt2", "media_reports"),
        ("yoy_jump", "events_held"),
    ]


def test_every_rule_is_registered_once():
    assert len(set(checks.RULES)) == len(checks.RULES) == 14
    assert not hasattr(checks, "count_not_integer") and not hasattr(checks, "negative_value")  # ingest refuses these


@pytest.mark.parametrize("module", ["checks", "schemas", "feedback", "materials"])
def test_shared_names_come_from_one_place(module):
    text = (Path(checks.__file__).parent / f"{module}.py").read_text(encoding="utf-8")
    for literal in ('"subtotal:"', '"received.csv"', '"反馈清单.xlsx"'):
        assert literal not in text, (module, literal)


# --- completeness ---------------------------------------------------------------------------------------------
def test_missing_return():
    rows = [ret("曾都区")]
    assert checks.missing_return(context(rows)) == []
    ctx = context(rows, roster=[("曾都区", "county"), ("随县", "county"), ("市气象局", "department")])
    issues = checks.missing_return(ctx)
    assert [(i.code, i.severity, i.unit, i.source_file) for i in issues] == [
        ("missing_return", "warning", "随县", ""),
        ("missing_return", "warning", "市气象局", ""),
    ]
    assert "随县" in issues[0].message and "未报送" in issues[0].message


def test_missing_return_names_the_files_that_came_without_a_table():
    ctx = context([ret("曾都区")], roster=[("曾都区", "county"), ("随县", "county")])
    files = pd.concat(
        [
            ctx.files,
            pd.DataFrame(
                [
                    {
                        "source_file": "随县/总结.docx",
                        "kind": "summary",
                        "status": "skipped",
                        "unit": "随县",
                        "sha256": "1" * 64,
                    }
                ]
            ),
        ]
    )
    ctx = CheckContext(2023, ctx.returns, ctx.values, files, ctx.roster)
    (issue,) = checks.missing_return(ctx)
    assert issue.unit == "随县" and "随县/总结.docx" in issue.message and "没有可用的" in issue.message


def test_field_not_reported():
    assert checks.field_not_reported(context([ret("随县")])) == []
    issue = only(
        checks.field_not_reported(context([ret("随县", funding_central=None)])),
        "field_not_reported",
        "warning",
        "随县",
        "funding_central",
        "C6",
    )
    assert "填 0" in issue.message


def test_field_not_reported_leaves_ingest_findings_alone():
    rows = [ret("随县", funding_central=None, staff_other=None)]
    returns = returns_frame(rows)
    values = values_frame(returns, raw={("随县", "funding_central"): "不详"})
    values.loc[values["field"] == "staff_other", "cell"] = ""  # label not found: ingest's field_not_found
    assert checks.field_not_reported(context(rows, values=values)) == []


# --- form rules -----------------------------------------------------------------------------------------------
def test_small_field_too_large():
    assert checks.small_field_too_large(context([ret("随县", open_universities=5, open_venues=50)])) == []
    issue = only(
        checks.small_field_too_large(context([ret("随县", open_universities=40)])),
        "small_field_too_large",
        "warning",
        "随县",
        "open_universities",
        "C23",
    )
    assert "40 所" in issue.message


# --- magnitudes -----------------------------------------------------------------------------------------------
def test_money_in_yuan_suspect_county():
    assert checks.money_in_yuan_suspect(context([ret("随县", funding_enterprise=100.0)])) == []
    issue = only(
        checks.money_in_yuan_suspect(context([ret("随县", funding_enterprise=50000.0)])),
        "money_in_yuan_suspect",
        "warning",
        "随县",
        "funding_enterprise",
        "C10",
    )
    assert "应填 5 万元" in issue.message


def test_money_in_yuan_suspect_is_stricter_for_departments():
    assert checks.money_in_yuan_suspect(context([ret("市气象局", "department", funding_municipal=30.0)])) == []
    issue = only(
        checks.money_in_yuan_suspect(context([ret("市气象局", "department", funding_municipal=8000.0)])),
        "money_in_yuan_suspect",
        "warning",
        "市气象局",
        "funding_municipal",
        "C8",
    )
    assert "应填 0.8 万元" in issue.message


def test_a_corrected_value_is_located_on_its_cell():
    rows = [ret("市气象局", "department", funding_municipal=8000.0)]
    values = values_frame(returns_frame(rows))
    values.loc[values["field"] == "funding_municipal", "status"] = "corrected"
    only(
        checks.money_in_yuan_suspect(context(rows, values=values)),
        "money_in_yuan_suspect",
        "warning",
        "市气象局",
        "funding_municipal",
        "C8",
    )
    values.loc[values["field"] == "funding_municipal", "status"] = "superseded"  # another file's value: not here
    only(
        checks.money_in_yuan_suspect(context(rows, values=values)),
        "money_in_yuan_suspect",
        "warning",
        "市气象局",
        "funding_municipal",
        "",
    )


def test_ratio_offline_per_event():
    assert checks.ratio_implausible(context([ret("随县", events_held=1, public_offline=5000)])) == []
    only(
        checks.ratio_implausible(context([ret("随县", events_held=2, public_offline=30000)])),
        "ratio_implausible",
        "warning",
        "随县",
        "public_offline",
        "C17",
    )
    only(
        checks.ratio_implausible(context([ret("随县", events_held=20, public_offline=5)])),
        "ratio_implausible",
        "warning",
        "随县",
        "public_offline",
        "C17",
    )


def test_ratio_reports_per_outlet():
    assert checks.ratio_implausible(context([ret("随县", media_outlets=2, media_reports=100)])) == []
    only(
        checks.ratio_implausible(context([ret("随县", media_outlets=2, media_reports=101)])),
        "ratio_implausible",
        "warning",
        "随县",
        "media_reports",
        "C20",
    )


def test_ratio_yuan_per_participant():
    money = dict.fromkeys(MONEY_KEYS, 0.0)
    ok = ret("随县", **money | {"funding_county": 20.0}, public_offline=200, public_online=0)  # 1000 元/人次
    assert checks.ratio_implausible(context([ok])) == []
    bad = ret("随县", **money | {"funding_county": 20.0}, public_offline=100, public_online=0)  # 2000 元/人次
    issue = only(
        checks.ratio_implausible(context([bad])), "ratio_implausible", "warning", "随县", "public_offline", "C17"
    )
    assert "2,000 元" in issue.message
    online = ret("随县", **money | {"funding_county": 20.0}, public_offline=0, public_online=50)  # 4000 元/人次
    only(checks.ratio_implausible(context([online])), "ratio_implausible", "warning", "随县", "public_online", "C18")
    # money already suspected as 元 is reported once, by money_in_yuan_suspect
    yuan = ret("随县", **money | {"funding_county": 200000.0}, public_offline=100, public_online=0)
    assert checks.ratio_implausible(context([yuan])) == []


def test_outlier_mad():
    def counties(events: list[int]) -> list[dict]:
        return [ret(u, events_held=e) for u, e in zip(COUNTIES, events)]

    # median 25, MAD 5: 60 gives robust z 4.7 (kept), 300 gives z 37 and 12× the median (flagged)
    assert checks.outlier_mad(context(counties([20, 25, 30, 18, 60]))) == []
    # 5× the median but spread peers: median 20, MAD 12, robust z 4.5 (kept)
    assert checks.outlier_mad(context(counties([8, 10, 20, 32, 100]))) == []
    # tight peers: 60 has robust z 25.6 but is under 5× the median 22 (kept)
    assert checks.outlier_mad(context(counties([20, 21, 22, 23, 60]))) == []
    issue = only(
        checks.outlier_mad(context(counties([20, 25, 30, 18, 300]))),
        "outlier_mad",
        "warning",
        "大洪山风景名胜区",
        "events_held",
        "C4",
    )
    assert "25 次" in issue.message
    # the same value with only four peers is not judged
    assert checks.outlier_mad(context(counties([20, 25, 30, 300]))) == []


def test_outlier_mad_leaves_small_units_alone():
    # far below tight peers (a small unit doing less) is not judged; the same distance above is
    assert (
        checks.outlier_mad(
            context([ret(u, public_online=v) for u, v in zip(COUNTIES, (20000, 21000, 19000, 22000, 200))])
        )
        == []
    )
    only(
        checks.outlier_mad(
            context([ret(u, public_online=v) for u, v in zip(COUNTIES, (20000, 21000, 19000, 22000, 200000))])
        ),
        "outlier_mad",
        "warning",
        "大洪山风景名胜区",
        "public_online",
        "C18",
    )


def test_yoy_jump():
    previous = returns_frame(
        [ret("随县", events_held=20, public_offline=3000, staff_other=9, funding_other=0.9, funding_county=50000.0)]
    )
    # 7.5× and 0.13×; bases below the floor (9 人, 0.9 万元); last year's value itself implausible (元 in 万元)
    steady = ret("随县", events_held=150, public_offline=400, staff_other=200, funding_other=20.0, funding_county=5.0)
    assert checks.yoy_jump(context([steady], previous=previous)) == []
    assert checks.yoy_jump(context([steady])) == []
    up = only(
        checks.yoy_jump(context([ret("随县", events_held=200)], previous=previous)),
        "yoy_jump",
        "warning",
        "随县",
        "events_held",
        "C4",
    )
    assert "10.0 倍" in up.message and "2022年" in up.message
    only(
        checks.yoy_jump(context([ret("随县", public_offline=200)], previous=previous)),
        "yoy_jump",
        "warning",
        "随县",
        "public_offline",
        "C17",
    )


def test_yoy_jump_down_to_zero():
    previous = returns_frame([ret("随县", events_held=20, staff_other=9, funding_other=0.9)])
    # bases below the floor (9 人, 0.9 万元) dropping to 0 are not judged
    assert checks.yoy_jump(context([ret("随县", staff_other=0, funding_other=0.0)], previous=previous)) == []
    issue = only(
        checks.yoy_jump(context([ret("随县", events_held=0)], previous=previous)),
        "yoy_jump",
        "warning",
        "随县",
        "events_held",
        "C4",
    )
    assert "降为 0" in issue.message and "20 次" in issue.message


# --- consistency ----------------------------------------------------------------------------------------------
def test_reports_lt_outlets():
    assert checks.reports_lt_outlets(context([ret("随县", media_outlets=5, media_reports=5)])) == []
    assert checks.reports_lt_outlets(context([ret("随县", media_outlets=0, media_reports=0)])) == []
    only(
        checks.reports_lt_outlets(context([ret("随县", media_outlets=5, media_reports=3)])),
        "reports_lt_outlets",
        "warning",
        "随县",
        "media_reports",
        "C20",
    )


def test_most_tasks_gt_events():
    assert checks.most_tasks_gt_events(context([ret("随县", most_tasks=2, events_held=2)])) == []
    only(
        checks.most_tasks_gt_events(context([ret("随县", most_tasks=3, events_held=2)])),
        "most_tasks_gt_events",
        "warning",
        "随县",
        "most_tasks",
        "C5",
    )


def _subtotal(category: str, value: float) -> dict:
    return {
        "source_file": "随县/随县统计表.xlsx",
        "unit": "随县",
        "field": f"subtotal:{category}",
        "value": value,
        "raw_text": str(value),
        "sheet": SHEET,
        "cell": "C13",
        "status": "accepted",
        "note": "单位填写的小计/合计",
    }


def test_subtotal_mismatch():
    rows = [ret("随县")]  # funding items add up to 11.5 万元
    returns = returns_frame(rows)
    assert checks.subtotal_mismatch(context(rows)) == []
    same = values_frame(returns, extra=[_subtotal(CAT_FUNDING, 11.5)])
    assert checks.subtotal_mismatch(context(rows, values=same)) == []
    # no subtotal for blocks whose items do not add up, nor for a 合计 under the uncategorised rows
    odd = [_subtotal(CAT_MEDIA, 99), _subtotal("", 99)]
    assert checks.subtotal_mismatch(context(rows, values=values_frame(returns, extra=odd))) == []
    issues = checks.subtotal_mismatch(context(rows, values=values_frame(returns, extra=[_subtotal(CAT_FUNDING, 12)])))
    issue = only(issues, "subtotal_mismatch", "warning", "随县", f"subtotal:{CAT_FUNDING}", "C13")
    assert "11.5" in issue.message and "12" in issue.message


# --- the notice -----------------------------------------------------------------------------------------------
def test_county_media_reports_lt2():
    assert checks.county_media_reports_lt2(context([ret("随县", media_reports=2, media_outlets=1)])) == []
    assert checks.county_media_reports_lt2(context([ret("市气象局", "department", media_reports=1)])) == []
    only(
        checks.county_media_reports_lt2(context([ret("随县", media_reports=1, media_outlets=1)])),
        "county_media_reports_lt2",
        "warning",
        "随县",
        "media_reports",
        "C20",
    )


def test_late_return():
    rows = [ret("随县"), ret("广水市")]

    def received(day: date, source: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "source_file": [r["source_file"] for r in rows],
                "received": [date(2023, 6, 3), day],
                "date_source": source,
            }
        )

    assert (
        checks.late_return(context(rows, event_window=WEEK, received=received(date(2023, 6, 3), "received.csv"))) == []
    )
    assert checks.late_return(context(rows, received=received(date(2023, 6, 9), "received.csv"))) == []
    (late,) = checks.late_return(context(rows, event_window=WEEK, received=received(date(2023, 6, 5), "received.csv")))
    assert (late.code, late.severity, late.unit, late.source_file) == (
        "late_return",
        "warning",
        "广水市",
        "广水市/广水市统计表.xlsx",
    )
    assert "2023-06-05" in late.message and "received.csv" in late.message and "2023-06-03" in late.message
    (guess,) = checks.late_return(context(rows, event_window=WEEK, received=received(date(2023, 6, 5), "文件修改时间")))
    assert guess.severity == "info" and "文件修改时间" in guess.message


def test_deadline_unknown():
    rows = [ret("随县")]
    assert checks.deadline_unknown(context(rows, event_window=WEEK)) == []
    assert checks.deadline_unknown(context([])) == []
    (issue,) = checks.deadline_unknown(context(rows))
    assert (issue.code, issue.severity, issue.unit, issue.source_file) == ("deadline_unknown", "info", "", "")
    assert (
        issue.message.startswith("data/reference/weeks.csv 中没有2023年的截止日期")
        and "未核查逾期报送" in issue.message
    )
    assert "deadline_unknown" in {i.code for i in checks.run_checks(context(rows))}


def test_materials_checklist_rule():
    rows = [ret("随县")]
    complete = pd.DataFrame(
        {
            "source_file": ["随县/总结.docx", "随县/1.jpg", "随县/报道.pdf", "随县/v.mp4"],
            "unit": "随县",
            "material": ["summary", "photo", "media", "video"],
            "seconds": [math.nan, math.nan, math.nan, 170.0],
        }
    )
    assert checks.materials_checklist(context(rows)) == []
    assert checks.materials_checklist(context(rows, materials=complete)) == []
    long = complete.assign(seconds=[math.nan, math.nan, math.nan, 200.0])
    (issue,) = checks.materials_checklist(context(rows, materials=long))
    assert (issue.code, issue.severity, issue.unit, issue.source_file) == (
        "video_too_long",
        "warning",
        "随县",
        "随县/v.mp4",
    )


def test_roster_frame():
    class Unit:
        def __init__(self, name: str, kind: str) -> None:
            self.name, self.kind = name, kind

    frame = checks.roster_frame([Unit("随县", "county"), Unit("市科协", "department")])
    assert frame.to_dict("records") == [{"name": "随县", "kind": "county"}, {"name": "市科协", "kind": "department"}]
