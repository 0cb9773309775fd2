"""Unit charts with many units: beyond 30, the largest 25 and one bar (or panel) “其他 N 家”, said in the title."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fixtures import SAMPLE, ingest_folder, vertical_form, write_units_csv, write_xlsx

from analysis.report import charts

NAMES = [f"{c}县" for c in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥东南西北中青红白黄金银"]  # 33 units
BLANK = 6  # the first six leave 举办活动次数 blank; unit i ≥ 6 held i + 1 events (7 … 33)


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> pd.DataFrame:
    base = tmp_path_factory.mktemp("many")
    for i, name in enumerate(NAMES):
        write_xlsx(
            base / "raw" / f"{i:02d}.xlsx",
            vertical_form({**SAMPLE, "events_held": "" if i < BLANK else i + 1}, stamp=name),
        )
    units = write_units_csv(base / "units.csv", [(n, "county", "") for n in NAMES])
    result = ingest_folder(base / "raw", units_csv=units)
    assert sorted(result.returns["unit"]) == sorted(NAMES)
    return result.returns


def bars(fig) -> tuple[list[str], list[float], list[str]]:
    ax = fig.axes[0]
    return (
        [t.get_text() for t in ax.get_yticklabels()],
        [p.get_width() for p in ax.patches],
        [t.get_text() for t in ax.texts],
    )


def title(fig) -> str:
    return fig.texts[0].get_text()


def test_largest_25_and_the_rest(returns):
    fig = charts.bar_by_unit(returns, "events_held", year=2023, demo=False)
    names, widths, labels = bars(fig)
    assert names == [NAMES[i] for i in range(32, 7, -1)] + ["其他 8 家"]  # 33 … 9 events, then units 0–7
    assert widths == [float(v) for v in range(33, 8, -1)] + [15.0]  # 6 not reported + 7 + 8
    assert labels[-1] == "15"
    assert title(fig) == "2023年各单位举办活动次数（最大的25家，其余合为“其他 8 家”）"
    assert [p.get_facecolor() for p in fig.axes[0].patches][-1] != fig.axes[0].patches[0].get_facecolor()


def test_thirty_units_are_all_shown(returns):
    fig = charts.bar_by_unit(returns[returns["unit"].isin(NAMES[3:])], "events_held", year=2023, demo=False)
    names, _, labels = bars(fig)
    assert len(names) == 30 and "其他" not in "".join(names) and labels.count("未填报") == 3
    assert title(fig) == "2023年各单位举办活动次数"


def test_a_rest_that_reported_nothing_is_not_reported(returns):
    fig = charts.bar_by_unit(returns[returns["unit"].isin(NAMES[:31])], "events_held", year=2023, demo=False)
    names, widths, labels = bars(fig)
    assert (names[-1], widths[-1], labels[-1]) == ("其他 6 家", 0.0, "未填报")


def test_stacked_charts(returns):
    fig = charts.funding_composition(returns, year=2023, demo=False)
    names, _, labels = bars(fig)
    assert len(names) == 26 and names[-1] == "其他 8 家"
    assert labels[-1] == "122.00"  # 8 × 15.25 万元
    assert title(fig) == "2023年各单位活动经费投入构成（最大的25家，其余合为“其他 8 家”）"


def test_small_multiples(returns):
    per_unit = pd.concat([returns.assign(year=2022), returns.assign(year=2023)], ignore_index=True)
    fig = charts.unit_small_multiples(per_unit, "events_held", demo=False)
    assert len(fig.axes) == 26
    assert fig.axes[-1].get_title(loc="left") == "其他 8 家"
    assert list(fig.axes[-1].lines[0].get_ydata()) == [15.0, 15.0]
    assert {ax.get_title(loc="left") for ax in fig.axes[:-1]} == set(NAMES[8:])
    assert "各单位举办活动次数历年变化（最大的25家，其余合为“其他 8 家”）" in [t.get_text() for t in fig.texts]
    few = charts.unit_small_multiples(per_unit[per_unit["unit"].isin(NAMES[:5])], "events_held", demo=False)
    assert len(few.axes) == 5 and np.isnan(few.axes[0].lines[0].get_ydata()).all()
