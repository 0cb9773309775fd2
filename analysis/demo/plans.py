"""The planted problems of each demo year (who sends late, types 元, forgets to send…) and the file layouts units
use, and the rows that record where each problem was planted."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPlan:
    """Who does what in one demo year: the planted problems and the file layouts."""

    missing: str
    revised: str
    yuan: str  # county typing 县级财政 in 元 as a bare number
    unknown: tuple[str, str]  # (unit, field) written as 待统计
    few_reports: str  # county with a single media report (the same small one every year: no year-on-year jump)
    late: str
    long_video: str
    short_video: str
    layouts: dict[str, str]  # units not sending the Word table
    csv_encoding: str
    csv_header_rows: int


PLANS = {
    2021: DemoPlan(
        "市地震局",
        "市科协",
        "广水市",
        ("市卫健委", "public_online"),
        "大洪山风景名胜区",
        "市农业农村局",
        "随县",
        "曾都区",
        {
            "市气象局": "xlsx",
            "随州职业技术学院": "xlsx_help",
            "市教育局": "xls",
            "市农业科学院": "csv",
            "市自然资源和规划局": "xlsx_shift",
        },
        "utf-8-sig",
        1,
    ),
    2022: DemoPlan(
        "市应急管理局",
        "随县",
        "曾都区",
        ("市文化和旅游局", "staff_volunteers"),
        "大洪山风景名胜区",
        "市生态环境局",
        "广水市",
        "随县",
        {
            "市气象局": "xlsx",
            "随州职业技术学院": "xlsx_hidden",
            "市教育局": "xls",
            "市农业科学院": "csv",
            "市地震局": "ods",
            "市自然资源和规划局": "xlsx_shift",
        },
        "gb18030",
        2,
    ),
    2023: DemoPlan(
        "市自然资源和规划局",
        "广水市",
        "随县",
        ("市教育局", "public_offline"),
        "大洪山风景名胜区",
        "市卫健委",
        "曾都区",
        "广水市",
        {
            "市气象局": "xlsx_hidden",
            "随州职业技术学院": "xlsx_help",
            "市应急管理局": "xls",
            "市科协": "csv",
            "市农业科学院": "xlsx",
            "随州高新区": "xlsx_shift",
        },
        "utf-8",
        1,
    ),
    2024: DemoPlan(
        "市生态环境局",
        "市卫健委",
        "随州高新区",
        ("市农业农村局", "media_reports"),
        "大洪山风景名胜区",
        "市教育局",
        "随县",
        "大洪山风景名胜区",
        {
            "市气象局": "xlsx",
            "随州职业技术学院": "xlsx_hidden",
            "市地震局": "xls",
            "市农业科学院": "csv",
            "市文化和旅游局": "xlsx_shift",
        },
        "utf-8-sig",
        1,
    ),
}

PLANTED_COLUMNS = ("source_file", "unit", "field", "code", "note")


def planted_row(source_file: str, unit: str, code: str, note: str, field_key: str = "") -> dict[str, str]:
    """One row of ``<year>_planted.csv``: a planted problem where the checks must find it."""
    return {"source_file": source_file, "unit": unit, "field": field_key, "code": code, "note": note}
