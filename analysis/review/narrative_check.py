"""``summary_mismatch``: a figure in a unit's work summary that clearly differs from the unit's own table.

Only an info finding, and only when the difference is clear: more than :data:`EXACT_TOLERANCE` of the larger
figure for an exact number, more than :data:`ROUNDED_TOLERANCE` for a rounded one (约、余、多、万), and at least
:data:`MIN_DIFFERENCE` in absolute terms.  An item the table leaves blank is never compared.
"""

from __future__ import annotations

import pandas as pd

from analysis import chinese
from analysis.form import BY_KEY, FIELD_KEYS, PUBLIC_KEYS
from analysis.intake.narratives import PARTICIPATION, Quote
from analysis.issues import Issue

EXACT_TOLERANCE = 0.05
ROUNDED_TOLERANCE = 0.20
MIN_DIFFERENCE = 2.0


def _table_values(row: dict, field: str) -> list[tuple[str, float]]:
    """What the table says for a quoted item: ``(description, value)`` candidates, none when blank."""
    if field in BY_KEY:
        value = row.get(field)
        return [] if value is None or pd.isna(value) else [(f"“{BY_KEY[field].display}”", float(value))]
    if field == PARTICIPATION:
        offline, online = (row.get(k) for k in PUBLIC_KEYS)
        if offline is None or pd.isna(offline):
            return []
        options = [("“线下活动群众参与数量”", float(offline))]
        if online is not None and not pd.isna(online):
            options.append(("线上线下群众参与合计", float(offline) + float(online)))
        return options
    return []


def _differs(quoted: float, table: float, approx: bool) -> bool:
    gap = abs(quoted - table)
    tolerance = ROUNDED_TOLERANCE if approx else EXACT_TOLERANCE
    return gap >= MIN_DIFFERENCE and gap > tolerance * max(abs(quoted), abs(table))


def narrative_findings(quotes: list[Quote], returns: pd.DataFrame) -> list[Issue]:
    """One info finding per quoted figure that differs clearly from every reading of the unit's table."""
    if returns.empty or not quotes:
        return []
    rows = {r["unit"]: r for r in returns[["unit", *FIELD_KEYS]].to_dict("records")}
    findings = []
    for q in quotes:
        row = rows.get(q.unit)
        options = _table_values(row, q.field) if row is not None else []
        if not options or not all(_differs(q.value, value, q.approx) for _, value in options):
            continue
        name, value = options[0]
        findings.append(
            Issue(
                "info",
                "summary_mismatch",
                f"工作总结中写有“{q.quote}”（原句：{q.sentence}），与本单位统计表中{name}的{chinese.number(value)}相差较大。"
                "请与单位核实哪一个数字准确；如统计表有误，请单位更正后重新报送。",
                q.source_file,
                "正文",
                "",
                q.field if q.field in BY_KEY else "",
                q.unit,
            )
        )
    return findings
