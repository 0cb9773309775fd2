"""Issue 11: workbooks with several form sheets, and hidden sheets, through the real readers.

The town figures are hand-written so that 厉山镇 + 殷店镇 = SAMPLE field by field
(12 = 5 + 7, 8.25 = 5.25 + 3, 16520 = 9000 + 7520, 165200 = 100000 + 65200, ...).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import (
    SAMPLE,
    ingest_folder,
    instruction_sheet,
    issues_of,
    numbers,
    return_of,
    value_of,
    vertical_form,
    write_ods,
    write_xls,
    write_xlsx,
)

EXPECTED = {k: float(v) for k, v in SAMPLE.items()}
LISHAN = {
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
YINDIAN = {
    "events_held": 7,
    "most_tasks": 1,
    "funding_central": 0,
    "funding_provincial": 0.5,
    "funding_municipal": 1,
    "funding_county": 3,
    "funding_enterprise": 0.5,
    "funding_in_kind": None,
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
    "open_institutes": None,
    "open_universities": 0,
}
OLD = {k: (v + 1 if v else 7) for k, v in SAMPLE.items()}  # differs from SAMPLE in every field
NAME = "随县.xlsx"


def sheets(*pairs: tuple[str, dict]) -> list:
    return [vertical_form(values, stamp="随县").sheet(name) for name, values in pairs]


def run(tmp_path: Path, content, name: str = NAME, writer=write_xlsx):
    writer(tmp_path / "raw" / name, content)
    result = ingest_folder(tmp_path / "raw")
    return result, numbers(return_of(result, name))


def codes(result, name: str = NAME) -> list[str]:
    return sorted(issues_of(result, name)["code"])


@pytest.mark.parametrize("total_name", ["汇总", "随县合计", "总表"])
def test_sheet_named_as_the_total_is_the_return(tmp_path: Path, total_name: str):
    # the county held one event of its own: 12 ≠ 5 + 6, so the name alone decides
    towns = sheets(("厉山镇", LISHAN), ("殷店镇", {**YINDIAN, "events_held": 6}), (total_name, SAMPLE))
    result, got = run(tmp_path, towns)
    assert got == EXPECTED  # not 厉山镇 (5 events), not 厉山镇 + 殷店镇 + total (23 events)
    assert value_of(result, NAME, "events_held")["sheet"] == total_name
    chosen = issues_of(result, NAME, "form_sheet_chosen").to_dict("records")
    assert [(c["severity"], c["sheet"]) for c in chosen] == [("info", total_name)]
    assert "“厉山镇”、“殷店镇”" in chosen[0]["message"] and "按工作表名称" in chosen[0]["message"]
    assert "不相加" in chosen[0]["message"]
    assert "form_sheet_ambiguous" not in codes(result)


def test_sheet_equal_to_the_sum_of_the_others_is_the_return(tmp_path: Path):
    result, got = run(tmp_path, sheets(("厉山镇", LISHAN), ("全县", SAMPLE), ("殷店镇", YINDIAN)))
    assert got == EXPECTED
    assert value_of(result, NAME, "public_online")["sheet"] == "全县"
    chosen = issues_of(result, NAME, "form_sheet_chosen")
    assert list(chosen["sheet"]) == ["全县"] and "等于其他各表之和" in chosen["message"].iloc[0]


def test_no_sheet_can_be_chosen_warns_naming_the_sheets(tmp_path: Path):
    result, got = run(tmp_path, sheets(("厉山镇", LISHAN), ("殷店镇", YINDIAN)))
    # the first sheet, never the two added, and never silently
    assert got == {k: (None if v is None else float(v)) for k, v in LISHAN.items()}
    warned = issues_of(result, NAME, "form_sheet_ambiguous").to_dict("records")
    assert [(w["severity"], w["sheet"]) for w in warned] == [("warning", "厉山镇")]
    assert "“厉山镇”、“殷店镇”" in warned[0]["message"]


def test_a_total_that_does_not_add_up_is_not_taken_for_one(tmp_path: Path):
    almost = {**SAMPLE, "public_online": 165201}  # one person more than 100000 + 65200
    result, _ = run(tmp_path, sheets(("厉山镇", LISHAN), ("殷店镇", YINDIAN), ("全县", almost)))
    assert codes(result).count("form_sheet_ambiguous") == 1


@pytest.mark.parametrize(
    "pairs", [(("Sheet1", SAMPLE),), (("Sheet1", SAMPLE), ("Sheet2", SAMPLE))], ids=["one-sheet", "identical-copies"]
)
def test_one_form_or_identical_copies_raise_nothing(tmp_path: Path, pairs):
    result, got = run(tmp_path, sheets(*pairs))
    assert got == EXPECTED
    assert not {"form_sheet_chosen", "form_sheet_ambiguous"} & set(codes(result))


WRITERS = [(write_xlsx, "xlsx"), (write_xls, "xls"), (write_ods, "ods")]


@pytest.mark.parametrize("hidden_first", [True, False], ids=["hidden-first", "hidden-last"])
@pytest.mark.parametrize("writer, ext", WRITERS, ids=[e for _, e in WRITERS])
def test_hidden_sheet_loses_to_the_visible_one(tmp_path: Path, writer, ext: str, hidden_first: bool):
    hidden = vertical_form(OLD, stamp="随县").sheet("旧表", hidden=True)
    visible = vertical_form(SAMPLE, stamp="随县").sheet("新表")
    name = f"随县.{ext}"
    result, got = run(tmp_path, [hidden, visible] if hidden_first else [visible, hidden], name, writer)
    assert got == EXPECTED
    assert value_of(result, name, "events_held")["sheet"] == "新表"
    assert not {"form_sheet_chosen", "form_sheet_ambiguous"} & set(codes(result, name))


@pytest.mark.parametrize("writer, ext", WRITERS, ids=[e for _, e in WRITERS])
def test_a_hidden_sheet_alone_is_still_read(tmp_path: Path, writer, ext: str):
    name = f"随县.{ext}"
    form = vertical_form(SAMPLE, stamp="随县").sheet("统计表", hidden=True)
    result, got = run(tmp_path, [instruction_sheet(), form], name, writer)  # a workbook needs one visible sheet
    assert got == EXPECTED


@pytest.mark.parametrize("writer, ext", WRITERS, ids=[e for _, e in WRITERS])
def test_readers_report_visibility(tmp_path: Path, writer, ext: str):
    from analysis.intake.readers.dispatch import read_grids

    path = writer(
        tmp_path / f"a.{ext}", [vertical_form(OLD).sheet("旧表", hidden=True), vertical_form(SAMPLE).sheet("新表")]
    )
    assert [(g.sheet, g.hidden) for g in read_grids(path)] == [("旧表", True), ("新表", False)]
