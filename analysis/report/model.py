"""The report side's model: one year's figures, what they are compared with, several years side by side.

:func:`load_week` and :func:`load_trends` read the processed folders once and compute, once, everything the
report modules share: the city totals and derived figures, the comparison (processed returns of an earlier year,
or the past city totals 历年上报数 for the first real year), the values held back from charts, the suggested 元
corrections and the city totals before the review ledger.  stats computes, the model holds; prose, digest,
exports and word_report read the model and compute nothing it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import catalog
from analysis.form import BY_KEY, COUNT_KEYS, FIELD_KEYS
from analysis.intake.narratives import QUOTE_COLUMNS
from analysis.intake.store import load_processed, processed_years
from analysis.issues import issues_frame, open_findings
from analysis.paths import DEMO_LABEL, comparison_year
from analysis.report import history, stats
from analysis.review.checks import as_wan
from analysis.review.ledger import CORRECT, DECISION_COLUMNS
from analysis.review.ledger_file import read_decisions
from analysis.review.tally import TALLY_COLUMNS, read_tally

MAGNITUDE_CODES = ("money_in_yuan_suspect", "value_too_large", "outlier_mad")
HELD_BACK_COLUMNS = ("unit", "field", "value", "code")
YUAN_COLUMNS = ("项目", "涉及单位", "按原值合计（万元）", "按建议更正后合计（万元）")


def draft_mark(open_count: int) -> str:
    """The mark a year's outputs carry while findings are open: ``初稿（尚有 N 项待核实）``; '' when none."""
    return f"初稿（尚有 {open_count} 项待核实）" if open_count else ""


@dataclass(frozen=True)
class Comparison:
    """The city totals a year is compared with, where they come from, and the change against them."""

    year: int
    totals: pd.Series  # the form keys
    derived: pd.Series  # stats.DERIVED_KEYS of those totals
    change_pct: pd.Series  # per form key and derived key: this year against ``year``, % (NaN: no base)
    source: str = ""  # "" = the processed unit returns of that year; history.HISTORY_SOURCE = past reported totals
    drivers: pd.Series | None = None  # per key: the units driving the change (unit returns only)
    notes: tuple[str, ...] = ()  # problems met reading the comparison (history rows or files left out)


def compare(
    totals: pd.Series,
    year: int,
    previous: pd.Series,
    source: str = "",
    drivers: pd.Series | None = None,
    notes: tuple[str, ...] = (),
) -> Comparison:
    """A :class:`Comparison` of this year's ``totals`` (the form keys) with ``previous`` of ``year``."""
    previous = pd.to_numeric(previous.reindex(list(FIELD_KEYS))).astype("float64")
    before = pd.concat([previous, stats.derived(previous)])
    now = pd.concat([pd.to_numeric(totals.reindex(list(FIELD_KEYS))).astype("float64"), stats.derived(totals)])
    return Comparison(
        year, previous, before[list(stats.DERIVED_KEYS)], stats.pct_change(now, before), source, drivers, notes
    )


def reported_comparison(totals: pd.Series, year: int, past: history.History) -> Comparison | None:
    """The latest year of the past city totals before ``year``, marked 历年上报数; None when there is none."""
    earlier = [y for y in past.years() if y < year]
    if not earlier:
        return None
    notes = tuple(f"{i.source_file}：{i.message.rstrip('。')}" for i in past.issues)
    return compare(totals, earlier[-1], past.of(earlier[-1]), history.HISTORY_SOURCE, notes=notes)


def held_back(issues: pd.DataFrame, returns: pd.DataFrame) -> pd.DataFrame:
    """Values of accepted returns with an open magnitude finding: ``unit, field, value, code``.  Charts leave them
    out (with a footnote), so that a number still in doubt never silently dominates a figure."""
    found = open_findings(issues)
    found = found[
        found["code"].isin(MAGNITUDE_CODES)
        & found["field"].isin(FIELD_KEYS)
        & found["source_file"].isin(set(returns["source_file"]))
    ]
    by_file = returns.set_index("source_file")
    rows = [
        {"unit": by_file.loc[f, "unit"], "field": k, "value": float(by_file.loc[f, k]), "code": c}
        for f, k, c in zip(found["source_file"], found["field"], found["code"])
        if pd.notna(by_file.loc[f, k])
    ]
    return pd.DataFrame(rows, columns=list(HELD_BACK_COLUMNS)).drop_duplicates(["unit", "field"])


def yuan_corrections(issues: pd.DataFrame, returns: pd.DataFrame, totals: pd.Series) -> pd.DataFrame:
    """City totals of the items with an open suspected 元-for-万元 value: as reported and with those values read
    as 元 (:func:`analysis.review.checks.as_wan`, the suggestion the check made).  Nothing in the data changes."""
    suspects = open_findings(issues)
    suspects = suspects[suspects["code"] == "money_in_yuan_suspect"]
    rows = []
    for key, group in suspects.groupby("field", sort=False):
        if key not in BY_KEY:
            continue
        values = returns.set_index("unit")[key]
        units = [u for u in group["unit"] if u in values.index]
        excess = sum(float(values[u]) - as_wan(float(values[u])) for u in units)
        total = float(totals[key])
        rows.append(
            {
                "项目": BY_KEY[key].display,
                "涉及单位": "、".join(units),
                "按原值合计（万元）": round(total, 2),
                "按建议更正后合计（万元）": round(total - excess, 2),
            }
        )
    return pd.DataFrame(rows, columns=list(YUAN_COLUMNS))


def totals_before_ledger(totals: pd.Series, decisions: pd.DataFrame) -> pd.Series:
    """City totals as the files say, before the ledger's 更正 rows (only the corrected keys; index = key)."""
    fixed = decisions[decisions["action"] == CORRECT]
    before = {}
    for key in [k for k in FIELD_KEYS if k in set(fixed["field"])]:
        change = fixed[fixed["field"] == key]
        before[key] = float(totals[key]) - float((change["corrected"] - change["original"].fillna(0)).sum())
    return pd.Series(before, dtype="float64")


@dataclass
class Week:
    """One year's figures, computed once by :func:`load_week`."""

    year: int
    demo: bool
    returns: pd.DataFrame
    issues: pd.DataFrame
    roster: list[str]
    totals: pd.Series
    derived: pd.Series
    completeness: stats.Completeness
    units: pd.DataFrame
    files: pd.DataFrame = field(default_factory=pd.DataFrame)  # files.csv
    quotes: pd.DataFrame = field(default_factory=pd.DataFrame)  # figures quoted in the units' narratives
    compare_year: int | None = None  # an earlier processed year
    previous: pd.DataFrame | None = None  # its returns
    yoy: pd.DataFrame | None = None  # stats.year_over_year against it (per unit drivers included)
    comparison: Comparison | None = None  # that year's totals, or for the first real year the past city totals
    history_issues: pd.DataFrame = field(default_factory=lambda: issues_frame([]))  # what of them could not be used
    note: str = ""
    decisions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(DECISION_COLUMNS)))
    held_back: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(HELD_BACK_COLUMNS)))
    yuan: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(YUAN_COLUMNS)))
    before_ledger: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))
    tally: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(TALLY_COLUMNS)))  # rule by rule

    @property
    def title(self) -> str:
        return f"{self.year}年随州市科技活动周统计分析" + (f"【{DEMO_LABEL}】" if self.demo else "")

    @property
    def open_count(self) -> int:
        """Error and warning findings no ledger row has settled yet."""
        return len(open_findings(self.issues))

    @property
    def draft_mark(self) -> str:
        """``初稿（尚有 N 项待核实）`` while anything is open, else ''."""
        return draft_mark(self.open_count)

    def chart_returns(self) -> pd.DataFrame:
        """The returns as charts show them: the :attr:`held_back` values left out."""
        out = self.returns.copy()
        for unit, key in zip(self.held_back["unit"], self.held_back["field"]):
            out.loc[out["unit"] == unit, key] = pd.NA if key in COUNT_KEYS else float("nan")
        return out


def week_of(
    year: int, demo: bool, result, *, decisions: pd.DataFrame | None = None, quotes: pd.DataFrame | None = None
) -> Week:
    """A :class:`Week` of one processed year (an ``IngestResult``), before any comparison."""
    totals = stats.city_totals(result.returns)
    roster = list(result.meta.get("units_expected", []))
    decisions = decisions if decisions is not None else pd.DataFrame(columns=list(DECISION_COLUMNS))
    return Week(
        year=year,
        demo=demo,
        returns=result.returns,
        issues=result.issues,
        roster=roster,
        totals=totals,
        derived=stats.derived(totals),
        completeness=stats.completeness(result.returns, roster),
        units=stats.unit_table(result.returns),
        files=result.files,
        quotes=quotes if quotes is not None else pd.DataFrame(columns=list(QUOTE_COLUMNS)),
        decisions=decisions,
        held_back=held_back(result.issues, result.returns),
        yuan=yuan_corrections(result.issues, result.returns, totals),
        before_ledger=totals_before_ledger(totals, decisions),
    )


def read_quotes(processed_dir: Path) -> pd.DataFrame:
    """The figures quoted in the units' narratives (``catalog.QUOTES_CSV``); empty when the file is absent."""
    path = Path(processed_dir) / catalog.QUOTES_CSV
    if not path.is_file():
        return pd.DataFrame(columns=list(QUOTE_COLUMNS))
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def load_week(year: int, processed_dir: Path, compare_year: int | None = None) -> Week:
    """Load a processed year and compare it with ``compare_year``.

    By default the comparison is the latest earlier processed year of the same kind (real with real, demo
    with demo), so the first real year is never compared with synthetic figures; the first real year is compared
    with the past city totals (历年上报数) when the bureau has them.  A requested year that is not processed is
    reported in ``Week.note`` instead of failing.
    """
    processed_dir = Path(processed_dir)
    if not catalog.is_processed(processed_dir):
        raise FileNotFoundError(
            f"{year}年尚未处理（{processed_dir} 中没有 returns 表）：请先运行 01_清洗与核查 笔记本，"
            f"或 python -m analysis ingest data/raw/{year} --out {processed_dir}"
        )
    result = load_processed(processed_dir)
    week = week_of(
        year,
        bool(result.meta.get("demo")),
        result,
        decisions=read_decisions(processed_dir),
        quotes=read_quotes(processed_dir),
    )
    week.tally = read_tally(processed_dir)
    root = processed_dir.parent
    if compare_year is None:
        compare_year = comparison_year(year, processed_years(root), week.demo)
    elif not catalog.is_processed(root / str(compare_year)):
        week.note = f"指定的对比年度 {compare_year} 年尚未处理，本报告未做同比。"
        compare_year = None
    if compare_year is not None:
        previous = load_processed(root / str(compare_year))
        week.compare_year, week.previous = compare_year, previous.returns
        week.demo = week.demo or bool(previous.meta.get("demo"))  # only when a demo year was asked for
        week.yoy = stats.year_over_year(result.returns, previous.returns)
        week.comparison = compare(week.totals, compare_year, week.yoy["previous"], drivers=week.yoy["drivers"])
    elif not week.demo:  # the first real year: the city totals reported upward before, when the bureau has them
        past = history.load_history()
        week.comparison = reported_comparison(week.totals, year, past)
        week.history_issues = issues_frame(past.issues)
    return week


@dataclass
class Trends:
    """Several years side by side."""

    years: list[int]
    demo: bool
    yearly: pd.DataFrame
    per_unit: pd.DataFrame
    history_years: list[int] = field(default_factory=list)  # rows of ``yearly`` from 历年上报数, not unit returns
    history_issues: pd.DataFrame = field(default_factory=lambda: issues_frame([]))  # what of them could not be used


def load_trends(years: list[int] | None, processed_root: Path, year: int | None = None) -> Trends:
    """City totals and per-unit tables for the processed years among ``years``.

    ``years=None`` takes every processed year up to ``year`` (all when ``year`` is None) of the same kind as
    ``year`` (real with real, demo with demo).
    """
    root = Path(processed_root)
    available = processed_years(root)
    if years is None:
        kind = available.get(year) if year is not None else None
        years = [y for y, demo in available.items() if (year is None or y <= year) and (kind is None or demo == kind)]
    frames, demo = {}, False
    for y in sorted(set(years)):
        if y in available:
            result = load_processed(root / str(y))
            frames[y] = result.returns
            demo = demo or bool(result.meta.get("demo"))
    if not frames:
        raise FileNotFoundError(
            f"{root} 中没有任何已处理的年度（{'、'.join(map(str, years)) or '无'}）："
            "请先运行 01_清洗与核查 笔记本或 make report"
        )
    yearly, per_unit = stats.multi_year(frames)
    reported = history.load_history() if not demo else None
    past = (
        []
        if reported is None
        else [y for y in reported.years() if y not in frames and (year is None or y <= year) and y <= max(frames)]
    )
    if past:  # real years before the project: the bureau's past city totals
        yearly = pd.concat([history.yearly(reported, past), yearly]).sort_index()
    problems = issues_frame(reported.issues) if reported is not None else issues_frame([])
    return Trends(sorted({*frames, *past}), demo, yearly, per_unit, past, problems)
