"""Every rule's message, word for word: numbers as analysis.chinese writes them (never 1.23457e+06), the comparison
year named as the comparison year, and the count subtotals held to the unit (one person off is a finding).

Each expected text is written out by hand from the case (e.g. 1,234,567 元 ÷ 10,000 = 123.4567 万元; 30,000 人次 over
2 activities = 15,000.0 per activity; 200 against 20 = 10.0 times).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.form import CAT_FUNDING, CAT_STAFF, MONEY_KEYS
from analysis.review import checks
from tests.test_checks import COUNTIES, WEEK, _subtotal, context, ret, returns_frame, values_frame

PREVIOUS = returns_frame([ret("随县", events_held=20)])
MONEY = dict.fromkeys(MONEY_KEYS, 0.0)


def _received() -> pd.DataFrame:
    rows = [ret("随县"), ret("广水市")]
    return pd.DataFrame(
        {
            "source_file": [r["source_file"] for r in rows],
            "received": [date(2023, 6, 3), date(2023, 6, 5)],
            "date_source": "received.csv",
        }
    )


def _subtotals(category: str, written: float) -> checks.CheckContext:
    rows = [ret("随县")]
    return context(rows, values=values_frame(returns_frame(rows), extra=[_subtotal(category, written)]))


CASES = {
    "missing_return": (
        lambda: checks.missing_return(context([ret("曾都区")], roster=[("曾都区", "county"), ("随县", "county")])),
        "名单中的“随县”（县市区）未报送开展情况统计表：请催报（按通知附件格式，Excel 或 Word 均可）。",
    ),
    "field_not_reported": (
        lambda: checks.field_not_reported(context([ret("随县", funding_central=None)])),
        "“中央财政经费投入情况”未填写：没有发生请填 0，不要留空（空白按“未报送”处理，不计入合计）。",
    ),
    "small_field_too_large": (
        lambda: checks.small_field_too_large(context([ret("随县", open_universities=40)])),
        "“活动周期间开放活动的大学数量”填报 40 所，一个单位一般不超过 5 所：请核实是否多写了位数或填错了栏目。",
    ),
    "money_in_yuan_suspect": (
        lambda: checks.money_in_yuan_suspect(context([ret("随县", funding_enterprise=1234567.0)])),
        "“企业赞助经费情况”填报 1,234,567 万元，对一个单位一周的活动明显偏大（县市区单位单项一般不超过 100 万元），"
        "很可能把“元”填进了“万元”栏：若原意是 1,234,567 元，应填 123.4567 万元。请核实后改正（汇总数据未作改动）。",
    ),
    "ratio_implausible per event": (
        lambda: checks.ratio_implausible(context([ret("随县", events_held=2, public_offline=30000)])),
        "线下参与 30,000 人次、举办活动 2 次，平均每次活动 15,000.0 人次，不在合理范围（1–5,000 人次）内：请核实这两项。",
    ),
    "ratio_implausible per outlet": (
        lambda: checks.ratio_implausible(context([ret("随县", media_outlets=2, media_reports=101)])),
        "宣传报道 101 篇、参与媒体 2 家，平均每家媒体 50.5 篇，超过 50 篇：请核实这两项。",
    ),
    "ratio_implausible per participant": (
        lambda: checks.ratio_implausible(
            context([ret("随县", **MONEY | {"funding_county": 20.0}, public_offline=100, public_online=0)])
        ),
        "经费合计 20 万元、群众参与 100 人次，平均每人次 2,000 元，超过 1,000 元：请核实经费（单位为万元）和参与人次。",
    ),
    "outlier_mad": (
        lambda: checks.outlier_mad(context([ret(u, events_held=e) for u, e in zip(COUNTIES, [20, 25, 30, 18, 300])])),
        "“举办活动次数”填报 300 次，远高于同类单位（县市区，5 家）的中位数 25 次：请核实是否多写了位数或填错了栏目。",
    ),
    "yoy_jump against the year before": (
        lambda: checks.yoy_jump(context([ret("随县", events_held=200)], previous=PREVIOUS, compare_year=2022)),
        "“举办活动次数”填报 200 次，上年（2022年）为 20 次，是上年的 10.0 倍：请核实是否有误，属实请简要说明原因。",
    ),
    "yoy_jump against 2021": (
        lambda: checks.yoy_jump(context([ret("随县", events_held=200)], previous=PREVIOUS, compare_year=2021)),
        "“举办活动次数”填报 200 次，对比年度2021年为 20 次，是2021年的 10.0 倍：请核实是否有误，属实请简要说明原因。",
    ),
    "yoy_jump down against 2021": (
        lambda: checks.yoy_jump(context([ret("随县", events_held=1)], previous=PREVIOUS, compare_year=2021)),
        "“举办活动次数”填报 1 次，对比年度2021年为 20 次，只有2021年的 5.0%：请核实是否有误，属实请简要说明原因。",
    ),
    "yoy_jump to zero against 2021": (
        lambda: checks.yoy_jump(context([ret("随县", events_held=0)], previous=PREVIOUS, compare_year=2021)),
        "“举办活动次数”填报 0 次，对比年度2021年为 20 次，降为 0：请核实是否有误，属实请简要说明原因。",
    ),
    "reports_lt_outlets": (
        lambda: checks.reports_lt_outlets(context([ret("随县", media_outlets=5, media_reports=3)])),
        "参与媒体数量 5 家，多于宣传报道数量 3 篇（每家参与的媒体至少应有 1 篇报道）：请核实这两项。",
    ),
    "most_tasks_gt_events": (
        lambda: checks.most_tasks_gt_events(context([ret("随县", most_tasks=3, events_held=2)])),
        "承接科技部活动任务个数 3 个，多于举办活动次数 2 次（承接的任务也是举办的活动）：请核实这两项。",
    ),
    "subtotal_mismatch money": (
        lambda: checks.subtotal_mismatch(_subtotals(CAT_FUNDING, 12)),
        "“活动经费投入数量（单位：万元）”小计填 12万元，但各分项之和为 11.5万元：请核对小计或各分项。",
    ),
    "subtotal_mismatch count": (
        lambda: checks.subtotal_mismatch(_subtotals(CAT_STAFF, 1100)),
        "“科普工作人员参与数量”小计填 1,100，但各分项之和为 110：请核对小计或各分项。",
    ),
    "county_media_reports_lt2": (
        lambda: checks.county_media_reports_lt2(context([ret("随县", media_reports=1, media_outlets=1)])),
        "通知要求各县、市、区宣传报道不少于 2 篇，本单位填报 1 篇：请补报宣传报道资料，或核实填报数。",
    ),
    "late_return": (
        lambda: checks.late_return(context([ret("随县"), ret("广水市")], event_window=WEEK, received=_received())),
        "本表收到日期为 2023-06-05（依据：received.csv），晚于通知规定的截止日期 2023-06-03：请今后按时报送。",
    ),
    "deadline_unknown": (
        lambda: checks.deadline_unknown(context([ret("随县")])),
        "data/reference/weeks.csv 中没有2023年的截止日期（或该行日期无法识别），未核查逾期报送：请补充该年度一行"
        "（year,start,end,deadline，日期如 2023-06-03）。",
    ),
    "materials_checklist": (
        lambda: checks.materials_checklist(
            context(
                [ret("随县")],
                materials=pd.DataFrame(
                    {"source_file": ["随县/v.mp4"], "unit": "随县", "material": ["video"], "seconds": [200.0]}
                ),
            )
        ),
        "视频时长 3分20秒，超过通知要求的3分钟：请剪辑到3分钟以内后重新报送。",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_rule_message(case):
    run, expected = CASES[case]
    assert [i.message for i in run()][0] == expected


def test_every_rule_has_a_message_case():
    covered = {case.split(" ")[0] for case in CASES}
    assert covered == {rule.__name__ for rule in checks.RULES}


def test_no_message_names_the_year_before_when_the_comparison_year_is_another():
    for case in ("yoy_jump against 2021", "yoy_jump down against 2021", "yoy_jump to zero against 2021"):
        text = CASES[case][0]()[0].message
        assert "上年" not in text and "2022" not in text


def test_count_subtotals_are_held_to_one_unit():
    # staff items add up to 10 + 30 + 50 + 20 = 110 people: a subtotal one person off is a finding, the exact one not
    assert checks.subtotal_mismatch(_subtotals(CAT_STAFF, 110)) == []
    (issue,) = checks.subtotal_mismatch(_subtotals(CAT_STAFF, 111))
    assert issue.message == "“科普工作人员参与数量”小计填 111，但各分项之和为 110：请核对小计或各分项。"
    (below,) = checks.subtotal_mismatch(_subtotals(CAT_STAFF, 109))
    assert below.code == "subtotal_mismatch"
    # money is held to the cent: 11.5 万元 written 11.52 is off, 11.504 is the same figure rounded
    assert len(checks.subtotal_mismatch(_subtotals(CAT_FUNDING, 11.52))) == 1
    assert checks.subtotal_mismatch(_subtotals(CAT_FUNDING, 11.504)) == []


def test_the_stamped_copy_message_writes_large_numbers_in_full():
    from analysis.intake.assemble import stamped_differences
    from analysis.intake.records import FileOutcome, ParsedCell

    copy = FileOutcome(
        "随县/盖章件.pdf",
        kind="form",
        parsed=(ParsedCell("public_online", 1234567.0, "1234567", "第1页表格1", "C18", ""),),
    )
    electronic = FileOutcome(
        "随县/统计表.xlsx",
        kind="form",
        parsed=(ParsedCell("public_online", 1234576.0, "1234576", "Sheet1", "C18", ""),),
    )
    (issue,) = stamped_differences(copy, electronic, "随县")
    assert issue.message == (
        "盖章件中“线上活动群众参与数量”为 1,234,567，电子版“随县/统计表.xlsx”（C18）中为 1,234,576："
        "盖章件是正式文本，请向单位核实哪个数正确。"
    )
