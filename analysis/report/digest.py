"""What the report notebooks show: one year's analysis and the multi-year view, as tables, figures and files.

The notebooks stay thin: they load a :class:`~analysis.report.model.Week` or
:class:`~analysis.report.model.Trends` (:mod:`analysis.report.model`), display the tables made here, and let
:func:`week_figures` / :func:`write_week_exports` make the charts and the files of the 数据摘要 (data digest).
Everything here reads the model; nothing the model holds is computed again.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis import catalog, chinese
from analysis.form import BY_KEY, FIELD_KEYS, MONEY_KEYS, NOT_ASKED, form_for
from analysis.issues import open_findings
from analysis.report import charts, exports, stats
from analysis.report.history import HISTORY_SOURCE
from analysis.report.model import Trends, Week
from analysis.review.ledger import CORRECT
from analysis.review.tally import tally_table

KEY_TRENDS = ("events_held", "public_offline", "public_online", "media_reports")


def totals_table(week: Week) -> pd.DataFrame:
    """The items of the year's form with Chinese names, measures, city totals and (when compared) the comparison
    year's and the change; an item the comparison year's form did not have reads 未设此项 there.  Past city totals
    (历年上报数) are marked so and name no units."""
    rows = []
    form = form_for(week.year)
    against = week.comparison
    earlier = form_for(against.year) if against is not None else form
    for key in form.keys:
        item = form.by_key[key]
        row = {
            "类别": item.category or "—",
            "项目": item.display,
            "单位": item.measure,
            f"{week.year}年": stats.format_value(week.totals[key], key),
            "填报单位数": int(week.completeness.field_counts.get(key, 0)),
        }
        if against is not None:
            asked = earlier.asks(key)
            header = f"{against.year}年（{against.source}）" if against.source else f"{against.year}年"
            row[header] = stats.format_value(against.totals[key], key) if asked else NOT_ASKED
            pct = against.change_pct[key]
            row[chinese.against(week.year, against.year)] = (
                "—" if pd.isna(pct) or not asked else chinese.signed_percent(pct)
            )
            if against.drivers is not None:
                row["主要变动单位"] = against.drivers[key]
        rows.append(row)
    return pd.DataFrame(rows)


def derived_table(week: Week) -> pd.DataFrame:
    """Derived figures with Chinese names and measures."""
    return pd.DataFrame(
        [
            {
                "指标": d.label,
                "单位": d.measure,
                "数值": "—" if pd.isna(week.derived[d.key]) else chinese.number(week.derived[d.key], d.decimals),
            }
            for d in stats.DERIVED
        ]
    )


def week_figures(week: Week) -> dict[str, Figure]:
    """The year's charts, by stable file name (without extension)."""
    kw = {"year": week.year, "demo": week.demo}
    returns = week.chart_returns()
    figures = {
        "图01_全市经费投入来源": charts.city_funding_by_source(stats.city_totals(returns), **kw),
        "图02_各单位举办活动次数": charts.bar_by_unit(returns, "events_held", **kw),
        "图03_各单位线上线下参与人次": charts.participation_split(returns, **kw),
        "图04_各单位经费投入构成": charts.funding_composition(returns, **kw),
        "图05_各单位科普工作人员构成": charts.staff_composition(returns, **kw),
        "图06_各单位宣传报道数量": charts.bar_by_unit(returns, "media_reports", **kw),
    }
    if week.previous is not None:
        figures["图07_主要指标同比变化"] = charts.yoy_change(
            stats.year_over_year(returns, week.previous), year=week.year, compare_year=week.compare_year, demo=week.demo
        )
    footnote = chart_footnote(week)
    if footnote:
        for fig in figures.values():
            charts.add_footnote(fig, footnote)
    return figures


def write_week_exports(week: Week, report_dir: Path) -> dict[str, Path]:
    """summary.xlsx, the city table as .docx, and the data paragraph (.md and .docx)."""
    report_dir = Path(report_dir)
    paragraph = exports.data_paragraph(
        year=week.year,
        totals=week.totals,
        derived=week.derived,
        completeness=week.completeness,
        comparison=week.comparison if week.yoy is not None else None,
        demo=week.demo,
    )
    suspects = week.yuan
    if not suspects.empty:
        paragraph += (
            f"注：{'、'.join(suspects['项目'])}含疑似把“元”填作“万元”的数值（{'、'.join(suspects['涉及单位'])}），"
            "上述经费合计待核实更正后再引用。"
        )
    pending = open_items(week)
    if pending:
        paragraph += f"{week.draft_mark}：{'、'.join(pending)}的合计含待核实的数值，核实后再引用。"
    md, docx = exports.write_paragraph(
        report_dir / catalog.DIGEST_MD,
        report_dir / catalog.DIGEST_DOCX,
        paragraph,
        title=f"{week.year}年科技活动周主要数据",
        demo=week.demo,
    )
    return {
        catalog.WORKBOOK_XLSX: exports.write_summary_xlsx(
            report_dir / catalog.WORKBOOK_XLSX,
            year=week.year,
            totals=week.totals,
            derived=week.derived,
            unit_table=week.units,
            yoy=week.yoy,
            issues=week.issues,
            demo=week.demo,
            compare_year=week.compare_year,
            draft=week.draft_mark,
            audit=audit_tables(week),
            rules=tally_table(week.tally),
        ),
        catalog.CITY_TABLE_DOCX: exports.write_city_table_docx(
            report_dir / catalog.CITY_TABLE_DOCX,
            year=week.year,
            totals=week.totals,
            demo=week.demo,
            draft=week.draft_mark,
        ),
        catalog.DIGEST_MD: md,
        catalog.DIGEST_DOCX: docx,
        "paragraph": paragraph,
    }


def concentration_table(
    week: Week, keys: tuple[str, ...] = ("events_held", "public_offline", "public_online", "media_reports")
) -> pd.DataFrame:
    """Per item: the top unit and its share, the shares of county-level units and of departments, and the HHI."""
    rows = []
    for key in keys:
        c = stats.concentration(week.returns, key)
        rows.append(
            {
                "项目": stats.label(key),
                "第一名单位": c["top_unit"],
                "第一名占比（%）": c["top_share"],
                "县市区占比（%）": c["county_share"],
                "市直部门占比（%）": c["department_share"],
                "其他单位占比（%）": c["other_share"],
                "赫芬达尔指数": c["hhi"],
            }
        )
    return pd.DataFrame(rows).round(3)


def ranking_tables(
    week: Week, keys: tuple[str, ...] = ("events_held", "public_offline", "public_online", "media_reports"), n: int = 5
) -> dict[str, pd.DataFrame]:
    """The top ``n`` units of a few items, with their share of the city total."""
    out = {}
    for key in keys:
        table = stats.rankings(week.returns, key, n)
        out[f"{stats.label(key)}（前{n}名）"] = (
            table[["rank", "unit", "value", "share"]]
            .set_axis(["名次", "单位", f"数值（{stats.measure(key)}）", "占全市（%）"], axis=1)
            .round(2)
        )
    return out


def funding_composition_table(week: Week) -> pd.DataFrame:
    """Each unit's funding by source as percentages of its own total, with the total in 万元."""
    table = stats.composition(week.returns, MONEY_KEYS)
    table = table.rename(columns={k: f"{BY_KEY[k].short}（%）" for k in MONEY_KEYS} | {"total": "合计（万元）"})
    return table.round(1).reset_index().rename(columns={"unit": "单位"})


def outlier_table(week: Week) -> pd.DataFrame:
    """The checks' statistical findings (far from the same kind of unit, ×10 against last year, ratios)."""
    from analysis.report.tables import issues_table

    codes = ("outlier_mad", "yoy_jump", "ratio_implausible")
    return issues_table(week.issues[week.issues["code"].isin(codes)])


def history_problems(seen: Week | Trends) -> pd.DataFrame:
    """The rows and files of 历年上报数 that could not be used (history_invalid), for people; empty when none."""
    from analysis.report.tables import issues_table

    return issues_table(seen.history_issues)


def trend_figures(trends: Trends) -> dict[str, Figure]:
    """The multi-year charts by stable file name."""
    figures = {
        "趋势01_主要指标历年变化": charts.trend(trends.yearly, list(KEY_TRENDS), demo=trends.demo),
        "趋势02_线上参与占比": charts.online_share_trend(trends.yearly, demo=trends.demo),
        "趋势03_各单位举办活动次数": charts.unit_small_multiples(trends.per_unit, "events_held", demo=trends.demo),
        "趋势04_各单位线下参与人次": charts.unit_small_multiples(trends.per_unit, "public_offline", demo=trends.demo),
    }
    return figures


def trend_table(trends: Trends) -> pd.DataFrame:
    """City totals by year with Chinese headers; an item a year's form did not have reads 未设此项 (not 0, not
    blank)."""
    table = trends.yearly.reindex(columns=list(FIELD_KEYS)).round({k: 2 for k in MONEY_KEYS}).astype(object)
    for year in table.index:
        form = form_for(int(year))
        for key in FIELD_KEYS:
            if not form.asks(key):
                table.loc[year, key] = NOT_ASKED
    table.columns = [BY_KEY[k].headed for k in FIELD_KEYS]
    if trends.history_years:
        table.index = [f"{y}（{HISTORY_SOURCE}）" if y in trends.history_years else str(y) for y in table.index]
    table.index.name = "年度"
    return table


def unit_overview(week: Week) -> pd.DataFrame:
    """Per unit: the main items and ratios, sorted by activities held."""
    columns = {
        "unit": "单位",
        "events_held": "活动次数",
        "total_funding": "经费合计（万元）",
        "total_staff": "工作人员（人）",
        "total_participation": "参与合计（人次）",
        "online_share": "线上占比（%）",
        "participation_per_event": "场均参与（人次）",
        "media_reports": "宣传报道（篇）",
    }
    table = week.units.sort_values("events_held", ascending=False, na_position="last")
    return table[list(columns)].rename(columns=columns).round(1)


def headline(week: Week) -> str:
    """One line in Markdown: returns received against expected, missing units and the comparison year."""
    c = week.completeness
    rate = f"，报送率 {chinese.percent(c.rate, 0)}" if c.expected else ""
    text = f"**{week.title}**：应报 {c.expected} 家，收到 {c.received} 家{rate}"
    if c.missing:
        text += f"；未报送：{'、'.join(c.missing)}"
    if week.compare_year:
        text += f"；对比年度：{week.compare_year}年"
    elif week.comparison is not None:
        text += f"；对比：{week.comparison.year}年（{HISTORY_SOURCE}，全市合计）"
    else:
        text += "；无可对比的上一年度"
    return text + (f"。{week.note}" if week.note else "")


def flagged_values(week: Week) -> pd.DataFrame:
    """Open warnings and errors about single values of accepted returns: the totals include them as reported."""
    from analysis.report.tables import issues_table

    accepted = set(week.returns["source_file"])
    found = open_findings(week.issues)
    return issues_table(found[found["field"].isin(FIELD_KEYS) & found["source_file"].isin(accepted)])


def unit_changes(week: Week, key: str) -> pd.DataFrame:
    """Per unit change of one item against the comparison year, largest contributions first (empty without one)."""
    columns = ["单位", f"{week.year}年", f"{week.compare_year}年", "增减", "增减率（%）", "对全市变化的贡献"]
    if week.previous is None:
        return pd.DataFrame(columns=columns)
    table = stats.unit_year_over_year(week.returns, week.previous, key)
    table = table.reindex(table["contribution"].abs().sort_values(ascending=False).index)
    out = table[["unit", "current", "previous", "change", "change_pct", "contribution"]]
    return out.set_axis(columns, axis=1).round(2).reset_index(drop=True)


def unit_change_tables(
    week: Week, keys: tuple[str, ...] = ("events_held", "public_offline", "public_online")
) -> dict[str, pd.DataFrame]:
    """:func:`unit_changes` for a few key items, titled in Chinese."""
    return {BY_KEY[k].headed: unit_changes(week, k) for k in keys}


def distribution_table(
    week: Week,
    keys: tuple[str, ...] = ("events_held", "total_participation", "total_funding", "participation_per_event"),
) -> pd.DataFrame:
    """How a few per-unit figures spread within each kind of unit: count, minimum, median, maximum."""
    from analysis.intake.units import KIND_ZH

    rows = []
    for key in keys:
        for kind, values in week.units.groupby("unit_kind", sort=False)[key]:
            values = pd.to_numeric(values, errors="coerce").dropna()
            if values.empty:
                continue
            rows.append(
                {
                    "指标": stats.headed(key),
                    "单位类别": KIND_ZH.get(kind, kind),
                    "单位数": len(values),
                    "最小": values.min(),
                    "中位数": values.median(),
                    "最大": values.max(),
                }
            )
    return pd.DataFrame(rows, columns=["指标", "单位类别", "单位数", "最小", "中位数", "最大"]).round(2)


def open_items(week: Week) -> list[str]:
    """Names of the form's items whose city total includes a value with an open finding."""
    found = open_findings(week.issues)
    keys = set(found.loc[found["source_file"].isin(set(week.returns["source_file"])), "field"])
    return [BY_KEY[k].display for k in FIELD_KEYS if k in keys]


def correction_effect(week: Week) -> pd.DataFrame:
    """Per item with a correction: the city total before (as the files say) and after the ledger."""
    fixed = week.decisions[week.decisions["action"] == CORRECT]
    rows = []
    for key, before in week.before_ledger.items():
        after = float(week.totals[key])
        rows.append(
            {
                "项目": BY_KEY[key].headed,
                "更正前合计": round(before, 2),
                "更正后合计": round(after, 2),
                "差额": round(after - before, 2),
                "更正项数": int((fixed["field"] == key).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["项目", "更正前合计", "更正后合计", "差额", "更正项数"])


def chart_footnote(week: Week) -> str:
    """Names every value the charts leave out (:attr:`Week.held_back`); '' when none."""
    held = week.held_back
    if held.empty:
        return ""
    items = [
        f"{u}“{BY_KEY[k].display}”{stats.format_value(v, k)}{BY_KEY[k].measure}"
        for u, k, v in zip(held["unit"], held["field"], held["value"])
    ]
    return "图中未计入待核实的数值：" + "；".join(items) + "（见“需要核实的数值”）"


def audit_tables(week: Week) -> dict[str, pd.DataFrame]:
    """The two tables of summary.xlsx's 核实与更正 sheet."""
    from analysis.report.tables import decisions_table

    return {"核实结果": decisions_table(week.decisions), "更正对全市合计的影响": correction_effect(week)}
