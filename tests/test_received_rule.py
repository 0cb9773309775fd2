"""One rule for when a return arrived: received.csv, then the mail's Date / the export's submit time, then the file
time; files.csv records it and late_return names its source."""

from __future__ import annotations

import os
from datetime import datetime

import pandas as pd
import pytest
from export_builders import wjx_rows
from fixtures import SAMPLE, Sheet, write_units_csv, write_vertical_xlsx, write_xlsx
from mail_builders import CHINA, XLSX, mail, write_eml

from analysis.form import FIELD_KEYS
from analysis.pipeline import process_year

ANSWERS = [SAMPLE[k] for k in FIELD_KEYS]


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("received")
    raw = root / "raw" / "2023"
    form = write_vertical_xlsx(root / "x.xlsx", SAMPLE, stamp="").read_bytes()
    write_eml(
        raw / "随县.eml",
        mail(
            "随县科经局 <a@example.cn>", "统计表", datetime(2023, 6, 7, 9, tzinfo=CHINA), [("统计表.xlsx", form, XLSX)]
        ),
    )
    write_eml(
        raw / "广水.eml",
        mail(
            "广水市科经局 <b@example.cn>",
            "统计表",
            datetime(2023, 6, 9, 9, tzinfo=CHINA),
            [("统计表.xlsx", form, XLSX)],
        ),
    )
    write_eml(
        raw / "高新区.eml",
        mail(
            "高新区科创局 <c@example.cn>",
            "统计表",
            datetime(2023, 6, 9, 9, tzinfo=CHINA),
            [("高新区.xlsx", form, XLSX)],
        ),
    )
    write_xlsx(
        raw / "问卷星.xlsx",
        Sheet(
            "Sheet1",
            wjx_rows([("2023/6/8 10:00:00", "市气象局", ANSWERS), ("2023/6/3 10:00:00", "市科协", ANSWERS[::-1])]),
        ),
    )
    late_file = write_vertical_xlsx(raw / "曾都区.xlsx", SAMPLE, stamp="曾都区")
    stamp = datetime(2023, 6, 10, 12).timestamp()
    os.utime(late_file, (stamp, stamp))
    # the bureau's own log wins over the mail's Date
    (raw / "received.csv").write_text(
        "source_file,received\n广水.eml/统计表.xlsx,2023-06-05\n高新区.eml,2023-06-06\n", encoding="utf-8-sig"
    )
    weeks = root / "weeks.csv"
    weeks.write_text("year,start,end,deadline\n2023,2023-05-20,2023-05-27,2023-06-06\n", encoding="utf-8")
    out = root / "processed"
    process_year(
        raw,
        out,
        year=2023,
        workers=1,
        units_csv=write_units_csv(root / "units.csv"),
        weeks_csv=weeks,
        review=root / "none.xlsx",
    )
    return (
        pd.read_csv(out / "files.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False),
        pd.read_csv(out / "issues.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False),
    )


def test_files_record_when_and_whence(processed):
    files, _ = processed
    got = files.set_index("source_file")[["received", "received_from"]].to_dict("index")
    assert got["随县.eml/统计表.xlsx"] == {"received": "2023-06-07", "received_from": "邮件发送时间（Date）"}
    assert got["广水.eml/统计表.xlsx"] == {"received": "2023-06-05", "received_from": "received.csv"}
    assert got["高新区.eml/高新区.xlsx"] == {"received": "2023-06-06", "received_from": "received.csv"}  # the mail's
    assert got["问卷星.xlsx/第2行"] == {"received": "2023-06-08", "received_from": "在线表单提交时间"}
    assert got["曾都区.xlsx"] == {"received": "2023-06-10", "received_from": "文件修改时间"}


def test_late_return_names_the_source(processed):
    _, issues = processed
    late = issues[issues["code"] == "late_return"].set_index("source_file")
    assert sorted(late.index) == ["曾都区.xlsx", "问卷星.xlsx/第2行", "随县.eml/统计表.xlsx"]
    assert late.loc["随县.eml/统计表.xlsx", "severity"] == "warning"
    assert late.loc["随县.eml/统计表.xlsx", "message"] == (
        "本表收到日期为 2023-06-07（依据：邮件发送时间（Date）），晚于通知规定的截止日期 2023-06-06：请今后按时报送。"
    )
    assert late.loc["问卷星.xlsx/第2行", "severity"] == "warning"
    assert "依据：在线表单提交时间" in late.loc["问卷星.xlsx/第2行", "message"]
    assert late.loc["曾都区.xlsx", "severity"] == "info"  # a file time can change with copying
