"""The review ledger, through real files: returns written in a year folder, a ledger filled in as a person
would (openpyxl, or a CSV), the year pipeline run again.  Expected numbers are worked out by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fixtures import SAMPLE, vertical_form, with_values, write_docx, write_units_csv, write_xlsx

from analysis.catalog import DECISIONS_CSV, RULE_TALLY_CSV
from analysis.intake.store import load_processed
from analysis.issues import open_findings
from analysis.pipeline import process_year
from analysis.review.ledger import HEADER
from analysis.review.ledger_file import read_ledger, update_ledger

SUIXIAN = "随县/随县统计表.xlsx"
GUANGSHUI = "广水市/广水市统计表.docx"
YUAN = 304000  # 随县 typed 元 into the 万元 field; the right figure is 30.4 万元


@pytest.fixture
def year(tmp_path: Path) -> Path:
    """A 2023 folder: 随县 with the 元 value, 广水市 with 待统计 for 举办活动次数."""
    raw = tmp_path / "raw" / "2023"
    write_xlsx(raw / SUIXIAN, vertical_form(with_values(SAMPLE, funding_county=YUAN), stamp="随县"))
    write_docx(raw / GUANGSHUI, vertical_form(with_values(SAMPLE, events_held="待统计"), stamp="广水市"))
    return raw


def run(raw: Path, ledger: Path | None = None):
    units = write_units_csv(raw.parent.parent / "units.csv")
    out = raw.parent.parent / "processed" / "2023"
    outcome = process_year(
        raw,
        out,
        year=2023,
        workers=1,
        units_csv=units,
        review=ledger if ledger is not None else raw.parent.parent / "review" / "2023.xlsx",
    )
    return outcome, load_processed(out)


def fill(path: Path, rows: list[dict[str, object]]) -> Path:
    """A ledger as a person fills it in Excel: the header, then the given columns of each row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(HEADER))
    for row in rows:
        ws.append([row.get(h, "") for h in HEADER])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def fill_csv(path: Path, rows: list[dict[str, object]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows([[row.get(h, "") for h in HEADER] for row in rows])
    return path


YUAN_FIX = {
    "单位": "随县",
    "项目": "县级财政经费投入情况",
    "问题代码": "money_in_yuan_suspect",
    "文件": SUIXIAN,
    "单元格": "C8",
    "原值": YUAN,
    "处理": "更正",
    "更正值": 30.4,
    "依据": "电话核实：单位确认按元填写",
    "核实人": "王磊",
    "核实日期": "2023-06-05",
}


def value_row(processed, source_file: str, key: str) -> dict:
    v = processed.values
    return v[(v["source_file"] == source_file) & (v["field"] == key)].iloc[0].to_dict()


def city_total(processed, key: str) -> float:
    return float(processed.returns[key].sum())


def codes(processed, status: str | None = None) -> set[str]:
    issues = processed.issues if status is None else processed.issues[processed.issues["status"] == status]
    return set(issues["code"])


def test_without_a_ledger_every_finding_is_open_and_the_raw_value_counts(year):
    outcome, processed = run(year)
    assert city_total(processed, "funding_county") == pytest.approx(YUAN + 8.25)
    assert set(processed.issues["status"]) == {"open"}
    assert "money_in_yuan_suspect" in set(open_findings(processed.issues)["code"])
    assert "尚有" in outcome.recap() and "初稿" in outcome.recap()


def test_a_correction_changes_the_total_and_keeps_the_cell(year, tmp_path):
    ledger = fill(tmp_path / "review" / "2023.xlsx", [YUAN_FIX])
    _, processed = run(year, ledger)
    assert city_total(processed, "funding_county") == pytest.approx(30.4 + 8.25)
    row = value_row(processed, SUIXIAN, "funding_county")
    assert (row["value"], row["raw_text"], row["cell"], row["status"]) == (
        pytest.approx(30.4),
        "304000",
        "C8",
        "corrected",
    )
    assert "核实台账第2行" in row["note"] and "电话核实" in row["note"]
    assert "money_in_yuan_suspect" not in codes(processed)  # the checks ran on the corrected data
    decisions = pd.read_csv(tmp_path / "processed" / "2023" / DECISIONS_CSV, encoding="utf-8-sig")
    assert decisions[["ledger_row", "action", "unit", "field", "original", "corrected", "checker"]].values.tolist() == [
        [2, "更正", "随县", "funding_county", YUAN, 30.4, "王磊"]
    ]
    rules = pd.read_csv(tmp_path / "processed" / "2023" / RULE_TALLY_CSV, encoding="utf-8-sig").set_index("code")
    money = rules.loc["money_in_yuan_suspect"]  # the corrected 30.4 万元 passes now
    assert money["failed"] == 0 and money["looked_at"] == money["passed"] + money["blank"] > 0


def test_a_confirmed_finding_stays_for_the_audit_and_is_open_nowhere(year, tmp_path):
    ledger = fill(tmp_path / "review" / "2023.xlsx", [YUAN_FIX | {"处理": "确认无误", "更正值": ""}])
    _, processed = run(year, ledger)
    assert city_total(processed, "funding_county") == pytest.approx(YUAN + 8.25)  # the value stays
    found = processed.issues[processed.issues["code"] == "money_in_yuan_suspect"]
    assert found["status"].tolist() == ["confirmed"]
    assert "money_in_yuan_suspect" not in set(open_findings(processed.issues)["code"])
    assert value_row(processed, SUIXIAN, "funding_county")["status"] == "accepted"


def test_a_pending_row_changes_nothing(year, tmp_path):
    ledger = fill(tmp_path / "review" / "2023.xlsx", [YUAN_FIX | {"处理": "待核实"}])
    _, processed = run(year, ledger)
    assert city_total(processed, "funding_county") == pytest.approx(YUAN + 8.25)
    assert processed.issues.loc[processed.issues["code"] == "money_in_yuan_suspect", "status"].tolist() == ["open"]


def test_correcting_an_unparsed_value_settles_its_reading_finding(year, tmp_path):
    fix = {
        "单位": "广水市",
        "项目": "events_held",
        "问题代码": "value_unknown",
        "文件": GUANGSHUI,
        "原值": "待统计",
        "处理": "更正",
        "更正值": "35场",
        "依据": "单位补报",
    }
    _, processed = run(year, fill(tmp_path / "review" / "2023.xlsx", [fix]))
    assert city_total(processed, "events_held") == 12 + 35
    assert processed.returns.set_index("unit").loc["广水市", "events_held"] == 35
    unknown = processed.issues[processed.issues["code"] == "value_unknown"]
    assert unknown["status"].tolist() == ["corrected"]


def test_a_phoned_in_blank_field_is_corrected_without_a_file(tmp_path):
    raw = tmp_path / "raw" / "2023"
    write_xlsx(raw / SUIXIAN, vertical_form(with_values(SAMPLE, media_outlets=None), stamp="随县"))
    fix = {
        "单位": "随县",
        "项目": "参与媒体数量",
        "问题代码": "field_not_reported",
        "处理": "更正",
        "更正值": 4,
        "依据": "电话补报",
    }
    _, processed = run(raw, fill(tmp_path / "review" / "2023.xlsx", [fix]))
    assert processed.returns.set_index("unit").loc["随县", "media_outlets"] == 4
    assert "field_not_reported" not in codes(processed)


def test_a_missing_return_can_be_confirmed(year, tmp_path):
    confirm = {"单位": "市教育局", "问题代码": "missing_return", "处理": "确认无误", "依据": "该单位本年度未开展活动"}
    _, processed = run(year, fill(tmp_path / "review" / "2023.xlsx", [confirm]))
    missing = processed.issues[processed.issues["code"] == "missing_return"].set_index("unit")["status"]
    assert missing["市教育局"] == "confirmed" and missing["曾都区"] == "open"


def test_a_revised_file_makes_the_row_stale_and_changes_nothing(year, tmp_path):
    write_xlsx(
        year / "随县/随县统计表（修改版）.xlsx", vertical_form(with_values(SAMPLE, funding_county=280000), stamp="随县")
    )
    _, processed = run(year, fill(tmp_path / "review" / "2023.xlsx", [YUAN_FIX]))
    assert city_total(processed, "funding_county") == pytest.approx(280000 + 8.25)
    stale = processed.issues[processed.issues["code"] == "review_stale"]
    assert stale[["cell", "unit"]].values.tolist() == [["A2", "随县"]]
    assert stale["source_file"].iloc[0].endswith("review/2023.xlsx")
    assert "重新报送" in stale["message"].iloc[0]


def test_a_changed_original_value_makes_the_row_stale(year, tmp_path):
    _, processed = run(year, fill(tmp_path / "review" / "2023.xlsx", [YUAN_FIX | {"原值": 305000}]))
    assert city_total(processed, "funding_county") == pytest.approx(YUAN + 8.25)
    (message,) = processed.issues.loc[processed.issues["code"] == "review_stale", "message"]
    assert "305000" in message and "304000" in message


@pytest.mark.parametrize(
    "change, code",
    [
        ({"处理": "同意"}, "review_invalid"),
        ({"单位": "随州市不存在局"}, "review_unknown_unit"),
        ({"项目": "不存在的项目"}, "review_unknown_field"),
        ({"文件": "随县/没有这个文件.xlsx"}, "review_unknown_file"),
        ({"更正值": -30.4}, "review_invalid"),
        ({"更正值": "约三十"}, "review_invalid"),
        ({"更正值": ""}, "review_invalid"),
        (
            {"项目": "staff_fulltime", "原值": 15, "单元格": "C13", "更正值": 12.5},
            "review_invalid",
        ),  # a fraction of a person
    ],
)
def test_a_bad_row_is_one_issue_and_changes_no_number(year, tmp_path, change, code):
    _, processed = run(year, fill(tmp_path / "review" / "2023.xlsx", [YUAN_FIX | change]))
    assert city_total(processed, "funding_county") == pytest.approx(YUAN + 8.25)
    assert city_total(processed, "staff_fulltime") == 30
    bad = processed.issues[processed.issues["code"].str.startswith("review_")]
    assert bad[["code", "cell", "severity", "status"]].values.tolist() == [[code, "A2", "warning", "open"]]
    assert "第 2 行" in bad["message"].iloc[0] and bad["source_file"].iloc[0].endswith("2023.xlsx")
    assert set(processed.values["status"]) <= {"accepted"}


@pytest.mark.parametrize("content", [b"not a workbook", b""])
def test_an_unreadable_ledger_is_one_issue(year, tmp_path, content):
    ledger = tmp_path / "review" / "2023.xlsx"
    ledger.parent.mkdir(parents=True)
    ledger.write_bytes(content)
    _, processed = run(year, ledger)
    assert city_total(processed, "funding_county") == pytest.approx(YUAN + 8.25)
    assert processed.issues.loc[processed.issues["code"] == "review_unreadable", "severity"].tolist() == ["warning"]


def test_a_ledger_with_another_header_is_one_issue(year, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["单位", "项目", "处理"])
    wb.active.append(["随县", "县级财政经费投入情况", "更正"])
    path = tmp_path / "review" / "2023.xlsx"
    path.parent.mkdir(parents=True)
    wb.save(path)
    ledger = read_ledger(path)
    assert ledger.rows == () and [i.code for i in ledger.problems] == ["review_unreadable"]
    assert "单位，项目，问题代码" in ledger.problems[0].message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_a_csv_ledger_works_like_the_workbook(year, tmp_path, encoding):
    ledger = fill_csv(tmp_path / "review.csv", [YUAN_FIX], encoding)
    _, processed = run(year, ledger)
    assert city_total(processed, "funding_county") == pytest.approx(30.4 + 8.25)


def test_review_writes_a_row_per_open_finding_and_keeps_decisions(year, tmp_path):
    run(year)
    processed, ledger = tmp_path / "processed" / "2023", tmp_path / "review" / "2023.xlsx"
    _, new, total = update_ledger(processed, ledger)
    rows = read_ledger(ledger).rows
    assert new == total == len(rows) == len(open_findings(load_processed(processed).issues))
    yuan = next(r for r in rows if r.code == "money_in_yuan_suspect")
    assert (yuan.unit, yuan.item, yuan.source_file, yuan.cell, yuan.original, yuan.action) == (
        "随县",
        "县级财政经费投入情况",
        SUIXIAN,
        "C8",
        "304000",
        "待核实",
    )
    assert "30.4 万元" in yuan.remark  # the check's own suggestion
    units = [r.unit for r in rows]
    assert units == sorted(units, key=units.index) and len({u for u in units}) == len(
        [u for i, u in enumerate(units) if i == 0 or units[i - 1] != u]
    )  # each unit's rows together
    # a person settles the 元 value in Excel, and the year is run again
    wb = openpyxl.load_workbook(ledger)
    ws = wb.worksheets[0]
    ws.cell(yuan.row, HEADER.index("处理") + 1, "更正")
    ws.cell(yuan.row, HEADER.index("更正值") + 1, 30.4)
    ws.cell(yuan.row, HEADER.index("依据") + 1, "电话核实")
    wb.save(ledger)
    run(year, ledger)
    _, new, total = update_ledger(processed, ledger)
    again = read_ledger(ledger).rows
    assert new == 0 and total == len(rows)
    assert [(r.code, r.unit) for r in again] == [(r.code, r.unit) for r in rows]  # same order
    kept = next(r for r in again if r.code == "money_in_yuan_suspect")
    assert (kept.action, kept.corrected, kept.basis) == ("更正", "30.4", "电话核实")
    assert city_total(load_processed(processed), "funding_county") == pytest.approx(30.4 + 8.25)


def test_review_marks_rows_whose_finding_is_gone_and_adds_new_ones_beside_their_unit(year, tmp_path):
    run(year)
    processed, ledger = tmp_path / "processed" / "2023", tmp_path / "review" / "2023.xlsx"
    update_ledger(processed, ledger)
    before = read_ledger(ledger).rows
    # 随县 sends a revised file: the 元 value is fixed, a new problem (待统计) appears
    write_xlsx(
        year / "随县/随县统计表（修改版）.xlsx",
        vertical_form(with_values(SAMPLE, public_online="待统计"), stamp="随县"),
    )
    run(year, ledger)
    update_ledger(processed, ledger)
    after = read_ledger(ledger).rows
    old = next(r for r in after if r.code == "money_in_yuan_suspect")
    assert "本次运行未再出现" in old.remark and old.action == "待核实"
    new = next(r for r in after if r.code == "value_unknown" and r.unit == "随县")
    suixian = [i for i, r in enumerate(after) if r.unit == "随县"]
    assert suixian == list(range(suixian[0], suixian[0] + len(suixian)))  # together
    assert new.original == "待统计" and len(after) == len(before) + 1
