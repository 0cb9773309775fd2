"""Charts for the report, in one sober house style sized for an A4 Word page.

Every function returns a :class:`matplotlib.figure.Figure` built with the Figure API
(no pyplot state), never shows it and never saves it; :func:`save_figure` writes
PNG, SVG and PDF atomically and reproducibly.  The house style applies to these
figures only (:func:`house_style`); the global rcParams keep only the font setup
of :func:`analysis.fonts.setup_fonts`.  Titles, labels and legends are
Chinese; every chart names its source in a footer and, for demo data, shows
:data:`analysis.paths.DEMO_LABEL` in the title area and the footer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import cycler, rc_context, ticker
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.form import (
    BY_KEY,
    FIELD_KEYS,
    GOVERNMENT_FUNDING,
    MONEY_KEYS,
    NOT_ASKED,
    PUBLIC_KEYS,
    STAFF_KEYS,
    Field,
    form_for,
)
from analysis.intake.units import KIND_ZH, KINDS
from analysis.outputs import write_atomic
from analysis.paths import DEMO_LABEL
from analysis.report import stats
from analysis.report.fonts import setup_fonts

CM = 1 / 2.54
FIGURE_WIDTH_IN = 16 * CM
BASE_HEIGHT_CM = 9.0
MAX_HEIGHT_CM = 24.0

BLUE = "#3B6790"
ACCENT = "#C0504D"
GREY = "#9A9A9A"
TEXT = "#262626"
TEXT_GREY = "#6B6B6B"
BLUE_RAMP: tuple[str, ...] = ("#1F4A73", "#4A78A6", "#86A8CB", "#BFD2E6")
GREY_RAMP: tuple[str, ...] = ("#7F7F7F", "#A6A6A6", "#CCCCCC", "#5E5E5E")
LINE_STYLES: tuple[tuple[str, str], ...] = (
    (BLUE, "o"),
    ("#8C8C8C", "s"),
    ("#86A8CB", "^"),
    ("#4D4D4D", "D"),
    ("#BDBDBD", "v"),
    ("#1F4A73", "P"),
)

KIND_COLOURS: dict[str, str] = {
    "county": BLUE,
    "department": GREY,
    "college": "#86A8CB",
    "institute": "#5E5E5E",
    "other": "#CFCFCF",
}
REST_COLOUR = "#E3E3E3"  # the one bar of the units beyond the largest ones (not a kind of unit: not in the legend)
MANY_UNITS = 30  # unit charts with more units than this show the largest SHOWN_UNITS and one bar for the rest
SHOWN_UNITS = 25
REST_LABEL = "其他 {n} 家"

SOURCE_NOTE = "数据来源：各单位报送的{years}年科技活动周开展情况统计表"
NOT_REPORTED = "未填报"
NOT_ASKED_NOTE = f"“{NOT_ASKED}”：该年度的统计表没有这一项，不是 0，也不是未填报。"
NO_VALUE = "—"
NO_DATA = "暂无数据"
CREATOR = "随州市科技活动周统计分析"
WAN = 10_000.0
SHARE_KEY = "online_share"  # a derived figure of analysis.report.stats

_TITLE_BAND_IN = 0.42
_FOOTER_BAND_IN = 0.28
_EDGE_IN = 0.08

STYLE: dict[str, object] = {
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": "#8C8C8C",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=[c for c, _ in LINE_STYLES]),
    "grid.color": "#E4E4E4",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.color": TEXT_GREY,
    "ytick.color": TEXT_GREY,
    "xtick.labelcolor": TEXT,
    "ytick.labelcolor": TEXT,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 4.5,
    "text.color": TEXT,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.dpi": 300,
    "svg.hashsalt": "scitech-week",
}


@contextlib.contextmanager
def house_style() -> Iterator[str]:
    """Set up the fonts (global, idempotent) and put :data:`STYLE` in force until the block ends; yield the family.

    Every chart builder and :func:`save_figure` run inside it: a figure keeps the style it was built with and
    the global rcParams are restored afterwards.
    """
    family = setup_fonts()
    with rc_context(STYLE):
        yield family


# ---------------------------------------------------------------- formatting


def _fmt(value: float, decimals: int) -> str:
    return ticker.Formatter.fix_minus(f"{value:,.{decimals}f}")


def _fmt_value(value: float, key: str, *, scale: float = 1.0, missing: str = NO_VALUE) -> str:
    """A data label as in the report's tables (:func:`analysis.stats.format_value`); 2 decimals and 万 when scaled."""
    if not np.isfinite(value):
        return missing
    if scale == WAN:
        return _fmt(value / scale, 2) + "万"
    return ticker.Formatter.fix_minus(stats.format_value(value, key))


class _Thousands(ticker.Formatter):
    """Tick labels with thousands separators and just enough decimals for the tick step."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self.decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        steps = np.diff(np.sort(np.asarray(locs, dtype=float))) / self.scale
        step = float(steps.min()) if steps.size else 1.0
        self.decimals = next((d for d in range(4) if abs(step * 10**d - round(step * 10**d)) < 1e-6), 3)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return _fmt(x / self.scale, self.decimals)


def _scaled(values: np.ndarray, field: Field) -> tuple[float, Field]:
    """Show counts of 100,000 or more in 万 (ten thousands): the divisor and the field as shown (measure in 万)."""
    finite = np.abs(values[np.isfinite(values)])
    if not field.is_money and finite.max(initial=0.0) >= 10 * WAN:
        return WAN, dataclasses.replace(field, measure="万" + field.measure)
    return 1.0, field


def _year_span(years: Iterable[int]) -> str:
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}—{ys[-1]}"


# ---------------------------------------------------------------- frame


def _height_for_rows(rows: int) -> float:
    """Figure height (cm) for a chart with ``rows`` horizontal bars: 8–10 cm, growing for long lists."""
    return min(MAX_HEIGHT_CM, max(BASE_HEIGHT_CM, 3.5 + 0.5 * rows))


def _figure(height_cm: float, nrows: int = 1, ncols: int = 1, **subplot_kw: object) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=(FIGURE_WIDTH_IN, height_cm * CM), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    for ax in axes.flat:  # else the number of ticks, worked out when drawing, follows the global tick label size
        ax.tick_params(axis="x", labelsize=STYLE["xtick.labelsize"])
        ax.tick_params(axis="y", labelsize=STYLE["ytick.labelsize"])
    return fig, axes


def _finish(fig: Figure, title: str, *, years: str, demo: bool) -> Figure:
    """Title (top left), demo badge (top right), source footer (bottom left); fit the axes between."""
    width, height = fig.get_size_inches()
    dx, dy = _EDGE_IN / width, _EDGE_IN / height
    fig.text(dx, 1 - dy, title, ha="left", va="top", fontsize=10.5, fontweight="bold")
    note = SOURCE_NOTE.format(years=years)
    if demo:
        fig.text(
            1 - dx,
            1 - dy,
            DEMO_LABEL,
            ha="right",
            va="top",
            fontsize=8.5,
            color=ACCENT,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "#FBEEEC", "edgecolor": ACCENT, "linewidth": 0.6},
        )
        note += f"。{DEMO_LABEL}"
    fig.text(dx, dy, note, ha="left", va="bottom", fontsize=7.5, color=TEXT_GREY, gid=FOOTER_GID)
    bottom = _FOOTER_BAND_IN / height
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom - _TITLE_BAND_IN / height))
    return fig


FOOTER_GID = "footer"
_FOOTNOTE_LINE_IN = 0.16  # height of one more footer line (7.5 pt text)
_FOOTNOTE_CHARS = 64  # characters per footer line at a 16 cm width


def add_footnote(fig: Figure, text: str) -> Figure:
    """A note above the source line (e.g. the values a chart leaves out); the axes make room for it."""
    footer = next(t for t in fig.texts if t.get_gid() == FOOTER_GID)
    lines = [text[i : i + _FOOTNOTE_CHARS] for i in range(0, len(text), _FOOTNOTE_CHARS)]
    footer.set_text("\n".join([*lines, footer.get_text()]))
    height = fig.get_size_inches()[1]
    bottom = (_FOOTER_BAND_IN + _FOOTNOTE_LINE_IN * len(lines)) / height
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom - _TITLE_BAND_IN / height))
    return fig


def _value_axis(ax: Axes, axis: str, label: str, scale: float = 1.0) -> None:
    """Thousands-separated ticks, a light grid and the unit label on the value axis."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(ticker.MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
    target.set_major_formatter(_Thousands(scale))
    target.set_label_text(label)
    ax.grid(True, axis=axis)


def _unit_axis(ax: Axes, names: Sequence[str]) -> np.ndarray:
    """Categories top to bottom on the y axis, without ticks or left spine; a note when there are none."""
    y = np.arange(len(names))
    ax.set_yticks(y, list(names))
    ax.set_ylim(max(len(names), 1) - 0.5, -0.5)
    if not len(names):
        ax.text(0.5, 0.5, NO_DATA, transform=ax.transAxes, ha="center", va="center", color=TEXT_GREY)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    return y


def _label_bars(ax: Axes, bars: BarContainer, labels: Sequence[str]) -> None:
    """Value labels at the bars' ends; "not reported" and "no value" in grey."""
    texts = ax.bar_label(bars, labels=list(labels), padding=3, fontsize=7.5, color=TEXT)
    for text in texts:
        if text.get_text() in (NOT_REPORTED, NO_VALUE):
            text.set_color(TEXT_GREY)


def _room_for_labels(ax: Axes, values: np.ndarray, room: float = 0.18) -> None:
    """Leave ``room`` (a share of the data span) right, and left for negatives, of the bars for their labels."""
    finite = values[np.isfinite(values)]
    low, high = min(0.0, finite.min(initial=0.0)), max(0.0, finite.max(initial=0.0))
    span = (high - low) or 1.0
    ax.set_xlim(low - (room * span if low < 0 else 0), high + room * span)


def _legend_above(ax: Axes, handles: Sequence[Artist] | None = None) -> None:
    """Legend above the axes, read row by row: one row, or two when there are more than five entries."""
    handles = list(handles) if handles is not None else ax.get_legend_handles_labels()[0]
    n = len(handles)
    ncols = n if n <= 5 else math.ceil(n / 2)
    ordered = [handles[i] for j in range(ncols) for i in range(j, n, ncols)]
    ax.legend(
        handles=ordered,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncols=ncols,
        borderaxespad=0.3,
        handlelength=1.2,
        handleheight=0.9,
        columnspacing=1.2,
    )


# ---------------------------------------------------------------- data shaping


def _unit_table(returns: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Units with their kind, the given keys and their total (NaN when none reported), largest first."""
    numeric = returns[list(keys)].apply(pd.to_numeric, errors="coerce").astype(float)
    table = numeric.groupby(returns["unit"], sort=True).sum(min_count=1)
    kind = returns.groupby("unit", sort=True)["unit_kind"].first().astype(object)
    table = table.assign(_kind=kind.where(kind.isin(KINDS), "other"), _total=table.sum(axis=1, min_count=1))
    return table.sort_values("_total", ascending=False, na_position="last", kind="stable")


def _largest_and_rest(table: pd.DataFrame, keys: Sequence[str]) -> tuple[pd.DataFrame, int]:
    """Beyond :data:`MANY_UNITS` rows of :func:`_unit_table`: its largest :data:`SHOWN_UNITS` and one last row
    “其他 N 家” summing the rest (kind ``_rest``); returns the table and N (0 when nothing was merged)."""
    if len(table) <= MANY_UNITS:
        return table, 0
    shown, rest = table.iloc[:SHOWN_UNITS], table.iloc[SHOWN_UNITS:]
    merged = rest[list(keys)].sum(min_count=1)
    row = pd.DataFrame(
        [{**merged.to_dict(), "_kind": "_rest", "_total": merged.sum(min_count=1)}],
        index=[REST_LABEL.format(n=len(rest))],
    )
    return pd.concat([shown, row.astype(shown.dtypes.to_dict())]), len(rest)


def _rest_note(merged: int) -> str:
    """The title's note when units were merged into one bar (empty when none were)."""
    return f"（最大的{SHOWN_UNITS}家，其余合为“{REST_LABEL.format(n=merged)}”）" if merged else ""


def _bar_colours(kinds: Iterable[str]) -> list[str]:
    return [KIND_COLOURS.get(k, REST_COLOUR) for k in kinds]


def _composition_colours(keys: Sequence[str], main: Iterable[str]) -> list[str]:
    """Blue shades for the main keys, grey shades for the rest, in order."""
    main = set(main)
    blues, greys = iter(BLUE_RAMP), iter(GREY_RAMP)
    return [next(blues) if k in main else next(greys) for k in keys]


# ---------------------------------------------------------------- unit charts


@house_style()
def bar_by_unit(returns: pd.DataFrame, key: str, *, year: int, demo: bool, top: int | None = None) -> Figure:
    """One item per unit as sorted horizontal bars, coloured by kind of unit, with value labels."""
    field = BY_KEY[key]
    table, merged = _unit_table(returns, [key]), 0
    if top is not None:
        table = table.dropna(subset=[key]).head(top)
    else:
        table, merged = _largest_and_rest(table, [key])
    values = table[key].to_numpy()
    scale, shown = _scaled(values, field)
    fig, axes = _figure(_height_for_rows(len(table)))
    ax = axes[0, 0]
    y = _unit_axis(ax, table.index)
    bars = ax.barh(y, np.nan_to_num(values), height=0.68, color=_bar_colours(table["_kind"]))
    _label_bars(ax, bars, [_fmt_value(v, key, scale=scale, missing=NOT_REPORTED) for v in values])
    _room_for_labels(ax, values)
    _value_axis(ax, "x", shown.headed, scale)
    present = [k for k in KINDS if k in set(table["_kind"])]
    _legend_above(ax, [Patch(color=KIND_COLOURS[k], label=KIND_ZH[k]) for k in present])
    suffix = f"（前{top}名）" if top is not None else _rest_note(merged)
    return _finish(fig, f"{year}年各单位{field.display}{suffix}", years=str(year), demo=demo)


@house_style()
def _stacked_by_unit(
    returns: pd.DataFrame,
    keys: Sequence[str],
    colours: Sequence[str],
    *,
    title: str,
    axis_name: str,
    year: int,
    demo: bool,
) -> Figure:
    """Stacked horizontal bars per unit, one segment per key, total at the bar's end (many units: the largest
    and one bar for the rest, see :func:`_largest_and_rest`)."""
    fields = [BY_KEY[k] for k in keys]
    table, merged = _largest_and_rest(_unit_table(returns, keys), keys)
    totals = table["_total"].to_numpy()
    scale, shown = _scaled(totals, fields[0])
    fig, axes = _figure(_height_for_rows(len(table)) + 0.6)
    ax = axes[0, 0]
    y = _unit_axis(ax, table.index)
    left = np.zeros(len(table))
    bars = None
    for field, colour in zip(fields, colours):
        part = np.nan_to_num(table[field.key].to_numpy())
        bars = ax.barh(y, part, left=left, height=0.68, color=colour, label=field.short, linewidth=0)
        left = left + part
    _label_bars(ax, bars, [_fmt_value(v, keys[0], scale=scale, missing=NOT_REPORTED) for v in totals])
    _room_for_labels(ax, totals)
    _value_axis(ax, "x", stats.with_measure(axis_name, shown.measure), scale)
    _legend_above(ax)
    return _finish(fig, title + _rest_note(merged), years=str(year), demo=demo)


def funding_composition(returns: pd.DataFrame, *, year: int, demo: bool) -> Figure:
    """Each unit's funding, stacked by source (government sources in blues, others in greys)."""
    return _stacked_by_unit(
        returns,
        MONEY_KEYS,
        _composition_colours(MONEY_KEYS, GOVERNMENT_FUNDING),
        title=f"{year}年各单位活动经费投入构成",
        axis_name="经费投入",
        year=year,
        demo=demo,
    )


def staff_composition(returns: pd.DataFrame, *, year: int, demo: bool) -> Figure:
    """Each unit's science-popularisation staff, stacked by type."""
    return _stacked_by_unit(
        returns,
        STAFF_KEYS,
        _composition_colours(STAFF_KEYS, STAFF_KEYS[:-1]),
        title=f"{year}年各单位科普工作人员构成",
        axis_name="工作人员",
        year=year,
        demo=demo,
    )


def participation_split(returns: pd.DataFrame, *, year: int, demo: bool) -> Figure:
    """Each unit's public participation, offline and online stacked."""
    colours = [BLUE_RAMP[1], BLUE_RAMP[3]]
    return _stacked_by_unit(
        returns,
        PUBLIC_KEYS,
        colours,
        title=f"{year}年各单位群众参与情况（线下/线上）",
        axis_name="群众参与",
        year=year,
        demo=demo,
    )


# ---------------------------------------------------------------- city charts


@house_style()
def city_funding_by_source(totals: pd.Series, *, year: int, demo: bool) -> Figure:
    """The city's funding by source as sorted bars labelled with amount and share (no pie)."""
    keys = [k for k in MONEY_KEYS if k in totals.index]
    values = pd.to_numeric(totals.reindex(keys), errors="coerce").astype(float)
    colour = dict(zip(keys, _composition_colours(keys, GOVERNMENT_FUNDING)))
    values = values.sort_values(ascending=False, na_position="last", kind="stable")
    whole = values.sum(min_count=1)
    fig, axes = _figure(_height_for_rows(len(values)))
    ax = axes[0, 0]
    y = _unit_axis(ax, [BY_KEY[k].short for k in values.index])
    data = values.to_numpy()
    bars = ax.barh(y, np.nan_to_num(data), height=0.62, color=[colour[k] for k in values.index])
    share = data / whole * 100 if whole > 0 else np.full(len(data), np.nan)
    _label_bars(
        ax,
        bars,
        [
            _fmt_value(v, k) + (f"（{_fmt(s, 1)}%）" if np.isfinite(s) else "")
            for k, v, s in zip(values.index, data, share)
        ],
    )
    _room_for_labels(ax, data, room=0.35)
    unit = BY_KEY[MONEY_KEYS[0]].measure
    _value_axis(ax, "x", stats.with_measure("经费投入", unit))
    total_text = f"（合计{_fmt_value(whole, keys[0])}{unit}）" if np.isfinite(whole) else ""
    return _finish(fig, f"{year}年全市活动经费来源构成{total_text}", years=str(year), demo=demo)


@house_style()
def yoy_change(change: pd.DataFrame, *, year: int, compare_year: int, demo: bool) -> Figure:
    """Percent change of each item against ``compare_year``, as diverging bars; no comparison shows "—".

    ``change`` is indexed by field key with columns ``current, previous, change, change_pct``;
    ``change_pct`` is in percent (12.5 means +12.5%).
    """
    keys = [k for k in FIELD_KEYS if k in change.index]
    pct = pd.to_numeric(change["change_pct"].reindex(keys), errors="coerce").astype(float).to_numpy()
    pct = np.where(np.isfinite(pct), pct, np.nan)
    fig, axes = _figure(_height_for_rows(len(keys)))
    ax = axes[0, 0]
    y = _unit_axis(ax, [BY_KEY[k].short for k in keys])
    bars = ax.barh(y, np.nan_to_num(pct), height=0.62, color=[ACCENT if v < 0 else BLUE for v in pct])
    _label_bars(ax, bars, [NO_VALUE if not np.isfinite(v) else ("+" if v > 0 else "") + _fmt(v, 1) + "%" for v in pct])
    ax.axvline(0, color="#666666", linewidth=0.8)
    _room_for_labels(ax, pct)
    _value_axis(ax, "x", stats.with_measure(f"较{compare_year}年变化", "%"))
    return _finish(fig, f"{year}年各项指标较{compare_year}年变化", years=f"{compare_year}、{year}", demo=demo)


# ---------------------------------------------------------------- trends


def _year_axis(ax: Axes, years: Sequence[int], ends_only: bool = False) -> None:
    """A tick per year (labelled at both ends only, for narrow panels) and half a year of margin."""
    ends = (years[0], years[-1])
    ax.set_xticks(list(years), [str(y) if not ends_only or y in ends else "" for y in years])
    ax.set_xlim(min(years) - 0.4, max(years) + 0.4)


def _grid_shape(count: int, max_cols: int) -> tuple[int, int]:
    ncols = max(1, min(count, max_cols))
    return math.ceil(count / ncols), ncols


def _drop_spare(fig: Figure, axes: np.ndarray, used: int) -> list[Axes]:
    """Remove unused grid cells and show year labels on the panels left at the bottom of each column."""
    flat = list(axes.flat)
    for ax in flat[used:]:
        fig.delaxes(ax)
    ncols = axes.shape[1]
    for i, ax in enumerate(flat[:used]):
        if i + ncols >= used:
            ax.xaxis.set_tick_params(labelbottom=True)
    return flat[:used]


def _point_labels(ax: Axes, x: Sequence[int], values: np.ndarray, texts: Sequence[str]) -> None:
    for xi, v, t in zip(x, values, texts):
        if np.isfinite(v):
            ax.annotate(
                t,
                (xi, v),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7.5,
                color=TEXT,
            )


def _not_asked_marks(ax: Axes, years: Sequence[int], fields: Sequence[Field]) -> int:
    """未设此项 at the foot of each year whose form did not have the item (the line has a gap there, which is
    neither 0 nor 未填报); with several items in one panel, each mark names its item.  How many were marked."""
    marked = 0
    for year in years:
        missing = [f for f in fields if f.key not in form_for(year).by_key]
        for n, field in enumerate(missing):
            text = NOT_ASKED if len(fields) == 1 else f"{field.short}{NOT_ASKED}"
            ax.annotate(
                text,
                (year, 0),
                xytext=(0, 3 + 10 * n),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                color=TEXT_GREY,
            )
        marked += len(missing)
    return marked


def _years_of(frame: pd.DataFrame) -> list[int]:
    years = sorted(int(y) for y in frame.index)
    if not years:
        raise ValueError("没有任何年度的数据，无法绘制历年变化图。")
    return years


def _zero_based(ax: Axes, values: np.ndarray, headroom: float = 1.2) -> None:
    """Start the value axis at zero with room above the highest point for its label."""
    top = values[np.isfinite(values)].max(initial=0.0)
    ax.set_ylim(0, top * headroom if top > 0 else 1.0)


@house_style()
def trend(yearly: pd.DataFrame, keys: Sequence[str], *, demo: bool) -> Figure:
    """City totals over the years: one panel when the items share a unit, else one panel per item."""
    fields = [BY_KEY[k] for k in keys]
    data = yearly.sort_index()[list(keys)].apply(pd.to_numeric, errors="coerce").astype(float)
    years = _years_of(data)
    if len({f.measure for f in fields}) == 1:
        fig, axes = _figure(BASE_HEIGHT_CM)
        ax = axes[0, 0]
        scale, shown = _scaled(data.to_numpy(), fields[0])
        for field, (colour, marker) in zip(fields, itertools.cycle(LINE_STYLES)):
            ax.plot(years, data[field.key].to_numpy(), color=colour, marker=marker, label=field.short)
        if len(fields) == 1:
            values = data[fields[0].key].to_numpy()
            _point_labels(ax, years, values, [_fmt_value(v, fields[0].key, scale=scale) for v in values])
            axis_label = shown.headed
        else:
            _legend_above(ax)
            axis_label = stats.with_measure("金额" if fields[0].is_money else "数量", shown.measure)
        _year_axis(ax, years)
        _value_axis(ax, "y", axis_label, scale)
        _zero_based(ax, data.to_numpy())
        marked = _not_asked_marks(ax, years, fields)
    else:
        nrows, ncols = _grid_shape(len(fields), 3 if len(fields) % 3 == 0 or len(fields) > 4 else 2)
        fig, axes = _figure(min(MAX_HEIGHT_CM, 2.0 + 5.2 * nrows), nrows, ncols, sharex=True)
        marked = 0
        for field, ax in zip(fields, _drop_spare(fig, axes, len(fields))):
            values = data[field.key].to_numpy()
            scale, shown = _scaled(values, field)
            ax.plot(years, values, color=BLUE, marker="o")
            _point_labels(ax, years, values, [_fmt_value(v, field.key, scale=scale) for v in values])
            ax.set_title(stats.with_measure(field.short, shown.measure))
            _year_axis(ax, years)
            _value_axis(ax, "y", "", scale)
            _zero_based(ax, values)
            marked += _not_asked_marks(ax, years, [field])
    name = fields[0].short if len(fields) == 1 else "主要指标"
    fig = _finish(fig, f"全市{name}历年变化", years=_year_span(years), demo=demo)
    return add_footnote(fig, NOT_ASKED_NOTE) if marked else fig


@house_style()
def online_share_trend(yearly: pd.DataFrame, *, demo: bool) -> Figure:
    """Online participations as a percent of all participations (:func:`analysis.stats.derived`), by year."""
    ordered = yearly.sort_index()
    share = ordered[list(FIELD_KEYS)].apply(stats.derived, axis=1)[SHARE_KEY].astype(float).to_numpy()
    years = _years_of(ordered)
    fig, axes = _figure(8.5)
    ax = axes[0, 0]
    ax.plot(years, share, color=BLUE, marker="o")
    _point_labels(ax, years, share, [_fmt_value(v, SHARE_KEY) + "%" for v in share])
    _year_axis(ax, years)
    _value_axis(ax, "y", stats.headed(SHARE_KEY))
    peak = share[np.isfinite(share)].max(initial=0.0)
    ax.set_ylim(0, min(100.0, max(10.0, math.ceil(peak * 1.3 / 10) * 10)))
    return _finish(fig, "全市线上活动群众参与占比历年变化", years=_year_span(years), demo=demo)


@house_style()
def unit_small_multiples(per_unit_years: pd.DataFrame, key: str, *, demo: bool, same_scale: bool = True) -> Figure:
    """One small panel per unit with its yearly values of ``key`` (units by kind, then latest value)."""
    field = BY_KEY[key]
    values = pd.to_numeric(per_unit_years[key], errors="coerce").astype(float)
    wide = (
        per_unit_years.assign(_v=values, year=per_unit_years["year"].astype(int))
        .groupby(["year", "unit"])["_v"]
        .sum(min_count=1)
        .unstack("unit")
        .sort_index()
    )
    years = _years_of(wide)
    kinds = per_unit_years.drop_duplicates("unit", keep="last").set_index("unit")["unit_kind"]
    rank = {k: i for i, k in enumerate(KINDS)}
    latest = wide.ffill().iloc[-1]
    units = sorted(
        wide.columns, key=lambda u: (rank.get(kinds.get(u), len(KINDS)), -np.nan_to_num(latest[u], nan=-np.inf), u)
    )
    merged = 0
    if len(units) > MANY_UNITS:  # the largest (latest value) in the same order, then one panel for the rest
        largest = set(sorted(units, key=lambda u: (-np.nan_to_num(latest[u], nan=-np.inf), u))[:SHOWN_UNITS])
        rest = [u for u in units if u not in largest]
        merged, label = len(rest), REST_LABEL.format(n=len(rest))
        wide = wide.assign(**{label: wide[rest].sum(axis=1, min_count=1)})
        units = [u for u in units if u in largest] + [label]
    max_cols = 4 if len(units) <= 16 else 5 if len(units) <= 30 else 6
    nrows, ncols = _grid_shape(len(units), max_cols)
    fig, axes = _figure(min(MAX_HEIGHT_CM, 2.4 + 3.2 * nrows), nrows, ncols, sharex=True, sharey=same_scale)
    panels = _drop_spare(fig, axes, len(units))
    scale, shown = _scaled(wide.to_numpy(), field)
    asked = [y for y in years if key in form_for(y).by_key]
    marked = 0
    for unit_name, ax in zip(units, panels):
        line = wide[unit_name].to_numpy()
        ax.plot(years, line, color=BLUE, marker="o", markersize=3, linewidth=1.3)
        if asked and np.isnan(line[[years.index(y) for y in asked]]).all():
            ax.text(
                0.5, 0.5, NOT_REPORTED, transform=ax.transAxes, ha="center", va="center", fontsize=7.5, color=TEXT_GREY
            )
        ax.set_title(unit_name, fontsize=8 if ncols <= 4 else 7)
        _year_axis(ax, years, ends_only=len(years) > 3)
        _value_axis(ax, "y", "", scale)
        ax.tick_params(labelsize=7)
        _zero_based(ax, wide.to_numpy() if same_scale else line, 1.1)
        marked += _not_asked_marks(ax, years, [field])
    fig.supylabel(shown.headed, fontsize=8.5)
    fig = _finish(fig, f"各单位{field.display}历年变化{_rest_note(merged)}", years=_year_span(years), demo=demo)
    return add_footnote(fig, NOT_ASKED_NOTE) if marked else fig


# ---------------------------------------------------------------- saving

_SAVE_FORMATS: tuple[tuple[str, dict[str, object]], ...] = (
    ("png", {"Software": None}),
    ("svg", {"Date": None, "Creator": CREATOR}),
    ("pdf", {"CreationDate": None, "ModDate": None, "Creator": CREATOR}),
)


def lay_out(fig: Figure, dpi: int = 300) -> Figure:
    """Work the figure's layout out once, at the resolution of its PNG, and keep it as it is from then on.

    A figure with a layout engine is drawn twice by every ``savefig`` (once to lay it out, once to render): with
    the engine removed after one layout, each of the three files is drawn once, all with the same layout.
    """
    if fig.get_layout_engine() is not None:
        screen_dpi = fig.dpi
        fig.set_dpi(dpi)
        try:
            with house_style():
                fig.draw_without_rendering()
        finally:
            fig.set_dpi(screen_dpi)
        fig.set_layout_engine(None)
    return fig


def save_figure(fig: Figure, out_dir: Path, name: str) -> list[Path]:
    """Write ``<name>.png`` (300 dpi), ``.svg`` and ``.pdf`` into ``out_dir`` atomically, without timestamps, laid
    out once (:func:`lay_out`)."""
    lay_out(fig)
    written = []
    for fmt, metadata in _SAVE_FORMATS:

        @house_style()
        def write(tmp: Path, fmt: str = fmt, metadata: dict[str, object] = metadata) -> None:
            fig.savefig(tmp, format=fmt, dpi=300, metadata=metadata)

        written.append(write_atomic(Path(out_dir) / f"{name}.{fmt}", write))
    return written
