"""rules.csv: every threshold of the checks as data, each tested passing, failing and blank per unit kind."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.intake.units import KINDS
from analysis.review import checks
from analysis.review.checks import RULES_CSV, RulesError, load_rules
from tests.test_checks import BASE, context, ret

OTHER_KINDS = tuple(k for k in KINDS if k != "county")
NAN = math.nan


def _codes(rule, ctx) -> list[tuple[str, str, str]]:
    return [(i.code, i.unit, i.field) for i in rule(ctx)]


def test_rules_file_names_each_rule_with_a_label_and_severity():
    rules = load_rules(RULES_CSV)
    assert {t.name for t in rules.rows} == set(checks.RULE_NAMES)
    assert all(t.label and t.severity == "warning" for t in rules.rows)


# --- money_max_wan: 100 万元 for a county, 30 万元 for every other kind ---------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("value", "flagged"), [("limit", False), ("over", True), ("blank", False)])
def test_money_limit_per_kind(kind, value, flagged):
    limit = 100.0 if kind == "county" else 30.0
    amount = {"limit": limit, "over": limit + 0.5, "blank": NAN}[value]
    ctx = context([ret("甲", kind, funding_other=amount)])
    assert _codes(checks.money_in_yuan_suspect, ctx) == (
        [("money_in_yuan_suspect", "甲", "funding_other")] if flagged else []
    )


def test_money_limit_of_a_department_is_not_the_county_one():
    ctx = context([ret("市科协", "department", funding_other=50.0), ret("随县", "county", funding_other=50.0)])
    found = checks.money_in_yuan_suspect(ctx)
    assert [(i.unit, i.field) for i in found] == [("市科协", "funding_other")]
    assert "市直部门单位单项一般不超过 30 万元" in found[0].message


# --- county_min_reports: only county-level units must report at least 2 ----------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("reports", "county_flagged"), [(2, False), (1, True), (None, False)])
def test_two_reports_rule_applies_to_counties_only(kind, reports, county_flagged):
    ctx = context([ret("甲", kind, media_outlets=1, media_reports=reports)])
    expected = [("county_media_reports_lt2", "甲", "media_reports")] if county_flagged and kind == "county" else []
    assert _codes(checks.county_media_reports_lt2, ctx) == expected


# --- small_field_max: per field, the same for every kind -------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("key", "limit"), [("most_tasks", 10), ("open_venues", 50), ("open_institutes", 20), ("open_universities", 5)]
)
def test_small_field_limits(kind, key, limit):
    over = {"events_held": 100} if key == "most_tasks" else {}
    passing = context([ret("甲", kind, **over, **{key: limit})])
    failing = context([ret("甲", kind, **over, **{key: limit + 1})])
    blank = context([ret("甲", kind, **over, **{key: None})])
    assert _codes(checks.small_field_too_large, passing) == []
    assert _codes(checks.small_field_too_large, failing) == [("small_field_too_large", "甲", key)]
    assert _codes(checks.small_field_too_large, blank) == []


# --- ratios: offline per event 1–5000, reports per outlet ≤ 50, 元 per participation ≤ 1000 ----------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("offline", "flagged"), [(20, False), (100_000, False), (19, True), (100_020, True), (None, False)]
)
def test_offline_per_event(kind, offline, flagged):
    ctx = context([ret("甲", kind, events_held=20, public_offline=offline)])
    assert _codes(checks.ratio_implausible, ctx) == ([("ratio_implausible", "甲", "public_offline")] if flagged else [])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("reports", "flagged"), [(250, False), (251, True), (None, False)])
def test_reports_per_outlet(kind, reports, flagged):
    ctx = context([ret("甲", kind, media_outlets=5, media_reports=reports)])
    assert _codes(checks.ratio_implausible, ctx) == ([("ratio_implausible", "甲", "media_reports")] if flagged else [])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("people", "flagged"), [(115, False), (114, True), (None, False)])
def test_yuan_per_participant(kind, people, flagged):
    # BASE money is 11.5 万元 = 115,000 元: 115 participations is 1000 元 each (allowed), 114 is 1008.8 元.
    ctx = context([ret("甲", kind, events_held=1, public_offline=people, public_online=0)])
    assert _codes(checks.ratio_implausible, ctx) == ([("ratio_implausible", "甲", "public_offline")] if flagged else [])


# --- outliers: 5 peers of the same kind, robust z > 5 and at least 5 × the median --------------------------------
def _peers(kind: str, top: float | None, n: int = 5) -> list[dict]:
    # staff_other 10, 11, 12, 13 (median with the top one 12 or 12.5) and the tested value
    rows = [ret(f"{kind}{i}", kind, staff_other=10 + i) for i in range(n - 1)]
    return rows + [ret(f"{kind}顶", kind, staff_other=top)]


@pytest.mark.parametrize("kind", KINDS)
def test_outlier_needs_five_peers_and_a_far_value(kind):
    # peers 10..13 and 100: median 12, MAD 1 (|10-12|,|11-12|,0,1,88 → median 1), z = 0.6745*88 = 59 > 5, 100 ≥ 60
    assert _codes(checks.outlier_mad, context(_peers(kind, 100))) == [("outlier_mad", f"{kind}顶", "staff_other")]
    # 59 < 5 × 12 = 60: far in z, but not five times the median
    assert _codes(checks.outlier_mad, context(_peers(kind, 59))) == []
    # blank: four peers left, fewer than five
    assert _codes(checks.outlier_mad, context(_peers(kind, None))) == []
    # four units only
    assert _codes(checks.outlier_mad, context(_peers(kind, 100, n=4))) == []


def test_outlier_peers_are_of_the_same_kind():
    rows = _peers("county", 100)[:-1] + [ret("市科协", "department", staff_other=100)]
    assert _codes(checks.outlier_mad, context(rows)) == []


# --- year over year: 10 × above or below, last year's value at least 1 万元 / 10 --------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("now", "before", "flagged"),
    [
        (99, 10, False),
        (100, 10, True),
        (1, 10, True),
        (2, 10, False),
        (100, 9, False),
        (None, 10, False),
        (50, None, False),
    ],
)
def test_yoy_counts(kind, now, before, flagged):
    previous = context([ret("甲", kind, staff_other=before)]).returns
    ctx = context([ret("甲", kind, staff_other=now)], previous=previous)
    assert _codes(checks.yoy_jump, ctx) == ([("yoy_jump", "甲", "staff_other")] if flagged else [])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("now", "before", "flagged"), [(9.99, 1.0, False), (10.0, 1.0, True), (9.0, 0.9, False)])
def test_yoy_money_floor(kind, now, before, flagged):
    previous = context([ret("甲", kind, funding_other=before)]).returns
    ctx = context([ret("甲", kind, funding_other=now)], previous=previous)
    assert _codes(checks.yoy_jump, ctx) == ([("yoy_jump", "甲", "funding_other")] if flagged else [])


def test_yoy_ignores_last_year_money_over_the_kind_limit():
    # 40 万元 last year is over a department's 30 万元 (suspect), within a county's 100 万元 (a fair base)
    for kind, flagged in (("department", False), ("county", True)):
        previous = context([ret("甲", kind, funding_other=40.0)]).returns
        ctx = context([ret("甲", kind, funding_other=4.0)], previous=previous)
        assert bool(checks.yoy_jump(ctx)) is flagged


# --- the file itself ---------------------------------------------------------------------------------------------
def test_a_changed_rules_file_changes_the_finding(tmp_path):
    text = RULES_CSV.read_text(encoding="utf-8").replace("money_max_wan,*,county,100,", "money_max_wan,*,county,200,")
    (tmp_path / "rules.csv").write_text(text, encoding="utf-8")
    rows = [ret("随县", "county", funding_other=150.0)]
    assert checks.money_in_yuan_suspect(context(rows))
    assert not checks.money_in_yuan_suspect(context(rows, rules=load_rules(tmp_path / "rules.csv")))


def test_a_rule_added_for_colleges_applies_to_colleges_only(tmp_path):
    text = RULES_CSV.read_text(encoding="utf-8") + "county_min_reports,*,college,3,warning,高校宣传报道不少于的篇数\n"
    (tmp_path / "rules.csv").write_text(text, encoding="utf-8")
    rules = load_rules(tmp_path / "rules.csv")
    rows = [
        ret("湖北医药学院", "college", media_outlets=1, media_reports=2),
        ret("市科协", "department", media_outlets=1, media_reports=1),
    ]
    found = checks.county_media_reports_lt2(context(rows, rules=rules))
    assert [(i.unit, i.field) for i in found] == [("湖北医药学院", "media_reports")]
    assert "不少于 3 篇" in found[0].message


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("money_max_wan,*,villages,5,warning,x", "单位类型“villages”"),
        ("no_such_rule,*,*,5,warning,x", "规则名“no_such_rule”未知"),
        ("small_field_max,no_field,*,5,warning,x", "项目“no_field”"),
        ("outlier_z,*,*,五,warning,x", "不是非负数"),
        ("outlier_z,*,*,5,fatal,x", "严重程度“fatal”"),
    ],
)
def test_a_broken_rules_file_is_refused_in_chinese(tmp_path, line, words):
    (tmp_path / "rules.csv").write_text(RULES_CSV.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(RulesError, match=words):
        load_rules(tmp_path / "rules.csv")


def test_per_row_prefers_the_most_specific_row():
    rules = load_rules(RULES_CSV)
    kinds = pd.Series(["county", "college", "county"])
    assert rules.per_row("money_max_wan", kinds).tolist() == [100.0, 30.0, 100.0]
    assert rules.per_row("county_min_reports", kinds).isna().tolist() == [False, True, False]
    assert BASE["media_reports"] == 12
