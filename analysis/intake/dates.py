"""The year's dates: the week and deadline (weeks.csv) and when each return arrived (received.csv, file times).

Reading the two CSVs happens here, at the edge; :func:`received_dates` is a pure step over what was read.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from analysis.intake.readers.csvfile import decode_text
from analysis.issues import Issue

RECEIVED_CSV = "received.csv"  # optional, in a year folder: when each return arrived (source_file, received)
RECEIVED_COLUMNS = ("source_file", "received")
RECEIVED_FORMAT = (
    "两列：source_file（文件在年度文件夹中的路径或文件名）和 received（收到日期，如 2023-06-05 或 2023年6月5日）"
)
SOURCE_MTIME = "文件修改时间"

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@dataclass(frozen=True)
class WeekDates:
    """The week's event window and the return deadline of one year."""

    year: int
    start: date
    end: date
    deadline: date


@dataclass(frozen=True)
class ReceivedLog:
    """What ``received.csv`` lists (source file → date) and the findings on the file itself."""

    listed: dict[str, date]
    issues: list[Issue]


def _cell_text(value: Any) -> str:
    """A CSV cell as stripped text; missing → ''."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def parse_date(text: Any) -> date | None:
    """2023-06-05, 2023/6/5, 2023.6.5 or 2023年6月5日 (a time after it is ignored); else None."""
    m = _DATE.match(_cell_text(text))
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def csv_rows(path: Path) -> pd.DataFrame:
    """A small CSV of text cells (UTF-8 or GB18030, as saved by Excel), column names stripped."""
    frame = pd.read_csv(
        io.StringIO(decode_text(Path(path).read_bytes())), dtype=str, keep_default_na=False, index_col=False
    )
    return frame.rename(columns=lambda c: str(c).strip())


def _week(row: dict[str, Any]) -> WeekDates | None:
    """One weeks.csv row; None when its year or a date cannot be read."""
    year, days = _cell_text(row.get("year")), [parse_date(row.get(c)) for c in ("start", "end", "deadline")]
    if not year.isdigit() or None in days:
        return None
    return WeekDates(int(year), *days)  # type: ignore[arg-type]


def load_weeks(path: Path) -> dict[int, WeekDates]:
    """``weeks.csv`` (year, start, end, deadline; ISO dates) by year; {} when the file is absent or unreadable.

    A row that cannot be read is left out: its year is then reported by the ``deadline_unknown`` check.
    """
    if not Path(path).is_file():
        return {}
    try:
        frame = csv_rows(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return {}
    weeks = [_week(r) for r in frame.to_dict("records")]
    return {w.year: w for w in weeks if w is not None}


def _received_invalid(problem: str, fallback: str, cell: str = "") -> Issue:
    return Issue(
        "warning",
        "received_csv_invalid",
        f"{RECEIVED_CSV} {problem}：应为{RECEIVED_FORMAT}。{fallback}改用文件修改时间判断是否逾期（仅供参考）。",
        source_file=RECEIVED_CSV,
        cell=cell,
    )


def read_received(raw_dir: Path) -> ReceivedLog:
    """The dates that ``received.csv`` in a year folder lists, by source file (``/`` separators).

    No file: nothing listed, no finding.  A file that cannot be read or lacks a column gives one finding and no
    dates; a row whose file name or date cannot be read gives a finding located at its cell and is left out.
    """
    path = Path(raw_dir) / RECEIVED_CSV
    if not path.is_file():
        return ReceivedLog({}, [])
    try:
        frame = csv_rows(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return ReceivedLog({}, [_received_invalid("无法读取（为空或格式有误）", "本次全部文件")])
    missing = [c for c in RECEIVED_COLUMNS if c not in frame.columns]
    if missing:
        return ReceivedLog({}, [_received_invalid(f"缺少“{'”“'.join(missing)}”列", "本次全部文件")])
    column = {c: get_column_letter(frame.columns.get_loc(c) + 1) for c in RECEIVED_COLUMNS}
    listed: dict[str, date] = {}
    issues = []
    for row, r in enumerate(frame.to_dict("records"), start=2):  # row 1 is the header, as Excel numbers them
        name, raw = _cell_text(r["source_file"]).replace("\\", "/"), _cell_text(r["received"])
        day = parse_date(raw)
        if name and day is not None:
            listed[name] = day
        elif not name and raw:
            issues.append(_received_invalid(f"第 {row} 行没有文件名", "该行", f"{column['source_file']}{row}"))
        elif name:
            issues.append(
                _received_invalid(
                    f"第 {row} 行“{name}”的收到日期“{raw}”无法识别", "该文件", f"{column['received']}{row}"
                )
            )
    return ReceivedLog(listed, issues)


@dataclass(frozen=True)
class ChannelDate:
    """When the channel itself says a file arrived: a mail's Date header, an export row's submit time."""

    day: date
    source: str  # Chinese, e.g. 邮件发送时间（Date） or 在线表单提交时间


def received_dates(
    listed: dict[str, date],
    files: pd.DataFrame,
    file_times: dict[str, float],
    channel: dict[str, ChannelDate] | None = None,
) -> pd.DataFrame:
    """When each file was received, by one rule: as ``received.csv`` lists it (by path — a member of a listed archive
    or mail takes its date —, or by file name when that name is unique both in the log and among the files: two mails' 统计表.xlsx are told apart by path), else the date its channel gives (``channel``: a mail's Date, an export row's submit time), else
    the file's modification time.

    Returns ``source_file, received (date or None), date_source`` ('received.csv', the channel's source, or
    '文件修改时间'; '' when unknown).
    """
    channel = channel or {}
    by_name: dict[str, list[date]] = {}
    for name, day in listed.items():
        by_name.setdefault(name.rsplit("/", 1)[-1], []).append(day)
    sources = files["source_file"].astype(str).tolist()
    names = Counter(source.rsplit("/", 1)[-1] for source in sources)
    rows = []
    for source in sources:
        day = _listed_or_container(listed, source)
        name = source.rsplit("/", 1)[-1]
        if day is None and len(by_name.get(name, [])) == 1 and names[name] == 1:
            day = by_name[source.rsplit("/", 1)[-1]][0]
        if day is not None:
            rows.append((source, day, RECEIVED_CSV))
        elif source in channel:
            rows.append((source, channel[source].day, channel[source].source))
        elif source in file_times:
            rows.append((source, datetime.fromtimestamp(file_times[source]).date(), SOURCE_MTIME))
        else:
            rows.append((source, None, ""))
    return pd.DataFrame(rows, columns=["source_file", "received", "date_source"]).astype(
        {"source_file": "str", "received": "object", "date_source": "str"}
    )


def _listed_or_container(listed: dict[str, date], source: str) -> date | None:
    """The date received.csv gives a file, or the archive or mail it came in (``随县.eml`` for ``随县.eml/表.xlsx``)."""
    parts = source.split("/")
    for end in range(len(parts), 0, -1):
        day = listed.get("/".join(parts[:end]))
        if day is not None:
            return day
    return None


def with_received(files: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    """files.csv with its ``received`` (ISO date, '' when unknown) and ``received_from`` columns."""
    days = received["received"].map(lambda d: d.isoformat() if d is not None else "")
    return files.assign(
        received=days.astype("str").to_numpy(), received_from=received["date_source"].astype("str").to_numpy()
    )


def received_of(files: pd.DataFrame) -> pd.DataFrame:
    """The received frame (as :func:`received_dates` gives it) from files.csv's ``received`` columns."""
    days = files["received"].astype("str").map(parse_date) if "received" in files else None
    return pd.DataFrame(
        {
            "source_file": files["source_file"].astype("str").to_numpy(),
            "received": days.to_numpy() if days is not None else [None] * len(files),
            "date_source": (
                files["received_from"].astype("str") if "received_from" in files else pd.Series([""] * len(files))
            ).to_numpy(),
        }
    ).astype({"source_file": "str", "received": "object", "date_source": "str"})
