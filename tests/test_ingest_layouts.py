"""Ingest finds the form whatever its shape: template, shifted, on another sheet, transposed, wide, with notes.

Expected numbers are hand-written: ``SAMPLE`` (fixtures.py) and the two sub-unit rows below, whose sums
were worked out by hand to equal ``SAMPLE``.
"""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from fixtures import (
    NOTES,
    SAMPLE,
    file_row,
    ingest_folder,
    instruction_sheet,
    issues_of,
    numbers,
    return_of,
    transposed_form,
    value_of,
    vertical_form,
    wide_form,
    write_docx,
    write_xls,
    write_xlsx,
)
from openpyxl import load_workbook

from analysis.form import CAT_FUNDING, CAT_STAFF, FIELDS
from analysis.intake.records import IngestResult

EXPECTED = {k: float(v) for k, v in SAMPLE.items()}
OLD = {k: (v + 1 if v else 7) for k, v in SAMPLE.items()}  # last year's figures: differ in every field

# 城区 + 乡镇 = SAMPLE, field by field (12 = 5 + 7, 8.25 = 5.25 + 3, 16520 = 9000 + 7520, ...)
CITY = {
    "events_held": 5,
    "most_tasks": 1,
    "funding_central": 0,
    "funding_provincial": 1,
    "funding_municipal": 2,
    "funding_county": 5.25,
    "funding_enterprise": 1.5,
    "funding_in_kind": 0.5,
    "funding_other": 0,
    "staff_fulltime": 6,
    "staff_scientists": 18,
    "staff_volunteers": 70,
    "staff_other": 10,
    "public_offline": 9000,
    "public_online": 100000,
    "media_outlets": 4,
    "media_reports": 15,
    "open_venues": 2,
    "open_institutes": 1,
    "open_universities": 1,
}
TOWN = {
    "events_held": 7,
    "most_tasks": 1,
    "funding_central": 0,
    "funding_provincial": 0.5,
    "funding_municipal": 1,
    "funding_county": 3,
    "funding_enterprise": 0.5,
    "funding_in_kind": 0,
    "funding_other": 0,
    "staff_fulltime": 9,
    "staff_scientists": 22,
    "staff_volunteers": 50,
    "staff_other": 20,
    "public_offline": 7520,
    "public_online": 65200,
    "media_outlets": 2,
    "media_reports": 10,
    "open_venues": 1,
    "open_institutes": 0,
    "open_universities": 0,
}

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def one(tmp_path: Path, name: str, write) -> tuple[IngestResult, dict]:
    """Write one file into an empty raw folder and ingest it: the result and the file's returns row."""
    write(tmp_path / "raw" / name)
    result = ingest_folder(tmp_path / "raw")
    return result, return_of(result, name)


def warnings_of(result, name: str) -> list[dict]:
    found = issues_of(result, name)
    return found[found["severity"] != "info"].to_dict("records")


# ---------------------------------------------------------------- the template (vertical)


def test_template_xlsx_with_merged_cells(tmp_path: Path):
    path = write_xlsx(tmp_path / "raw/随县.xlsx", vertical_form(SAMPLE, stamp="随县"))
    merged = {str(r) for r in load_workbook(path).active.merged_cells.ranges}
    # the fixture really merges categories down and the last three items across two columns
    assert {"A3:A4", "A5:A11", "A12:A15", "A16:A17", "A18:A19", "A20:B20", "A21:B21", "A22:B22"} <= merged
    result = ingest_folder(tmp_path / "raw")
    assert numbers(return_of(result, "随县.xlsx")) == EXPECTED
    for i, f in enumerate(FIELDS):
        assert value_of(result, "随县.xlsx", f.key)["cell"] == f"C{3 + i}"
    assert warnings_of(result, "随县.xlsx") == []


def test_template_docx_with_merged_cells(tmp_path: Path):
    path = write_docx(tmp_path / "raw/随县.docx", vertical_form(SAMPLE, stamp="随县"))
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert xml.count("<w:vMerge") >= 17 and xml.count('<w:gridSpan w:val="2"/>') == 3
    result = ingest_folder(tmp_path / "raw")
    assert numbers(return_of(result, "随县.docx")) == EXPECTED
    for i, f in enumerate(FIELDS):
        row = value_of(result, "随县.docx", f.key)
        assert (row["sheet"], row["cell"]) == ("表格1", f"C{1 + i}")


def test_template_xls_with_merged_cells(tmp_path: Path):
    result, row = one(tmp_path, "随县.xls", lambda p: write_xls(p, vertical_form(SAMPLE, stamp="随县")))
    assert numbers(row) == EXPECTED
    assert value_of(result, "随县.xls", "open_universities")["cell"] == "C22"


@pytest.mark.parametrize(
    "writer, sheet, column", [(write_xlsx, "Sheet1", "D"), (write_docx, "表格1", "D")], ids=["xlsx", "docx"]
)
def test_values_one_column_further_right(tmp_path: Path, writer, sheet, column):
    name = "随县." + ("docx" if writer is write_docx else "xlsx")
    result, row = one(tmp_path, name, lambda p: writer(p, vertical_form(SAMPLE, stamp="随县", value_offset=1)))
    assert numbers(row) == EXPECTED
    first = 1 if writer is write_docx else 3
    assert value_of(result, name, "events_held")["cell"] == f"{column}{first}"
    assert value_of(result, name, "open_universities")["cell"] == f"{column}{first + 19}"


def test_form_on_second_sheet_after_instructions(tmp_path: Path):
    result, row = one(
        tmp_path,
        "随县.xlsx",
        lambda p: write_xlsx(p, [instruction_sheet(), vertical_form(SAMPLE, stamp="随县").sheet("统计表")]),
    )
    assert numbers(row) == EXPECTED
    assert value_of(result, "随县.xlsx", "events_held")["sheet"] == "统计表"


def test_instruction_sheet_explaining_every_item_is_not_the_form(tmp_path: Path):
    result, row = one(
        tmp_path,
        "随县.xlsx",
        lambda p: write_xlsx(
            p, [instruction_sheet(glossary=True), vertical_form(SAMPLE, stamp="随县").sheet("统计表")]
        ),
    )
    assert numbers(row) == EXPECTED
    assert value_of(result, "随县.xlsx", "events_held")["sheet"] == "统计表"
    assert warnings_of(result, "随县.xlsx") == []


@pytest.mark.parametrize("last_year_first", [True, False], ids=["2022-then-2023", "2023-then-2022"])
@pytest.mark.parametrize("writer", [write_xlsx, write_xls], ids=["xlsx", "xls"])
def test_hidden_last_year_sheet_is_ignored(tmp_path: Path, last_year_first: bool, writer):
    this = vertical_form(SAMPLE, stamp="随县").sheet("2023年")
    last = vertical_form(OLD, year=2022, stamp="随县").sheet("2022年", hidden=True)
    name = "随县." + ("xls" if writer is write_xls else "xlsx")
    result, row = one(tmp_path, name, lambda p: writer(p, [last, this] if last_year_first else [this, last]))
    assert numbers(row) == EXPECTED
    assert value_of(result, name, "events_held")["sheet"] == "2023年"


def test_visible_last_year_sheet_loses_to_this_year(tmp_path: Path):
    this = vertical_form(SAMPLE, stamp="随县").sheet("2023年")
    last = vertical_form(OLD, year=2022, stamp="随县").sheet("2022年")
    result, row = one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, [last, this]))
    assert numbers(row) == EXPECTED


# ---------------------------------------------------------------- transposed and wide


@pytest.mark.parametrize("header_rows", [1, 2])
@pytest.mark.parametrize("unit_column", [True, False], ids=["unit-column", "no-unit-column"])
def test_transposed_one_row(tmp_path: Path, header_rows: int, unit_column: bool):
    form = transposed_form(SAMPLE, header_rows=header_rows, stamp="随县", unit_name="随县" if unit_column else None)
    result, row = one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert numbers(row) == EXPECTED
    value_row = 2 + header_rows + 1  # title, stamp, header rows, then the values
    first = 1 if unit_column else 0
    for i, f in enumerate(FIELDS):
        assert value_of(result, "随县.xlsx", f.key)["cell"] == f"{LETTERS[first + i]}{value_row}"
    assert warnings_of(result, "随县.xlsx") == []
    assert issues_of(result, "随县.xlsx", "rows_summed").empty


def test_transposed_docx(tmp_path: Path):
    form = transposed_form(SAMPLE, header_rows=2, stamp="随县")
    result, row = one(tmp_path, "随县.docx", lambda p: write_docx(p, form))
    assert numbers(row) == EXPECTED
    assert value_of(result, "随县.docx", "events_held")["cell"] == "A3"


@pytest.mark.parametrize("total_first", [False, True], ids=["total-last", "total-first"])
def test_wide_table_takes_the_total_row(tmp_path: Path, total_first: bool):
    form = wide_form({"城区": CITY, "乡镇": TOWN}, total=SAMPLE, stamp="随县")
    if total_first:  # header, 合计, 城区, 乡镇
        form = replace(form, table=[form.table[0], form.table[3], form.table[1], form.table[2]])
    result, row = one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert numbers(row) == EXPECTED
    total_row = 4 if total_first else 6  # title, stamp, header, then the body rows
    assert value_of(result, "随县.xlsx", "events_held")["cell"] == f"B{total_row}"
    assert value_of(result, "随县.xlsx", "open_universities")["cell"] == f"U{total_row}"
    assert issues_of(result, "随县.xlsx", "rows_summed").empty
    assert warnings_of(result, "随县.xlsx") == []


def test_wide_table_without_total_is_summed_and_says_so(tmp_path: Path):
    form = wide_form({"城区": CITY, "乡镇": TOWN}, stamp="随县")
    result, row = one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert numbers(row) == EXPECTED
    summed = issues_of(result, "随县.xlsx", "rows_summed")
    assert len(summed) == 1
    assert (summed.iloc[0]["severity"], summed.iloc[0]["sheet"]) == ("info", "Sheet1")
    assert value_of(result, "随县.xlsx", "events_held")["cell"] == "B4:B5"
    assert value_of(result, "随县.xlsx", "public_offline")["value"] == 16520
    assert warnings_of(result, "随县.xlsx") == []


def test_wide_table_with_two_header_rows_and_total(tmp_path: Path):
    form = wide_form({"城区": CITY, "乡镇": TOWN}, total=SAMPLE, header_rows=2, stamp="随县", total_label="合 计")
    result, row = one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert numbers(row) == EXPECTED
    assert value_of(result, "随县.xlsx", "events_held")["cell"] == "B7"


# ---------------------------------------------------------------- subtotals and notes


@pytest.mark.parametrize("label", ["小计", "合计"])
def test_subtotal_rows_inside_blocks_change_nothing(tmp_path: Path, label: str):
    # 15.25 = 0 + 1.5 + 3 + 8.25 + 2 + 0.5 + 0; 205 = 15 + 40 + 120 + 30
    form = vertical_form(SAMPLE, stamp="随县", subtotals={CAT_FUNDING: 15.25, CAT_STAFF: 205}, subtotal_label=label)
    result, row = one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert numbers(row) == EXPECTED
    # a row after the funding block (row 12) and after the staff block (row 17)
    assert value_of(result, "随县.xlsx", "funding_other")["cell"] == "C11"
    assert value_of(result, "随县.xlsx", "staff_fulltime")["cell"] == "C13"
    assert value_of(result, "随县.xlsx", "public_offline")["cell"] == "C18"
    assert value_of(result, "随县.xlsx", "open_universities")["cell"] == "C24"
    assert warnings_of(result, "随县.xlsx") == []


@pytest.mark.parametrize("layout", ["vertical-xlsx", "vertical-docx", "transposed", "wide-total", "wide-no-total"])
def test_notes_under_the_table_change_nothing(tmp_path: Path, layout: str):
    forms = {
        "vertical-xlsx": vertical_form(SAMPLE, stamp="随县", notes=NOTES),
        "vertical-docx": vertical_form(SAMPLE, stamp="随县", notes=NOTES),
        "transposed": transposed_form(SAMPLE, stamp="随县", unit_name="随县", notes=NOTES),
        "wide-total": wide_form({"城区": CITY, "乡镇": TOWN}, total=SAMPLE, stamp="随县", notes=NOTES),
        "wide-no-total": wide_form({"城区": CITY, "乡镇": TOWN}, stamp="随县", notes=NOTES),
    }
    name = "随县.docx" if layout.endswith("docx") else "随县.xlsx"
    writer = write_docx if name.endswith("docx") else write_xlsx
    result, row = one(tmp_path, name, lambda p: writer(p, forms[layout]))
    assert numbers(row) == EXPECTED
    assert row["unit"] == "随县"
    assert warnings_of(result, name) == []
    summed = issues_of(result, name, "rows_summed")
    assert len(summed) == (1 if layout == "wide-no-total" else 0)
    assert file_row(result, name)["status"] == "accepted"


# ---------------------------------------------------------------- labels

FORMATTED_LABELS = {
    "events_held": "举 办 活 动 次 数",  # inner spaces
    "most_tasks": "承接科技部活动\n任务个数",  # line break
    "funding_central": "中央财政经费投入情况：",  # trailing full-width colon
    "funding_provincial": "省级，副省级财政经费投入情况",  # full-width comma for 、
    "funding_municipal": "市级财政经费投入",  # dropped 情况
    "funding_county": "县级财政经费投入情况:",  # trailing ASCII colon
    "funding_enterprise": "企业赞助经费（万元）",  # dropped 情况, added hint
    "funding_in_kind": "实物投入（如：捐赠图书、光盘、创新操作室等）情况",  # moved hint
    "funding_other": "其它经费情况",  # 其它 for 其他
    "staff_fulltime": "科普专职人员数量（人）",
    "staff_scientists": "科技工作者\n参与数量",
    "staff_volunteers": "招募科技志愿者数量：",
    "staff_other": "其他人员 数量",
    "public_offline": "其中：线下活动群众参与数量（人次）",  # reworded
    "public_online": "线上活动群众参与数量(人次)",  # ASCII brackets
    "media_outlets": "参与媒体数量（家）",
    "media_reports": "宣传报道数量（篇）：",
    "open_venues": "活动周期间开放的\n科普场馆数量",
    "open_institutes": "活动周期间开放活动的科研机构数量（个）",
    "open_universities": "活动周期间开放活动的大学数量：",
}
TEMPLATE_LABELS = {  # the hint on its own line, as in the notice's Word attachment; full-width text
    "funding_in_kind": "实物投入情况\n（如：捐赠图书、光盘、创新操作室等）",
    "funding_provincial": "省级、副省级财政\n经费投入情况",
    "events_held": "举办活动次数（次）",
    "most_tasks": "承接科技部活动任务个数（个）",
    "public_offline": "线下活动群众参与数量（人次）：",
}
SYNONYM_SETS = {
    f"synonym{j}": {f.key: f.synonyms[min(j, len(f.synonyms) - 1)] for f in FIELDS}
    for j in range(max(len(f.synonyms) for f in FIELDS))
}
LABEL_SETS = {"formatted": FORMATTED_LABELS, "template": TEMPLATE_LABELS, **SYNONYM_SETS}


@pytest.mark.parametrize("labels", list(LABEL_SETS.values()), ids=list(LABEL_SETS))
def test_label_variants(tmp_path: Path, labels: dict[str, str]):
    result, row = one(
        tmp_path, "随县.xlsx", lambda p: write_xlsx(p, vertical_form(SAMPLE, stamp="随县", label_overrides=labels))
    )
    assert numbers(row) == EXPECTED
    assert issues_of(result, "随县.xlsx", "field_not_found").empty
    for i, f in enumerate(FIELDS):
        assert value_of(result, "随县.xlsx", f.key)["cell"] == f"C{3 + i}"


def test_label_variants_across_a_transposed_table(tmp_path: Path):
    form = transposed_form(SAMPLE, stamp="随县")
    form = replace(form, table=[[FORMATTED_LABELS[f.key] for f in FIELDS], form.table[1]])
    result, row = one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert numbers(row) == EXPECTED
    assert value_of(result, "随县.xlsx", "most_tasks")["cell"] == "B4"


def test_missing_field_is_reported_not_guessed(tmp_path: Path):
    form = vertical_form(SAMPLE, stamp="随县", label_overrides={"media_reports": "简要说明"})
    result, row = one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert numbers(row, [k for k in SAMPLE if k != "media_reports"]) == {
        k: v for k, v in EXPECTED.items() if k != "media_reports"
    }
    assert pd.isna(row["media_reports"])
    found = issues_of(result, "随县.xlsx", "field_not_found")
    assert list(found["field"]) == ["media_reports"]
