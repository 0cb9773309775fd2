"""Writing outputs: formula neutralisation, atomic replacement, reproducible Office files; the run summary."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import outputs
from analysis.issues import Issue, issues_frame, summarize


@pytest.mark.parametrize("text", ["=1+1", "+1+2", "-A1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "-cmd|' /C calc'!A0"])
def test_formula_capable_text_is_quoted(text):
    assert outputs.neutralize(text) == "'" + text


@pytest.mark.parametrize("value", ["-5", "-12.5", "+3", "随县", "", 5, -5.0, None])
def test_numbers_and_plain_text_are_left_alone(value):
    assert outputs.neutralize(value) == value


def test_csv_keeps_numbers_numeric_and_quotes_text(tmp_path):
    frame = pd.DataFrame({"unit": ['=HYPERLINK("x")', "随县"], "value": [-5, 3]})
    outputs.write_csv(frame, tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig")
    assert list(back["unit"]) == ['\'=HYPERLINK("x")', "随县"] and list(back["value"]) == [-5, 3]


def test_replace_together_keeps_previous_files_when_one_write_fails(tmp_path):
    (tmp_path / "a.txt").write_text("old a", encoding="utf-8")
    (tmp_path / "b.txt").write_text("old b", encoding="utf-8")

    def broken(path):
        raise OSError("disk full")

    with pytest.raises(OSError):
        outputs.replace_together([(tmp_path / "a.txt", outputs.text_writer("new a")), (tmp_path / "b.txt", broken)])
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_run_summary_counts_by_severity_and_code():
    frame = issues_frame(
        [
            Issue("warning", "value_unknown", "x", "a"),
            Issue("warning", "value_unknown", "y", "b"),
            Issue("info", "value_approx", "z", "a"),
        ]
    )
    text = summarize(frame)
    assert "数据问题共 3 条" in text and "警告 2 条" in text and "value_unknown: 2" in text and "提示 1 条" in text
    assert summarize(issues_frame([])) == "未发现数据问题。"


def test_outputs_get_ordinary_permissions_under_the_process_umask(tmp_path):
    import os

    old = os.umask(0o027)
    try:
        target = outputs.write_text("内容", tmp_path / "a.txt")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o640  # 0666 less the umask, not mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_importing_the_package_leaves_the_umask_alone():
    import subprocess
    import sys

    code = "import os; os.umask(0o027); import analysis.outputs, analysis.pipeline; print(oct(os.umask(0)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0o27"


def test_a_failed_workbook_save_leaves_the_previous_file_in_place(tmp_path, monkeypatch):
    from openpyxl import Workbook, load_workbook

    target = tmp_path / "summary.xlsx"
    first = Workbook()
    first.active["A1"] = "上一次的结果"
    outputs.write_atomic(target, lambda p: outputs.save_workbook(first, p))
    before = target.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(outputs, "normalize_zip", broken)
    second = Workbook()
    second.active["A1"] = "这一次的结果"
    with pytest.raises(OSError):
        outputs.write_atomic(target, lambda p: outputs.save_workbook(second, p))
    assert target.read_bytes() == before
    assert load_workbook(target).active["A1"].value == "上一次的结果"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.xlsx"]  # no temporary file left behind


def test_neutralize_frame_treats_every_kind_of_column():
    import datetime as dt

    frame = pd.DataFrame(
        {
            "text": pd.Series(["=1+1", "-12.5", None, "普通", "@SUM(A1)"], dtype="str"),
            "mixed": pd.Series(["+cmd", 5, None, "-3", 2.5], dtype="object"),
            "dates": pd.Series([dt.date(2023, 6, 1)] * 5, dtype="object"),
            "numbers": [-1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    out = outputs.neutralize_frame(frame)
    assert out["text"].tolist()[:2] == ["'=1+1", "-12.5"] and pd.isna(out["text"][2])
    assert out["text"].tolist()[3:] == ["普通", "'@SUM(A1)"]
    assert out["mixed"].tolist()[:2] == ["'+cmd", 5] and out["mixed"].tolist()[3:] == ["-3", 2.5]
    assert out["dates"].tolist() == frame["dates"].tolist() and out["numbers"].tolist() == frame["numbers"].tolist()
    assert frame["text"][0] == "=1+1"  # the input is not changed
