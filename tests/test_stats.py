"""analysis.report.stats on small hand-made returns; every expected number is worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import form
from analysis.form import BY_KEY, COUNT_KEYS, FIELD_KEYS
from analysis.report import stats

NAN = np.nan
ROSTER = ["曾都区", "随县", "广水市", "随州高新区", "大洪山风景名胜区", "市科协", "随州职业技术学院"]


def frame(rows: list[dict], *, int_counts: bool = True) -> pd.DataFrame:
    """Returns in the ingest contract: every key present, NaN where a row does not mention it."""
    df = pd.DataFrame(rows).reindex(columns=["source_file", "unit", "unit_kind", *FIELD_KEYS])
    df = df.assign(source_file=df["unit"].astype(str) + ".xlsx")
    if int_counts:
        df = df.assign(**{k: df[k].astype("float64").astype("Int64") for k in COUNT_KEYS})
    return df


CURRENT = [
    dict(
        unit="曾都区",
        unit_kind="county",
        events_held=12,
        most_tasks=1,
        funding_central=2.5,
        funding_county=10.0,
        funding_enterprise=0.0,
        staff_fulltime=5,
        staff_volunteers=20,
        public_offline=3000,
        public_online=12000,
        media_outlets=3,
        media_reports=6,
        open_venues=2,
    ),
    dict(
        unit="随县",
        unit_kind="county",
        events_held=8,
        funding_county=4.0,
        staff_fulltime=3,
        public_offline=2000,
        media_outlets=2,
        media_reports=2,
    ),
    dict(
        unit="广水市", unit_kind="county", events_held=10, funding_municipal=1.25, public_offline=5000, public_online=0
    ),
    dict(
        unit="市科协",
        unit_kind="department",
        events_held=6,
        funding_municipal=3.0,
        funding_other=0.75,
        staff_scientists=15,
        public_offline=1000,
        open_venues=1,
    ),
    dict(
        unit="随州职业技术学院",
        unit_kind="college",
        events_held=4,
        funding_in_kind=0.5,
        public_online=800,
        open_universities=1,
    ),
]
PREVIOUS = [
    dict(
        unit="曾都区",
        unit_kind="county",
        events_held=10,
        funding_county=8.0,
        funding_enterprise=0.0,
        public_offline=2500,
    ),
    dict(unit="随县", unit_kind="county", events_held=8, public_offline=2400),
    dict(unit="广水市", unit_kind="county", events_held=5),
    dict(unit="大洪山风景名胜区", unit_kind="county", events_held=3),
    dict(unit="市科协", unit_kind="department"),
]


@pytest.fixture
def current() -> pd.DataFrame:
    return frame(CURRENT)


@pytest.fixture
def previous() -> pd.DataFrame:
    return frame(PREVIOUS)


# Hand sums of CURRENT; None = nobody reported it.
EXPECTED_TOTALS = {
    "events_held": 40,
    "most_tasks": 1,
    "funding_central": 2.5,
    "funding_provincial": None,
    "funding_municipal": 4.25,
    "funding_county": 14.0,
    "funding_enterprise": 0.0,
    "funding_in_kind": 0.5,
    "funding_other": 0.75,
    "staff_fulltime": 8,
    "staff_scientists": 15,
    "staff_volunteers": 20,
    "staff_other": None,
    "public_offline": 11000,
    "public_online": 12800,
    "media_outlets": 5,
    "media_reports": 8,
    "open_venues": 3,
    "open_institutes": None,
    "open_universities": 1,
}


@pytest.mark.parametrize("int_counts", [True, False])
def test_city_totals_sums_and_nan_semantics(int_counts: bool) -> None:
    totals = stats.city_totals(frame(CURRENT, int_counts=int_counts))
    assert list(totals.index) == list(FIELD_KEYS)
    for key, expected in EXPECTED_TOTALS.items():
        if expected is None:
            assert pd.isna(totals[key]), key
        else:
            assert totals[key] == pytest.approx(expected), key
    assert isinstance(totals["events_held"], int) and isinstance(totals["public_online"], int)
    assert isinstance(totals["funding_county"], float)
    # reported as 0 by one unit: a real zero, not "not reported"
    assert totals["funding_enterprise"] == 0 and not pd.isna(totals["funding_enterprise"])


def test_derived_figures(current: pd.DataFrame) -> None:
    d = stats.derived(stats.city_totals(current))
    assert list(d.index) == list(stats.DERIVED_KEYS)
    assert d["total_funding"] == pytest.approx(22.0)  # 2.5 + 4.25 + 14 + 0 + 0.5 + 0.75
    assert d["government_funding"] == pytest.approx(20.75)  # 2.5 + 4.25 + 14
    assert d["government_share"] == pytest.approx(20.75 / 22 * 100)
    assert d["total_staff"] == 43  # 8 + 15 + 20
    assert d["total_participation"] == 23800  # 11000 + 12800
    assert d["online_share"] == pytest.approx(12800 / 23800 * 100)
    assert d["participation_per_event"] == pytest.approx(595.0)  # 23800 / 40
    assert d["yuan_per_participation"] == pytest.approx(22 * 10000 / 23800)
    assert d["reports_per_outlet"] == pytest.approx(1.6)


def test_derived_division_by_zero_and_nothing_reported() -> None:
    totals = pd.Series({k: NAN for k in FIELD_KEYS}, dtype=object)
    totals["events_held"] = 0
    totals["public_offline"] = 500
    totals["media_outlets"] = 0
    totals["media_reports"] = 4
    d = stats.derived(totals)
    assert math.isnan(d["participation_per_event"])  # 500 / 0
    assert math.isnan(d["reports_per_outlet"])  # 4 / 0
    assert math.isnan(d["total_funding"]) and math.isnan(d["government_share"])  # no money reported
    assert math.isnan(d["online_share"])  # online not reported
    assert d["total_participation"] == 500


def test_labels_come_from_the_form() -> None:
    assert stats.headed("events_held") == "举办活动次数（次）"
    assert stats.headed("funding_in_kind") == "实物投入情况（万元）"
    assert stats.headed("yuan_per_participation") == "每人次经费投入（元/人次）"
    assert stats.format_value(1200, "events_held", signed=True) == "+1,200"
    assert stats.format_value(-1.5, "funding_county", signed=True) == "-1.50"
    assert stats.format_value(NAN, "events_held") == "—"


def test_headers_of_form_items_come_from_field_headed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert BY_KEY["events_held"].headed == "举办活动次数（次）"
    assert BY_KEY["funding_in_kind"].headed == "实物投入情况（万元）"  # the hint in brackets is dropped
    assert stats.with_measure("经费投入", "万元") == "经费投入（万元）"
    monkeypatch.setattr(form.Field, "headed", property(lambda f: f"<{f.key}>"))
    assert stats.headed("events_held") == "<events_held>"  # one definition, not a copy
    assert stats.headed("reports_per_outlet") == "每家媒体报道数（篇/家）"


def test_completeness(current: pd.DataFrame) -> None:
    c = stats.completeness(current, ROSTER)
    assert (c.expected, c.received) == (7, 5)
    assert c.missing == ["随州高新区", "大洪山风景名胜区"]  # roster order
    assert c.unexpected == []
    assert c.rate == pytest.approx(5 / 7 * 100)
    assert c.field_counts["events_held"] == 5
    assert c.field_counts["public_online"] == 3  # 12000, 0 and 800; 0 counts as reported
    assert c.field_counts["funding_enterprise"] == 1
    assert c.field_counts["funding_provincial"] == 0

    off_roster = stats.completeness(current, ["曾都区", "随县"])
    assert off_roster.missing == [] and off_roster.rate == 100
    assert off_roster.unexpected == ["广水市", "市科协", "随州职业技术学院"]


def test_completeness_nothing_received() -> None:
    c = stats.completeness(frame([]), ["随县", "广水市"])
    assert (c.received, c.missing, c.rate) == (0, ["随县", "广水市"], 0)


def test_unit_table(current: pd.DataFrame) -> None:
    table = stats.unit_table(current)
    assert list(table.columns) == [
        "unit",
        "unit_kind",
        "source_file",
        *FIELD_KEYS,
        "total_funding",
        "total_staff",
        "total_participation",
        "online_share",
        "participation_per_event",
        "yuan_per_participation",
        "reports_per_outlet",
    ]
    # county, department, college; names within a kind in code-point order (广 < 曾 < 随)
    assert list(table["unit"]) == ["广水市", "曾都区", "随县", "市科协", "随州职业技术学院"]
    assert table["events_held"].dtype == "Int64"
    zd = table.set_index("unit").loc["曾都区"]
    assert zd["total_funding"] == pytest.approx(12.5)  # 2.5 + 10 + 0
    assert zd["total_participation"] == 15000
    assert zd["online_share"] == pytest.approx(80.0)
    assert zd["participation_per_event"] == pytest.approx(1250.0)  # 15000 / 12
    assert zd["yuan_per_participation"] == pytest.approx(12.5 * 10000 / 15000)
    assert zd["reports_per_outlet"] == pytest.approx(2.0)  # 6 reports / 3 outlets
    by_unit = table.set_index("unit")
    assert by_unit.loc["随县", "reports_per_outlet"] == pytest.approx(1.0)  # 2 / 2
    assert pd.isna(by_unit.loc["广水市", "reports_per_outlet"])  # no media reported
    assert pd.isna(by_unit.loc["随县", "online_share"])  # online not reported
    assert by_unit.loc["广水市", "online_share"] == 0  # online reported as 0
    assert by_unit.loc["市科协", "total_staff"] == 15
    assert pd.isna(by_unit.loc["随州职业技术学院", "total_staff"])


def test_unit_table_merges_two_returns_of_one_unit() -> None:
    table = stats.unit_table(
        frame(
            [
                dict(unit="随县", unit_kind="county", events_held=2),
                dict(unit="随县", unit_kind="county", events_held=3, open_venues=1),
            ]
        )
    )
    assert len(table) == 1 and table.loc[0, "events_held"] == 5 and table.loc[0, "open_venues"] == 1


def test_rankings(current: pd.DataFrame) -> None:
    r = stats.rankings(current, "events_held")
    assert list(r["unit"]) == ["曾都区", "广水市", "随县", "市科协", "随州职业技术学院"]
    assert list(r["rank"]) == [1, 2, 3, 4, 5]
    assert list(r["share"]) == pytest.approx([30.0, 25.0, 20.0, 15.0, 10.0])  # of 40
    top2 = stats.rankings(current, "events_held", n=2)
    assert list(top2["unit"]) == ["曾都区", "广水市"]
    # only units that reported the item; ties share a rank
    online = stats.rankings(
        frame(
            [
                dict(unit="甲", unit_kind="county", public_online=5),
                dict(unit="乙", unit_kind="county", public_online=5),
                dict(unit="丙", unit_kind="county"),
            ]
        ),
        "public_online",
    )
    assert list(online["unit"]) == ["乙", "甲"] and list(online["rank"]) == [1, 1]


def test_composition(current: pd.DataFrame) -> None:
    comp = stats.composition(current, ["public_offline", "public_online"])
    assert list(comp.columns) == ["public_offline", "public_online", "total"]
    assert comp.loc["曾都区", "public_offline"] == pytest.approx(20.0)  # 3000 / 15000
    assert comp.loc["曾都区", "public_online"] == pytest.approx(80.0)
    assert comp.loc["曾都区", "total"] == 15000
    assert comp.loc["随县", "public_offline"] == 100 and pd.isna(comp.loc["随县", "public_online"])
    assert comp.loc["广水市", "public_online"] == 0
    zero = stats.composition(current, ["funding_enterprise"])
    assert list(zero.index) == ["曾都区"] and pd.isna(zero.loc["曾都区", "funding_enterprise"])


def test_concentration(current: pd.DataFrame) -> None:
    c = stats.concentration(current, "events_held")
    assert c["top_unit"] == "曾都区"
    assert c["top_share"] == pytest.approx(30.0)
    assert c["county_share"] == pytest.approx(75.0)  # (12 + 8 + 10) / 40
    assert c["department_share"] == pytest.approx(15.0)
    assert c["other_share"] == pytest.approx(10.0)
    assert c["hhi"] == pytest.approx(0.09 + 0.0625 + 0.04 + 0.0225 + 0.01)
    nobody = stats.concentration(current, "open_institutes")
    assert nobody["top_unit"] is None and math.isnan(nobody["hhi"]) and math.isnan(nobody["county_share"])


def test_year_over_year(current: pd.DataFrame, previous: pd.DataFrame) -> None:
    yoy = stats.year_over_year(current, previous)
    assert list(yoy.index) == list(FIELD_KEYS)
    ev = yoy.loc["events_held"]
    assert (ev["current"], ev["previous"], ev["change"]) == (40, 26, 14)  # 26 = 10 + 8 + 5 + 3
    assert ev["change_pct"] == pytest.approx(14 / 26 * 100)
    # contributions: 市科协 +6 (not reported last year), 广水市 +5, 学院 +4, 曾都区 +2, 大洪山 -3, 随县 0
    assert ev["drivers"] == "市科协 +6；广水市 +5；随州职业技术学院 +4"
    fc = yoy.loc["funding_county"]
    assert (fc["current"], fc["previous"], fc["change"], fc["change_pct"]) == (14.0, 8.0, 6.0, 75.0)
    assert fc["drivers"] == "随县 +4.00；曾都区 +2.00"
    po = yoy.loc["public_offline"]
    assert po["change"] == 6100 and po["change_pct"] == pytest.approx(6100 / 4900 * 100)
    assert po["drivers"] == "广水市 +5,000；市科协 +1,000；曾都区 +500"
    fe = yoy.loc["funding_enterprise"]  # 0 → 0
    assert fe["change"] == 0 and math.isnan(fe["change_pct"]) and fe["drivers"] == ""
    mt = yoy.loc["most_tasks"]  # not reported last year
    assert mt["current"] == 1 and math.isnan(mt["previous"]) and math.isnan(mt["change"])
    assert math.isnan(mt["change_pct"]) and mt["drivers"] == ""
    fp = yoy.loc["funding_provincial"]
    assert math.isnan(fp["current"]) and math.isnan(fp["change"]) and fp["drivers"] == ""


def test_unit_year_over_year(current: pd.DataFrame, previous: pd.DataFrame) -> None:
    u = stats.unit_year_over_year(current, previous, "events_held").set_index("unit")
    assert set(u.index) == {"曾都区", "随县", "广水市", "大洪山风景名胜区", "市科协", "随州职业技术学院"}
    assert u.loc["广水市", "change"] == 5 and u.loc["广水市", "change_pct"] == 100
    assert pd.isna(u.loc["大洪山风景名胜区", "current"]) and u.loc["大洪山风景名胜区", "contribution"] == -3
    assert pd.isna(u.loc["市科协", "change"]) and u.loc["市科协", "contribution"] == 6
    assert u["contribution"].sum() == 14  # adds up to the city change
    assert u.loc["大洪山风景名胜区", "unit_kind"] == "county"


def test_multi_year(current: pd.DataFrame, previous: pd.DataFrame) -> None:
    totals, long = stats.multi_year({2023: current, 2022: previous})
    assert list(totals.index) == [2022, 2023]
    assert list(totals["events_held"]) == [26, 40]
    assert totals["events_held"].dtype == "Int64"
    assert totals.loc[2023, "total_funding"] == pytest.approx(22.0)
    assert totals.loc[2022, "total_funding"] == pytest.approx(8.0)  # 8 + 0
    assert pd.isna(totals.loc[2022, "funding_central"])
    assert long.columns[0] == "year" and len(long) == 10
    assert set(long.loc[long["year"] == 2022, "unit"]) == {"曾都区", "随县", "广水市", "大洪山风景名胜区", "市科协"}
