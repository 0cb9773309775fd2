"""Issue 11: numbers as people type them online, through the real readers (.xlsx, .docx, .csv);
and the wide-table and size-limit cases the earlier suite lacked.

Every expected number is worked out by hand from the text in the cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import (
    SAMPLE,
    ingest_folder,
    issues_of,
    numbers,
    return_of,
    value_of,
    vertical_form,
    wide_form,
    write_csv,
    write_docx,
    write_xlsx,
)

from analysis.intake.safety import Limits

TYPED: dict[str, object] = {
    "events_held": "3期",
    "most_tasks": "6项",
    "funding_central": "'0",
    "funding_provincial": "1.2w",
    "funding_municipal": "3.5W",
    "funding_county": "8.25",
    "funding_enterprise": "2万",
    "funding_in_kind": "0.5",
    "funding_other": "无",
    "staff_fulltime": "'15",
    "staff_scientists": "两百",
    "staff_volunteers": "1，200",
    "staff_other": "30",
    "public_offline": "5千余",
    "public_online": "10万+",
    "media_outlets": "6家",
    "media_reports": "25篇",
    "open_venues": "4处",
    "open_institutes": "1处",
    "open_universities": "1所",
}
READ = {
    "events_held": 3,
    "most_tasks": 6,
    "funding_central": 0,
    "funding_provincial": 1.2,
    "funding_municipal": 3.5,
    "funding_county": 8.25,
    "funding_enterprise": 2,
    "funding_in_kind": 0.5,
    "funding_other": 0,
    "staff_fulltime": 15,
    "staff_scientists": 200,
    "staff_volunteers": 1200,
    "staff_other": 30,
    "public_offline": 5000,
    "public_online": 100000,
    "media_outlets": 6,
    "media_reports": 25,
    "open_venues": 4,
    "open_institutes": 1,
    "open_universities": 1,
}
FORMATS = {"随县.xlsx": write_xlsx, "随县.docx": write_docx, "随县.csv": write_csv}


@pytest.mark.parametrize("name", list(FORMATS))
def test_numbers_typed_online(tmp_path: Path, name: str):
    FORMATS[name](tmp_path / "raw" / name, vertical_form(TYPED, stamp="随县"))
    result = ingest_folder(tmp_path / "raw")
    assert numbers(return_of(result, name)) == {k: float(v) for k, v in READ.items()}
    approx = issues_of(result, name, "value_approx")
    assert sorted(approx["field"]) == ["public_offline", "public_online"]
    assert list(issues_of(result, name).query("severity != 'info'")["code"]) == []
    assert value_of(result, name, "public_online")["note"] == "由10万换算为100000；约数，按100000计"
    assert value_of(result, name, "staff_fulltime")["raw_text"] == "'15"


# ---------------------------------------------------------------- wide tables without a 合计 row


def test_wide_table_column_blank_everywhere_is_not_reported(tmp_path: Path):
    city = {**SAMPLE, "funding_other": None, "media_reports": 10}
    town = {**SAMPLE, "funding_other": None, "media_reports": None}
    write_xlsx(tmp_path / "raw/随县.xlsx", wide_form({"城区": city, "乡镇": town}, stamp="随县"))
    result = ingest_folder(tmp_path / "raw")
    row = numbers(return_of(result, "随县.xlsx"))
    assert row["funding_other"] is None  # not 0: nobody filled it in
    assert row["media_reports"] == 10.0  # one row filled, the other blank: 10 + nothing
    assert row["events_held"] == 24.0  # 12 + 12
    assert value_of(result, "随县.xlsx", "funding_other")["raw_text"] == ""


def test_subtotal_rows_of_a_wide_table_are_not_added(tmp_path: Path):
    a = {**SAMPLE, "events_held": 5, "public_offline": 9000}
    b = {**SAMPLE, "events_held": 7, "public_offline": 7520}
    sub = {**SAMPLE, "events_held": 12, "public_offline": 16520}  # a + b, which must not be counted again
    form = wide_form({"厉山镇": a, "殷店镇": b, "乡镇小计": sub, "城区": SAMPLE}, stamp="随县")
    write_xlsx(tmp_path / "raw/随县.xlsx", form)
    result = ingest_folder(tmp_path / "raw")
    row = numbers(return_of(result, "随县.xlsx"))
    assert row["events_held"] == 24.0  # 5 + 7 + 12, not 36
    assert row["public_offline"] == 33040.0  # 9000 + 7520 + 16520
    assert value_of(result, "随县.xlsx", "events_held")["note"] == "无合计行，3行相加"
    assert issues_of(result, "随县.xlsx", "rows_summed")["message"].str.contains("3行").all()


def test_unzipped_size_limit_on_its_own(tmp_path: Path):
    path = write_xlsx(tmp_path / "raw/随县.xlsx", vertical_form(SAMPLE, stamp="随县"))
    import zipfile

    with zipfile.ZipFile(path) as zf:
        unzipped = sum(i.file_size for i in zf.infolist())
    assert unzipped > 1000 and len(zipfile.ZipFile(path).infolist()) < 20  # only the unzipped size is over
    result = ingest_folder(tmp_path / "raw", limits=Limits(max_unzipped_bytes=1000))
    found = issues_of(result, "随县.xlsx").to_dict("records")
    assert [(i["severity"], i["code"]) for i in found] == [("error", "file_limit_unzipped")]
    assert "Limits.max_unzipped_bytes" in found[0]["message"]
    assert result.returns.empty
    fine = ingest_folder(tmp_path / "raw", limits=Limits(max_unzipped_bytes=unzipped))
    assert numbers(return_of(fine, "随县.xlsx")) == {k: float(v) for k, v in SAMPLE.items()}
