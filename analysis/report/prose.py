"""The report's sentences, built from the numbers: pure functions, Chinese number conventions.

Numbers follow :mod:`analysis.chinese`: counts from 10,000 on in 万 with two decimals (``70.96万人次``), 万元 with
two decimals, changes as ``同比增长/下降 X.X%`` (``较2021年…`` when the comparison year is not the previous one),
shares as ``占比 X.X%``.  A figure nobody reported gets no sentence; a change against 0 or
against a figure that was not reported gets no percentage (never ``inf%``); without a comparison year
there is one plain sentence saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import chinese
from analysis.form import BY_KEY, MONEY_KEYS, STAFF_KEYS
from analysis.issues import is_open
from analysis.report import stats
from analysis.report.model import Comparison, Week

NO_COMPARISON = "本年无可对比的上年数据，未作同比分析。"
COUNTY_MEDIA_MINIMUM = 2  # the notice: every county-level unit at least 2 reports
TOP_UNITS = 3


# --- numbers (in the style of analysis.chinese) ----------------------------------------------------------------


def amount(key: str, value: float) -> str:
    """A form item or derived figure with its measure: ``229篇``, ``63.52万元``, ``70.96万人次``."""
    if key in MONEY_KEYS or stats.measure(key) == "万元":
        return chinese.money(value)
    return chinese.count(value) + stats.measure(key)


def share(part: object, whole: object) -> str:
    """``占比62.3%`` (``占比不足0.1%`` for a small positive part); empty when either is missing or the whole is 0."""
    if chinese.missing(part) or chinese.missing(whole) or float(whole) == 0:
        return ""
    pct = float(part) / float(whole) * 100
    return "占比不足0.1%" if 0 < pct < 0.05 else f"占比{chinese.percent(pct)}"


def _join(parts: list[str], sep: str = "，") -> str:
    return sep.join(p for p in parts if p)


def _sentence(*parts: str) -> str:
    """Clauses joined with "，" and closed with "。"; empty when every clause is empty."""
    body = _join(list(parts))
    return body + "。" if body else ""


def _value(week: Week, key: str) -> object:
    return week.totals[key] if key in BY_KEY else week.derived[key]


def _trend(week: Week, comparison: Comparison | None, key: str) -> str:
    if comparison is None:
        return ""
    return chinese.change(comparison.change_pct.get(key), week.year, comparison.year)


def _figure(week: Week, comparison: Comparison | None, key: str, lead: str, measure: str | None = None) -> str:
    """``全市共举办科普活动496场（次），同比增长3.1%``; empty when nobody reported ``key``."""
    value = _value(week, key)
    if chinese.missing(value):
        return ""
    text = lead + (
        chinese.money(value)
        if measure is None and stats.measure(key) == "万元"
        else chinese.count(value) + (measure if measure is not None else stats.measure(key))
    )
    return _join([text, _trend(week, comparison, key)])


def _parts(week: Week, keys: tuple[str, ...], whole_key: str) -> str:
    """``其中专职人员154人（占比7.2%）、科技工作者495人（占比23.1%）`` over the reported, non-zero parts."""
    whole = _value(week, whole_key)
    items = []
    for key in keys:
        value = week.totals[key]
        if chinese.missing(value) or float(value) == 0:
            continue
        pct = share(value, whole)
        items.append(f"{BY_KEY[key].short}{amount(key, value)}" + (f"（{pct}）" if pct else ""))
    return "其中" + "、".join(items) if items else ""


def _top_units(week: Week, key: str, n: int = TOP_UNITS) -> str:
    """``随州高新区（83场（次））、…，合计占比46.5%`` for the ``n`` units reporting most of ``key``."""
    table = stats.rankings(week.returns, key, n)
    table = table[table["value"] > 0]
    if table.empty:
        return ""
    listed = "、".join(f"{r.unit}（{amount(key, r.value)}）" for r in table.itertuples())
    total = _value(week, key)
    pct = share(table["value"].sum(), total)
    return f"{BY_KEY[key].display}居前的单位是{listed}" + (f"，合计{pct}" if pct and len(table) > 1 else "")


# --- sections -----------------------------------------------------------------------------------------------


def overview(week: Week, comparison: Comparison | None) -> list[str]:
    """一、总体情况: returns expected and received, the headline totals, the year-over-year sentence."""
    c = week.completeness
    rate = f"，报送率{chinese.percent(c.rate)}" if c.expected else ""
    missing = f"；{'、'.join(c.missing)}未报送" if c.missing else ""
    returns = (
        f"{week.year}年科技活动周期间，全市应报送统计表的单位{c.expected}家，实际收到{c.received}家{rate}{missing}。"
    )
    heads = _sentence(
        _join(
            [
                _figure(week, None, "events_held", "全市共举办科普活动", "场（次）"),
                _figure(week, None, "total_funding", "投入经费合计"),
                _figure(week, None, "total_staff", "科普工作人员"),
                _figure(week, None, "total_participation", "群众参与合计"),
                _figure(week, None, "media_reports", "宣传报道"),
            ]
        )
    )
    if comparison is None:
        return [p for p in (returns, heads, NO_COMPARISON) if p]
    source = f"（{comparison.source}）" if comparison.source else ""
    changes = [
        f"{stats.label(k)}{t}"
        for k in ("events_held", "total_funding", "total_staff", "total_participation", "media_reports")
        if (t := _trend(week, comparison, k))
    ]
    yoy = (
        (f"与{comparison.year}年{source}相比，" + "，".join(changes) + "。")
        if changes
        else (f"与{comparison.year}年{source}相比，主要指标无可比较的数据。")
    )
    return [p for p in (returns, heads, yoy) if p]


def activities(week: Week, comparison: Comparison | None) -> list[str]:
    """二、活动开展: activities held, tasks of the Ministry, the units holding most."""
    first = _sentence(
        _figure(week, comparison, "events_held", "全市共举办科普活动", "场（次）"),
        _figure(week, comparison, "most_tasks", "承接科技部活动任务"),
    )
    return [p for p in (first, _sentence(_top_units(week, "events_held"))) if p]


def yuan_note(week: Week) -> str:
    """A warning when items hold suspected 元-for-万元 values: the total as reported and as it would be corrected."""
    corrections = week.yuan
    if corrections.empty or chinese.missing(week.derived["total_funding"]):
        return ""
    excess = float((corrections["按原值合计（万元）"] - corrections["按建议更正后合计（万元）"]).sum())
    items = "、".join(f"{r.项目}（{r.涉及单位}）" for r in corrections.itertuples())
    return (
        f"需要说明的是，{items}的数值疑似把“元”填作“万元”，若经单位确认按万元更正，全市经费投入合计约为"
        f"{chinese.money(float(week.derived['total_funding']) - excess)}；经费数据待核实更正后再引用。"
    )


def funding(week: Week, comparison: Comparison | None) -> list[str]:
    """三、经费投入: the total, its sources, the government share, and a note on suspected 元 values."""
    total = _figure(week, comparison, "total_funding", "全市活动经费投入合计")
    if not total:
        return []
    government = ""
    if not chinese.missing(week.derived["government_funding"]):
        government = _join(
            [
                f"财政经费（中央、省级、市级、县级）合计{chinese.money(week.derived['government_funding'])}",
                share(week.derived["government_funding"], week.derived["total_funding"]),
            ]
        )
    return [
        p
        for p in (_sentence(total, _parts(week, MONEY_KEYS, "total_funding")), _sentence(government), yuan_note(week))
        if p
    ]


def staff(week: Week, comparison: Comparison | None) -> list[str]:
    """四、人员参与: staff by kind."""
    return [
        p
        for p in (
            _sentence(
                _figure(week, comparison, "total_staff", "全市参与科技活动周的科普工作人员"),
                _parts(week, STAFF_KEYS, "total_staff"),
            ),
        )
        if p
    ]


def public(week: Week, comparison: Comparison | None) -> list[str]:
    """五、群众参与: offline, online, total and the online share."""
    total = _figure(week, comparison, "total_participation", "全市群众参与合计", "人次")
    if not total:
        return []
    online = share(week.totals["public_online"], week.derived["total_participation"])
    return [
        _sentence(
            total,
            _join(
                [
                    _figure(week, comparison, "public_offline", "其中线下活动参与"),
                    _figure(week, comparison, "public_online", "线上活动参与"),
                ],
                "；",
            ),
            f"线上参与{online}" if online else "",
        )
    ]


def media(week: Week, comparison: Comparison | None) -> list[str]:
    """六、宣传报道: outlets, reports, and the notice's rule for counties (at least 2 reports each)."""
    first = _sentence(
        _figure(week, comparison, "media_outlets", "全市参与宣传报道的媒体"),
        _figure(week, comparison, "media_reports", "刊发宣传报道"),
    )
    counties = week.units[week.units["unit_kind"] == "county"]
    if counties.empty or counties["media_reports"].isna().all():
        return [p for p in (first,) if p]
    short = [
        f"{r.unit}（{'未填报' if chinese.missing(r.media_reports) else chinese.counted(r.media_reports, '篇')}）"
        for r in counties.itertuples()
        if chinese.missing(r.media_reports) or r.media_reports < COUNTY_MEDIA_MINIMUM
    ]
    rule = f"通知要求各县市区宣传报道不少于{COUNTY_MEDIA_MINIMUM}篇"
    county = (
        f"{rule}，{'、'.join(short)}未达到要求。"
        if short
        else f"{rule}，报送统计表的{len(counties)}个县市区均达到要求。"
    )
    return [p for p in (first, county) if p]


def venues(week: Week, comparison: Comparison | None) -> list[str]:
    """七、场馆开放: venues, institutes and universities open during the week."""
    return [
        p
        for p in (
            _sentence(
                _figure(week, comparison, "open_venues", "活动周期间全市开放科普场馆"),
                _figure(week, comparison, "open_institutes", "开放活动的科研机构"),
                _figure(week, comparison, "open_universities", "开放活动的大学"),
            ),
        )
        if p
    ]


def units(week: Week, comparison: Comparison | None) -> list[str]:
    """八、各单位情况: who leads in participation and reports, and which units drove the changes."""
    leads = [_sentence(_top_units(week, key)) for key in ("public_offline", "media_reports")]
    drivers = comparison.drivers if comparison is not None and comparison.drivers is not None else None
    moved = []
    if drivers is not None:
        for key in ("events_held", "public_offline", "public_online"):
            text = drivers.get(key, "")
            if isinstance(text, str) and text:
                moved.append(f"{BY_KEY[key].display}：{text}")
    driven = (f"与{comparison.year}年相比，带动变化的主要单位为" + "；".join(moved) + "。") if moved else ""
    return [p for p in (*leads, driven) if p]


@dataclass(frozen=True)
class QualityCounts:
    """Findings of the year: error/warning found, of which still open, and info lines."""

    late: int
    errors: int
    warnings: int
    infos: int
    open: int

    @property
    def settled(self) -> int:
        return self.errors + self.warnings - self.open


def quality_counts(issues: pd.DataFrame) -> QualityCounts:
    """Counts of :func:`quality` from an ``issues.csv`` table (with or without the ledger's ``status``)."""
    severity = issues["severity"]
    late = issues.loc[issues["code"] == "late_return", "unit"].nunique()
    return QualityCounts(
        late=int(late),
        errors=int((severity == "error").sum()),
        warnings=int((severity == "warning").sum()),
        infos=int((severity == "info").sum()),
        open=int(is_open(issues).sum()),
    )


def quality(week: Week) -> list[str]:
    """九、数据质量与核实: returns received and late, problems found, settled and open."""
    c, q = week.completeness, quality_counts(week.issues)
    late = f"，其中逾期报送{q.late}家" if q.late else "，均按时报送"
    received = f"本年共收到{c.received}家单位的统计表（应报{c.expected}家）{late}。"
    found = (
        f"程序逐项核查发现需要核实的问题{q.errors + q.warnings}条（错误{q.errors}条、警告{q.warnings}条），"
        f"已核实处理{q.settled}条，尚待核实{q.open}条"
        if q.errors + q.warnings
        else "程序逐项核查未发现需要核实的问题"
    )
    found += f"；另有提示{q.infos}条，记录了数值换算、约数等处理情况。" if q.infos else "。"
    draft = "尚有问题待核实，本报告为初稿，相关数字核实更正后可能调整。" if q.open else ""
    return [p for p in (received, found, draft) if p]


def sources(week: Week, comparison: Comparison | None) -> str:
    """The sources note at the end of the main text."""
    text = (
        "数据来源：各单位报送的《科技活动周开展情况统计表》，经程序逐项读取和核查后汇总；单位未填报的项目不计入合计。"
    )
    if comparison is not None and comparison.source:
        text += f"{comparison.year}年对比数为{comparison.source}（全市合计，非各单位报表汇总）。"
    elif comparison is not None:
        text += f"对比数为{comparison.year}年各单位报表汇总。"
    if comparison is not None and comparison.notes:
        text += (
            f"{comparison.source or '对比数'}中有{len(comparison.notes)}处未能使用："
            + "；".join(comparison.notes)
            + "。"
        )
    return text
