"""Schema checks of the processed tables: valid tables pass, each kind of violation becomes a located issue."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.form import CAT_FUNDING, COUNT_KEYS, FIELD_KEYS, MONEY_KEYS
from analysis.review.schemas import validate_processed, validate_table


def returns(**over: list) -> pd.DataFrame:
    data = {
        "source_file": ["随县/a.xlsx", "曾都区.docx"],
        "unit": ["随县", "曾都区"],
        "unit_kind": ["county", "county"],
    }
    data |= {k: pd.array([12, pd.NA], dtype="Int64") for k in COUNT_KEYS}
    data |= {k: [1.5, np.nan] for k in MONEY_KEYS}
    return pd.DataFrame(data | over)


def values() -> pd.DataFrame:
    rows = [
        ("随县/a.xlsx", "随县", k, 1.0, "1", "Sheet1", f"C{n + 4}", "accepted", "") for n, k in enumerate(FIELD_KEYS)
    ]
    rows.append(
        ("随县/a.xlsx", "随县", f"subtotal:{CAT_FUNDING}", 3.0, "3", "Sheet1", "C12", "accepted", "单位填写的小计")
    )
    rows.append(("随县/old.xlsx", "随县", "events_held", np.nan, "", "Sheet1", "C4", "superseded", ""))
    return pd.DataFrame(
        rows, columns=["source_file", "unit", "field", "value", "raw_text", "sheet", "cell", "status", "note"]
    )


def issues() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "severity": ["warning", "info"],
            "code": ["value_unknown", "rows_summed"],
            "source_file": ["随县/a.xlsx", ""],
            "sheet": ["Sheet1", ""],
            "cell": ["C4", ""],
            "field": ["events_held", ""],
            "unit": ["随县", ""],
            "message": ["值为“不详”。", "已相加。"],
            "status": ["open", "confirmed"],
        }
    )


def files() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": ["随县/a.xlsx", "随县/1.jpg"],
            "kind": ["form", "photo"],
            "status": ["accepted", "skipped"],
            "unit": ["随县", None],
            "sha256": ["ab" * 32, "cd" * 32],
            "received": ["2023-06-01", ""],
            "received_from": ["邮件发送时间（Date）", "文件修改时间"],
        }
    )


def result(**over: pd.DataFrame) -> SimpleNamespace:
    return SimpleNamespace(**({"returns": returns(), "values": values(), "issues": issues(), "files": files()} | over))


def test_valid_tables_pass():
    assert validate_processed(result()) == []


def test_valid_tables_read_back_as_text_pass():
    as_csv = returns().astype({k: "float64" for k in COUNT_KEYS}).astype({"unit": "object"})
    assert validate_table("returns", as_csv) == []


def one(issues: list, **expected: str):
    assert len(issues) == 1, issues
    (issue,) = issues
    assert (issue.severity, issue.code) == ("error", "schema_violation")
    for key, value in expected.items():
        assert getattr(issue, key) == value, (key, issue)
    return issue


def test_negative_money():
    frame = returns(funding_county=[1.0, -2.0])
    issue = one(validate_table("returns", frame), field="funding_county", unit="曾都区", source_file="曾都区.docx")
    assert "不能为负数" in issue.message and "-2" in issue.message


def test_fractional_count():
    frame = returns(events_held=[12.0, 2.5])
    issue = one(validate_table("returns", frame), field="events_held", unit="曾都区")
    assert "应为整数" in issue.message and "2.5" in issue.message


def test_text_in_a_number_column():
    issue = one(validate_table("returns", returns(media_reports=["12", "十二"])), field="media_reports", unit="曾都区")
    assert "应为数值" in issue.message


def test_unknown_unit_kind():
    issue = one(validate_table("returns", returns(unit_kind=["county", "town"])), unit="曾都区", field="")
    assert "unit_kind" in issue.message and "town" in issue.message


def test_two_accepted_returns_of_one_unit():
    issue = one(validate_table("returns", returns(unit=["随县", "随县"])), unit="随县", source_file="")
    assert "不能重复" in issue.message


def test_missing_column():
    issue = one(validate_table("returns", returns().drop(columns=["open_venues"])))
    assert "缺少“open_venues”列" in issue.message


def test_values_violations():
    bad = values()
    bad.loc[0, "status"] = "maybe"
    bad.loc[1, "field"] = "events"
    bad.loc[2, "value"] = -1.0
    got = {(i.unit, i.source_file, i.message.split("（")[0]) for i in validate_table("values", bad)}
    assert got == {
        ("随县", "随县/a.xlsx", "处理结果表 values.csv 的“status”列取值不在允许范围内"),
        ("随县", "随县/a.xlsx", "处理结果表 values.csv 的“field”列应为表单项目"),
        ("随县", "随县/a.xlsx", "处理结果表 values.csv 的“value”列不能为负数"),
    }


def test_values_duplicate_field():
    bad = pd.concat([values(), values().iloc[[0]]], ignore_index=True)
    issue = one(validate_table("values", bad), source_file="随县/a.xlsx")
    assert "不能重复" in issue.message


@pytest.mark.parametrize(
    "column, value, words",
    [
        ("severity", "fatal", "取值不在允许范围内"),
        ("code", "Bad Code", "格式不符"),
        ("message", "", "不能为空"),
        ("status", "done", "取值不在允许范围内"),
    ],
)
def test_issues_violations(column, value, words):
    bad = issues()
    bad.loc[1, column] = value
    issue = one(validate_table("issues", bad))
    assert f"“{column}”列" in issue.message and words in issue.message


@pytest.mark.parametrize("column, value", [("kind", "picture"), ("status", "done"), ("sha256", "xyz")])
def test_files_violations(column, value):
    bad = files()
    bad.loc[1, column] = value
    issue = one(validate_table("files", bad), source_file="随县/1.jpg")
    assert f"“{column}”列" in issue.message


def test_validate_processed_collects_every_table_and_skips_absent_ones():
    bad_files = files().assign(kind=["form", "picture"])
    got = validate_processed(result(returns=returns(funding_county=[1.0, -2.0]), files=bad_files))
    assert sorted(i.message.split(" ")[1] for i in got) == ["files.csv", "returns.csv"]
    assert validate_processed(SimpleNamespace(returns=returns())) == []


# --- the year's form decides the columns and the known fields -------------------------------------------------
def _forms(tmp_path, *, extra: bool = False, drop: str = ""):
    from analysis.form import FORMS_DIR, load_form

    rows = (FORMS_DIR / "2023.csv").read_text(encoding="utf-8").splitlines()
    rows = [r for r in rows if not drop or f",{drop}," not in r]
    if extra:
        rows.append("21,science_lectures,科普活动开展次数,举办科普讲座次数,次,int,科普讲座,讲座场次")
    (tmp_path / "2025.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return load_form(tmp_path / "2025.csv")


def test_an_added_item_is_a_known_field_and_a_checked_column_in_its_year_only(tmp_path):
    form = _forms(tmp_path, extra=True)
    v = pd.concat(
        [
            values(),
            pd.DataFrame(
                [
                    {
                        "source_file": "随县/a.xlsx",
                        "unit": "随县",
                        "field": "science_lectures",
                        "value": 4.0,
                        "raw_text": "4",
                        "sheet": "Sheet1",
                        "cell": "C25",
                        "status": "accepted",
                        "note": "",
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    assert validate_table("values", v, form) == []
    assert one(validate_table("values", v), source_file="随县/a.xlsx").message.count("field") == 1  # today's form
    r = returns(science_lectures=pd.array([4, pd.NA], dtype="Int64"))
    assert validate_table("returns", r, form) == []
    assert one(validate_table("returns", returns(science_lectures=[1.5, np.nan]), form), field="science_lectures")
    assert one(validate_table("returns", returns(), form)).message.startswith(
        "处理结果表 returns.csv 缺少“science_lectures”列"
    )


def test_a_removed_item_is_no_column_of_its_year(tmp_path):
    form = _forms(tmp_path, drop="open_universities")
    assert validate_table("returns", returns().drop(columns=["open_universities"]), form) == []
    assert one(validate_table("returns", returns().drop(columns=["open_universities"])))  # today's form asks it
