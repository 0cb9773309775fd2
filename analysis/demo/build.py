"""One demo year built in memory: every unit's return as it typed it, the revised and the late ones, the other
files, when each arrived, the true values and the planted problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import form
from analysis.demo.city import DEFAULT_SEED, DEMO_WEEKS, FLAT, FOLDERS, Values, true_values
from analysis.demo.ledger import demo_ledger
from analysis.demo.materials import unit_materials
from analysis.demo.plans import PLANS, PLANTED_COLUMNS, DemoPlan, planted_row
from analysis.demo.returns import Return
from analysis.demo.spelling import (
    COMMON_SPELLINGS,
    FORCED_SPELLINGS,
    label_variants,
    number_text,
    spellings,
    stamp_names,
    wrap_label,
)
from analysis.demo.writers.layouts import EXTENSIONS, write_return
from analysis.intake.units import Unit
from analysis.review.ledger import LedgerRow


@dataclass(frozen=True)
class DemoYear:
    """Everything generated for one year: files by relative path, and the tables beside them."""

    files: dict[str, bytes]
    received: pd.DataFrame
    truth: pd.DataFrame
    planted: pd.DataFrame
    ledger: list[LedgerRow]


REVISION_MARK = "（修改版）"
CLERKS = ("张敏", "李娟", "王磊", "刘洋", "陈静", "杨帆", "黄丽", "周涛", "吴昊", "徐倩")
# Fields a unit corrected in its revised return, and what the first version said instead.
REVISED_FIELDS: dict[str, Callable[[float], float]] = {
    "events_held": lambda v: v + 3,
    "public_offline": lambda v: round(v * 0.8),
    "staff_volunteers": lambda v: v + 15,
    "funding_municipal": lambda v: v + 1.0,
}


def _form_name(year: int, short: str, ext: str, in_folder: bool, stamped: bool, rng: np.random.Generator) -> str:
    if in_folder:
        names = [f"{year}年科技活动周开展情况统计表（{short}）", f"{short}{year}年科技活动周统计表"]
        names += [f"附件-{year}年科技活动周开展情况统计表"] if stamped else []
    else:
        names = [f"{short}-科技活动周统计表", f"{year}年科技活动周统计表-{short}"]
    return str(rng.choice(names)) + ext


def _received(day: dt.date, rng: np.random.Generator) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, int(rng.integers(8, 18)), int(rng.integers(0, 60)))


def _note(when: dt.datetime, rng: np.random.Generator) -> str:
    if rng.random() > 0.4:
        return ""
    phone = f"0722-{int(rng.integers(3000000, 3999999))}"
    return f"填表人：{rng.choice(CLERKS)}    联系电话：{phone}    填报日期：{when.year}年{when.month}月{when.day}日"


@dataclass
class _YearState:
    """Mutable bookkeeping while one year is built."""

    returns: list[Return] = field(default_factory=list)
    values: list[Values] = field(default_factory=list)
    protected: list[set[str]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    planted: list[dict[str, str]] = field(default_factory=list)
    settled: dict[tuple[str, str], float] = field(default_factory=dict)  # (unit, field) → the value on the phone


def _spell(state: _YearState, rng: np.random.Generator) -> None:
    """Type some values the way units do: each forced spelling once, common ones at random."""
    for how in FORCED_SPELLINGS:
        spots = [
            (i, k)
            for i, ret in enumerate(state.returns)
            for k in form.FIELD_KEYS
            if k not in state.protected[i] and how in spellings(form.BY_KEY[k], state.values[i][k])
        ]
        if not spots:
            raise ValueError(f"no cell can take the spelling {how!r}")
        i, key = spots[int(rng.integers(len(spots)))]
        state.returns[i].cells[key], state.values[i][key] = spellings(form.BY_KEY[key], state.values[i][key])[how]
        state.protected[i].add(key)
    for i, ret in enumerate(state.returns):
        for key in form.FIELD_KEYS:
            if key in state.protected[i] or rng.random() > 0.05:
                continue
            options = spellings(form.BY_KEY[key], state.values[i][key])
            common = [h for h in COMMON_SPELLINGS if h in options]
            if common:
                ret.cells[key], state.values[i][key] = options[str(rng.choice(common))]


def build_year(units: Sequence[Unit], year: int, seed: int = DEFAULT_SEED) -> DemoYear:
    """Generate one demo year: the returns as sent, when they arrived, the truth and the planted problems."""
    plan = PLANS[year]
    _, week_end, deadline = DEMO_WEEKS[year]
    roster = [u for u in units if u.active(year)]
    truth = true_values(roster, year, seed)
    rng = np.random.default_rng([seed, year, 2])
    state = _YearState()
    received: dict[str, dt.datetime] = {}
    window = (deadline - week_end).days
    for unit in roster:
        if unit.name == plan.missing:
            state.planted.append(planted_row("", unit.name, "missing_return", "未报送统计表"))
            continue
        values = dict(truth[unit.name])
        layout = plan.layouts.get(unit.name, "docx")
        short = FOLDERS.get(unit.name, unit.name)
        folder = None if unit.name in FLAT else short
        name = _form_name(year, short, EXTENSIONS[layout], folder is not None, layout != "csv", rng)
        path = f"{folder}/{name}" if folder else name
        names = stamp_names(unit)
        stamp = names[0] if rng.random() < 0.7 else str(rng.choice(names))
        late = unit.name == plan.late
        first_day = 2 if unit.name == plan.revised else 1  # room for the first version of a revised return
        day = (
            deadline + dt.timedelta(days=int(rng.integers(3, 11)))
            if late
            else week_end + dt.timedelta(days=int(rng.integers(first_day, window + 1)))
        )
        when = _received(day, rng)
        vary = float(rng.choice([0.0, 0.2, 0.5], p=[0.4, 0.4, 0.2]))
        labels = {f.key: str(rng.choice(label_variants(f))) if rng.random() < vary else f.label for f in form.FIELDS}
        categories = {
            f.category: wrap_label(f.category) if rng.random() < 0.5 else f.category for f in form.FIELDS if f.category
        }
        ret = Return(
            unit,
            year,
            path,
            layout,
            stamp,
            labels,
            categories,
            dict(values),
            _note(when, rng),
            when,
            number_text if rng.random() < 0.7 else "{:.2f}".format,
        )
        protected: set[str] = set()
        if unit.name == plan.few_reports:
            ret.cells["media_outlets"] = values["media_outlets"] = 1
            ret.cells["media_reports"] = values["media_reports"] = 1
            protected |= {"media_outlets", "media_reports"}
            state.planted.append(
                planted_row(path, unit.name, "county_media_reports_lt2", "宣传报道仅1篇", "media_reports")
            )
        if unit.name == plan.yuan:
            typed = round(values["funding_county"] * 10000)
            state.planted.append(
                planted_row(
                    path,
                    unit.name,
                    "money_in_yuan_suspect",
                    f"按元填写：{typed} 实为 {number_text(values['funding_county'])} 万元",
                    "funding_county",
                )
            )
            state.settled[(unit.name, "funding_county")] = values["funding_county"]
            ret.cells["funding_county"], values["funding_county"] = typed, float(typed)
            protected.add("funding_county")
        if unit.name == plan.unknown[0]:
            key = plan.unknown[1]
            state.settled[(unit.name, key)] = values[key]
            ret.cells[key], values[key] = "待统计", float("nan")
            protected.add(key)
            state.planted.append(planted_row(path, unit.name, "value_unknown", "填写“待统计”", key))
        if unit.name == plan.revised:
            protected |= set(REVISED_FIELDS)
        if layout == "xlsx_hidden" and year - 1 in PLANS:
            ret.last_year = true_values(roster, year - 1, seed)[unit.name]
        if late:
            state.planted.append(
                planted_row(path, unit.name, "late_return", f"{when:%Y-%m-%d}收到，截止日期{deadline:%Y-%m-%d}")
            )
        state.returns.append(ret)
        state.values.append(values)
        state.protected.append(protected)
        received[path] = when
        other = unit_materials(unit, plan, folder, stamp, truth[unit.name], when, rng)
        state.files |= other.files
        state.planted += other.planted
    _spell(state, rng)
    _revise(state, plan, received, rng)
    for ret in state.returns:
        state.files[ret.path] = write_return(ret, plan)
    return DemoYear(
        files=dict(sorted(state.files.items())),
        received=pd.DataFrame(
            {"source_file": list(received), "received": [w.date().isoformat() for w in received.values()]}
        ).sort_values("source_file", ignore_index=True),
        truth=_truth_frame(state),
        planted=pd.DataFrame(state.planted, columns=list(PLANTED_COLUMNS)).sort_values(
            ["code", "source_file", "unit"], ignore_index=True
        ),
        ledger=demo_ledger(state.planted, state.settled, year),
    )


def _revise(state: _YearState, plan: DemoPlan, received: dict[str, dt.datetime], rng: np.random.Generator) -> None:
    """The revised unit sent a first version, then the corrected one named …（修改版）."""
    i = next(n for n, ret in enumerate(state.returns) if ret.unit.name == plan.revised)
    final = state.returns[i]
    stem, ext = final.path.rsplit(".", 1)
    first_cells = dict(final.cells)
    for key, wrong in REVISED_FIELDS.items():
        first_cells[key] = wrong(first_cells[key])
    first_when = final.when - dt.timedelta(days=1, hours=int(rng.integers(1, 5)))
    first = Return(**{**final.__dict__, "cells": first_cells, "when": first_when})
    final.path = f"{stem}{REVISION_MARK}.{ext}"
    received.pop(first.path)
    received[first.path], received[final.path] = first_when, final.when
    state.returns.insert(i, first)
    state.values.insert(i, {})
    state.protected.insert(i, set())
    state.planted.append(planted_row(first.path, final.unit.name, "superseded_revision", f"已被{final.path}取代"))
    for row in state.planted:
        if row["source_file"] == first.path and row["code"] != "superseded_revision":
            row["source_file"] = final.path


def _truth_frame(state: _YearState) -> pd.DataFrame:
    """One row per accepted return with the values ingest must report."""
    rows = [
        {"source_file": ret.path, "unit": ret.unit.name, "unit_kind": ret.unit.kind, **values}
        for ret, values in zip(state.returns, state.values)
        if values
    ]
    frame = pd.DataFrame(rows, columns=["source_file", "unit", "unit_kind", *form.FIELD_KEYS])
    return frame.astype({k: "Int64" for k in form.COUNT_KEYS} | {k: "float64" for k in form.MONEY_KEYS})
