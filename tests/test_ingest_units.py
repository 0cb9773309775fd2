"""Who sent each return: the 盖章 line, else the file name, else the unit's folder; aliases; unknown units kept."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fixtures import (
    SAMPLE,
    file_row,
    ingest_folder,
    issues_of,
    numbers,
    return_of,
    vertical_form,
    write_docx,
    write_photo,
    write_units_csv,
    write_xlsx,
)

from analysis.form import FORM_TITLE, STAMP_LABEL
from analysis.paths import UNITS_CSV

EXPECTED = {k: float(v) for k, v in SAMPLE.items()}

# file (relative to RAW), stamp (None: no 盖章 line at all), unit, kind
CASES = [
    ("统计表.xlsx", "随县科经局", "随县", "county"),  # from the stamp
    ("广水市统计表.xlsx", "曾都区科协", "曾都区", "county"),  # the stamp wins over the file name
    ("附件1.xlsx", "随州市卫生健康委员会", "市卫健委", "department"),  # alias
    ("附件2.xlsx", "高新区科创局", "随州高新区", "county"),
    ("附件3.xlsx", "随州职院", "随州职业技术学院", "college"),
    ("附件4.xlsx", "市农科院", "市农业科学院", "institute"),
    ("附件5.xlsx", "随州市科学技术协会（盖章）", "市科协", "department"),
    ("广水市科技活动周开展情况统计表.xlsx", "", "广水市", "county"),  # empty stamp: from the file name
    ("2023年大洪山风景区统计表.xlsx", None, "大洪山风景名胜区", "county"),  # no stamp line: file name, alias
    ("市文旅局/统计表.xlsx", "", "市文化和旅游局", "department"),  # from the folder
    ("县市区/随州市教育局/附件.xlsx", "", "市教育局", "department"),  # the unit's folder, not the outer one
]


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory):
    raw = tmp_path_factory.mktemp("units") / "raw"
    for name, stamp, *_ in CASES:
        write_xlsx(raw / name, vertical_form(SAMPLE, stamp=stamp))
    return ingest_folder(raw)


@pytest.mark.parametrize("name, stamp, unit, kind", CASES, ids=[c[0] for c in CASES])
def test_unit_is_resolved(units, name, stamp, unit, kind):
    row = return_of(units, name)
    assert (row["unit"], row["unit_kind"]) == (unit, kind)
    assert numbers(row) == EXPECTED
    assert file_row(units, name)["unit"] == unit
    assert issues_of(units, name, "unit_unknown").empty


def test_every_case_is_a_separate_unit(units):
    assert len(units.returns) == len(CASES)
    assert set(units.files["status"]) == {"accepted"}


def test_stamp_in_the_next_cell(tmp_path: Path):
    form = vertical_form(SAMPLE, stamp=None)
    form = replace(form, head=[[FORM_TITLE.format(year=2023)], [STAMP_LABEL, "曾都区科经局"]])
    write_xlsx(tmp_path / "raw/统计表.xlsx", form)
    assert return_of(ingest_folder(tmp_path / "raw"), "统计表.xlsx")["unit"] == "曾都区"


def test_stamp_followed_by_a_date_on_the_same_line(tmp_path: Path):
    write_xlsx(tmp_path / "raw/统计表.xlsx", vertical_form(SAMPLE, stamp="随州市科协        填报日期：2023年6月1日"))
    assert return_of(ingest_folder(tmp_path / "raw"), "统计表.xlsx")["unit"] == "市科协"


def test_stamp_paragraph_of_a_word_return(tmp_path: Path):
    write_docx(tmp_path / "raw/附件.docx", vertical_form(SAMPLE, stamp="随州市教育局"))
    row = return_of(ingest_folder(tmp_path / "raw"), "附件.docx")
    assert (row["unit"], row["unit_kind"]) == ("市教育局", "department")


@pytest.mark.parametrize(
    "name, stamp, written",
    [
        ("统计表.xlsx", "随州市某某科技有限公司", "随州市某某科技有限公司"),
        ("某某中学/统计表.xlsx", "", "某某中学"),
    ],
)
def test_unknown_unit_is_kept_as_written_with_a_warning(tmp_path: Path, name, stamp, written):
    write_xlsx(tmp_path / "raw" / name, vertical_form(SAMPLE, stamp=stamp))
    result = ingest_folder(tmp_path / "raw")
    row = return_of(result, name)
    assert (row["unit"], row["unit_kind"]) == (written, "other")
    assert numbers(row) == EXPECTED
    warned = issues_of(result, name, "unit_unknown")
    assert list(warned["severity"]) == ["warning"]
    assert warned.iloc[0]["unit"] == written
    assert file_row(result, name)["status"] == "accepted"


def test_two_unknown_units_are_not_merged(tmp_path: Path):
    write_xlsx(tmp_path / "raw/a.xlsx", vertical_form(SAMPLE, stamp="某某中学"))
    write_xlsx(tmp_path / "raw/b.xlsx", vertical_form(SAMPLE, stamp="某某小学"))
    result = ingest_folder(tmp_path / "raw")
    assert sorted(result.returns["unit"]) == ["某某中学", "某某小学"]


def test_registry_file_decides(tmp_path: Path):
    registry = write_units_csv(tmp_path / "units.csv", [("市科技局", "department", "随州市科学技术局|市科学技术局")])
    write_xlsx(tmp_path / "raw/a.xlsx", vertical_form(SAMPLE, stamp="随州市科学技术局"))
    write_xlsx(tmp_path / "raw/b.xlsx", vertical_form(SAMPLE, stamp="随县科经局"))  # not in this registry
    result = ingest_folder(tmp_path / "raw", units_csv=registry)
    assert (return_of(result, "a.xlsx")["unit"], return_of(result, "a.xlsx")["unit_kind"]) == ("市科技局", "department")
    assert return_of(result, "b.xlsx")["unit_kind"] == "other"
    assert len(issues_of(result, "b.xlsx", "unit_unknown")) == 1


def test_issues_carry_the_unit(tmp_path: Path):
    write_xlsx(tmp_path / "raw/统计表.xlsx", vertical_form({**SAMPLE, "events_held": "不详"}, stamp="广水市科经局"))
    result = ingest_folder(tmp_path / "raw")
    found = issues_of(result, "统计表.xlsx", "value_unknown")
    assert list(found["unit"]) == ["广水市"]


def test_photo_folder_unit_in_files(tmp_path: Path):
    write_photo(tmp_path / "raw/曾都区/照片.jpg")
    write_xlsx(tmp_path / "raw/曾都区/统计表.xlsx", vertical_form(SAMPLE, stamp=""))
    result = ingest_folder(tmp_path / "raw")
    assert file_row(result, "曾都区/照片.jpg")["unit"] == "曾都区"
    assert return_of(result, "曾都区/统计表.xlsx")["unit"] == "曾都区"


# The project's own registry (data/reference/units.csv): the canonical names of the issue.
CANONICAL = [
    ("曾都区", "county"),
    ("随县", "county"),
    ("广水市", "county"),
    ("随州高新区", "county"),
    ("大洪山风景名胜区", "county"),
    ("市教育局", "department"),
    ("市卫健委", "department"),
    ("市科协", "department"),
]


def test_project_registry_has_the_canonical_names(tmp_path: Path):
    for i, (name, _) in enumerate(CANONICAL):  # 市教育局 written as 随州市教育局
        stamp = "随州" + name if name.startswith("市") else name
        write_xlsx(tmp_path / f"raw/附件{i}.xlsx", vertical_form(SAMPLE, stamp=stamp))
    result = ingest_folder(tmp_path / "raw", units_csv=UNITS_CSV)
    got = sorted(zip(result.returns["unit"], result.returns["unit_kind"]))
    assert got == sorted(CANONICAL)


@pytest.mark.parametrize("text", ["随县教育局", "广水市卫健局", "随县农业农村局"])
def test_other_bodies_of_a_county_are_not_taken_for_the_county_or_a_city_department(text):
    from analysis.intake.units import Registry
    from analysis.paths import UNITS_CSV

    assert Registry.load(UNITS_CSV).resolve(text) is None


def test_registry_in_gb18030_and_broken_registry(tmp_path):
    from analysis.intake.units import Registry, RegistryError

    path = tmp_path / "units.csv"
    path.write_bytes("name,kind,aliases,since,until\n随县,county,随县科经局,,\n".encode("gb18030"))
    assert Registry.load(path).resolve("随县科经局").name == "随县"
    path.write_text("name,kind,aliases,since,until\n随县,county,,二〇二三,\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="第 2 行"):
        Registry.load(path)
    with pytest.raises(RegistryError, match="找不到单位名录"):
        Registry.load(tmp_path / "missing.csv")


def test_stamp_of_the_form_sheet_wins_over_other_sheets():
    from analysis.form import FIELDS
    from analysis.intake.locate import locate
    from analysis.intake.readers.grid import Grid

    form = [["地方/部门（盖章）：随县"], *[[f.label, 1] for f in FIELDS]]
    notes = Grid("填表说明", [["填报单位：请填写本单位全称，如 广水市科技和经济信息化局"]])
    last_year = Grid("2022年", [["地方/部门（盖章）：曾都区"], *[[f.label, 2] for f in FIELDS]], hidden=True)
    found = locate([notes, last_year, Grid("2023年", form)], 2023)
    assert found.sheet == "2023年" and found.stamp == "随县"
