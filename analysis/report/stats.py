"""City statistics from one year's accepted returns: totals, derived figures, rankings and comparisons.

Pure functions over the ``returns`` table of the ingest contract (``source_file, unit, unit_kind`` and the
20 form keys; NaN = not reported, which is never the same as 0).  Sums skip NaN, but a sum over nothing
reported is NaN.  Every share and rate is a percentage (0–100); the Herfindahl index is on the 0–1 scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import chinese
from analysis.form import (
    BY_KEY,
    COUNT_KEYS,
    FIELD_KEYS,
    GOVERNMENT_FUNDING,
    MONEY_KEYS,
    PUBLIC_KEYS,
    STAFF_KEYS,
)
from analysis.intake.records import missing_units
from analysis.intake.units import KINDS


@dataclass(frozen=True)
class DerivedFigure:
    """A figure computed from the form's items, with its Chinese label."""

    key: str
    label: str
    measure: str
    decimals: int


DERIVED: tuple[DerivedFigure, ...] = (
    DerivedFigure("total_funding", "经费投入合计", "万元", 2),
    DerivedFigure("government_funding", "财政经费合计", "万元", 2),
    DerivedFigure("government_share", "财政经费占比", "%", 1),
    DerivedFigure("total_staff", "科普工作人员合计", "人", 0),
    DerivedFigure("total_participation", "群众参与合计", "人次", 0),
    DerivedFigure("online_share", "线上参与占比", "%", 1),
    DerivedFigure("participation_per_event", "场均参与人次", "人次/次", 1),
    DerivedFigure("yuan_per_participation", "每人次经费投入", "元/人次", 2),
    DerivedFigure("reports_per_outlet", "每家媒体报道数", "篇/家", 1),
)
DERIVED_BY_KEY: dict[str, DerivedFigure] = {d.key: d for d in DERIVED}
DERIVED_KEYS: tuple[str, ...] = tuple(DERIVED_BY_KEY)
UNIT_DERIVED_KEYS: tuple[str, ...] = (
    "total_funding",
    "total_staff",
    "total_participation",
    "online_share",
    "participation_per_event",
    "yuan_per_participation",
    "reports_per_outlet",
)


# --- labels and number formatting (form items from analysis.form, derived figures from DERIVED) -----------


def label(key: str) -> str:
    """Chinese name of a form item (without its hint) or of a derived figure."""
    return BY_KEY[key].display if key in BY_KEY else DERIVED_BY_KEY[key].label


def measure(key: str) -> str:
    """Measure of a form item or derived figure, e.g. 万元, 人次, %."""
    return BY_KEY[key].measure if key in BY_KEY else DERIVED_BY_KEY[key].measure


def with_measure(name: str, unit: str) -> str:
    """A name with its measure in full-width brackets, e.g. 经费投入（万元）: for composed headers and axis labels."""
    return f"{name}（{unit}）"


def headed(key: str) -> str:
    """Column header of a form item (:attr:`analysis.form.Field.headed`) or derived figure, e.g. 举办活动次数（次）."""
    return BY_KEY[key].headed if key in BY_KEY else with_measure(label(key), measure(key))


def decimals(key: str) -> int:
    """Decimals shown for a key: 2 for 万元 items, 0 for counts, as declared for derived figures."""
    if key in BY_KEY:
        return 2 if BY_KEY[key].is_money else 0
    return DERIVED_BY_KEY[key].decimals


def format_value(value: float, key: str, *, signed: bool = False) -> str:
    """Value with thousands separators and the key's decimals; "—" when not reported."""
    if pd.isna(value):
        return "—"
    return chinese.number(value, decimals(key), signed=signed)


# --- helpers -----------------------------------------------------------------------------------------------


def _floats(frame: pd.DataFrame) -> pd.DataFrame:
    """The form's columns as float64 (NaN = not reported, or not asked in that year's form)."""
    return frame.reindex(columns=list(FIELD_KEYS)).apply(pd.to_numeric).astype("float64")


def _ratio(num: pd.Series, den: pd.Series | float, scale: float = 1.0) -> pd.Series:
    """``num / den · scale``, NaN where ``den`` is 0 or NaN."""
    den = den if isinstance(den, pd.Series) else pd.Series(float(den), index=num.index)
    return num / den.where(den != 0) * scale


def _sum(frame: pd.DataFrame, keys: tuple[str, ...]) -> pd.Series:
    return frame[list(keys)].sum(axis=1, min_count=1)


def _kind_sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows (index ``unit``, column ``unit_kind``) ordered by unit kind, then unit name."""
    rank = frame["unit_kind"].map({k: n for n, k in enumerate(KINDS)}).fillna(len(KINDS))
    return frame.assign(_rank=rank).sort_values(["_rank", "unit"], kind="stable").drop(columns="_rank")


def _by_unit(returns: pd.DataFrame) -> pd.DataFrame:
    """One row per unit (index ``unit``): ``unit_kind``, ``source_file`` and the 20 keys as floats."""
    frame = _floats(returns).assign(
        unit=returns["unit"].astype(str),
        unit_kind=returns["unit_kind"].astype(str),
        source_file=returns["source_file"].astype(str),
    )
    grouped = frame.groupby("unit", sort=False)
    out = grouped[list(FIELD_KEYS)].sum(min_count=1)
    out.insert(0, "source_file", grouped["source_file"].agg(lambda s: "；".join(sorted(set(s)))))
    out.insert(0, "unit_kind", grouped["unit_kind"].first())
    return _kind_sorted(out)


def _with_count_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Count columns as nullable ``Int64`` when every reported value is whole."""
    whole = {
        k: frame[k].round().astype("Int64") for k in COUNT_KEYS if k in frame and (frame[k].dropna() % 1 == 0).all()
    }
    return frame.assign(**whole)


def _derived_frame(values: pd.DataFrame) -> pd.DataFrame:
    """Derived figures for each row of a float frame holding the 20 keys."""
    funding = _sum(values, MONEY_KEYS)
    government = _sum(values, GOVERNMENT_FUNDING)
    participation = _sum(values, PUBLIC_KEYS)
    out = pd.DataFrame(
        {
            "total_funding": funding,
            "government_funding": government,
            "government_share": _ratio(government, funding, 100),
            "total_staff": _sum(values, STAFF_KEYS),
            "total_participation": participation,
            "online_share": _ratio(values["public_online"], participation, 100),
            "participation_per_event": _ratio(participation, values["events_held"]),
            "yuan_per_participation": _ratio(funding, participation, 10_000),
            "reports_per_outlet": _ratio(values["media_reports"], values["media_outlets"]),
        },
        index=values.index,
    )
    return out[list(DERIVED_KEYS)]


# --- public functions --------------------------------------------------------------------------------------


def city_totals(returns: pd.DataFrame) -> pd.Series:
    """City total of each form item (index = the 20 keys): counts as int, 万元 as float, NaN if nobody reported."""
    sums = _floats(returns).sum(min_count=1)

    def typed(key: str) -> float | int:
        value = sums[key]
        if pd.isna(value):
            return np.nan
        return round(float(value), 4) if key in MONEY_KEYS else int(round(value))

    return pd.Series({k: typed(k) for k in FIELD_KEYS}, dtype=object, name="total")


def derived(totals: pd.Series) -> pd.Series:
    """Derived figures (index = ``DERIVED_KEYS``) from a Series of the 20 keys, e.g. :func:`city_totals`."""
    values = pd.to_numeric(totals.reindex(list(FIELD_KEYS))).astype("float64").to_frame().T
    return _derived_frame(values).iloc[0].rename(None)


def pct_change(current: pd.Series, previous: pd.Series) -> pd.Series:
    """Percentage change, NaN where the previous value is 0 or not reported."""
    current, previous = (pd.to_numeric(s).astype("float64") for s in (current, previous))
    return _ratio(current - previous, previous, 100)


@dataclass(frozen=True)
class Completeness:
    """Which units of the roster sent a return.  ``rate`` is the percentage of the roster received."""

    expected: int
    received: int  # distinct units with an accepted return, on the roster or not
    missing: list[str]  # roster units without a return, in roster order
    unexpected: list[str]  # units with a return that are not on the roster
    rate: float
    field_counts: pd.Series  # per form key: number of units that reported it


def completeness(returns: pd.DataFrame, roster: list[str]) -> Completeness:
    """Returns received against the year's roster, and how many units reported each item."""
    units = _by_unit(returns)
    missing = missing_units(returns, roster)
    expected = len(dict.fromkeys(roster))
    return Completeness(
        expected=expected,
        received=len(units),
        missing=missing,
        unexpected=[u for u in units.index if u not in set(roster)],
        rate=(expected - len(missing)) / expected * 100 if expected else np.nan,
        field_counts=units[list(FIELD_KEYS)].notna().sum().astype(int),
    )


def unit_table(returns: pd.DataFrame) -> pd.DataFrame:
    """Per unit: ``unit, unit_kind, source_file``, the 20 keys and ``UNIT_DERIVED_KEYS``; by kind, then unit."""
    units = _by_unit(returns)
    values = units[list(FIELD_KEYS)]
    table = pd.concat(
        [
            units[["unit_kind", "source_file"]],
            _with_count_dtypes(values),
            _derived_frame(values)[list(UNIT_DERIVED_KEYS)],
        ],
        axis=1,
    )
    return table.reset_index()


def rankings(returns: pd.DataFrame, key: str, n: int | None = None) -> pd.DataFrame:
    """Units that reported ``key``, largest first: ``unit, unit_kind, value, rank, share`` (% of city total)."""
    values = _by_unit(returns)[["unit_kind", key]].dropna(subset=[key]).rename(columns={key: "value"})
    table = values.reset_index().sort_values(["value", "unit"], ascending=[False, True], kind="stable")
    table = table.assign(
        rank=table["value"].rank(method="min", ascending=False).astype(int),
        share=_ratio(table["value"], table["value"].sum(), 100),
    )
    return table.head(n).reset_index(drop=True) if n is not None else table.reset_index(drop=True)


def composition(returns: pd.DataFrame, keys: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """Per unit (index), each key's share (%) of the unit's total over ``keys``, plus that ``total``.

    Units that reported none of the keys are left out; a unit whose total is 0 has NaN shares.
    """
    values = _by_unit(returns)[list(keys)]
    total = values.sum(axis=1, min_count=1)
    shares = values.div(total.where(total != 0), axis=0) * 100
    return shares.assign(total=total)[total.notna()]


def concentration(returns: pd.DataFrame, key: str) -> dict[str, object]:
    """How concentrated ``key`` is: top unit and its share, shares by unit kind (%), Herfindahl index (0–1)."""
    values = _by_unit(returns)[["unit_kind", key]].dropna(subset=[key])
    total = float(values[key].sum()) if len(values) else np.nan
    valid = pd.notna(total) and total != 0
    shares = _ratio(values[key], total)
    ordered = values.reset_index().sort_values([key, "unit"], ascending=[False, True], kind="stable")
    by_kind = values.groupby("unit_kind")[key].sum()

    county, department = (float(by_kind.get(kind, 0.0)) for kind in ("county", "department"))

    def share(part: float) -> float:
        return part / total * 100 if valid else np.nan

    return {
        "key": key,
        "total": total,
        "units": len(values),
        "top_unit": ordered["unit"].iloc[0] if valid else None,
        "top_value": float(ordered[key].iloc[0]) if valid else np.nan,
        "top_share": float(shares.max()) * 100 if valid else np.nan,
        "county_share": share(county),
        "department_share": share(department),
        "other_share": share(total - county - department),
        "hhi": float((shares**2).sum()) if valid else np.nan,
    }


def _unit_changes(current: pd.DataFrame, previous: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per unit (index) of two :func:`_by_unit` frames: current, previous, change, change_pct, contribution."""
    table = pd.concat({"current": current[key], "previous": previous[key]}, axis=1).dropna(how="all")
    kinds = current["unit_kind"].combine_first(previous["unit_kind"]).reindex(table.index)
    table = table.assign(
        unit_kind=kinds,
        change=table["current"] - table["previous"],
        change_pct=_ratio(table["current"] - table["previous"], table["previous"], 100),
        contribution=table["current"].fillna(0) - table["previous"].fillna(0),
    )
    table.index.name = "unit"
    return _kind_sorted(table)[["unit_kind", "current", "previous", "change", "change_pct", "contribution"]]


def _drivers_text(changes: pd.DataFrame, key: str, n: int) -> str:
    """The ``n`` units with the largest contributions to the change, e.g. "广水市 +1,200；随县 +800"."""
    contribution = changes["contribution"]
    contribution = contribution[contribution != 0]
    top = contribution.abs().sort_values(ascending=False, kind="stable").index[:n]
    return "；".join(f"{unit} {format_value(contribution[unit], key, signed=True)}" for unit in top)


def unit_year_over_year(current: pd.DataFrame, previous: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per unit reporting ``key`` in either year: ``unit, unit_kind, current, previous, change, change_pct,
    contribution`` — ``change`` needs both years; ``contribution`` counts a missing year as 0, so the
    contributions add up to the change of the city total."""
    return _unit_changes(_by_unit(current), _by_unit(previous), key).reset_index()


def year_over_year(current_returns: pd.DataFrame, previous_returns: pd.DataFrame, n_drivers: int = 3) -> pd.DataFrame:
    """Per form key (index): ``current, previous, change, change_pct`` of the city totals and ``drivers``,
    the units contributing most to the change (empty when there is no change to explain)."""
    cur_units, prev_units = _by_unit(current_returns), _by_unit(previous_returns)
    current = pd.to_numeric(city_totals(current_returns)).astype("float64")
    previous = pd.to_numeric(city_totals(previous_returns)).astype("float64")
    change = current - previous
    drivers = [
        _drivers_text(_unit_changes(cur_units, prev_units, k), k, n_drivers) if pd.notna(change[k]) else ""
        for k in FIELD_KEYS
    ]
    return pd.DataFrame(
        {
            "current": current,
            "previous": previous,
            "change": change,
            "change_pct": pct_change(current, previous),
            "drivers": drivers,
        },
        index=pd.Index(FIELD_KEYS, name="key"),
    )


def multi_year(frames: dict[int, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """City totals by year (index ``year``: the 20 keys and ``DERIVED_KEYS``) and the per-unit tables of all
    years stacked, with a leading ``year`` column."""
    years = sorted(frames)
    if not years:
        raise ValueError("没有任何年度的数据")
    values = pd.DataFrame(
        [pd.to_numeric(city_totals(frames[y])).astype("float64") for y in years],
        index=pd.Index(years, name="year"),
        columns=list(FIELD_KEYS),
    )
    totals = pd.concat([_with_count_dtypes(values), _derived_frame(values)], axis=1)
    long = pd.concat([unit_table(frames[y]).assign(year=y) for y in years], ignore_index=True)
    return totals, long[["year", *[c for c in long.columns if c != "year"]]]
