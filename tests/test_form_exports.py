"""Online-form exports through the whole ingest: each row a return, unit from the answer, submit time received."""

from __future__ import annotations

import pytest
from export_builders import JINSHUJU_TAIL, TENCENT_META, TENCENT_QUESTIONS, WPS_HEADER, wjx_rows
from fixtures import (
    SAMPLE,
    Sheet,
    file_row,
    ingest_folder,
    issues_of,
    numbers,
    return_of,
    value_of,
    write_csv,
    write_wide_xlsx,
    write_xls,
    write_xlsx,
)

from analysis.form import FIELD_KEYS, FIELDS

ANSWERS = [SAMPLE[k] for k in FIELD_KEYS]
EXPECTED = {k: float(v) for k, v in SAMPLE.items()}
WJX = "问卷星/第1期_按文本.xlsx"


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory):
    raw = tmp_path_factory.mktemp("exports") / "2023"
    phone = ["约300", "(跳过)", *ANSWERS[2:5], "1.2万", *ANSWERS[6:]]  # funding_county typed as 1.2万 → 12000 万元?
    write_xlsx(
        raw / WJX,
        Sheet(
            "Sheet1",
            wjx_rows(
                [
                    ("2023/6/1 10:00:00", "曾都区科经局", ANSWERS),
                    ("2023/6/2 11:00:00", "随县", phone),
                    ("2023/6/3 09:00:00", "曾都区", [13, *ANSWERS[1:]]),
                    ("2023/6/4 09:00:00", "(跳过)", [1, 2, 3]),
                    ("2023/6/9 08:00:00", "广水市", ANSWERS),
                ]
            ),
        ),
    )
    tencent = [
        TENCENT_META + TENCENT_QUESTIONS,
        ["王五", "2023-06-05 16:20:01", "随州市教育局", *ANSWERS],
        ["李四", "2023-06-06 08:00:00", "", *[5] * 20],
        ["周八", "2023-06-06 09:00:00", "市科协", *["(跳过)"] * 20],
    ]
    write_csv(raw / "腾讯文档收集表.csv", Sheet("", tencent), encoding="gbk")
    jinshuju = [
        ["序号", *[f.split("、", 1)[1] for f in wjx_rows([])[0][6:]], *JINSHUJU_TAIL],
        [
            1,
            "市气象局",
            *ANSWERS,
            "赵六",
            "手机",
            "Android",
            "微信",
            "湖北省随州市",
            "1.2.3.4",
            "2023-06-02 12:00:00",
            "2023-06-02 12:00:00",
        ],
    ]
    write_xlsx(raw / "金数据导出.xlsx", Sheet("表单数据", jinshuju))
    write_xls(
        raw / "WPS表单数据.xls", Sheet("Sheet1", [WPS_HEADER, [1, "2023-06-03 15:04:05", "钱七", "市农科院", *ANSWERS]])
    )
    write_wide_xlsx(raw / "大洪山/乡镇汇总.xlsx", {"南郊街道": SAMPLE, "北郊街道": SAMPLE}, total=SAMPLE)
    return ingest_folder(raw)


def test_each_row_is_a_return_with_its_unit(exports):
    assert return_of(exports, f"{WJX}/第4行")["unit"] == "曾都区"
    assert return_of(exports, f"{WJX}/第6行")["unit"] == "广水市"
    assert numbers(return_of(exports, f"{WJX}/第6行")) == EXPECTED
    assert return_of(exports, "腾讯文档收集表.csv/第2行")["unit"] == "市教育局"
    assert numbers(return_of(exports, "金数据导出.xlsx/第2行")) == EXPECTED
    assert return_of(exports, "金数据导出.xlsx/第2行")["unit"] == "市气象局"
    wps = return_of(exports, "WPS表单数据.xls/第2行")
    assert wps["unit"] == "市农业科学院" and numbers(wps) == EXPECTED
    assert file_row(exports, "WPS表单数据.xls/第2行")["received"] == "2023-06-03"


def test_values_point_at_the_answer_cell(exports):
    value = value_of(exports, f"{WJX}/第3行", "events_held")
    assert (value["value"], value["raw_text"], value["sheet"], value["cell"]) == (300.0, "约300", "Sheet1", "H3")
    skipped = value_of(exports, f"{WJX}/第3行", "most_tasks")
    assert skipped["value"] != skipped["value"] and skipped["cell"] == "I3"  # NaN: not reported, not 0
    assert issues_of(exports, f"{WJX}/第3行", "value_unparsed").empty
    assert value_of(exports, "金数据导出.xlsx/第2行", "open_universities")["cell"] == "V2"


def test_later_submission_supersedes(exports):
    assert file_row(exports, f"{WJX}/第2行")["status"] == "superseded"
    assert file_row(exports, f"{WJX}/第4行")["status"] == "accepted"
    assert return_of(exports, f"{WJX}/第4行")["events_held"] == 13
    assert len(exports.returns[exports.returns["unit"] == "曾都区"]) == 1
    assert len(issues_of(exports, f"{WJX}/第2行", "superseded_revision")) == 1


def test_received_is_the_submit_time(exports):
    row = file_row(exports, f"{WJX}/第6行")
    assert (row["received"], row["received_from"]) == ("2023-06-09", "在线表单提交时间")
    assert file_row(exports, "腾讯文档收集表.csv/第2行")["received"] == "2023-06-05"
    assert file_row(exports, f"{WJX}")["received_from"] == "文件修改时间"


def test_rows_without_unit_are_located_issues(exports):
    wjx = issues_of(exports, f"{WJX}/第5行", "form_export_no_unit")
    assert wjx[["severity", "sheet", "cell"]].values.tolist() == [["warning", "Sheet1", "G5"]]
    assert file_row(exports, f"{WJX}/第5行")["status"] == "skipped"
    # 腾讯: no unit answer, but the submitter 李四 stands in: an unregistered name, said so
    assert return_of(exports, "腾讯文档收集表.csv/第3行")["unit"] == "李四"
    assert len(issues_of(exports, "腾讯文档收集表.csv/第3行", "unit_unknown")) == 1


def test_a_row_of_skipped_questions_is_not_a_return(exports):
    found = issues_of(exports, "腾讯文档收集表.csv/第4行")
    assert found[["severity", "code", "cell"]].values.tolist() == [["info", "form_export_blank_row", "C4"]]
    assert file_row(exports, "腾讯文档收集表.csv/第4行")["status"] == "skipped"
    assert "市科协" not in set(exports.returns["unit"])


def test_duplicate_answers_are_flagged(exports):
    found = issues_of(exports, f"{WJX}/第6行", "form_export_duplicate")
    assert found["message"].tolist() == ["第6行与第2行的各项数据完全相同：请核实是否重复提交或填错了单位。"]


def test_wide_table_of_towns_stays_one_return(exports):
    row = return_of(exports, "大洪山/乡镇汇总.xlsx")
    assert row["unit"] == "大洪山风景名胜区" and numbers(row) == EXPECTED
    assert issues_of(exports, "大洪山/乡镇汇总.xlsx", "form_export_uncertain").empty


def test_rows_are_never_given_the_folder_unit(tmp_path):
    rows = wjx_rows([("2023/6/1 10:00:00", "南郊街道", ANSWERS), ("2023/6/2 10:00:00", "北郊街道", [1] * 20)])
    write_xlsx(tmp_path / "2023" / "曾都区" / "乡镇问卷.xlsx", Sheet("Sheet1", rows))
    result = ingest_folder(tmp_path / "2023")
    assert sorted(result.returns["unit"]) == ["北郊街道", "南郊街道"]  # kept as written, not merged into 曾都区
    assert (result.files["status"] != "superseded").all()
    assert len(issues_of(result, "曾都区/乡镇问卷.xlsx/第2行", "unit_unknown")) == 1


def test_numbered_wide_table_of_towns_is_no_export(tmp_path):
    header = ["序号", "乡镇", *[f.label for f in FIELDS]]
    rows = [header, [1, "南郊街道", *ANSWERS], [2, "北郊街道", *ANSWERS], ["", "合计", *[2 * v for v in ANSWERS]]]
    write_xlsx(tmp_path / "2023" / "曾都区.xlsx", Sheet("Sheet1", rows))
    result = ingest_folder(tmp_path / "2023")
    assert return_of(result, "曾都区.xlsx")["events_held"] == 24
    assert issues_of(result, "曾都区.xlsx", "form_export_uncertain").empty
    assert issues_of(result, "曾都区.xlsx", "form_export").empty


def test_undecidable_table_is_a_warning_naming_the_file(tmp_path):
    rows = wjx_rows([("2023/6/1 10:00:00", "曾都区", ANSWERS), ("", "合计", ANSWERS)])
    write_xlsx(tmp_path / "2023" / "汇总.xlsx", Sheet("Sheet1", rows))
    result = ingest_folder(tmp_path / "2023")
    found = issues_of(result, "汇总.xlsx", "form_export_uncertain")
    assert found["message"].tolist() == [
        "无法判断“汇总.xlsx”是在线表单导出的汇总表（每行一个单位）还是一个单位的分项表"
        "（表中有“合计”行（第3行）），已按一个单位的报表读取。请核实；如是导出表，"
        "请保留导出时的表头后重新放入。"
    ]


def test_without_submit_time_the_later_row_counts(tmp_path):
    header = ["序号", "提交人", "单位名称", *[f.label for f in FIELDS]]
    others = [[n, "李四", f"乡镇{n}", n, *ANSWERS[1:]] for n in range(2, 10)]  # row 11 sorts before row 2 as text
    rows = [header, [1, "张三", "随县", *ANSWERS], *others, [10, "张三", "随县", 99, *ANSWERS[1:]]]
    write_xlsx(tmp_path / "2023" / "结果.xlsx", Sheet("Sheet1", rows))
    result = ingest_folder(tmp_path / "2023")
    assert return_of(result, "结果.xlsx/第11行")["events_held"] == 99
    assert file_row(result, "结果.xlsx/第2行")["status"] == "superseded"
    assert file_row(result, "结果.xlsx/第11行")["received_from"] == "文件修改时间"
