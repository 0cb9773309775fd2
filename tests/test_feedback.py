"""Feedback: the overview 反馈清单.xlsx and one file per unit under 反馈/ (contents, isolation, names,
determinism, stale files, parallel writing, neutralised text, LibreOffice round trip)."""

from __future__ import annotations

import csv
import math
import os
import resource
import shutil
import subprocess
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures import SAMPLE, vertical_form, write_units_csv, write_xlsx

from analysis.catalog import FEEDBACK_FOLDER
from analysis.form import SUBTOTAL_PREFIX
from analysis.issues import Issue, issue_field, issues_frame
from analysis.outputs import FIXED_TIME, normalize_zip
from analysis.paths import DEMO_LABEL
from analysis.review import feedback, unit_files
from analysis.review.feedback import HEADERS, MAX_STEM, feedback_writer, file_stem, sheet_title, write_feedback

ISSUES = issues_frame(
    [
        Issue(
            "warning", "missing_return", "名单中的“市地震局”（市直部门）未报送开展情况统计表：请催报。", unit="市地震局"
        ),
        Issue(
            "warning",
            "money_in_yuan_suspect",
            "“县级财政经费投入情况”填报 50000 万元……应填 5 万元。",
            "随县/随县统计表.docx",
            "表格1",
            "C9",
            "funding_county",
            "随县",
        ),
        Issue(
            "error",
            "value_formula_error",
            '=HYPERLINK("http://x","点我")',
            "随县/随县统计表.docx",
            "表格1",
            "C4",
            "events_held",
            "随县",
        ),
        Issue("info", "materials_missing", "未收到媒体报道资料：请补充报送。", unit="随县"),
        Issue(
            "warning",
            "video_too_long",
            "视频时长 3分20秒，超过通知要求的3分钟。",
            "x/v.mp4",
            unit="高新区[科创局]:2023?",
        ),
        Issue("error", "file_unreadable", "文件无法打开。", "坏文件.xlsx"),
    ]
)
MATERIALS = pd.DataFrame(
    {
        "unit": ["随县", "市地震局"],
        "form": [1, 0],
        "summary": [1, 0],
        "photo": [2, 0],
        "media": [0, 0],
        "video": [1, 0],
        "longest_video": [200.0, math.nan],
    }
)
UNIT_FILES = {
    "随县": "随县.xlsx",
    "未识别单位": "未识别单位.xlsx",
    "市地震局": "市地震局.xlsx",
    "高新区[科创局]:2023?": "高新区[科创局]_2023_.xlsx",
}


@pytest.fixture
def written(tmp_path):
    return write_feedback(
        tmp_path / "反馈清单.xlsx", ISSUES, year=2023, demo=True, materials=MATERIALS, today=date(2023, 6, 10)
    )


def rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_files(written, tmp_path):
    # worst first (errors, warnings, infos; ties by name); nothing else in the folder
    assert {u: p.name for u, p in written.units.items()} == UNIT_FILES
    assert list(written.units) == ["随县", "未识别单位", "市地震局", "高新区[科创局]:2023?"]
    assert sorted(p.name for p in (tmp_path / FEEDBACK_FOLDER).iterdir()) == sorted(UNIT_FILES.values())
    assert openpyxl.load_workbook(written.overview).sheetnames == ["总览", "材料清单"]


def test_overview(written):
    ws = openpyxl.load_workbook(written.overview)["总览"]
    assert ws["A1"].value == DEMO_LABEL
    assert ws["A2"].value == "2023年科技活动周统计表核查反馈清单"
    assert ws["A3"].value == "生成日期：2023-06-10"
    table = rows(ws)
    header = table.index(["单位", "错误", "警告", "提示", "合计", "待核实", "反馈文件"])
    assert table[header + 1 : header + 6] == [
        ["随县", 1, 1, 1, 3, 2, "反馈/随县.xlsx"],
        ["未识别单位", 1, 0, 0, 1, 1, "反馈/未识别单位.xlsx"],
        ["市地震局", 0, 1, 0, 1, 1, "反馈/市地震局.xlsx"],
        ["高新区[科创局]:2023?", 0, 1, 0, 1, 1, "反馈/高新区[科创局]_2023_.xlsx"],
        ["合计", 2, 3, 1, 6, 5, None],
    ]
    flat = [c for r in table for c in r if c]
    assert "未报送统计表的单位（1 个）" in flat and "市地震局" in flat
    assert ["警告", "已按原样使用或暂未计入，请核实并回复", None, None, None, None, None] in table
    assert not any("HYPERLINK" in str(c) or "50000" in str(c) for c in flat)  # no finding itself in the overview


def test_unit_file(written):
    wb = openpyxl.load_workbook(written.units["随县"])
    assert wb.sheetnames == ["随县"]
    ws = wb["随县"]
    assert ws["A1"].value == DEMO_LABEL
    assert ws["A2"].value == "随县：2023年科技活动周统计表核查反馈"
    table = rows(ws)
    header = table.index(list(HEADERS))
    assert table[header + 1 :] == [
        [
            "错误",
            "公式错误",
            "随县/随县统计表.docx",
            "表格1",
            "C4",
            "举办活动次数",
            '\'=HYPERLINK("http://x","点我")',
            "待核实",
        ],
        [
            "警告",
            "疑似元填成万元",
            "随县/随县统计表.docx",
            "表格1",
            "C9",
            "县级财政经费投入情况",
            "“县级财政经费投入情况”填报 50000 万元……应填 5 万元。",
            "待核实",
        ],
        ["提示", "材料不全", None, None, None, None, "未收到媒体报道资料：请补充报送。", None],
    ]
    assert ws.freeze_panes == f"A{header + 2}"
    assert ws.print_title_rows == f"${header + 1}:${header + 1}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.column_dimensions["G"].width == pytest.approx(60, abs=1)  # xlsxwriter adds the cell padding
    assert ws.cell(row=header + 1, column=1).fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.cell(row=header + 2, column=1).fill.fgColor.rgb.endswith("F8CBAD")  # the error row
    assert ws.cell(row=header + 3, column=1).fill.fgColor.rgb.endswith("FFE699")  # the warning row
    assert ws.cell(row=header + 2, column=7).alignment.wrap_text


def test_a_unit_file_shows_only_that_unit(written):
    own = {
        u: set(ISSUES.loc[ISSUES["unit"].where(ISSUES["unit"] != "", "未识别单位") == u, "message"]) for u in UNIT_FILES
    }
    for unit, path in written.units.items():
        ws = openpyxl.load_workbook(path).worksheets[0]
        table = rows(ws)
        messages = {str(r[6]).lstrip("'") for r in table[table.index(list(HEADERS)) + 1 :]}
        assert messages == own[unit], unit
        others = {m for u, ms in own.items() if u != unit for m in ms}
        assert not others & {str(c).lstrip("'") for r in rows(ws) for c in r}, unit


def test_no_cell_is_a_formula(written):
    for path in [written.overview, *written.units.values()]:
        for ws in openpyxl.load_workbook(path):
            assert all(c.data_type != "f" for r in ws.iter_rows() for c in r), (path, ws.title)


def test_checklist_sheet(written):
    table = rows(openpyxl.load_workbook(written.overview)["材料清单"])
    assert table[2] == ["单位", "统计表", "活动总结", "照片", "媒体报道", "视频", "最长视频"]
    assert table[3:] == [["随县", 1, 1, 2, 0, 1, "3分20秒"], ["市地震局", 0, 0, 0, 0, 0, None]]


def test_not_demo_and_no_findings(tmp_path):
    result = write_feedback(tmp_path / "f.xlsx", issues_frame([]), year=2024, demo=False)
    wb = openpyxl.load_workbook(result.overview)
    assert wb.sheetnames == ["总览"] and result.units == {}
    assert wb["总览"]["A1"].value == "2024年科技活动周统计表核查反馈清单"
    flat = [c for r in rows(wb["总览"]) for c in r if c]
    assert "无" in flat
    assert not any(str(c).startswith("生成日期") for c in flat)  # no date unless one is given
    assert not list(tmp_path.glob(f"{FEEDBACK_FOLDER}/*.xlsx"))


def test_files_of_units_without_findings_any_more_are_removed(tmp_path):
    first = write_feedback(tmp_path / "f.xlsx", ISSUES, year=2023, demo=False)
    assert len(first.units) == 4
    second = write_feedback(tmp_path / "f.xlsx", ISSUES[ISSUES["unit"] == "随县"], year=2023, demo=False)
    assert sorted(p.name for p in (tmp_path / FEEDBACK_FOLDER).iterdir()) == ["随县.xlsx"]
    assert list(second.units) == ["随县"]
    write_feedback(tmp_path / "f.xlsx", issues_frame([]), year=2023, demo=False)
    assert list((tmp_path / FEEDBACK_FOLDER).iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.xlsx", FEEDBACK_FOLDER]  # no temporary folders left


def test_a_failed_run_leaves_the_previous_files(tmp_path, monkeypatch):
    write_feedback(tmp_path / "f.xlsx", ISSUES, year=2023, demo=False)
    before = {p.name: p.read_bytes() for p in (tmp_path / FEEDBACK_FOLDER).iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(unit_files, "unit_workbook", broken)
    with pytest.raises(OSError):
        write_feedback(tmp_path / "f.xlsx", ISSUES[ISSUES["unit"] == "随县"], year=2023, demo=False)
    assert {p.name: p.read_bytes() for p in (tmp_path / FEEDBACK_FOLDER).iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.xlsx", FEEDBACK_FOLDER]


def _all_bytes(result) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in [result.overview, *result.units.values()]}


def test_same_findings_give_the_same_bytes(tmp_path):
    first = write_feedback(tmp_path / "a" / "f.xlsx", ISSUES, year=2023, demo=False, materials=MATERIALS)
    time.sleep(1.1)  # document times stamped from the clock have a resolution of one second
    second = write_feedback(tmp_path / "b" / "f.xlsx", ISSUES, year=2023, demo=False, materials=MATERIALS)
    assert _all_bytes(first) == _all_bytes(second)
    assert not list(tmp_path.rglob(".*.tmp"))


def test_files_are_already_normalised(written):
    for path in [written.overview, *written.units.values()]:
        data = path.read_bytes()
        assert normalize_zip(data) == data, path.name
    with zipfile.ZipFile(written.units["随县"]) as zf:
        assert {i.date_time for i in zf.infolist()} == {FIXED_TIME.timetuple()[:6]}
        assert b'<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z' in zf.read("docProps/core.xml")


class CountingPool(ProcessPoolExecutor):
    """A real pool that counts what it was handed."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers)
        self.submitted = 0

    def submit(self, *args, **kwargs):
        self.submitted += 1
        return super().submit(*args, **kwargs)


def twelve_units() -> pd.DataFrame:
    return issues_frame(
        [
            Issue("warning", "field_not_reported", f"第{i}家单位未填报。", f"{i}.xlsx", unit=f"单位{i:02d}")
            for i in range(12)
        ]
    )


def test_many_units_are_written_by_the_workers_with_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(feedback, "PARALLEL_FROM", 4)
    issues = twelve_units()
    with CountingPool(2) as pool:
        parallel = write_feedback(tmp_path / "p" / "f.xlsx", issues, year=2023, demo=False, executor=pool)
        assert pool.submitted == 6  # shares of PARALLEL_FROM // 2 units
        few = write_feedback(tmp_path / "few" / "f.xlsx", issues.head(3), year=2023, demo=False, executor=pool)
        assert pool.submitted == 6 and len(few.units) == 3  # below PARALLEL_FROM: written here
    serial = write_feedback(tmp_path / "s" / "f.xlsx", issues, year=2023, demo=False)
    assert len(parallel.units) == 12 and _all_bytes(parallel) == _all_bytes(serial)
    ws = openpyxl.load_workbook(parallel.units["单位07"]).worksheets[0]
    assert rows(ws)[-1][6] == "第7家单位未填报。"


def test_a_broken_pool_leaves_the_writing_to_this_process(tmp_path, monkeypatch):
    """A reader that crashed its worker breaks the run's pool: the unit files are still all written, here."""
    monkeypatch.setattr(feedback, "PARALLEL_FROM", 2)
    with ProcessPoolExecutor(max_workers=1) as pool:
        with pytest.raises(BrokenProcessPool):
            pool.submit(os._exit, 3).result()
        result = write_feedback(tmp_path / "f.xlsx", ISSUES, year=2023, demo=False, executor=pool)
    assert sorted(p.name for p in (tmp_path / FEEDBACK_FOLDER).iterdir()) == sorted(UNIT_FILES.values())
    assert _all_bytes(result) == _all_bytes(write_feedback(tmp_path / "s" / "f.xlsx", ISSUES, year=2023, demo=False))


def test_a_worker_that_dies_while_writing_leaves_its_share_to_this_process(tmp_path, monkeypatch):
    """Workers that may not write a byte to a file (RLIMIT_FSIZE 0: the first write kills them with SIGXFSZ)."""
    monkeypatch.setattr(feedback, "PARALLEL_FROM", 2)
    no_files = (resource.RLIMIT_FSIZE, (0, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    with ProcessPoolExecutor(max_workers=2, initializer=resource.setrlimit, initargs=no_files) as pool:
        result = write_feedback(tmp_path / "f.xlsx", ISSUES, year=2023, demo=False, executor=pool)
    assert sorted(p.name for p in (tmp_path / FEEDBACK_FOLDER).iterdir()) == sorted(UNIT_FILES.values())
    assert _all_bytes(result) == _all_bytes(write_feedback(tmp_path / "s" / "f.xlsx", ISSUES, year=2023, demo=False))


def test_while_the_caller_works_nothing_is_replaced_and_a_failure_keeps_the_previous_files(tmp_path, monkeypatch):
    monkeypatch.setattr(feedback, "PARALLEL_FROM", 4)
    before = write_feedback(tmp_path / "f.xlsx", ISSUES, year=2023, demo=False)
    kept = _all_bytes(before)
    with ProcessPoolExecutor(max_workers=2) as pool:
        with pytest.raises(RuntimeError, match="写入失败"):
            with feedback_writer(tmp_path / "f.xlsx", twelve_units(), year=2023, demo=False, executor=pool) as files:
                assert len(files.units) == 12 and _all_bytes(before) == kept  # the old set stands meanwhile
                raise RuntimeError("写入失败")
        assert _all_bytes(before) == kept
        assert sorted(p.name for p in tmp_path.iterdir()) == ["f.xlsx", FEEDBACK_FOLDER]  # no half-written folder
        with feedback_writer(tmp_path / "f.xlsx", twelve_units(), year=2023, demo=False, executor=pool) as files:
            pass
    assert sorted(p.name for p in (tmp_path / FEEDBACK_FOLDER).iterdir()) == sorted(
        p.name for p in files.units.values()
    )


@pytest.mark.parametrize(
    "name, stem",
    [
        ("随县", "随县"),
        ("a/b\\c", "a_b_c"),
        ('<>:"|?*', "_______"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("..", "未识别单位"),
        ("", "未识别单位"),
        ("  市科协. . ", "市科协"),
        ("   " + "长" * 70, "长" * 60),  # leading spaces do not count towards the length
        ("CON", "_CON"),
        ("nul", "_nul"),
        ("Com1", "_Com1"),
        ("LPT9", "_LPT9"),
        ("aux.txt", "_aux.txt"),
        ("CONSOLE", "CONSOLE"),
        ("COM10", "COM10"),
        ("市\x00科\x1f协\u200b", "市_科_协_"),
        ("随县\udcb8\udcdf", "随县__"),  # undecodable bytes of a Chinese-Windows name (surrogate escapes)
        ("第一行\n第二行", "第一行_第二行"),
    ],
)
def test_file_stem(name, stem):
    assert file_stem(name, set()) == stem


def test_file_stem_length_and_uniqueness():
    taken: set[str] = set()
    long = "随州高新技术产业开发区科技创新局" * 5  # 80 characters
    first, second = file_stem(long, taken), file_stem(long, taken)
    assert first == long[:MAX_STEM] and len(first) == 60
    assert second == long[:57] + "(2)" and len(second) == 60
    assert (file_stem("Abc", taken), file_stem("aBC", taken), file_stem("a/b", taken), file_stem("a_b", taken)) == (
        "Abc",
        "aBC(2)",
        "a_b",
        "a_b(2)",
    )


def test_hostile_unit_names_never_leave_the_folder(tmp_path):
    names = [
        "../逃逸",
        "/etc/passwd",
        "..\\..\\windows",
        "CON",
        "con",
        "a" * 300,
        "\x00",
        "..",
        "反馈/../x",
        "A&B'C<x>",
    ]
    issues = issues_frame([Issue("warning", "unit_unknown", f"单位 {i}", unit=n) for i, n in enumerate(names)])
    result = write_feedback(tmp_path / "out" / "f.xlsx", issues, year=2023, demo=False)
    folder = (tmp_path / "out" / FEEDBACK_FOLDER).resolve()
    assert len(result.units) == len(names)
    assert all(p.resolve().parent == folder for p in result.units.values())
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in result.units.values())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["f.xlsx", FEEDBACK_FOLDER]
    for unit, path in result.units.items():  # each file still names its unit in full (NUL shown as U+FFFD)
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == [sheet_title(unit, set())]
        assert wb.worksheets[0]["A1"].value == f"{unit.replace(chr(0), chr(0xFFFD))}：2023年科技活动周统计表核查反馈"


def test_through_the_pipeline(tmp_path):
    from analysis.pipeline import process_year

    raw = tmp_path / "raw" / "2023"
    write_xlsx(raw / "随县/统计表.xlsx", vertical_form({**SAMPLE, "events_held": "不详"}, stamp="随县科经局"))
    write_xlsx(raw / "广水市/统计表.xlsx", vertical_form({**SAMPLE, "media_reports": "待统计"}, stamp="广水市科经局"))
    units = write_units_csv(
        tmp_path / "units.csv", [("随县", "county", "随县科经局"), ("广水市", "county", "广水市科经局")]
    )
    process_year(raw, tmp_path / "out", year=2023, workers=1, units_csv=units)
    folder = tmp_path / "out" / FEEDBACK_FOLDER
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["广水市.xlsx", "随县.xlsx"]
    table = rows(openpyxl.load_workbook(folder / "随县.xlsx").worksheets[0])
    sui = table[table.index(list(HEADERS)) + 1 :]
    assert {(r[2], r[5]) for r in sui if r[1] == "数值不详"} == {("随县/统计表.xlsx", "举办活动次数")}
    assert not any("广水市" in str(c) for r in sui for c in r)


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


def _calc_installed() -> bool:
    soffice = shutil.which("soffice")
    return soffice is not None and (Path(soffice).resolve().parent / "scalc").exists()


@pytest.mark.skipif(not _calc_installed(), reason="LibreOffice Calc is not installed (soffice alone cannot read .xlsx)")
def test_libreoffice_reads_the_chinese(written, tmp_path):
    out = tmp_path / "csv"
    for path in (written.overview, written.units["随县"]):
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76",
                "--outdir",
                str(out),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    text = (out / "反馈清单.csv").read_text(encoding="utf-8")
    assert DEMO_LABEL in text and "2023年科技活动周统计表核查反馈清单" in text
    assert ["随县", "1", "1", "1", "3", "2", "反馈/随县.xlsx"] in list(csv.reader(text.splitlines()))
    assert "随县：2023年科技活动周统计表核查反馈" in (out / "随县.csv").read_text(encoding="utf-8")


def test_what_the_ledger_settled_shows_per_unit(tmp_path):
    settled = ISSUES.assign(status=["confirmed" if c == "money_in_yuan_suspect" else "open" for c in ISSUES["code"]])
    written = write_feedback(tmp_path / "反馈清单.xlsx", settled, year=2023, demo=True, today=date(2023, 6, 10))
    overview = rows(openpyxl.load_workbook(written.overview)["总览"])
    header = overview.index(["单位", "错误", "警告", "提示", "合计", "待核实", "反馈文件"])
    assert overview[header + 1][:6] == ["随县", 1, 1, 1, 3, 1]  # the 元 value confirmed: one left to settle
    unit = rows(openpyxl.load_workbook(written.units["随县"]).worksheets[0])
    statuses = {r[1]: r[7] for r in unit[unit.index(list(HEADERS)) + 1 :]}
    assert statuses == {"公式错误": "待核实", "疑似元填成万元": "已确认无误", "材料不全": None}


def test_a_unit_that_sent_only_unusable_files_is_not_listed_as_not_returned(tmp_path):
    unusable = pd.DataFrame(
        {
            "unit": ["市地震局"],
            "form": [0],
            "summary": [0],
            "photo": [1],
            "media": [0],
            "video": [0],
            "longest_video": [math.nan],
        }
    )  # a scan of the form, not readable
    written = write_feedback(tmp_path / "反馈清单.xlsx", ISSUES, year=2023, demo=True, materials=unusable)
    flat = [c for r in rows(openpyxl.load_workbook(written.overview)["总览"]) for c in r if c]
    at = flat.index("已报送文件但没有可用统计表的单位（1 个）")
    assert flat[at + 1] == "市地震局"
    assert flat[flat.index("未报送统计表的单位（0 个）") + 1] == "无"
