"""Archives: zip (GBK names without the UTF-8 flag, UTF-8 names, nested folders), 7z, rar; members read in memory."""

from __future__ import annotations

import hashlib
import random
import zipfile
from pathlib import Path

import pytest
from archive_builders import write_7z, write_zip
from fixtures import (
    SAMPLE,
    file_row,
    ingest_folder,
    issues_of,
    numbers,
    return_of,
    value_of,
    vertical_form,
    with_values,
    write_docx,
    write_photo,
    write_summary_docx,
    write_units_csv,
    write_xlsx,
)

OTHER = with_values(SAMPLE, events_held=7, public_offline=900)
VIDEO = b"\x00\x00\x00\x18ftypmp42" + random.Random(15).randbytes(3 * 1024**2)  # streamed and hashed, not held


def _bytes(tmp: Path, write, name: str, *args) -> bytes:
    return write(tmp / "staging" / name, *args).read_bytes()


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("archives")
    raw = base / "2023"
    xlsx = _bytes(base, write_xlsx, "a.xlsx", vertical_form(SAMPLE, stamp=""))
    docx = _bytes(base, write_docx, "b.docx", vertical_form(OTHER, stamp="随县"))
    photo = _bytes(base, write_photo, "c.jpg")
    summary = _bytes(base, write_summary_docx, "d.docx")
    members = {
        "曾都区材料/统计表.xlsx": xlsx,
        "曾都区材料/活动照片1.jpg": photo,
        "曾都区材料/工作总结.docx": summary,
        "曾都区材料/Thumbs.db": b"\x00" * 10,
        "曾都区材料/活动视频.mp4": VIDEO,
    }
    write_zip(raw / "曾都区材料.zip", members, gbk=True)
    write_zip(raw / "报送材料.zip", {"随县/2023/开展情况.docx": docx})  # UTF-8 names (flag set), unit from the stamp
    write_7z(raw / "广水市.7z", {"统计表.xlsx": xlsx})
    inner = write_zip(base / "staging" / "inner.zip", {"高新区统计表.xlsx": xlsx}).read_bytes()
    write_zip(raw / "高新区.zip", {"内层.zip": inner})
    innermost = write_zip(base / "staging" / "deep2.zip", {"内层.zip": inner}).read_bytes()
    write_zip(raw / "市科协.zip", {"第二层.zip": innermost})
    (raw / "市教育局.rar").write_bytes(b"Rar!\x1a\x07\x01\x00" + bytes(64))
    return ingest_folder(raw), {"xlsx": xlsx, "photo": photo, "summary": summary}


def test_gbk_zip_members_are_read_with_decoded_names(archives) -> None:
    result, data = archives
    name = "曾都区材料.zip/曾都区材料/统计表.xlsx"
    row = return_of(result, name)
    assert numbers(row) == numbers(SAMPLE)
    assert row["unit"] == "曾都区"  # from the folder and archive names: no stamp in the form
    assert value_of(result, name, "events_held")["cell"] == "C3"
    row = file_row(result, name)
    received_from = row.pop("received_from")
    row.pop("received")
    assert row == {
        "source_file": name,
        "kind": "form",
        "status": "accepted",
        "unit": "曾都区",
        "sha256": hashlib.sha256(data["xlsx"]).hexdigest(),
    }
    assert received_from == "文件修改时间"  # a member was received with its archive


def test_files_lists_the_archive_and_each_member(archives) -> None:
    result, data = archives
    assert file_row(result, "曾都区材料.zip")["kind"] == "other"
    assert file_row(result, "曾都区材料.zip")["status"] == "skipped"
    photo = file_row(result, "曾都区材料.zip/曾都区材料/活动照片1.jpg")
    assert (photo["kind"], photo["status"], photo["unit"]) == ("photo", "skipped", "曾都区")
    assert photo["sha256"] == hashlib.sha256(data["photo"]).hexdigest()
    assert file_row(result, "曾都区材料.zip/曾都区材料/工作总结.docx")["kind"] == "summary"
    video = file_row(result, "曾都区材料.zip/曾都区材料/活动视频.mp4")
    assert (video["kind"], video["unit"], video["sha256"]) == ("video", "曾都区", hashlib.sha256(VIDEO).hexdigest())
    system = file_row(result, "曾都区材料.zip/曾都区材料/Thumbs.db")
    assert (system["kind"], system["unit"]) == ("other", "")
    assert issues_of(result, "曾都区材料.zip").empty


def test_utf8_zip_with_nested_folders_takes_the_unit_from_the_stamp(archives) -> None:
    result, _ = archives
    row = return_of(result, "报送材料.zip/随县/2023/开展情况.docx")
    assert row["unit"] == "随县"
    assert numbers(row) == numbers(OTHER)


def test_7z_member(archives) -> None:
    result, data = archives
    row = return_of(result, "广水市.7z/统计表.xlsx")
    assert (row["unit"], numbers(row)) == ("广水市", numbers(SAMPLE))
    assert file_row(result, "广水市.7z/统计表.xlsx")["sha256"] == hashlib.sha256(data["xlsx"]).hexdigest()


def test_archive_in_archive_one_level_deep(archives) -> None:
    result, _ = archives
    row = return_of(result, "高新区.zip/内层.zip/高新区统计表.xlsx")
    assert (row["unit"], numbers(row)) == ("随州高新区", numbers(SAMPLE))
    deeper = issues_of(result, "市科协.zip/第二层.zip/内层.zip", "archive_too_deep")
    assert list(deeper["severity"]) == ["warning"]
    assert "市科协" not in set(result.returns["unit"])


def test_rar_is_a_clear_issue_naming_the_file(archives) -> None:
    result, _ = archives
    rar = issues_of(result, "市教育局.rar")
    assert list(rar["code"]) == ["archive_rar_unsupported"] and list(rar["severity"]) == ["error"]
    assert file_row(result, "市教育局.rar")["unit"] == "市教育局"


def test_an_empty_zip_is_inventoried_without_issues(tmp_path: Path) -> None:
    raw = tmp_path / "2023"
    raw.mkdir()
    with zipfile.ZipFile(raw / "空.zip", "w"):
        pass
    result = ingest_folder(raw)
    assert list(result.files["source_file"]) == ["空.zip"] and result.issues.empty


def test_video_members_are_timed_in_the_worker(tmp_path: Path) -> None:
    from analysis.demo.media import minimal_mp4
    from analysis.pipeline import process_year

    raw = tmp_path / "2023"
    xlsx = write_xlsx(tmp_path / "staging" / "a.xlsx", vertical_form(SAMPLE, stamp="随县")).read_bytes()
    write_zip(
        raw / "随县材料.zip",
        {"随县/统计表.xlsx": xlsx, "随县/活动视频.mp4": minimal_mp4(205), "随县/短视频.mp4": minimal_mp4(59.5)},
        gbk=True,
    )
    outcome = process_year(
        raw, tmp_path / "out", year=2023, workers=1, units_csv=write_units_csv(tmp_path / "units.csv")
    )
    assert outcome.result.video_seconds == {
        "随县材料.zip/随县/活动视频.mp4": pytest.approx(205.0),
        "随县材料.zip/随县/短视频.mp4": pytest.approx(59.5),
    }
    issues = outcome.result.issues
    videos = issues[issues["code"].str.startswith("video_")]
    assert list(zip(videos["code"], videos["source_file"])) == [("video_too_long", "随县材料.zip/随县/活动视频.mp4")]
    assert "3分25秒" in videos["message"].iloc[0]
