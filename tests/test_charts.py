"""Fonts and charts: Chinese text renders, each chart draws the expected marks, output is reproducible."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager, rc_context, rcParams
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis import form
from analysis.form import FIELD_KEYS, MONEY_KEYS
from analysis.paths import DEMO_LABEL, FONTS
from analysis.report import charts
from analysis.report.fonts import setup_fonts

MINUS = "\u2212"
CJK = re.compile(r"[\u4e00-\u9fff]")
YEARS = (2021, 2022, 2023)


# ---------------------------------------------------------------- fixtures (hand-made, values chosen for easy sums)


def _row(unit: str, kind: str, **values: float) -> dict[str, object]:
    row: dict[str, object] = {"unit": unit, "unit_kind": kind, **{k: np.nan for k in FIELD_KEYS}}
    row.update(values)
    return row


@pytest.fixture
def returns() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _row(
                "甲县",
                "county",
                events_held=30,
                funding_central=10,
                funding_provincial=2.5,
                staff_fulltime=4,
                staff_volunteers=6,
                public_offline=45_000,
                public_online=80_000,
            ),
            _row(
                "乙区",
                "county",
                events_held=12,
                funding_municipal=8,
                funding_county=4,
                funding_other=0.25,
                staff_fulltime=2,
                public_offline=20_000,
                public_online=5_000,
            ),
            _row(
                "丙局",
                "department",
                events_held=45,
                funding_enterprise=1.5,
                staff_scientists=10,
                staff_other=1,
                public_offline=3_000,
            ),
            _row(
                "丁学院",
                "college",
                events_held=np.nan,
                funding_in_kind=3,
                staff_volunteers=40,
                public_offline=9_000,
                public_online=1_000,
            ),
            _row("戊研究所", "institute", events_held=8, staff_scientists=7, public_offline=500, public_online=0),
        ]
    )


@pytest.fixture
def yearly() -> pd.DataFrame:
    frame = pd.DataFrame({k: [np.nan] * 3 for k in FIELD_KEYS}, index=pd.Index(YEARS, name="year"))
    frame["events_held"] = [80.0, 95.0, 95.0]
    frame["funding_central"] = [20.0, 25.5, 12.5]
    frame["funding_provincial"] = [5.0, np.nan, 2.5]
    frame["public_offline"] = [300.0, 1_000.0, 77_500.0]
    frame["public_online"] = [100.0, 1_000.0, 86_000.0]
    return frame


@pytest.fixture
def per_unit_years() -> pd.DataFrame:
    rows = []
    for year, scale in zip(YEARS, (1, 2, 3)):
        rows += [
            {"year": year, "unit": "丙局", "unit_kind": "department", "events_held": 10 * scale},
            {"year": year, "unit": "甲县", "unit_kind": "county", "events_held": 5 * scale},
            {"year": year, "unit": "戊研究所", "unit_kind": "institute", "events_held": np.nan},
        ]
    rows.append({"year": 2023, "unit": "乙区", "unit_kind": "county", "events_held": 7})
    frame = pd.DataFrame(rows)
    return frame.assign(**{k: np.nan for k in FIELD_KEYS if k != "events_held"})


@pytest.fixture
def change() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "current": [100.0, 6.0, 3.0],
            "previous": [80.0, 10.0, 0.0],
            "change": [20.0, -4.0, 3.0],
            "change_pct": [25.0, -40.0, np.nan],
        },
        index=["events_held", "funding_central", "most_tasks"],
    )


def _all_charts(returns, yearly, per_unit_years, change, demo: bool) -> dict[str, Figure]:
    totals = pd.Series(
        {
            "funding_central": 50.0,
            "funding_provincial": 30.0,
            "funding_municipal": 20.0,
            "funding_county": np.nan,
            "funding_enterprise": 0.0,
            "funding_in_kind": 0.0,
            "funding_other": 0.0,
        }
    )
    return {
        "bar": charts.bar_by_unit(returns, "events_held", year=2023, demo=demo),
        "funding": charts.funding_composition(returns, year=2023, demo=demo),
        "staff": charts.staff_composition(returns, year=2023, demo=demo),
        "public": charts.participation_split(returns, year=2023, demo=demo),
        "city": charts.city_funding_by_source(totals, year=2023, demo=demo),
        "yoy": charts.yoy_change(change, year=2023, compare_year=2022, demo=demo),
        "trend": charts.trend(yearly, ["events_held", "funding_central", "public_offline"], demo=demo),
        "share": charts.online_share_trend(yearly, demo=demo),
        "units": charts.unit_small_multiples(per_unit_years, "events_held", demo=demo),
    }


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _ylabels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def _value_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _title(fig: Figure) -> str:
    return fig.texts[0].get_text()


# ---------------------------------------------------------------- fonts


def test_setup_fonts_uses_bundled_font_with_fallback_and_is_idempotent():
    assert setup_fonts() == "Noto Sans SC"
    assert setup_fonts() == "Noto Sans SC"
    bundled = [e for e in font_manager.fontManager.ttflist if Path(e.fname).parent == FONTS]
    assert sorted(Path(e.fname).name for e in bundled) == [
        "NotoSansSC-Bold-GB2312.ttf",
        "NotoSansSC-Regular-GB2312.ttf",
    ]
    assert rcParams["font.family"] == ["Noto Sans SC", "DejaVu Sans"]
    assert rcParams["axes.unicode_minus"] is True  # the subset has U+2212
    assert rcParams["pdf.fonttype"] == 42 and rcParams["svg.fonttype"] == "path"
    assert Path(font_manager.findfont("Noto Sans SC")).parent == FONTS


def test_setup_fonts_prefers_a_system_cjk_font_and_checks_its_minus_sign(monkeypatch):
    setup_fonts()
    regular = next(e for e in font_manager.fontManager.ttflist if e.fname.endswith("Regular-GB2312.ttf"))
    no_minus = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "cmr10.ttf")
    try:
        with monkeypatch.context() as m:
            base = list(font_manager.fontManager.ttflist)
            m.setattr(
                font_manager.fontManager, "ttflist", base + [dataclasses.replace(regular, name="Microsoft YaHei")]
            )
            assert setup_fonts() == "Microsoft YaHei"
            assert rcParams["font.family"] == ["Microsoft YaHei", "Noto Sans SC", "DejaVu Sans"]
            assert rcParams["axes.unicode_minus"] is True
            m.setattr(
                font_manager.fontManager,
                "ttflist",
                base + [dataclasses.replace(regular, name="PingFang SC", fname=no_minus)],
            )
            assert setup_fonts() == "PingFang SC"
            assert rcParams["axes.unicode_minus"] is False
    finally:
        font_manager.fontManager._findfont_cached.cache_clear()
        setup_fonts()
    assert rcParams["font.family"][0] == "Noto Sans SC"


# ---------------------------------------------------------------- each chart


def test_bar_by_unit_sorts_units_colours_kinds_and_marks_missing(returns):
    fig = charts.bar_by_unit(returns, "events_held", year=2023, demo=False)
    ax = fig.axes[0]
    assert isinstance(fig, Figure) and fig.canvas.manager is None  # built without pyplot
    assert _ylabels(ax) == ["丙局", "甲县", "乙区", "戊研究所", "丁学院"]
    assert [p.get_width() for p in ax.patches] == [45, 30, 12, 8, 0]
    assert _value_labels(ax) == ["45", "30", "12", "8", "未填报"]
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[1] == colours[2] == to_hex(charts.BLUE) != colours[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["县市区", "市直部门", "高校", "科研院所"]
    assert ax.get_xlabel() == "举办活动次数（次）"
    assert _title(fig) == "2023年各单位举办活动次数"
    assert "数据来源：各单位报送的2023年科技活动周开展情况统计表" in _texts(fig)
    assert fig.get_figwidth() == pytest.approx(16 / 2.54)
    assert 8 / 2.54 <= fig.get_figheight() <= 10 / 2.54


def test_bar_by_unit_top_and_thousands_separators(returns):
    fig = charts.bar_by_unit(returns, "public_offline", year=2023, demo=False, top=2)
    ax = fig.axes[0]
    assert _ylabels(ax) == ["甲县", "乙区"]
    assert _value_labels(ax) == ["45,000", "20,000"]
    assert "（前2名）" in _title(fig)
    fig.canvas.draw()
    assert "40,000" in [t.get_text() for t in ax.get_xticklabels()]


def test_axis_labels_are_the_forms_headers(returns, per_unit_years, monkeypatch):
    big = charts.bar_by_unit(returns, "public_offline", year=2023, demo=False)  # 45,000 at most: not scaled
    assert big.axes[0].get_xlabel() == "线下活动群众参与数量（人次）"
    huge = returns.assign(public_offline=returns["public_offline"] * 10)
    assert (
        charts.bar_by_unit(huge, "public_offline", year=2023, demo=False).axes[0].get_xlabel()
        == "线下活动群众参与数量（万人次）"
    )
    monkeypatch.setattr(form.Field, "headed", property(lambda f: f"<{f.key}|{f.measure}>"))
    assert charts.bar_by_unit(returns, "events_held", year=2023, demo=False).axes[0].get_xlabel() == "<events_held|次>"
    assert (
        charts.bar_by_unit(huge, "public_offline", year=2023, demo=False).axes[0].get_xlabel()
        == "<public_offline|万人次>"
    )
    fig = charts.unit_small_multiples(per_unit_years, "events_held", demo=False)
    assert fig.get_supylabel() == "<events_held|次>"


def test_funding_composition_stacks_seven_sources(returns):
    fig = charts.funding_composition(returns, year=2023, demo=False)
    ax = fig.axes[0]
    assert len(ax.patches) == 5 * len(MONEY_KEYS)
    # totals: 甲县 10+2.5, 乙区 8+4+0.25, 丁学院 3, 丙局 1.5, 戊研究所 none reported
    assert _ylabels(ax) == ["甲县", "乙区", "丁学院", "丙局", "戊研究所"]
    assert _value_labels(ax) == ["12.50", "12.25", "3.00", "1.50", "未填报"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "中央财政",
        "企业赞助",
        "省级财政",
        "实物投入",
        "市级财政",
        "其他经费",
        "县级财政",
    ]
    assert ax.get_xlabel() == "经费投入（万元）"
    top_bar_ends = [p.get_x() + p.get_width() for p in ax.patches if abs(p.get_y() + p.get_height() / 2) < 1e-9]
    assert max(top_bar_ends) == pytest.approx(12.5)


def test_staff_composition(returns):
    fig = charts.staff_composition(returns, year=2023, demo=False)
    ax = fig.axes[0]
    assert len(ax.patches) == 5 * 4
    # totals: 丁学院 40, 丙局 10+1, 甲县 4+6, 戊研究所 7, 乙区 2
    assert _ylabels(ax) == ["丁学院", "丙局", "甲县", "戊研究所", "乙区"]
    assert _value_labels(ax) == ["40", "11", "10", "7", "2"]
    assert ax.get_xlabel() == "工作人员（人）"
    assert _title(fig) == "2023年各单位科普工作人员构成"


def test_participation_split_switches_to_wan_for_large_numbers(returns):
    fig = charts.participation_split(returns, year=2023, demo=False)
    ax = fig.axes[0]
    assert len(ax.patches) == 5 * 2
    assert _ylabels(ax) == ["甲县", "乙区", "丁学院", "丙局", "戊研究所"]
    assert _value_labels(ax) == ["12.50万", "2.50万", "1.00万", "0.30万", "0.05万"]
    assert ax.get_xlabel() == "群众参与（万人次）"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["线下参与", "线上参与"]


def test_city_funding_by_source_sorted_with_shares():
    totals = pd.Series(
        {
            "funding_central": 50.0,
            "funding_provincial": 30.0,
            "funding_municipal": 20.0,
            "funding_county": np.nan,
            "funding_enterprise": 0.0,
            "funding_in_kind": 0.0,
            "funding_other": 0.0,
        }
    )
    fig = charts.city_funding_by_source(totals, year=2023, demo=False)
    ax = fig.axes[0]
    assert len(ax.patches) == 7
    assert _ylabels(ax)[:3] == ["中央财政", "省级财政", "市级财政"] and _ylabels(ax)[-1] == "县级财政"
    assert _value_labels(ax)[:3] == ["50.00（50.0%）", "30.00（30.0%）", "20.00（20.0%）"]
    assert _value_labels(ax)[-1] == "—"
    assert _title(fig) == "2023年全市活动经费来源构成（合计100.00万元）"


def test_yoy_change_diverging_bars(change):
    fig = charts.yoy_change(change, year=2023, compare_year=2022, demo=False)
    ax = fig.axes[0]
    assert _ylabels(ax) == ["举办活动", "承接科技部任务", "中央财政"]  # form order
    assert [p.get_width() for p in ax.patches] == [25, 0, -40]
    assert _value_labels(ax) == ["+25.0%", "—", f"{MINUS}40.0%"]
    assert to_hex(ax.patches[2].get_facecolor()) == to_hex(charts.ACCENT)
    assert to_hex(ax.patches[0].get_facecolor()) == to_hex(charts.BLUE)
    assert ax.get_xlabel() == "较2022年变化（%）"
    fig.canvas.draw()
    assert any(t.get_text().startswith(MINUS) for t in ax.get_xticklabels())


def test_trend_one_panel_per_unit_of_measure(yearly):
    fig = charts.trend(yearly, ["events_held", "funding_central", "public_offline"], demo=False)
    assert len(fig.axes) == 3
    assert [len(ax.lines) for ax in fig.axes] == [1, 1, 1]
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["举办活动（次）", "中央财政（万元）", "线下参与（人次）"]
    assert list(fig.axes[0].lines[0].get_xdata()) == list(YEARS)
    assert list(fig.axes[1].lines[0].get_ydata()) == [20.0, 25.5, 12.5]
    assert _value_labels(fig.axes[1]) == ["20.00", "25.50", "12.50"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2021", "2022", "2023"]
    assert _title(fig) == "全市主要指标历年变化"
    assert "数据来源：各单位报送的2021—2023年科技活动周开展情况统计表" in _texts(fig)


def test_trend_shares_a_panel_when_units_agree(yearly):
    fig = charts.trend(yearly, ["funding_central", "funding_provincial"], demo=False)
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 2
    assert np.isnan(fig.axes[0].lines[1].get_ydata()[1])
    assert fig.axes[0].get_ylabel() == "金额（万元）"
    single = charts.trend(yearly, ["events_held"], demo=False)
    assert _title(single) == "全市举办活动历年变化"
    assert _value_labels(single.axes[0]) == ["80", "95", "95"]


def test_online_share_trend(yearly):
    fig = charts.online_share_trend(yearly, demo=False)
    ax = fig.axes[0]
    assert len(ax.lines) == 1
    # 100/400, 1000/2000, 86000/163500
    assert list(ax.lines[0].get_ydata()) == pytest.approx([25.0, 50.0, 52.599388])
    assert _value_labels(ax) == ["25.0%", "50.0%", "52.6%"]
    assert ax.get_ylabel() == "线上参与占比（%）"


def test_unit_small_multiples(per_unit_years):
    fig = charts.unit_small_multiples(per_unit_years, "events_held", demo=False)
    axes = fig.axes
    assert [ax.get_title(loc="left") for ax in axes] == [
        "甲县",
        "乙区",
        "丙局",
        "戊研究所",
    ]  # counties first, then by kind
    assert [len(ax.lines) for ax in axes] == [1, 1, 1, 1]
    assert list(axes[0].lines[0].get_ydata()) == [5, 10, 15]
    assert np.isnan(axes[1].lines[0].get_ydata()[:2]).all() and axes[1].lines[0].get_ydata()[2] == 7
    assert "未填报" in _value_labels(axes[3])
    assert axes[0].get_ylim() == axes[2].get_ylim()  # same scale


# ---------------------------------------------------------------- every chart together


def test_every_chart_is_chinese_and_shows_demo_label_only_for_demo(returns, yearly, per_unit_years, change):
    for demo in (True, False):
        for name, fig in _all_charts(returns, yearly, per_unit_years, change, demo).items():
            texts = _texts(fig)
            assert isinstance(fig, Figure), name
            assert CJK.search(_title(fig)), name
            assert any(t.startswith("数据来源：") for t in texts), name
            assert (DEMO_LABEL in texts) is demo, name
            assert any(DEMO_LABEL in t for t in texts if t.startswith("数据来源：")) is demo, name


def test_every_chart_renders_without_missing_glyphs(returns, yearly, per_unit_years, change, tmp_path, caplog):
    figures = _all_charts(returns, yearly, per_unit_years, change, demo=True)
    with caplog.at_level(logging.WARNING, logger="matplotlib"), warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, fig in figures.items():
            fig.canvas.draw()
            for fmt in ("png", "svg", "pdf"):
                fig.savefig(tmp_path / f"{name}.{fmt}", format=fmt, dpi=60)
    assert not [r for r in caplog.records if "findfont" in r.getMessage() or "Glyph" in r.getMessage()]
    yoy_ticks = [t.get_text() for t in figures["yoy"].axes[0].get_xticklabels()]
    assert any(t.startswith(MINUS) for t in yoy_ticks)
    assert b"NotoSansSC" in (tmp_path / "yoy.pdf").read_bytes()  # TrueType embedded


HOSTILE = {
    "font.size": 20.0,
    "xtick.labelsize": 19.0,
    "ytick.labelsize": 19.0,
    "xtick.labelcolor": "green",
    "axes.edgecolor": "red",
    "axes.spines.top": True,
    "grid.color": "red",
    "lines.linewidth": 5.0,
    "legend.fontsize": 18.0,
    "text.color": "red",
    "figure.facecolor": "yellow",
    "axes.titlelocation": "center",
    "svg.hashsalt": None,
}


def test_style_is_local_to_the_charts(returns, yearly, per_unit_years, change, tmp_path):
    with rc_context(HOSTILE):
        figures = _all_charts(returns, yearly, per_unit_years, change, demo=True)
        charts.save_figure(figures["yoy"], tmp_path, "yoy")
        assert {k: rcParams[k] for k in HOSTILE} == HOSTILE  # the global settings are left alone
        assert rcParams["font.family"][0] == "Noto Sans SC"  # but for the fonts
    fig = figures["bar"]
    ax = fig.axes[0]
    assert not ax.spines["top"].get_visible() and to_hex(fig.get_facecolor()) == "#ffffff"
    with rc_context(HOSTILE):  # drawn later under other settings (as a notebook does): still the house style
        fig.canvas.draw()
    assert {t.get_fontsize() for t in ax.get_xticklabels()} == {8}
    assert {to_hex(t.get_color()) for t in ax.get_xticklabels()} == {to_hex(charts.TEXT)}


def test_a_chart_looks_the_same_whatever_the_global_settings(yearly):
    fig = charts.trend(yearly, ["events_held", "funding_central"], demo=True)

    def png() -> bytes:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=60)
        return buffer.getvalue()

    with charts.house_style():
        first = png()
    with rc_context(HOSTILE):  # e.g. a notebook's inline display under the user's own settings
        assert png() == first


def test_save_figure_writes_three_reproducible_files(change, tmp_path):
    fig = charts.yoy_change(change, year=2023, compare_year=2022, demo=True)
    paths = charts.save_figure(fig, tmp_path / "a", "yoy")
    assert [p.name for p in paths] == ["yoy.png", "yoy.svg", "yoy.pdf"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["yoy.pdf", "yoy.png", "yoy.svg"]
    first = {p.name: p.read_bytes() for p in paths}
    assert first["yoy.png"].startswith(b"\x89PNG") and first["yoy.pdf"].startswith(b"%PDF")
    assert b"CreationDate" not in first["yoy.pdf"]
    charts.save_figure(fig, tmp_path / "a", "yoy")
    assert (tmp_path / "a" / "yoy.png").read_bytes() == first["yoy.png"]
    again = charts.yoy_change(change, year=2023, compare_year=2022, demo=True)
    second = {p.name: p.read_bytes() for p in charts.save_figure(again, tmp_path / "b", "yoy")}
    assert second == first


def test_a_figure_is_laid_out_once_and_drawn_once_per_file(change, tmp_path, monkeypatch):
    fig = charts.yoy_change(change, year=2023, compare_year=2022, demo=True)
    before = [ax.get_position().bounds for ax in fig.axes]
    draws: list[str] = []
    original = Figure.draw

    def counting(self, renderer):
        draws.append(type(renderer).__name__)
        return original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counting)
    charts.save_figure(fig, tmp_path, "yoy")
    assert len(draws) == 4  # the layout, then one drawing per file (savefig would lay a figure out again each time)
    assert fig.get_layout_engine() is None
    assert [ax.get_position().bounds for ax in fig.axes] != before  # laid out (constrained), not the bare grid


@pytest.fixture
def provincial_dropped_in_2023(tmp_path, monkeypatch):
    """Forms where the 2023 form no longer has 省级财政 (the 2021 form, in force for 2021–2022, has it)."""
    folder = tmp_path / "forms"
    folder.mkdir()
    lines = (form.FORMS_DIR / "2023.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "2021.csv").write_text("".join(lines), encoding="utf-8")
    (folder / "2023.csv").write_text(
        "".join(line for line in lines if ",funding_provincial," not in line), encoding="utf-8"
    )
    monkeypatch.setattr(form, "FORMS_DIR", folder)
    assert "funding_provincial" not in form.form_for(2023).by_key


def _marks(ax) -> list[tuple[str, float]]:
    return [(t.get_text(), t.xy[0]) for t in ax.texts if "未设此项" in t.get_text()]


def test_trend_marks_a_year_whose_form_did_not_ask_the_item(yearly, provincial_dropped_in_2023):
    frame = yearly.assign(funding_provincial=[5.0, np.nan, np.nan])  # 2022 blank (asked), 2023 not asked
    single = charts.trend(frame, ["funding_provincial"], demo=False)
    assert _marks(single.axes[0]) == [("未设此项", 2023)]
    assert any(t.startswith("“未设此项”：该年度的统计表没有这一项") for t in _texts(single))
    shared = charts.trend(frame, ["funding_central", "funding_provincial"], demo=False)
    assert _marks(shared.axes[0]) == [("省级财政未设此项", 2023)]
    panels = charts.trend(frame, ["events_held", "funding_provincial"], demo=False)
    assert [_marks(ax) for ax in panels.axes] == [[], [("未设此项", 2023)]]


def test_trend_marks_nothing_where_every_year_asked_the_item(yearly, provincial_dropped_in_2023):
    """A blank year whose form had the item is a gap without a mark (and without the footnote)."""
    fig = charts.trend(yearly, ["funding_central", "events_held"], demo=False)
    assert [_marks(ax) for ax in fig.axes] == [[], []]
    assert not any("未设此项" in t for t in _texts(fig))
    blank = charts.trend(yearly.assign(funding_central=[20.0, np.nan, 12.5]), ["funding_central"], demo=False)
    assert _marks(blank.axes[0]) == [] and not any("未设此项" in t for t in _texts(blank))


def test_unit_panels_mark_the_year_not_asked_and_say_未填报_only_for_years_asked(
    per_unit_years, provincial_dropped_in_2023
):
    frame = per_unit_years.assign(funding_provincial=per_unit_years["events_held"] / 10)
    frame.loc[frame["year"] == 2023, "funding_provincial"] = np.nan  # the 2023 form has no such item
    fig = charts.unit_small_multiples(frame, "funding_provincial", demo=False)
    by_unit = {ax.get_title(loc="left"): ax for ax in fig.axes}
    assert {u: _marks(ax) for u, ax in by_unit.items()} == {u: [("未设此项", 2023)] for u in by_unit}
    assert "未填报" in _value_labels(by_unit["戊研究所"])  # blank in 2021–2022, when the item was asked
    assert "未填报" in _value_labels(by_unit["乙区"])  # returned only in 2023, which did not ask it
    assert "未填报" not in _value_labels(by_unit["甲县"])
    assert any(t.startswith("“未设此项”") for t in _texts(fig))
    asked = charts.unit_small_multiples(per_unit_years, "events_held", demo=False)
    assert all(_marks(ax) == [] for ax in asked.axes) and not any("未设此项" in t for t in _texts(asked))
