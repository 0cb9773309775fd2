"""The year's dates: weeks.csv, received.csv and file times, read at the edge and combined by a pure step."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from analysis.intake import dates
from analysis.intake.dates import WeekDates
from analysis.paths import WEEKS_CSV

WEEK = WeekDates(2023, date(2023, 5, 20), date(2023, 5, 31), date(2023, 6, 3))  # the notice


def received(raw: Path, files: pd.DataFrame):
    """What the pipeline does: read received.csv and the files' modification times, then combine them."""
    log = dates.read_received(raw)
    times = {f: (raw / f).stat().st_mtime for f in files["source_file"] if (raw / f).is_file()}
    return dates.received_dates(log.listed, files, times), log.issues


def test_no_received_csv_lists_nothing_and_says_nothing(tmp_path):
    assert dates.read_received(tmp_path) == dates.ReceivedLog({}, [])


def test_absent_weeks_csv_is_no_weeks(tmp_path):
    assert dates.load_weeks(tmp_path / "weeks.csv") == {}


def test_load_weeks():
    weeks = dates.load_weeks(WEEKS_CSV)
    assert sorted(weeks) == [2021, 2022, 2023, 2024]
    assert weeks[2023] == WEEK
    assert all(w.start <= w.end < w.deadline for w in weeks.values())


def test_load_weeks_skips_rows_it_cannot_read(tmp_path):
    path = tmp_path / "weeks.csv"
    path.write_text(
        "year,start,end,deadline\n2022,2022-08-20,2022-08-27,2022-9-31\n"
        "2023,2023/5/20,2023/5/31,2023/6/3\n二〇二四,2024-05-25,2024-06-01,2024-06-07\n2025,,,\n",
        encoding="gb18030",
    )
    assert dates.load_weeks(path) == {2023: WEEK}
    path.write_text("year,start\n2023,2023-05-20\n", encoding="utf-8")
    assert dates.load_weeks(path) == {}
    path.write_bytes(b"")
    assert dates.load_weeks(path) == {}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-06-05", date(2023, 6, 5)),
        ("2023/6/5", date(2023, 6, 5)),
        ("2023年6月5日", date(2023, 6, 5)),
        ("2023-06-05 17:30", date(2023, 6, 5)),
        ("六月五日", None),
        ("", None),
        ("2023-02-30", None),
    ],
)
def test_parse_date(text, expected):
    assert dates.parse_date(text) == expected


def test_received_dates(tmp_path):
    for name in ("随县/随县统计表.xlsx", "广水市.xlsx", "曾都区.docx"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    stamp = datetime(2023, 6, 7, 12, 0).timestamp()
    os.utime(tmp_path / "广水市.xlsx", (stamp, stamp))
    (tmp_path / "received.csv").write_text(
        "source_file,received\n随县统计表.xlsx,2023年6月2日\n曾都区.docx,2023/6/4\n", encoding="utf-8-sig"
    )
    files = pd.DataFrame({"source_file": ["随县/随县统计表.xlsx", "广水市.xlsx", "曾都区.docx", "gone.xlsx"]})
    got, issues = received(tmp_path, files)
    assert issues == []
    assert got["source_file"].tolist() == files["source_file"].tolist()
    assert got["received"].tolist() == [date(2023, 6, 2), date(2023, 6, 7), date(2023, 6, 4), None]
    assert got["date_source"].tolist() == ["received.csv", "文件修改时间", "received.csv", ""]


def _year_folder(tmp_path, received: bytes) -> pd.DataFrame:
    """Two returns modified on 2023-06-07 and a received.csv with these bytes."""
    stamp = datetime(2023, 6, 7, 12, 0).timestamp()
    for name in ("随县.xlsx", "广水市.xlsx"):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (stamp, stamp))
    (tmp_path / "received.csv").write_bytes(received)
    return pd.DataFrame({"source_file": ["随县.xlsx", "广水市.xlsx"]})


def test_received_dates_reads_a_gbk_file(tmp_path):
    # as saved by Excel on Chinese Windows: GBK, no BOM, Excel's date format
    files = _year_folder(
        tmp_path, "source_file,received\r\n随县.xlsx,2023/6/2\r\n广水市.xlsx,2023年6月9日\r\n".encode("gbk")
    )
    got, issues = received(tmp_path, files)
    assert issues == []
    assert got["received"].tolist() == [date(2023, 6, 2), date(2023, 6, 9)]
    assert got["date_source"].tolist() == ["received.csv", "received.csv"]


def test_received_dates_reports_a_row_it_cannot_read(tmp_path):
    files = _year_folder(
        tmp_path, "source_file,received\n随县.xlsx,6月2日\n广水市.xlsx,2023-06-01\n,2023-06-01\n,\n".encode()
    )
    got, issues = received(tmp_path, files)
    assert got["received"].tolist() == [date(2023, 6, 7), date(2023, 6, 1)]  # only 随县 falls back to the file time
    assert got["date_source"].tolist() == ["文件修改时间", "received.csv"]
    assert [(i.code, i.severity, i.source_file, i.cell) for i in issues] == [
        ("received_csv_invalid", "warning", "received.csv", "B2"),
        ("received_csv_invalid", "warning", "received.csv", "A4"),
    ]
    assert "随县.xlsx" in issues[0].message and "6月2日" in issues[0].message and "2023-06-05" in issues[0].message


@pytest.mark.parametrize("content", ["文件,收到日期\n随县.xlsx,2023-06-02\n", "source_file\n随县.xlsx\n", ""])
def test_received_dates_reports_a_file_it_cannot_use(tmp_path, content):
    files = _year_folder(tmp_path, content.encode("gb18030"))
    got, issues = received(tmp_path, files)
    assert got["date_source"].tolist() == ["文件修改时间", "文件修改时间"]
    (issue,) = issues
    assert (issue.code, issue.severity, issue.source_file) == ("received_csv_invalid", "warning", "received.csv")
    assert "source_file" in issue.message and "received" in issue.message
