"""The run's summary line says how the roster stands; the 全市合计 row recomputes ratios from the totals.
Through real files in a year folder and the real year pipeline."""

from __future__ import annotations

import openpyxl
import pytest
from fixtures import (
    SAMPLE,
    vertical_form,
    with_values,
    write_photo,
    write_units_csv,
    write_unrelated_xlsx,
    write_xlsx,
)

from analysis.pipeline import process_year
from analysis.report import digest, model


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """随县 and 广水市 with forms; 曾都区 only a sign-in sheet and a photo; 某某局 (not on the roster) a form;
    the other nine roster units nothing."""
    base = tmp_path_factory.mktemp("roster")
    raw = base / "raw" / "2023"
    write_xlsx(
        raw / "随县/随县统计表.xlsx",
        vertical_form(with_values(SAMPLE, public_offline=100, public_online=0), stamp="随县"),
    )
    write_xlsx(
        raw / "广水市/广水市统计表.xlsx",
        vertical_form(with_values(SAMPLE, public_offline=0, public_online=10), stamp="广水市"),
    )
    write_unrelated_xlsx(raw / "曾都区/签到表.xlsx")
    write_photo(raw / "曾都区/活动照片.jpg")
    write_xlsx(raw / "某某局统计表.xlsx", vertical_form(SAMPLE, stamp="某某局"))
    return process_year(
        raw,
        base / "processed" / "2023",
        year=2023,
        workers=1,
        units_csv=write_units_csv(base / "units.csv"),
        review=base / "none.xlsx",
    )


def test_the_summary_line_tells_returned_unusable_missing_and_outside(outcome):
    line = outcome.recap().splitlines()[0]
    assert "应报单位 12 家：2 家已有采用的统计表，1 家只报送了无法使用的文件（曾都区），9 家未报送（" in line
    assert "另有名录外单位的统计表 1 份（某某局）" in line


def test_the_city_row_recomputes_ratios_from_the_totals(outcome, tmp_path):
    week = model.load_week(2023, outcome.out_dir)
    path = digest.write_week_exports(week, tmp_path)["summary.xlsx"]
    ws = openpyxl.load_workbook(path)["分单位明细"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(r for r in rows if r[0] == "单位")
    share = header.index("线上参与占比（%）")
    by_unit = {r[0]: r[share] for r in rows if r[0] in ("随县", "广水市", "某某局", "全市合计")}
    assert by_unit["随县"] == 0 and by_unit["广水市"] == 100
    # 全市: (0 + 10 + 165200) online of (100 + 10 + 16520 + 165200) in all — not the sum of the units' shares
    assert by_unit["全市合计"] == pytest.approx(165210 / 181830 * 100)
