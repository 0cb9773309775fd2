"""The demo's review ledger: how the (fictional) bureau settled each planted problem after phoning the unit."""

from __future__ import annotations

import datetime as dt

from analysis import form
from analysis.demo.city import DEMO_WEEKS
from analysis.demo.spelling import number_text
from analysis.review.ledger import LedgerRow

SETTLEMENTS = {
    "money_in_yuan_suspect": ("更正", "电话核实：单位确认按元填写，已换算为万元（示例）"),
    "value_unknown": ("更正", "电话核实：单位补报具体数值（示例）"),
    "county_media_reports_lt2": ("确认无误", "电话核实：本年度宣传报道确为1篇，已提醒今后按通知要求报送（示例）"),
    "late_return": ("确认无误", "已知悉逾期原因，数据可用（示例）"),
    "missing_return": ("确认无误", "电话核实：该单位本年度未单独组织活动周活动（示例）"),
    "video_too_long": ("确认无误", "视频仅作资料存档，不对外发布（示例）"),
}
LEDGER_CHECKER = "市科技局统计组（示例）"
OPEN_IN = {2024: ("value_unknown",)}  # left 待核实 in the demo, so that one year shows a draft report


def demo_ledger(planted: list[dict[str, str]], settled: dict[tuple[str, str], float], year: int) -> list[LedgerRow]:
    """The demo year's review ledger: every planted warning settled as :data:`SETTLEMENTS` says, except the
    codes :data:`OPEN_IN` leaves open."""
    rows = []
    checked_on = (DEMO_WEEKS[year][2] + dt.timedelta(days=3)).isoformat()
    for p in sorted(planted, key=lambda p: (p["unit"], p["code"], p["source_file"])):
        if p["code"] not in SETTLEMENTS:
            continue
        action, basis = SETTLEMENTS[p["code"]]
        key = p.get("field", "")
        value = settled.get((p["unit"], key))
        original = {
            "money_in_yuan_suspect": number_text(round(value * 10000)) if value is not None else "",
            "value_unknown": "待统计",
            "county_media_reports_lt2": "1",
        }.get(p["code"], "")
        pending = p["code"] in OPEN_IN.get(year, ())
        rows.append(
            LedgerRow(
                len(rows) + 2,
                p["unit"],
                form.BY_KEY[key].label if key else "",
                p["code"],
                p["source_file"],
                "",
                original,
                "待核实" if pending else action,
                "" if pending or action != "更正" else number_text(value),
                "" if pending else basis,
                "" if pending else LEDGER_CHECKER,
                "" if pending else checked_on,
            )
        )
    return rows
