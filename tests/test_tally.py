"""The rule-by-rule tally: for each rule, values looked at, passed, failed and blank — counted by hand per case."""

from __future__ import annotations

from analysis.issues import issues_frame
from analysis.review import checks
from analysis.review.tally import TALLY_COLUMNS, tally, tally_table
from tests.test_checks import COUNTIES, context, ret, returns_frame


def _row(ctx, rule: str) -> tuple[int, int, int, int]:
    table = tally(ctx, checks.run_checks(ctx)).set_index("rule")
    r = table.loc[rule]
    assert r["looked_at"] == r["passed"] + r["failed"] + r["blank"]
    return int(r["looked_at"]), int(r["passed"]), int(r["failed"]), int(r["blank"])


def test_every_rule_name_of_rules_csv_is_on_one_line():
    ctx = context([ret("随县")])
    table = tally(ctx, [])
    assert list(table.columns) == list(TALLY_COLUMNS)
    names = [n for p in table["parameters"] for n in p.split("、")]
    assert sorted(names) == sorted(checks.RULE_NAMES) and len(names) == len(set(names))


def test_small_field_max_pass_fail_blank():
    # four items have a cap (most_tasks, open_venues, open_institutes, open_universities) × two returns
    ctx = context([ret("随县", open_universities=40), ret("广水市", open_venues=None)])
    assert _row(ctx, "单项数量上限") == (8, 6, 1, 1)


def test_money_max_per_kind():
    # seven money items × two returns; 随县 50,000 万元 fails; 市科协 leaves one blank
    ctx = context([ret("随县", funding_enterprise=50000.0), ret("市科协", "department", funding_central=None)])
    assert _row(ctx, "单项经费上限（疑似元填成万元）") == (14, 12, 1, 1)


def test_ratios_judge_only_what_has_both_parts():
    rows = [
        ret("随县", events_held=2, public_offline=30000),  # 15,000 per activity: fails
        ret("广水市", events_held=0),  # no activity: cannot be judged
        ret("曾都区"),
    ]  # 150 per activity: passes
    ctx = context(rows)
    assert _row(ctx, "场均线下参与人次") == (3, 1, 1, 1)
    assert _row(ctx, "每家媒体报道篇数") == (3, 3, 0, 0)


def test_county_rule_looks_at_counties_only():
    ctx = context([ret("随县", media_reports=1, media_outlets=1), ret("市科协", "department", media_reports=0)])
    assert _row(ctx, "县市区宣传报道篇数") == (1, 0, 1, 0)
    only_departments = context([ret("市科协", "department")])
    assert _row(only_departments, "县市区宣传报道篇数") == (0, 0, 0, 0)  # looked at nothing: visible


def test_yoy_without_a_comparison_year_is_blank_and_with_one_is_judged():
    ctx = context([ret("随县", events_held=200)])
    looked, passed, failed, blank = _row(ctx, "与对比年度相比的变化")
    assert (looked, passed, failed, blank) == (20, 0, 0, 20)
    previous = returns_frame([ret("随县", events_held=20, funding_central=None)])
    ctx = context([ret("随县", events_held=200)], previous=previous, compare_year=2021)
    assert _row(ctx, "与对比年度相比的变化") == (20, 18, 1, 1)


def test_outliers_count_every_value():
    ctx = context([ret(u, events_held=e) for u, e in zip(COUNTIES, [20, 25, 30, 18, 300])])
    assert _row(ctx, "与同类单位相比的异常值") == (100, 99, 1, 0)


def test_chinese_headers():
    table = tally_table(tally(context([ret("随县")]), []))
    assert list(table.columns) == ["核查规则", "规则参数", "问题代码", "检查数值", "通过", "未通过", "无法判断（空白）"]
    by_rule = table.set_index("核查规则")["规则参数"]
    assert by_rule["与同类单位相比的异常值"] == "rules.csv：min_peers、outlier_z、outlier_fold"


def test_summary_workbook_has_the_rule_sheet(tmp_path):
    import openpyxl

    from analysis.report import exports, stats

    ctx = context([ret("随县", open_universities=40)])
    returns = ctx.returns
    totals = stats.city_totals(returns)
    path = exports.write_summary_xlsx(
        tmp_path / "s.xlsx",
        year=2023,
        totals=totals,
        derived=stats.derived(totals),
        unit_table=stats.unit_table(returns),
        yoy=None,
        issues=issues_frame([]),
        demo=False,
        rules=tally_table(tally(ctx, checks.run_checks(ctx))),
    )
    sheet = openpyxl.load_workbook(path)["规则核查"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0] == ["核查规则", "规则参数", "问题代码", "检查数值", "通过", "未通过", "无法判断（空白）"]
    assert ["单项数量上限", "rules.csv：small_field_max", "small_field_too_large", 4, 3, 1, 0] in rows
    assert ["县市区宣传报道篇数", "rules.csv：county_min_reports", "county_media_reports_lt2", 1, 1, 0, 0] in rows
