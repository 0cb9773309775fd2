"""Ingest reads every file format a unit may send, skips what is not a return, and reads values end to end.

Expected numbers are written by hand (``SAMPLE`` in fixtures.py and the tables below).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from fixtures import (
    SAMPLE,
    file_row,
    ingest_folder,
    issues_of,
    numbers,
    return_of,
    set_xlsx_cells,
    value_of,
    vertical_form,
    with_values,
    write_csv,
    write_docx,
    write_legacy_doc,
    write_lock_file,
    write_ods,
    write_pdf,
    write_photo,
    write_summary_docx,
    write_unrelated_xlsx,
    write_video,
    write_xls,
    write_xlsx,
)

# file, how it is written, stamp written on the 盖章 line, unit expected, sheet, cell of 举办活动次数, cell of 开放大学
FORMATS = [
    ("曾都区.xlsx", lambda p, f: write_xlsx(p, f), "曾都区科经局", "曾都区", "Sheet1", "C3", "C22"),
    ("a/随县.xlsm", lambda p, f: write_xlsx(p, f, macro=True), "随县科经局", "随县", "Sheet1", "C3", "C22"),
    ("广水市.xls", lambda p, f: write_xls(p, f), "广水市科经局", "广水市", "Sheet1", "C3", "C22"),
    ("高新区.ods", lambda p, f: write_ods(p, f), "高新区科创局", "随州高新区", "Sheet1", "C3", "C22"),
    ("大洪山.docx", lambda p, f: write_docx(p, f), "大洪山管委会", "大洪山风景名胜区", "表格1", "C1", "C20"),
    ("教育局-utf8.csv", lambda p, f: write_csv(p, f), "随州市教育局", "市教育局", "", "C3", "C22"),
    ("科协-bom.csv", lambda p, f: write_csv(p, f, encoding="utf-8-sig"), "随州市科协", "市科协", "", "C3", "C22"),
    (
        "卫健委-gb18030.csv",
        lambda p, f: write_csv(p, f, encoding="gb18030"),
        "市卫生健康委员会",
        "市卫健委",
        "",
        "C3",
        "C22",
    ),
    ("气象局-gbk.csv", lambda p, f: write_csv(p, f, encoding="gbk"), "随州市气象局", "市气象局", "", "C3", "C22"),
]
FORMAT_IDS = [f[0].rsplit(".", 1)[-1] + "-" + f[0].split("/")[-1] for f in FORMATS]

# Files that are not returns: (file, expected kind, expected status)
NOT_RETURNS = [
    ("随县/活动照片1.jpg", "photo", "skipped"),
    ("随县/活动视频.mp4", "video", "skipped"),
    ("通知.pdf", "document", "skipped"),
    ("随县科技活动周工作总结.docx", "summary", "skipped"),
    ("签到表.xlsx", "other", "skipped"),
    ("附件2023年全市科技活动周开展情况统计表.xlsx", "form", "skipped"),  # the blank template itself
    ("~$曾都区.xlsx", "other", "skipped"),
    ("Thumbs.db", "other", "skipped"),
]


@pytest.fixture(scope="module")
def formats(tmp_path_factory: pytest.TempPathFactory):
    raw = tmp_path_factory.mktemp("formats") / "raw"
    for name, write, stamp, *_ in FORMATS:
        write(raw / name, vertical_form(SAMPLE, stamp=stamp))
    write_photo(raw / "随县/活动照片1.jpg")
    write_video(raw / "随县/活动视频.mp4")
    write_pdf(raw / "通知.pdf")
    write_summary_docx(raw / "随县科技活动周工作总结.docx")
    write_unrelated_xlsx(raw / "签到表.xlsx")
    write_xlsx(raw / "附件2023年全市科技活动周开展情况统计表.xlsx", vertical_form({}, stamp=""))
    write_lock_file(raw / "~$曾都区.xlsx")
    (raw / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    write_legacy_doc(raw / "市文旅局统计表.doc")
    with pytest.MonkeyPatch.context() as mp:  # no LibreOffice, whatever this machine has
        mp.setenv("PATH", str(tmp_path_factory.mktemp("empty-bin")))
        return ingest_folder(raw)


@pytest.mark.parametrize("name, write, stamp, unit, sheet, first, last", FORMATS, ids=FORMAT_IDS)
def test_format_reads_all_twenty_values(formats, name, write, stamp, unit, sheet, first, last):
    row = return_of(formats, name)
    assert numbers(row) == {k: float(v) for k, v in SAMPLE.items()}
    assert row["unit"] == unit
    assert value_of(formats, name, "events_held")["sheet"] == sheet
    assert value_of(formats, name, "events_held")["cell"] == first
    assert value_of(formats, name, "open_universities")["cell"] == last
    assert value_of(formats, name, "funding_county")["raw_text"] == "8.25"
    assert file_row(formats, name)["kind"] == "form"
    assert file_row(formats, name)["status"] == "accepted"
    assert issues_of(formats, name).empty, issues_of(formats, name).to_dict("records")


def test_only_returns_are_counted(formats):
    assert sorted(formats.returns["source_file"]) == sorted(f[0] for f in FORMATS)
    assert len(formats.returns) == 9
    assert formats.returns["events_held"].sum() == 9 * 12


@pytest.mark.parametrize("name, kind, status", NOT_RETURNS, ids=[n for n, *_ in NOT_RETURNS])
def test_non_returns_are_inventoried_and_skipped(formats, name, kind, status):
    row = file_row(formats, name)
    assert (row["kind"], row["status"]) == (kind, status)
    assert len(row["sha256"]) == 64
    assert name not in set(formats.values["source_file"])


def test_non_returns_raise_no_warning_or_error(formats):
    others = formats.issues[formats.issues["source_file"].isin([n for n, *_ in NOT_RETURNS])]
    assert set(others["severity"]) <= {"info"}, others.to_dict("records")


def test_blank_template_is_noted(formats):
    found = issues_of(formats, "附件2023年全市科技活动周开展情况统计表.xlsx", "blank_template")
    assert list(found["severity"]) == ["info"]


def test_photo_in_unit_folder_belongs_to_that_unit(formats):
    assert file_row(formats, "随县/活动照片1.jpg")["unit"] == "随县"


def test_legacy_doc_without_libreoffice_asks_for_docx(formats):
    name = "市文旅局统计表.doc"
    found = issues_of(formats, name, "doc_legacy")
    assert len(found) == 1
    assert found.iloc[0]["severity"] in ("error", "warning")
    assert ".docx" in found.iloc[0]["message"]
    assert file_row(formats, name)["status"] in ("error", "skipped")
    assert name not in set(formats.returns["source_file"])


def test_every_file_is_inventoried_once(formats):
    expected = {f[0] for f in FORMATS} | {n for n, *_ in NOT_RETURNS} | {"市文旅局统计表.doc"}
    assert sorted(formats.files["source_file"]) == sorted(expected)


# ---------------------------------------------------------------- values, end to end

# Form A: every value readable.  key: (raw as typed, expected number, cell in the .xlsx)
READABLE = {
    "events_held": ("十二", 12, "C3"),
    "most_tasks": ("２", 2, "C4"),
    "funding_central": ("50000元", 5.0, "C5"),
    "funding_provincial": ("1.2万元", 1.2, "C6"),
    "funding_municipal": ("无", 0.0, "C7"),
    "funding_county": ("—", 0.0, "C8"),
    "funding_enterprise": ("-", 0.0, "C9"),
    "funding_in_kind": ("0.5（捐赠科普图书）", 0.5, "C10"),
    "funding_other": (None, None, "C11"),
    "staff_fulltime": ("15人", 15, "C12"),
    "staff_scientists": ("约40人", 40, "C13"),
    "staff_volunteers": ("120余人", 120, "C14"),
    "staff_other": ("30多", 30, "C15"),
    "public_offline": ("1.2万", 12000, "C16"),
    "public_online": ("165200（线上）", 165200, "C17"),
    "media_outlets": ("6家", 6, "C18"),
    "media_reports": ("25篇左右", 25, "C19"),
    "open_venues": ("3个", 3, "C20"),
    "open_institutes": ("0", 0, "C21"),
    "open_universities": ("1所", 1, "C22"),
}
# Form C: more spellings of readable numbers.
READABLE_2 = {
    "events_held": ("12次", 12),
    "most_tasks": ("二", 2),
    "funding_central": ("0", 0.0),
    "funding_provincial": (1.5, 1.5),
    "funding_municipal": ("3万元", 3.0),
    "funding_county": ("８．２５", 8.25),
    "funding_enterprise": ("20000元", 2.0),
    "funding_in_kind": ("5,000元", 0.5),
    "funding_other": ("0万元", 0.0),
    "staff_fulltime": ("十五", 15),
    "staff_scientists": ("四十人", 40),
    "staff_volunteers": ("两千", 2000),
    "staff_other": ("30 人", 30),
    "public_offline": ("16,520人次", 16520),
    "public_online": ("165，200", 165200),
    "media_outlets": ("六家", 6),
    "media_reports": ("25篇", 25),
    "open_venues": ("３", 3),
    "open_institutes": ("1个", 1),
    "open_universities": ("1所", 1),
}
# Form B: values that cannot be used → not reported plus a warning at the cell.
# key: (raw, expected number, warning code or None, cell in .xlsx/.csv, cell in the Word table)
UNUSABLE = {
    "events_held": ("不详", None, "value_unknown", "C3", "C1"),
    "most_tasks": ("待统计", None, "value_unknown", "C4", "C2"),
    "funding_central": ("待核实", None, "value_unknown", "C5", "C3"),
    "funding_provincial": (-3, None, "value_negative", "C6", "C4"),
    "funding_municipal": ("#REF!", None, "value_formula_error", "C7", "C5"),
    "funding_county": (8.25, 8.25, None, "C8", "C6"),
    "funding_enterprise": (2, 2.0, None, "C9", "C7"),
    "funding_in_kind": (0.5, 0.5, None, "C10", "C8"),
    "funding_other": (0, 0.0, None, "C11", "C9"),
    "staff_fulltime": (2.5, None, "value_fraction", "C12", "C10"),
    "staff_scientists": ("-5人", None, "value_negative", "C13", "C11"),
    "staff_volunteers": (120, 120, None, "C14", "C12"),
    "staff_other": (30, 30, None, "C15", "C13"),
    "public_offline": ("200-300", None, "value_range", "C16", "C14"),
    "public_online": (165200, 165200, None, "C17", "C15"),
    "media_outlets": (6, 6, None, "C18", "C16"),
    "media_reports": (25, 25, None, "C19", "C17"),
    "open_venues": (3, 3, None, "C20", "C18"),
    "open_institutes": (1, 1, None, "C21", "C19"),
    "open_universities": (1, 1, None, "C22", "C20"),
}


@pytest.fixture(scope="module")
def valued(tmp_path_factory: pytest.TempPathFactory):
    raw = tmp_path_factory.mktemp("values") / "raw"
    write_xlsx(raw / "曾都区.xlsx", vertical_form({k: v[0] for k, v in READABLE.items()}, stamp="曾都区"))
    write_xlsx(raw / "广水市.xlsx", vertical_form({k: v[0] for k, v in READABLE_2.items()}, stamp="广水市"))
    unusable = {k: v[0] for k, v in UNUSABLE.items()}
    # In the workbook: a real error cell (#REF!), a formula with its cached value, a formula that errs.
    path = write_xlsx(
        raw / "随县.xlsx",
        vertical_form(with_values(unusable, funding_municipal=0, media_reports=0, open_venues=0), stamp="随县"),
    )
    set_xlsx_cells(
        path,
        {
            "C7": '<c r="C7" t="e"><v>#REF!</v></c>',
            "C19": '<c r="C19"><f>C18*2+13</f><v>25</v></c>',
            "C20": '<c r="C20" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        },
    )
    write_docx(raw / "市科协.docx", vertical_form(unusable, stamp="市科协"))
    write_csv(raw / "市教育局.csv", vertical_form(unusable, stamp="市教育局"), encoding="gb18030")
    return ingest_folder(raw)


@pytest.mark.parametrize("key", list(READABLE))
def test_readable_values(valued, key):
    raw, expected, cell = READABLE[key]
    got = return_of(valued, "曾都区.xlsx")[key]
    assert pd.isna(got) if expected is None else got == expected
    row = value_of(valued, "曾都区.xlsx", key)
    assert (row["sheet"], row["cell"]) == ("Sheet1", cell)
    assert row["raw_text"] == ("" if raw is None else raw)


@pytest.mark.parametrize("key", list(READABLE_2))
def test_more_readable_values(valued, key):
    assert return_of(valued, "广水市.xlsx")[key] == READABLE_2[key][1]


def test_readable_values_raise_no_warning(valued):
    for name in ("曾都区.xlsx", "广水市.xlsx"):
        found = issues_of(valued, name)
        assert set(found["severity"]) <= {"info"}, found.to_dict("records")


def test_blank_is_not_reported_and_zero_markers_are_zero(valued):
    row = return_of(valued, "曾都区.xlsx")
    assert math.isnan(row["funding_other"])
    assert [row[k] for k in ("funding_municipal", "funding_county", "funding_enterprise", "open_institutes")] == [
        0.0,
        0.0,
        0.0,
        0,
    ]
    assert return_of(valued, "曾都区.xlsx")["funding_other"] != 0


@pytest.mark.parametrize(
    "key, code",
    [
        ("staff_scientists", "value_approx"),
        ("staff_volunteers", "value_approx"),
        ("staff_other", "value_approx"),
        ("media_reports", "value_approx"),
        ("funding_in_kind", "value_remark"),
        ("public_online", "value_remark"),
        ("funding_central", "value_converted_yuan"),
    ],
)
def test_info_notes_at_the_cell(valued, key, code):
    found = issues_of(valued, "曾都区.xlsx", code)
    found = found[found["field"] == key]
    assert len(found) == 1
    assert (found.iloc[0]["severity"], found.iloc[0]["sheet"], found.iloc[0]["cell"]) == (
        "info",
        "Sheet1",
        READABLE[key][2],
    )
    assert found.iloc[0]["unit"] == "曾都区"


def test_bracketed_remarks_are_kept(valued):
    assert "捐赠科普图书" in value_of(valued, "曾都区.xlsx", "funding_in_kind")["note"]
    assert "线上" in value_of(valued, "曾都区.xlsx", "public_online")["note"]
    assert value_of(valued, "曾都区.xlsx", "public_online")["raw_text"] == "165200（线上）"


def test_approximation_is_noted_in_values(valued):
    assert "约" in value_of(valued, "曾都区.xlsx", "staff_scientists")["note"]


@pytest.mark.parametrize(
    "source, sheet, in_word",
    [("随县.xlsx", "Sheet1", False), ("市科协.docx", "表格1", True), ("市教育局.csv", "", False)],
    ids=["xlsx", "docx", "csv"],
)
@pytest.mark.parametrize("key", list(UNUSABLE))
def test_unusable_values_are_not_reported_and_warned_at_the_cell(valued, source, sheet, in_word, key):
    raw, expected, code, sheet_cell, word_cell = UNUSABLE[key]
    if source == "随县.xlsx" and key in ("media_reports", "open_venues"):
        # formula cells: C19 caches 25; C20 is an error cell #DIV/0!
        expected, code = (25, None) if key == "media_reports" else (None, "value_formula_error")
    got = return_of(valued, source)[key]
    assert pd.isna(got) if expected is None else got == expected
    cell = word_cell if in_word else sheet_cell
    found = issues_of(valued, source)
    found = found[(found["field"] == key) & found["severity"].isin(["warning", "error"])]
    if code is None:
        assert found.empty, found.to_dict("records")
        return
    assert list(found["code"]) == [code]
    assert (found.iloc[0]["severity"], found.iloc[0]["sheet"], found.iloc[0]["cell"]) == ("warning", sheet, cell)
    row = value_of(valued, source, key)
    assert (row["sheet"], row["cell"]) == (sheet, cell)


def test_formula_cell_raw_text_is_the_cached_value(valued):
    row = value_of(valued, "随县.xlsx", "media_reports")
    assert (row["value"], row["raw_text"]) == (25.0, "25")


def test_values_table_has_twenty_fields_per_return(valued):
    for name in ("曾都区.xlsx", "广水市.xlsx", "随县.xlsx", "市科协.docx", "市教育局.csv"):
        fields = valued.values.loc[valued.values["source_file"] == name, "field"]
        assert sorted(f for f in fields if not f.startswith("subtotal:")) == sorted(SAMPLE)


def test_word_file_with_extension_docx_but_no_form_table_is_a_summary(tmp_path: Path):
    raw = tmp_path / "raw"
    write_summary_docx(raw / "随县总结.docx")
    write_docx(raw / "随县统计表.docx", vertical_form(SAMPLE, stamp="随县"))
    result = ingest_folder(raw)
    assert file_row(result, "随县总结.docx")["kind"] == "summary"
    assert list(result.returns["source_file"]) == ["随县统计表.docx"]


def test_empty_folder_gives_empty_tables(tmp_path: Path):
    (tmp_path / "raw").mkdir()
    result = ingest_folder(tmp_path / "raw")
    assert result.returns.empty and result.values.empty and result.files.empty


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_legacy_doc_is_converted_with_libreoffice(tmp_path):
    import shutil
    import subprocess

    work = tmp_path / "work"
    write_docx(work / "form.docx", vertical_form(SAMPLE, stamp="随县科技和经济信息化局"))
    for source, target in (("form.docx", "odt"), ("form.odt", "doc")):  # Word 97 as LibreOffice writes it
        subprocess.run(
            [shutil.which("soffice"), "--headless", "--convert-to", target, "--outdir", str(work), str(work / source)],
            check=True,
            capture_output=True,
            timeout=120,
        )
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(work / "form.doc", raw / "随县统计表.doc")
    result = ingest_folder(raw)
    assert numbers(return_of(result, "随县统计表.doc")) == {k: float(v) for k, v in SAMPLE.items()}
    assert return_of(result, "随县统计表.doc")["unit"] == "随县"
