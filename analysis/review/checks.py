"""Data-quality checks on one year's processed returns: one small rule per finding.

Each rule takes a :class:`CheckContext` and returns located :class:`Issue` rows with
a stable code and a Chinese message saying what is wrong and what to fix.  Rules
never change a value.  Every threshold is a row of ``rules.csv`` (name, field, unit kind, value,
severity, Chinese label), read once by the caller into :class:`Rules` and passed in the context; they are
deliberately conservative (a warning should point at a real problem, not at an unusual but genuine week).
Rules are vectorised over the returns frame: no loop over units, nothing quadratic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import chinese
from analysis.form import (
    ALL_KEYS,
    BY_KEY,
    CAT_FUNDING,
    CAT_PUBLIC,
    CAT_STAFF,
    FIELDS,
    MONEY_KEYS,
    PUBLIC_KEYS,
    SUBTOTAL_PREFIX,
    Field,
    Form,
    form_for,
    normalize_label,
)
from analysis.intake.dates import (
    SOURCE_MTIME,
    WeekDates,
    csv_rows,  # the project's one reader of small Excel-saved CSVs
)
from analysis.intake.records import missing_units
from analysis.intake.units import KIND_ZH, KINDS
from analysis.issues import SEVERITIES, Issue
from analysis.paths import ROOT, WEEKS_CSV
from analysis.review.ledger import CORRECTED_STATUS
from analysis.review.materials import materials_issues

# --- thresholds: analysis/review/rules.csv ---------------------------------------------------------------------
RULES_CSV = Path(__file__).resolve().parent / "rules.csv"
RULE_COLUMNS = ("name", "field", "kind", "value", "severity", "label")
ANY = "*"  # a rule row for every unit kind, or for every field
# The rule names the checks read (rules.csv may hold no others).
RULE_NAMES = (
    "small_field_max",
    "money_max_wan",
    "offline_per_event_min",
    "offline_per_event_max",
    "yuan_per_participant_max",
    "reports_per_outlet_max",
    "min_peers",
    "outlier_z",
    "outlier_fold",
    "yoy_factor",
    "yoy_floor_money",
    "yoy_floor_count",
    "county_min_reports",
)

WEEKS_SHOWN = WEEKS_CSV.relative_to(ROOT).as_posix()  # data/reference/weeks.csv, as named in messages
LOCATED_STATUSES = ("accepted", CORRECTED_STATUS)  # values.csv statuses of the accepted returns' values
# Statistical findings: kept only for a value no other rule has flagged, and once per value.
STATISTICAL_CODES = ("outlier_mad", "yoy_jump")


class RulesError(ValueError):
    """A rules file that cannot be used (Chinese message naming the file and row)."""


@dataclass(frozen=True)
class Threshold:
    """One row of rules.csv: the value of a rule for a unit kind (or ``*``) and a field (or ``*``)."""

    name: str
    field: str
    kind: str
    value: float
    severity: str
    label: str


@dataclass(frozen=True, eq=False)
class Rules:
    """The checks' thresholds, looked up most specific first: (kind, field), (kind, *), (*, field), (*, *)."""

    rows: tuple[Threshold, ...]

    @cached_property
    def _table(self) -> dict[str, dict[str, float]]:
        table: dict[str, dict[str, float]] = {}
        for t in self.rows:
            table.setdefault(t.name, {})[f"{t.kind}|{t.field}"] = t.value
        return table

    def fields(self, name: str) -> tuple[str, ...]:
        """The fields a per-field rule names, in file order."""
        return tuple(dict.fromkeys(t.field for t in self.rows if t.name == name and t.field != ANY))

    def severity(self, name: str) -> str:
        return next((t.severity for t in self.rows if t.name == name), "warning")

    def lookup(self, name: str, kind: str, field: str = ANY) -> float:
        """The rule's value for one unit kind and field, most specific row first; NaN when it does not apply."""
        table = self._table.get(name, {})
        return next(
            (table[k] for k in (f"{kind}|{field}", f"{kind}|{ANY}", f"{ANY}|{field}", f"{ANY}|{ANY}") if k in table),
            math.nan,
        )

    def per_row(self, name: str, kinds: pd.Series, fields: pd.Series | None = None) -> pd.Series:
        """The rule's value for each (kind, field) pair, NaN where it does not apply (positional index).

        Looked up once per distinct pair (a few kinds × the form's fields), then joined onto the rows."""
        kind_codes, kind_names = pd.factorize(kinds, use_na_sentinel=False)
        field_codes, field_names = (
            (np.zeros(len(kind_codes), dtype=np.intp), [ANY])
            if fields is None
            else pd.factorize(fields, use_na_sentinel=False)
        )
        table = np.array(
            [[self.lookup(name, str(k), str(f)) for f in field_names] for k in kind_names], dtype="float64"
        ).reshape(len(kind_names), len(field_names))
        return pd.Series(table[kind_codes, field_codes], dtype="float64")


def load_rules(path: Path = RULES_CSV) -> Rules:
    """rules.csv (``name, field, kind, value, severity, label``); :class:`RulesError` says what is wrong and where."""
    path = Path(path)
    frame = csv_rows(path)
    missing = [c for c in RULE_COLUMNS if c not in frame.columns]
    if missing:
        raise RulesError(f"核查规则文件 {path.name} 缺少“{'”“'.join(missing)}”列（应有 {', '.join(RULE_COLUMNS)}）。")
    rows = []
    for line, r in enumerate(frame.to_dict("records"), start=2):
        name, kind, field, severity = (str(r[c]).strip() for c in ("name", "kind", "field", "severity"))
        try:
            value = float(str(r["value"]).strip())
        except ValueError:
            value = math.nan
        problems = [
            p
            for p, bad in (
                (f"规则名“{name}”未知（可用：{'、'.join(RULE_NAMES)}）", name not in RULE_NAMES),
                (f"单位类型“{kind}”应为 {'、'.join(KINDS)} 或 *", kind not in (*KINDS, ANY)),
                (f"项目“{field}”不是表式中的项目", field != ANY and field not in ALL_KEYS),
                (f"严重程度“{severity}”应为 {'、'.join(SEVERITIES)}", severity not in SEVERITIES),
                (f"数值“{r['value']}”不是非负数", not value >= 0),
            )
            if bad
        ]
        if problems:
            raise RulesError(f"核查规则文件 {path.name} 第 {line} 行：{'；'.join(problems)}。")
        rows.append(Threshold(name, field, kind, value, severity, str(r["label"]).strip()))
    return Rules(tuple(rows))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The package's rules.csv, read once."""
    return load_rules(RULES_CSV)


@dataclass(frozen=True, eq=False)
class ReturnIds:
    """Who each accepted return is, by row position: its file, unit and unit kind."""

    sources: np.ndarray
    units: np.ndarray
    kinds: np.ndarray


@dataclass(frozen=True, eq=False)
class Locations:
    """The sheet, cell and raw text of each accepted value, positionally aligned with ``index``
    (source_file, field)."""

    index: pd.MultiIndex
    sheet: np.ndarray
    cell: np.ndarray
    raw: np.ndarray


@dataclass(frozen=True, eq=False)
class CheckContext:
    """Everything the rules read.  Frames follow docs/contracts.md.

    ``roster``: expected units (``name, kind``); ``previous``: the comparison year's returns and ``compare_year``
    that year (default ``year − 1``); ``event_window``: the week's dates and the return deadline (weeks.csv);
    ``received``: the frame of :func:`analysis.intake.dates.received_dates`; ``materials``:
    :func:`analysis.review.materials.material_files`;
    ``rules``: the thresholds (:func:`load_rules`, read once by the caller).
    """

    year: int
    returns: pd.DataFrame
    values: pd.DataFrame
    files: pd.DataFrame
    roster: pd.DataFrame
    previous: pd.DataFrame | None = None
    event_window: WeekDates | None = None
    received: pd.DataFrame | None = None
    materials: pd.DataFrame | None = None
    rules: Rules = dataclass_field(default_factory=default_rules)
    compare_year: int | None = None

    @cached_property
    def form(self) -> Form:
        """The year's form: which items were asked, their labels and measures."""
        return form_for(self.year)

    @cached_property
    def ids(self) -> ReturnIds:
        """The returns' source files, units and kinds as arrays (position = row of ``returns``)."""
        r = self.returns
        return ReturnIds(*(_texts(r[c]).to_numpy(dtype=object) for c in ("source_file", "unit", "unit_kind")))

    @cached_property
    def locations(self) -> Locations:
        """Where each value of the accepted returns was read (corrected ones too), indexed once by (source_file,
        field)."""
        v = self.values
        if v is None or v.empty:
            v = pd.DataFrame(columns=["source_file", "field", "sheet", "cell", "raw_text", "status"])
        v = v[v["status"].isin(LOCATED_STATUSES)]
        v = v[~v.duplicated(["source_file", "field"], keep="last")]
        text = {c: _texts(v[c]).to_numpy(dtype=object) for c in ("source_file", "field", "sheet", "cell", "raw_text")}
        return Locations(
            pd.MultiIndex.from_arrays([text["source_file"], text["field"]]),
            text["sheet"],
            text["cell"],
            text["raw_text"],
        )


Rule = Callable[[CheckContext], list[Issue]]


# --- small helpers ---------------------------------------------------------------------------------------------
def _as_text(value: Any) -> str:
    """A cell as text; missing → ''."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _texts(column: pd.Series) -> pd.Series:
    """A column as text, missing → '' (vectorised :func:`_as_text`)."""
    return column.astype("str").where(column.notna(), "").reset_index(drop=True)


def _num(value: Any) -> float | None:
    """A reported number as float; not reported → None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return float(value)


def _form_item(ctx: CheckContext, key: str) -> Field:
    """The item of the year's form (of the current form for a key the year's form lacks)."""
    return ctx.form.by_key.get(key) or BY_KEY[key]


def _item_label(ctx: CheckContext, key: str) -> str:
    return _form_item(ctx, key).display


def _with_measure(ctx: CheckContext, key: str, value: float) -> str:
    return f"{chinese.number(value)} {_form_item(ctx, key).measure}"


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None or frame.empty else frame.to_dict("records")


def _numbers(returns: pd.DataFrame, key: str) -> pd.Series:
    """One field of every return as float64 (NaN = not reported or not asked), positional index."""
    if key not in returns.columns:
        return pd.Series(np.nan, index=pd.RangeIndex(len(returns)), dtype="float64")
    return pd.to_numeric(returns[key], errors="coerce").astype("float64").reset_index(drop=True)


def _long(ctx: CheckContext, keys: Iterable[str], reported: bool = True) -> pd.DataFrame:
    """One row per (return, key), return-major in form order: ``pos`` (row of ``returns``), ``kind`` and ``key``
    (categorical), ``value``; only reported values unless ``reported`` is False."""
    returns, keys = ctx.returns, [k for k in keys if k in ctx.form.by_key]
    n = len(returns)
    if not n or not keys:
        return pd.DataFrame(
            {
                "pos": pd.Series(dtype="int64"),
                "kind": pd.Series(dtype="str"),
                "key": pd.Series(dtype="str"),
                "value": pd.Series(dtype="float64"),
            }
        )
    values = np.column_stack([_numbers(returns, k).to_numpy() for k in keys]).ravel()
    pos = np.repeat(np.arange(n), len(keys))
    kind_codes, kind_names = pd.factorize(ctx.ids.kinds)
    long = pd.DataFrame(
        {
            "pos": pos,
            "kind": pd.Categorical.from_codes(kind_codes[pos], kind_names),
            "key": pd.Categorical.from_codes(np.tile(np.arange(len(keys)), n), keys),
            "value": values,
        }
    )
    if reported:
        long = long[long["value"].notna()]
    return long.reset_index(drop=True)


def _locate(ctx: CheckContext, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (``pos, key``, a few rows: the findings) with the return's ``source_file, unit`` and the location
    ``sheet, cell, raw`` of that key's value in it; ``kind`` and ``key`` as text."""
    pos = frame["pos"].to_numpy(dtype=np.intp)
    sources, keys = ctx.ids.sources[pos], frame["key"].astype(object).to_numpy()
    loc = ctx.locations
    row = loc.index.get_indexer(pd.MultiIndex.from_arrays([sources, keys])) if len(pos) else np.zeros(0, np.intp)
    found = row >= 0

    def at(column: np.ndarray) -> np.ndarray:
        return np.where(found, column[row] if len(column) else "", "").astype(object)

    return frame.reset_index(drop=True).assign(
        source_file=sources,
        unit=ctx.ids.units[pos],
        kind=ctx.ids.kinds[pos],
        key=keys,
        sheet=at(loc.sheet),
        cell=at(loc.cell),
        raw=at(loc.raw),
    )


def _issues(ctx: CheckContext, frame: pd.DataFrame, severity: str, code: str, messages: Iterable[str]) -> list[Issue]:
    """One issue per row of ``frame`` (``pos, key``), located on that key's cell, with its message."""
    frame = _locate(ctx, frame)
    return [
        Issue(
            severity,
            code,
            message,
            source_file=r["source_file"],
            sheet=r["sheet"],  # type: ignore[arg-type]
            cell=r["cell"],
            field=r["key"],
            unit=r["unit"],
        )
        for r, message in zip(frame.to_dict("records"), messages)
    ]


def too_large(ctx: CheckContext, keys: pd.Series, values: pd.Series, kinds: pd.Series) -> pd.Series:
    """True where one unit's value is implausibly large on its own (small fields, money likely typed in 元)."""
    rules = ctx.rules
    keys, values, kinds = (s.reset_index(drop=True) for s in (keys, values, kinds))
    money = keys.isin(ctx.form.money_keys)
    limit = rules.per_row("money_max_wan", kinds).where(money, rules.per_row("small_field_max", kinds, keys))
    return (values > limit).fillna(False).astype(bool)


def _money_suspect(ctx: CheckContext) -> pd.Series:
    """Per return (positional): some money source is implausibly large."""
    long = _long(ctx, ctx.form.money_keys)
    flagged = long.loc[too_large(ctx, long["key"], long["value"], long["kind"]).to_numpy(), "pos"]
    return pd.Series(np.arange(len(ctx.returns))).isin(flagged)


# --- completeness -----------------------------------------------------------------------------------------------
def missing_return(ctx: CheckContext) -> list[Issue]:
    """A unit on the year's roster has no accepted return."""
    files = ctx.files if ctx.files is not None else pd.DataFrame(columns=["source_file", "unit"])
    roster = ctx.roster
    names = missing_units(ctx.returns, list(roster["name"])) if roster is not None and not roster.empty else []
    missing = roster[roster["name"].isin(names)] if roster is not None and not roster.empty else roster
    files = files.dropna(subset=["unit", "source_file"])
    files = files[files["unit"].isin(missing["name"])] if missing is not None else files.iloc[:0]
    sent_by_unit: dict[str, list[str]] = {}
    for unit, source in sorted(zip(files["unit"].astype(str), files["source_file"].astype(str))):  # missing only
        sent_by_unit.setdefault(unit, []).append(source)
    out = []
    for unit in _records(missing):
        name, kind = _as_text(unit["name"]), _as_text(unit["kind"])
        sent = sent_by_unit.get(name, [])
        if sent:
            shown = "、".join(sent[:3]) + ("等" if len(sent) > 3 else "")
            msg = (
                f"已收到“{name}”（{KIND_ZH.get(kind, kind)}）的文件（{shown}），但其中没有可用的开展情况统计表："
                f"请按通知附件的格式重新报送统计表。"
            )
        else:
            msg = f"名单中的“{name}”（{KIND_ZH.get(kind, kind)}）未报送开展情况统计表：请催报（按通知附件格式，Excel 或 Word 均可）。"
        out.append(Issue("warning", "missing_return", msg, unit=name))
    return out


def field_not_reported(ctx: CheckContext) -> list[Issue]:
    """A located field of an accepted return is blank.

    Unreadable text and labels not found are reported by ingest already, so only a
    located cell with nothing in it is reported here.
    """
    long = _long(ctx, ctx.form.keys, reported=False)
    located = _locate(ctx, long[long["value"].isna()])  # blanks only: few
    blank = located[(located["cell"] != "") & (located["raw"].str.strip() == "")]
    return _issues(
        ctx,
        blank,
        "warning",
        "field_not_reported",
        (
            f"“{_item_label(ctx, k)}”未填写：没有发生请填 0，不要留空（空白按“未报送”处理，不计入合计）。"
            for k in blank["key"]
        ),
    )


# --- form rules (fractions and negatives are refused by ingest: value_fraction, value_negative) -----------------
def small_field_too_large(ctx: CheckContext) -> list[Issue]:
    """A field that can only be small for one unit (universities, institutes, MOST tasks, venues) is large."""
    long = _long(ctx, ctx.rules.fields("small_field_max"))
    limit = ctx.rules.per_row("small_field_max", long["kind"], long["key"])
    hit = long.assign(limit=limit)[(long["value"] > limit).fillna(False).astype(bool)]
    return _issues(
        ctx,
        hit,
        ctx.rules.severity("small_field_max"),
        "small_field_too_large",
        (
            f"“{_item_label(ctx, r['key'])}”填报 {_with_measure(ctx, r['key'], r['value'])}，一个单位一般不超过 "
            f"{chinese.number(r['limit'])} {_form_item(ctx, r['key']).measure}：请核实是否多写了位数或填错了栏目。"
            for r in hit.to_dict("records")
        ),
    )


# --- magnitudes -------------------------------------------------------------------------------------------------
YUAN_PER_WAN = 10_000


def as_wan(yuan: float) -> float:
    """A number meant in 元, in 万元: the correction :func:`money_in_yuan_suspect` suggests (and the report shows)."""
    return yuan / YUAN_PER_WAN


def money_in_yuan_suspect(ctx: CheckContext) -> list[Issue]:
    """One money source is implausibly large for one unit's week: probably 元 typed into a 万元 field."""
    long = _long(ctx, ctx.form.money_keys)
    limit = ctx.rules.per_row("money_max_wan", long["kind"])
    hit = long.assign(limit=limit)[(long["value"] > limit).fillna(False).astype(bool)]
    return _issues(
        ctx,
        hit,
        ctx.rules.severity("money_max_wan"),
        "money_in_yuan_suspect",
        (
            f"“{_item_label(ctx, r['key'])}”填报 {chinese.number(r['value'])} 万元，对一个单位一周的活动明显偏大"
            f"（{KIND_ZH.get(r['kind'], r['kind'])}单位单项一般不超过 {chinese.number(r['limit'])} 万元），"
            f"很可能把“元”填进了“万元”栏：若原意是 {chinese.number(r['value'])} 元，应填 {chinese.number(as_wan(r['value']))} 万元。"
            f"请核实后改正（汇总数据未作改动）。"
            for r in hit.to_dict("records")
        ),
    )


def _at(ctx: CheckContext, positions: pd.Series, keys: pd.Series | str) -> pd.DataFrame:
    """The frame (``pos, key``) of the returns at ``positions``, at ``keys``."""
    return pd.DataFrame(
        {
            "pos": positions.to_numpy(dtype=np.intp),
            "key": keys if isinstance(keys, str) else keys.to_numpy(dtype=object),
        }
    )


def ratio_implausible(ctx: CheckContext) -> list[Issue]:
    """Offline participations per activity, 元 per participation or reports per outlet out of range."""
    returns, rules = ctx.returns, ctx.rules
    if returns.empty:
        return []
    kinds = pd.Series(ctx.ids.kinds)
    found: list[tuple[int, int, Issue]] = []  # (return position, order within the return, issue)

    events, offline = _numbers(returns, "events_held"), _numbers(returns, "public_offline")
    low, high = rules.per_row("offline_per_event_min", kinds), rules.per_row("offline_per_event_max", kinds)
    per_event = offline / events
    both = (events.fillna(0) != 0) & (offline.fillna(0) != 0)
    bad = both & ~((per_event >= low) & (per_event <= high))
    pos = pd.Series(np.flatnonzero(bad.to_numpy()))
    for r, issue in zip(
        pos,
        _issues(
            ctx,
            _at(ctx, pos, "public_offline"),
            rules.severity("offline_per_event_max"),
            "ratio_implausible",
            (
                f"线下参与 {chinese.number(offline[p])} 人次、举办活动 {chinese.number(events[p])} 次，平均每次活动 {chinese.number(per_event[p], 1)} 人次，"
                f"不在合理范围（{chinese.number(low[p])}–{chinese.number(high[p])} 人次）内：请核实这两项。"
                for p in pos
            ),
        ),
    ):
        found.append((r, 0, issue))

    outlets, reports = _numbers(returns, "media_outlets"), _numbers(returns, "media_reports")
    limit = rules.per_row("reports_per_outlet_max", kinds)
    per_outlet = reports / outlets
    bad = (outlets.fillna(0) != 0) & (reports.fillna(0) != 0) & (per_outlet > limit).fillna(False)
    pos = pd.Series(np.flatnonzero(bad.to_numpy()))
    for r, issue in zip(
        pos,
        _issues(
            ctx,
            _at(ctx, pos, "media_reports"),
            rules.severity("reports_per_outlet_max"),
            "ratio_implausible",
            (
                f"宣传报道 {chinese.number(reports[p])} 篇、参与媒体 {chinese.number(outlets[p])} 家，平均每家媒体 {chinese.number(per_outlet[p], 1)} 篇，"
                f"超过 {chinese.number(limit[p])} 篇：请核实这两项。"
                for p in pos
            ),
        ),
    ):
        found.append((r, 1, issue))

    money = sum((_numbers(returns, k).fillna(0) for k in ctx.form.money_keys), pd.Series(0.0, index=kinds.index))
    public = [_numbers(returns, k).fillna(0) for k in PUBLIC_KEYS]
    people = sum(public, pd.Series(0.0, index=kinds.index))
    limit = rules.per_row("yuan_per_participant_max", kinds)
    yuan = money * YUAN_PER_WAN / people.where(people > 0)
    bad = (money > 0) & (people > 0) & ~_money_suspect(ctx) & (yuan > limit).fillna(False)
    pos = pd.Series(np.flatnonzero(bad.to_numpy()))
    first_public = pd.Series(np.select([p > 0 for p in public], list(PUBLIC_KEYS), default=PUBLIC_KEYS[0]))
    for r, issue in zip(
        pos,
        _issues(
            ctx,
            _at(ctx, pos, first_public[pos]),
            rules.severity("yuan_per_participant_max"),
            "ratio_implausible",
            (
                f"经费合计 {chinese.number(money[p])} 万元、群众参与 {chinese.number(people[p])} 人次，平均每人次 {chinese.number(yuan[p], 0)} 元，"
                f"超过 {chinese.number(limit[p])} 元：请核实经费（单位为万元）和参与人次。"
                for p in pos
            ),
        ),
    ):
        found.append((r, 2, issue))
    return [issue for _, _, issue in sorted(found, key=lambda f: (f[0], f[1]))]


def outlier_mad(ctx: CheckContext) -> list[Issue]:
    """A value far above the other units of the same kind (median and MAD, robust z), with enough peers."""
    long = _long(ctx, ctx.form.keys)
    if long.empty:
        return []
    rules = ctx.rules
    groups = long.groupby(["kind", "key"], sort=False, observed=True)["value"]
    peers = groups.transform("count")
    med = groups.transform("median")
    mad = (
        (long["value"] - med).abs().groupby([long["kind"], long["key"]], sort=False, observed=True).transform("median")
    )
    z = 0.6745 * (long["value"] - med) / mad.where(mad != 0)
    hit = (
        (peers >= rules.per_row("min_peers", long["kind"], long["key"]))
        & (z > rules.per_row("outlier_z", long["kind"], long["key"]))
        & (long["value"] >= rules.per_row("outlier_fold", long["kind"], long["key"]) * med)
    ).fillna(False)
    flagged = long.assign(peers=peers, med=med)[hit.astype(bool)]
    flagged = flagged.assign(kind_name=flagged["kind"].astype(object), key_order=flagged["key"].cat.codes)
    flagged = flagged.sort_values(["kind_name", "key_order", "pos"], kind="stable")  # by kind name, as grouped before
    return _issues(
        ctx,
        flagged,
        rules.severity("outlier_z"),
        "outlier_mad",
        (
            f"“{_item_label(ctx, r['key'])}”填报 {_with_measure(ctx, r['key'], r['value'])}，远高于同类单位"
            f"（{KIND_ZH.get(r['kind_name'], r['kind_name'])}，{r['peers']} 家）的中位数 "
            f"{_with_measure(ctx, r['key'], r['med'])}：请核实是否多写了位数或填错了栏目。"
            for r in flagged.to_dict("records")
        ),
    )


def yoy_jump(ctx: CheckContext) -> list[Issue]:
    """A value ten times above or below (down to 0) the same unit's previous-year value, when that was plausible
    and not tiny."""
    if ctx.previous is None or ctx.previous.empty:
        return []
    rules, prev = ctx.rules, ctx.previous.drop_duplicates("unit", keep="last")
    long = _long(ctx, ctx.form.keys)
    # last year's value of each (return, key): the unit's row there (one hash join), then the key's column
    row = pd.Index(_texts(prev["unit"])).get_indexer(pd.Index(ctx.ids.units))
    last = np.column_stack([_numbers(prev, k).to_numpy() for k in ctx.form.keys])
    prev_row = row[long["pos"].to_numpy()]
    before = pd.Series(
        np.where(prev_row >= 0, last[prev_row, long["key"].cat.codes.to_numpy()], np.nan), dtype="float64"
    )
    floor = rules.per_row("yoy_floor_money", long["kind"]).where(
        long["key"].isin(ctx.form.money_keys), rules.per_row("yoy_floor_count", long["kind"])
    )
    factor = rules.per_row("yoy_factor", long["kind"], long["key"])
    ratio = long["value"] / before
    fair = before.notna() & (before >= floor) & ~too_large(ctx, long["key"], before, long["kind"])
    hit = (fair & ((ratio >= factor) | (ratio <= 1 / factor))).fillna(False).astype(bool)
    flagged = long.assign(before=before, ratio=ratio)[hit]
    earlier = ctx.compare_year if ctx.compare_year is not None else ctx.year - 1
    short = "上年" if earlier == ctx.year - 1 else f"{earlier}年"
    named = f"上年（{earlier}年）" if earlier == ctx.year - 1 else f"对比年度{earlier}年"
    messages = []
    for r in flagged.to_dict("records"):
        f = r["ratio"]
        change = (
            f"是{short}的 {chinese.number(f, 1)} 倍"
            if f > 1
            else f"只有{short}的 {chinese.percent(f * 100)}"
            if f > 0
            else "降为 0"
        )
        messages.append(
            f"“{_item_label(ctx, r['key'])}”填报 {_with_measure(ctx, r['key'], r['value'])}，{named}为 "
            f"{_with_measure(ctx, r['key'], r['before'])}，{change}：请核实是否有误，属实请简要说明原因。"
        )
    return _issues(ctx, flagged, rules.severity("yoy_factor"), "yoy_jump", messages)


# --- consistency ------------------------------------------------------------------------------------------------
def _exceeds(ctx: CheckContext, bigger: str, smaller: str, at: str, code: str, explain: str) -> list[Issue]:
    """Flag, at field ``at``, each return whose ``bigger`` item exceeds its ``smaller`` item (both reported)."""
    big, small = _numbers(ctx.returns, bigger), _numbers(ctx.returns, smaller)
    pos = pd.Series(np.flatnonzero((big > small).fillna(False).to_numpy()))
    return _issues(
        ctx,
        _at(ctx, pos, at),
        "warning",
        code,
        (
            f"{_item_label(ctx, bigger)} {_with_measure(ctx, bigger, big[p])}，多于{_item_label(ctx, smaller)} "
            f"{_with_measure(ctx, smaller, small[p])}（{explain}）：请核实这两项。"
            for p in pos
        ),
    )


def reports_lt_outlets(ctx: CheckContext) -> list[Issue]:
    """Fewer publicity reports than participating media outlets."""
    return _exceeds(
        ctx, "media_outlets", "media_reports", "media_reports", "reports_lt_outlets", "每家参与的媒体至少应有 1 篇报道"
    )


def most_tasks_gt_events(ctx: CheckContext) -> list[Issue]:
    """More MOST tasks taken on than activities held."""
    return _exceeds(ctx, "most_tasks", "events_held", "most_tasks", "most_tasks_gt_events", "承接的任务也是举办的活动")


# Categories whose items add up (a subtotal of events and MOST tasks, or of outlets and reports, means nothing).
_CATEGORY_KEYS: dict[str, tuple[str, ...]] = {
    normalize_label(c): tuple(f.key for f in FIELDS if f.category == c) for c in (CAT_FUNDING, CAT_STAFF, CAT_PUBLIC)
}


def subtotal_mismatch(ctx: CheckContext) -> list[Issue]:
    """A subtotal written by the unit (values rows ``subtotal:<category>``) disagrees with its items."""
    v = ctx.values
    if v is None or v.empty:
        return []
    subs = v[(v["status"] == "accepted") & v["field"].astype(str).str.startswith(SUBTOTAL_PREFIX)]
    if subs.empty:
        return []
    returns = ctx.returns.drop_duplicates("source_file", keep="last")
    by_file = dict(zip(_texts(returns["source_file"]), returns.to_dict("records")))  # one pass, looked up per subtotal
    out = []
    for sub in _records(subs):
        ret = by_file.get(_as_text(sub["source_file"]))
        category = _as_text(sub["field"])[len(SUBTOTAL_PREFIX) :]
        keys = _CATEGORY_KEYS.get(normalize_label(category), ())
        written = _num(sub["value"])
        items = [x for x in (_num(ret.get(k)) for k in keys) if x is not None] if ret else []
        if written is None or not items:
            continue
        total = sum(items)
        money = keys[0] in MONEY_KEYS
        if not math.isclose(written, total, abs_tol=0.01 if money else 0.5):
            measure = "万元" if money else ""
            out.append(
                Issue(
                    "warning",
                    "subtotal_mismatch",
                    f"“{category}”小计填 {chinese.number(written)}{measure}，但各分项之和为 {chinese.number(round(total, 4))}{measure}："
                    f"请核对小计或各分项。",
                    source_file=_as_text(sub["source_file"]),
                    sheet=_as_text(sub["sheet"]),
                    cell=_as_text(sub["cell"]),
                    field=_as_text(sub["field"]),
                    unit=_as_text(ret["unit"]),
                )
            )
    return out


# --- the notice's own rules -------------------------------------------------------------------------------------
def county_media_reports_lt2(ctx: CheckContext) -> list[Issue]:
    """The notice: each county-level unit reports at least two publicity reports (rules.csv: county only)."""
    long = _long(ctx, ("media_reports",))
    minimum = ctx.rules.per_row("county_min_reports", long["kind"])
    hit = long.assign(minimum=minimum)[(long["value"] < minimum).fillna(False).astype(bool)]
    return _issues(
        ctx,
        hit,
        ctx.rules.severity("county_min_reports"),
        "county_media_reports_lt2",
        (
            f"通知要求各县、市、区宣传报道不少于 {chinese.number(r['minimum'])} 篇，本单位填报 {chinese.number(r['value'])} 篇："
            f"请补报宣传报道资料，或核实填报数。"
            for r in hit.to_dict("records")
        ),
    )


def late_return(ctx: CheckContext) -> list[Issue]:
    """A return received after the deadline (warning with received.csv; info when only the file time is known)."""
    if ctx.event_window is None or ctx.received is None or ctx.received.empty or ctx.returns.empty:
        return []
    received = ctx.received.assign(source_file=_texts(ctx.received["source_file"]).to_numpy())
    received = received.drop_duplicates("source_file", keep="last")
    got = pd.DataFrame({"source_file": _texts(ctx.returns["source_file"]), "unit": _texts(ctx.returns["unit"])}).merge(
        received, on="source_file", how="inner"
    )
    got = got[got["received"].notna()]
    days = pd.to_datetime(got["received"]).dt.date
    late = got.assign(day=days)[(days > ctx.event_window.deadline).to_numpy()]
    out = []
    for r in late.to_dict("records"):
        source = _as_text(r["date_source"])
        severity = "info" if source == SOURCE_MTIME else "warning"  # a file time can change with copying
        hint = "" if severity == "warning" else "；文件修改时间可能因复制而改变，仅供参考"
        out.append(
            Issue(
                severity,
                "late_return",  # type: ignore[arg-type]
                f"本表收到日期为 {r['day'].isoformat()}（依据：{source}{hint}），晚于通知规定的截止日期 "
                f"{ctx.event_window.deadline.isoformat()}：请今后按时报送。",
                source_file=r["source_file"],
                unit=r["unit"],
            )
        )
    return out


def deadline_unknown(ctx: CheckContext) -> list[Issue]:
    """The year has returns but no deadline in weeks.csv, so late returns cannot be judged."""
    if ctx.event_window is not None or ctx.returns.empty:
        return []
    return [
        Issue(
            "info",
            "deadline_unknown",
            f"{WEEKS_SHOWN} 中没有{ctx.year}年的截止日期（或该行日期无法识别），未核查逾期报送："
            f"请补充该年度一行（year,start,end,deadline，日期如 {ctx.year}-06-03）。",
        )
    ]


def materials_checklist(ctx: CheckContext) -> list[Issue]:
    """The notice's materials per unit that returned a table: summary, images, media reports, videos ≤ 3 minutes."""
    if ctx.materials is None:
        return []
    return materials_issues(ctx.materials, ctx.returns["unit"].dropna().astype(str).tolist())


# Specific rules first, the statistical ones last (see STATISTICAL_CODES).
RULES: tuple[Rule, ...] = (
    missing_return,
    field_not_reported,
    small_field_too_large,
    money_in_yuan_suspect,
    ratio_implausible,
    reports_lt_outlets,
    most_tasks_gt_events,
    subtotal_mismatch,
    county_media_reports_lt2,
    late_return,
    deadline_unknown,
    materials_checklist,
    outlier_mad,
    yoy_jump,
)


def _one_per_cell(issues: list[Issue]) -> list[Issue]:
    """Drop a statistical finding on a value that an earlier finding already points at."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for issue in issues:
        where = (issue.source_file, issue.unit, issue.field)
        if issue.code in STATISTICAL_CODES and where in seen:
            continue
        if issue.field:
            seen.add(where)
        out.append(issue)
    return out


def run_checks(ctx: CheckContext) -> list[Issue]:
    """All rules in order; statistical findings only where no other rule has spoken."""
    return _one_per_cell([issue for rule in RULES for issue in rule(ctx)])


# --- inputs -------------------------------------------------------------------------------------------------
def roster_frame(units: Iterable[Any]) -> pd.DataFrame:
    """Roster as the context's ``name, kind`` frame from objects with ``.name`` and ``.kind``."""
    return pd.DataFrame([(u.name, u.kind) for u in units], columns=["name", "kind"], dtype="str")
