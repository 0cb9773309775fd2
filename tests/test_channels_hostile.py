"""Bad input through the channels: each becomes one located issue, never a crash of the batch."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from export_builders import wjx_rows
from fixtures import SAMPLE, file_row, ingest_folder, issues_of, return_of, write_vertical_xlsx
from hostile import write_zip_bomb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mail_builders import CHINA, XLSX, mail, write_eml

from analysis.form import FIELD_KEYS
from analysis.intake.assemble import all_members
from analysis.intake.read_file import process_file
from analysis.intake.safety import Limits

ANSWERS = [SAMPLE[k] for k in FIELD_KEYS]
JUNE = datetime(2023, 6, 4, 9, tzinfo=CHINA)


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "2023"
    form = write_vertical_xlsx(root / "x.xlsx", SAMPLE, stamp="").read_bytes()
    bomb = write_zip_bomb(root / "bomb.xlsx").read_bytes()
    write_eml(
        raw / "炸弹.eml",
        mail("随县科经局 <a@example.cn>", "统计表", JUNE, [("统计表.xlsx", form, XLSX), ("炸弹.xlsx", bomb, XLSX)]),
    )
    (raw / "长导出.csv").parent.mkdir(parents=True, exist_ok=True)
    (raw / "长导出.csv").write_bytes(_csv(wjx_rows([("2023/6/1 10:00", "随县", ANSWERS)] * 100_000)))
    wide = wjx_rows([("2023/6/1 10:00", "随县", ANSWERS)] * 2)
    wide = [row + [f"备注{i}" if n == 0 else "" for i in range(10_000)] for n, row in enumerate(wide)]
    (raw / "宽导出.csv").write_bytes(_csv(wide))
    return ingest_folder(raw)


def test_attachment_bomb_is_one_issue_at_the_attachment(hostile):
    found = issues_of(hostile, "炸弹.eml/炸弹.xlsx")
    assert found[["severity", "code"]].values.tolist() == [["error", "file_limit_unzipped"]]
    assert return_of(hostile, "炸弹.eml/统计表.xlsx")["unit"] == "随县"  # the other attachment is read


def test_too_many_attachments_is_one_issue_at_the_mail(tmp_path):
    write_eml(
        tmp_path / "2023" / "太多.eml",
        mail(
            "广水市科经局 <b@example.cn>",
            "材料",
            JUNE,
            [(f"照片{i}.jpg", b"\xff\xd8\xff" + bytes(10), "image/jpeg") for i in range(6)],
        ),
    )
    result = ingest_folder(tmp_path / "2023", limits=Limits(max_members=5))
    found = issues_of(result, "太多.eml")
    assert found[["severity", "code"]].values.tolist() == [["error", "file_limit_members"]]
    assert file_row(result, "太多.eml")["status"] == "error"


def test_export_of_100000_rows_is_one_issue(hostile):
    found = issues_of(hostile, "长导出.csv")
    assert found[["severity", "code"]].values.tolist() == [["error", "file_limit_cells"]]


def test_export_of_10000_columns_is_one_issue(hostile):
    found = issues_of(hostile, "宽导出.csv")
    assert found[["severity", "code"]].values.tolist() == [["error", "form_export_too_large"]]
    assert found["message"].tolist() == [
        "在线表单导出表有 2 行、10027 列，超过上限 20000 行、1000 列（form_export."
        "MAX_EXPORT_ROWS / MAX_EXPORT_COLUMNS），未读取。请只导出本次科技活动周的问卷结果"
        "后重新放入。"
    ]


def _mutated(data: bytes, changes: list[tuple[int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, chunk in changes:
        at = position % max(1, len(out))
        out[at : at + len(chunk)] = chunk
    return bytes(out)


@pytest.fixture(scope="module")
def clean_mail_and_msg(tmp_path_factory):
    from cfb_writer import write_msg

    folder = tmp_path_factory.mktemp("fuzz")
    form = write_vertical_xlsx(folder / "x.xlsx", SAMPLE, stamp="随县").read_bytes()
    eml = bytes(mail("随县科经局 <a@example.cn>", "统计表", JUNE, [("统计表.xlsx", form, XLSX)]))
    msg = write_msg("随县科经局", "a@example.cn", "统计表", JUNE, [("统计表.xlsx", form)])
    return folder, eml, msg


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(st.tuples(st.integers(0, 2**31 - 1), st.binary(min_size=1, max_size=24)), min_size=1, max_size=4),
    ext=st.sampled_from([".eml", ".msg", ".mbox"]),
)
def test_mutated_mail_never_raises_nor_invents(clean_mail_and_msg, changes, ext):
    folder, eml, msg = clean_mail_and_msg
    data = _mutated(msg if ext == ".msg" else (b"From x\n" + eml if ext == ".mbox" else eml), changes)
    path = folder / f"m{ext}"
    path.write_bytes(data)
    outcome = process_file(path, path.name, 2023)
    for member in all_members(outcome):
        for cell in member.parsed:  # an attachment survives whole (the zip's CRC) or loses values, never changes one
            if cell.value is not None and cell.key in SAMPLE:
                assert cell.value == pytest.approx(SAMPLE[cell.key])
