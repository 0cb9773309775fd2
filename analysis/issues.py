"""Issue rows: every problem found in a return, located and explained in Chinese.

An :class:`Issue` is data, never an exception.  Codes are stable identifiers
(``snake_case``), severities are ``error`` (the value or file cannot be used),
``warning`` (used or left out, but a person must look) and ``info`` (what was
done, for the record).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Literal

import pandas as pd

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

ISSUE_COLUMNS: tuple[str, ...] = ("severity", "code", "source_file", "sheet", "cell", "field", "unit", "message")


@dataclass(frozen=True)
class Issue:
    """One located finding.  Empty strings mean "not applicable"."""

    severity: Severity
    code: str
    message: str
    source_file: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    unit: str = ""

    def row(self) -> dict[str, str]:
        return {c: getattr(self, c) for c in ISSUE_COLUMNS}


def issues_frame(issues: Iterable[Issue]) -> pd.DataFrame:
    """Issues as a table with the contract's columns, sorted for stable output."""
    frame = pd.DataFrame([i.row() for i in issues], columns=list(ISSUE_COLUMNS), dtype="str")
    if frame.empty:
        return frame
    rank = frame["severity"].map({s: n for n, s in enumerate(SEVERITIES)})
    frame = frame.assign(_rank=rank).sort_values(["_rank", "source_file", "sheet", "cell", "code", "field", "message"],
                                                 kind="stable")
    return frame.drop(columns="_rank").drop_duplicates().reset_index(drop=True)


def summarize(frame: pd.DataFrame) -> str:
    """A short Chinese count of issues by severity and code, for the end of a run."""
    if frame.empty:
        return "未发现数据问题。"
    counts = Counter(zip(frame["severity"], frame["code"]))
    lines = [f"数据问题共 {len(frame)} 条："]
    for sev in SEVERITIES:
        n = int((frame["severity"] == sev).sum())
        if n:
            lines.append(f"  {SEVERITY_ZH[sev]} {n} 条")
            for (s, code), k in sorted(counts.items()):
                if s == sev:
                    lines.append(f"    {code}: {k}")
    return "\n".join(lines)
