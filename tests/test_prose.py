"""The report's sentences: number conventions, and whole sentences for the demo years computed by hand.

Expected figures come from the demo truth tables (data/demo/truth/2022.csv, 2023.csv) added up by hand:
2023 activities 83+70+81+73+25+18+13+18+16+16+16+13+20+10+16+8 = 496, 2022: 365, so +35.9%; the top three
曾都区 83、广水市 81、随州高新区 73 = 237 = 47.8% of 496; offline 213,753 (市教育局 wrote 待统计), online 495,862,
together 709,615 = 70.96万; 2022: 157,296 + 323,067 = 480,363 = 48.04万; reports 229 against 173 (+32.4%).
Numbers are written as analysis.chinese writes them (its own tests: tests/test_chinese.py).
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis.issues import is_open
from analysis.report import prose
from analysis.report.history import HISTORY_SOURCE
from analysis.report.model import compare, load_week

SECTIONS = (
    prose.overview,
    prose.activities,
    prose.funding,
    prose.staff,
    prose.public,
    prose.media,
    prose.venues,
    prose.units,
)


@pytest.fixture(scope="module")
def week2023(demo_processed):
    return load_week(2023, demo_processed / "2023")


@pytest.fixture(scope="module")
def week2022(demo_processed):
    return load_week(2022, demo_processed / "2022")


def _all_text(week, comparison) -> str:
    return "".join(p for make in SECTIONS for p in make(week, comparison)) + "".join(prose.quality(week))


# --- number conventions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "part, whole, text",
    [
        (1, 4, "占比25.0%"),
        (0.01, 100, "占比不足0.1%"),
        (0, 4, "占比0.0%"),
        (1, 0, ""),
        (np.nan, 4, ""),
        (1, np.nan, ""),
    ],
)
def test_share(part, whole, text):
    assert prose.share(part, whole) == text


# --- whole sentences for the demo years ------------------------------------------------------------------------


def test_overview_2023_against_2022(week2023):
    assert prose.overview(week2023, week2023.comparison)[0] == (
        "2023年科技活动周期间，全市应报送统计表的单位17家，实际收到16家，报送率94.1%；市自然资源和规划局未报送。"
    )
    assert "群众参与合计70.96万人次，宣传报道229篇。" in prose.overview(week2023, week2023.comparison)[1]
    yoy = prose.overview(week2023, week2023.comparison)[2]
    assert yoy.startswith("与2022年相比，举办活动次数同比增长35.9%，")
    assert "群众参与合计同比增长47.7%，宣传报道数量同比增长32.4%。" in yoy


def test_activities_public_and_media_2023(week2023):
    comparison = week2023.comparison
    assert prose.activities(week2023, comparison)[1] == (
        "举办活动次数居前的单位是曾都区（83次）、广水市（81次）、随州高新区（73次），合计占比47.8%。"
    )
    assert prose.activities(week2023, comparison)[0].startswith("全市共举办科普活动496场（次），同比增长35.9%，")
    assert prose.public(week2023, comparison) == [
        "全市群众参与合计70.96万人次，同比增长47.7%，其中线下活动参与21.38万人次，同比增长35.9%；"
        "线上活动参与49.59万人次，同比增长53.5%，线上参与占比69.9%。"
    ]
    assert (
        prose.media(week2023, comparison)[1] == "通知要求各县市区宣传报道不少于2篇，大洪山风景名胜区（1篇）未达到要求。"
    )


def test_funding_warns_about_the_suspected_yuan_value(week2023):
    # 随县 wrote 303000 (元) as 县级财政经费: the note gives the total with 30.3 instead of 303000
    note = prose.funding(week2023, week2023.comparison)[-1]
    assert note.startswith("需要说明的是，县级财政经费投入情况（随县）的数值疑似把“元”填作“万元”")
    corrected = float(week2023.derived["total_funding"]) - 303_000 + 30.3
    assert f"全市经费投入合计约为{corrected:,.2f}万元" in note


def test_without_comparison_year_one_plain_sentence(week2022):
    assert week2022.comparison is None  # 2021 is not processed in this fixture
    overview = prose.overview(week2022, None)
    assert overview[-1] == prose.NO_COMPARISON == "本年无可对比的上年数据，未作同比分析。"
    assert prose.public(week2022, None) == [
        "全市群众参与合计48.04万人次，其中线下活动参与15.73万人次；线上活动参与32.31万人次，线上参与占比67.3%。"
    ]
    text = _all_text(week2022, None)
    assert not any(word in text for word in ("同比增长", "同比下降", "同比持平", "较20"))


def test_past_city_totals_are_named_as_such(week2023):
    previous = week2023.yoy["previous"]
    comparison = compare(week2023.totals, 2022, previous, HISTORY_SOURCE)
    assert prose.overview(week2023, comparison)[2].startswith("与2022年（历年上报数）相比，举办活动次数同比增长35.9%")
    assert "2022年对比数为历年上报数" in prose.sources(week2023, comparison)
    noted = replace(comparison, notes=("history.csv：第3行合计数“x”不是数字，该行未使用",))
    assert "历年上报数中有1处未能使用：history.csv：第3行合计数“x”不是数字" in prose.sources(week2023, noted)


def test_a_comparison_year_that_is_not_the_year_before_is_named(week2023):
    # the 2022 totals, taken as if they were 2021's: the same changes, named 较2021年 (never 同比 or 上年)
    comparison = compare(week2023.totals, 2021, week2023.yoy["previous"])
    yoy = prose.overview(week2023, comparison)[2]
    assert yoy.startswith("与2021年相比，举办活动次数较2021年增长35.9%，")
    assert yoy.endswith("群众参与合计较2021年增长47.7%，宣传报道数量较2021年增长32.4%。")
    assert prose.activities(week2023, comparison)[0].startswith("全市共举办科普活动496场（次），较2021年增长35.9%，")
    assert prose.public(week2023, comparison) == [
        "全市群众参与合计70.96万人次，较2021年增长47.7%，其中线下活动参与21.38万人次，较2021年增长35.9%；"
        "线上活动参与49.59万人次，较2021年增长53.5%，线上参与占比69.9%。"
    ]
    assert "对比数为2021年各单位报表汇总。" in prose.sources(week2023, comparison)
    text = _all_text(week2023, comparison)
    assert "同比" not in text and "上年" not in text and "2022" not in text


def test_a_zero_last_year_gives_no_percentage(week2023):
    previous = week2023.yoy["previous"].copy()
    previous["events_held"] = 0
    first = prose.activities(week2023, compare(week2023.totals, 2022, previous))[0]
    assert first.startswith("全市共举办科普活动496场（次），承接科技部活动任务27个")
    assert "inf" not in _all_text(week2023, compare(week2023.totals, 2022, previous))


@pytest.fixture
def blank_media_week(demo_processed, tmp_path):
    """Demo 2023 processed again with nobody reporting the two media items (written to returns.csv)."""
    folder = tmp_path / "2023"
    shutil.copytree(demo_processed / "2023", folder)
    returns = pd.read_csv(folder / "returns.csv", encoding="utf-8-sig")
    returns[["media_outlets", "media_reports"]] = np.nan
    returns.to_csv(folder / "returns.csv", index=False, encoding="utf-8-sig")
    (folder / "returns.parquet").unlink(missing_ok=True)
    return load_week(2023, folder)


def test_no_sentence_about_an_item_nobody_reported(blank_media_week):
    assert pd.isna(blank_media_week.totals["media_reports"])
    assert prose.media(blank_media_week, None) == []
    assert "宣传报道" not in prose.overview(blank_media_week, None)[1]
    text = _all_text(blank_media_week, None)
    assert "nan" not in text.lower() and "—" not in text


# --- open findings (the 初稿 mark) ---------------------------------------------------------------------------


def _issues(**columns) -> pd.DataFrame:
    base = {"severity": ["error", "warning", "warning", "info"], "code": ["a", "b", "c", "d"]}
    return pd.DataFrame({**base, **columns})


def test_open_findings_without_ledger_every_error_and_warning():
    assert is_open(_issues()).tolist() == [True, True, True, False]


def test_open_findings_with_ledger_status():
    frame = _issues(status=["confirmed", "open", "corrected", "open"])
    assert is_open(frame).tolist() == [False, True, False, False]
    assert is_open(_issues(status=[None, "", " open ", None])).tolist() == [True, True, True, False]


def test_quality_sentences_follow_the_ledger(week2023):
    # demo 2023: warnings planted are 6 (county reports, late, missing, yuan, 待统计, long video)
    sentences = prose.quality(week2023)
    assert sentences[0] == "本年共收到16家单位的统计表（应报17家），其中逾期报送1家。"
    assert sentences[1].startswith("程序逐项核查发现需要核实的问题6条（错误0条、警告6条），已核实处理0条，尚待核实6条")
    assert sentences[-1].startswith("尚有问题待核实，本报告为初稿")
    settled = replace(week2023, issues=week2023.issues.assign(status="confirmed"))
    assert "已核实处理6条，尚待核实0条" in prose.quality(settled)[1]
    assert not any("初稿" in s for s in prose.quality(settled))
