"""反馈清单.xlsx: sheets, contents, neutralised text, print styling, LibreOffice round trip."""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
import time
from datetime import date

import openpyxl
import pandas as pd
import pytest

from analysis.review.feedback import HEADERS, sheet_title, write_feedback
from analysis.form import SUBTOTAL_PREFIX
from analysis.issues import Issue, issue_field, issues_frame
from analysis.paths import DEMO_LABEL

ISSUES = issues_frame([
    Issue("warning", "missing_return", "名单中的“市地震局”（市直部门）未报送开展情况统计表：请催报。", unit="市地震局"),
    Issue("warning", "money_in_yuan_suspect", "“县级财政经费投入情况”填报 50000 万元……应填 5 万元。",
          "随县/随县统计表.docx", "表格1", "C9", "funding_county", "随县"),
    Issue("error", "value_formula_error", "=HYPERLINK(\"http://x\",\"点我\")", "随县/随县统计表.docx", "表格1", "C4",
          "events_held", "随县"),
    Issue("info", "materials_missing", "未收到媒体报道资料：请补充报送。", unit="随县"),
    Issue("warning", "video_too_long", "视频时长 3分20秒，超过通知要求的3分钟。", "x/v.mp4", unit="高新区[科创局]:2023?"),
    Issue("error", "file_unreadable", "文件无法打开。", "坏文件.xlsx"),
])
MATERIALS = pd.DataFrame({"unit": ["随县", "市地震局"], "form": [1, 0], "summary": [1, 0], "photo": [2, 0],
                          "media": [0, 0], "video": [1, 0], "longest_video": [200.0, math.nan]})


@pytest.fixture
def workbook(tmp_path):
    path = write_feedback(tmp_path / "反馈清单.xlsx", ISSUES, year=2023, demo=True, materials=MATERIALS,
                          today=date(2023, 6, 10))
    return path, openpyxl.load_workbook(path)


def rows(ws) -> list[list]:
    return [[c for c in r] for r in ws.iter_rows(values_only=True)]


def test_sheets(workbook):
    _, wb = workbook
    # overview, checklist, then units worst first (errors, warnings, infos; ties by name)
    assert wb.sheetnames == ["总览", "材料清单", "随县", "未识别单位", "市地震局", "高新区_科创局__2023_"]


def test_overview(workbook):
    _, wb = workbook
    ws = wb["总览"]
    assert ws["A1"].value == DEMO_LABEL
    assert ws["A2"].value == "2023年科技活动周统计表核查反馈清单"
    assert ws["A3"].value == "生成日期：2023-06-10"
    table = rows(ws)
    header = table.index(["单位", "错误", "警告", "提示", "合计"])
    assert table[header + 1:header + 6] == [
        ["随县", 1, 1, 1, 3], ["未识别单位", 1, 0, 0, 1], ["市地震局", 0, 1, 0, 1],
        ["高新区[科创局]:2023?", 0, 1, 0, 1], ["合计", 2, 3, 1, 6]]
    flat = [c for r in table for c in r if c]
    assert "未报送统计表的单位（1 个）" in flat and "市地震局" in flat


def test_unit_sheet(workbook):
    _, wb = workbook
    ws = wb["随县"]
    assert ws["A1"].value == DEMO_LABEL
    assert ws["A2"].value == "随县：2023年科技活动周统计表核查反馈"
    table = rows(ws)
    header = table.index(list(HEADERS))
    assert table[header + 1:] == [
        ["错误", "公式错误", "随县/随县统计表.docx", "表格1", "C4", "举办活动次数", "'=HYPERLINK(\"http://x\",\"点我\")"],
        ["警告", "疑似元填成万元", "随县/随县统计表.docx", "表格1", "C9", "县级财政经费投入情况",
         "“县级财政经费投入情况”填报 50000 万元……应填 5 万元。"],
        ["提示", "材料不全", None, None, None, None, "未收到媒体报道资料：请补充报送。"],
    ]
    assert ws.freeze_panes == f"A{header + 2}"
    assert ws.print_title_rows == f"${header + 1}:${header + 1}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.column_dimensions["G"].width == 60
    assert ws.cell(row=header + 1, column=1).fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.cell(row=header + 2, column=7).alignment.wrap_text
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_checklist_sheet(workbook):
    _, wb = workbook
    table = rows(wb["材料清单"])
    assert table[2] == ["单位", "统计表", "活动总结", "照片", "媒体报道", "视频", "最长视频"]
    assert table[3:] == [["随县", 1, 1, 2, 0, 1, "3分20秒"], ["市地震局", 0, 0, 0, 0, 0, None]]


def test_not_demo_and_no_findings(tmp_path):
    path = write_feedback(tmp_path / "f.xlsx", issues_frame([]), year=2024, demo=False)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["总览"]
    assert wb["总览"]["A1"].value == "2024年科技活动周统计表核查反馈清单"
    flat = [c for r in rows(wb["总览"]) for c in r if c]
    assert "无" in flat
    assert not any(str(c).startswith("生成日期") for c in flat)  # no date unless one is given


def test_same_findings_give_the_same_bytes(tmp_path):
    first = write_feedback(tmp_path / "a.xlsx", ISSUES, year=2023, demo=False, materials=MATERIALS)
    time.sleep(1.1)  # the document times Workbook.save stamps have a resolution of one second
    second = write_feedback(tmp_path / "b.xlsx", ISSUES, year=2023, demo=False, materials=MATERIALS)
    assert first.read_bytes() == second.read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))


def test_subtotal_field_title():
    assert issue_field(f"{SUBTOTAL_PREFIX}经费") == "小计：经费"
    assert issue_field("events_held") == "举办活动次数"
    assert issue_field("other") == "other"


def test_sheet_title():
    taken: set[str] = {"总览"}
    assert sheet_title("a/b\\c*d?e:f[g]", taken) == "a_b_c_d_e_f_g_"
    long = "随州高新技术产业开发区科技创新局随州高新技术产业开发区科技创新局"  # 32 characters
    first, second = sheet_title(long, taken), sheet_title(long, taken)
    assert first == long[:31] and second == long[:28] + "(2)" and len(second) == 31
    assert sheet_title("'总览'", taken) == "总览(2)"
    assert sheet_title("", taken) == "未识别单位"


@pytest.mark.skipif(shutil.which("localc") is None, reason="LibreOffice Calc is not installed (soffice alone may be Writer only)")
def test_libreoffice_reads_the_chinese(workbook, tmp_path):
    path, _ = workbook
    out = tmp_path / "csv"
    subprocess.run(["soffice", "--headless", "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76',
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=120)
    text = (out / "反馈清单.csv").read_text(encoding="utf-8")
    assert DEMO_LABEL in text and "2023年科技活动周统计表核查反馈清单" in text
    assert ["随县", "1", "1", "1", "3"] in list(csv.reader(text.splitlines()))
