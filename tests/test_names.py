"""File names that are not valid UTF-8 (a Chinese-Windows zip unpacked on Linux): never fatal, shown readably."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from fixtures import SAMPLE, file_row, ingest_folder, issues_of, numbers, return_of, vertical_form, write_xlsx

from analysis.intake.source import DecodedName, decode_name

GBK_SUIXIAN = "随县".encode("gbk")  # b'\xcb\xe6\xcf\xd8'


def _bytes_path(folder: Path, *parts: bytes) -> bytes:
    return os.path.join(os.fsencode(folder), *parts)


def test_decode_name_utf8_gbk_and_escapes() -> None:
    assert decode_name("曾都区.xlsx".encode()) == DecodedName("曾都区.xlsx", "utf-8")
    assert decode_name(GBK_SUIXIAN + b".xlsx") == DecodedName("随县.xlsx", "gb18030")
    assert decode_name(b"\xff\xfe.xlsx") == DecodedName("\\xff\\xfe.xlsx", "escaped")
    assert decode_name(b"") == DecodedName("", "utf-8")


def test_gbk_names_on_disk_are_read_and_every_output_is_utf8(tmp_path: Path) -> None:
    raw = tmp_path / "2023"
    raw.mkdir()
    staging = write_xlsx(tmp_path / "form.xlsx", vertical_form(SAMPLE, stamp=""))
    data = staging.read_bytes()
    with open(_bytes_path(raw, GBK_SUIXIAN + b".xlsx"), "wb") as fh:  # 随县.xlsx in GBK
        fh.write(data)
    os.mkdir(_bytes_path(raw, "曾都区".encode("gbk")))
    with open(_bytes_path(raw, "曾都区".encode("gbk"), "统计表.xlsx".encode()), "wb") as fh:  # GBK folder, UTF-8 file
        fh.write(data)
    with open(_bytes_path(raw, b"\xff\xfe\xfd.xlsx"), "wb") as fh:  # neither UTF-8 nor GB18030
        fh.write(data)
    out = tmp_path / "out"
    result = ingest_folder(raw, out_dir=out)

    assert numbers(return_of(result, "随县.xlsx")) == numbers(SAMPLE)
    assert return_of(result, "随县.xlsx")["unit"] == "随县"
    assert return_of(result, "曾都区/统计表.xlsx")["unit"] == "曾都区"
    assert file_row(result, "\\xff\\xfe\\xfd.xlsx")["status"] == "accepted"
    gbk = issues_of(result, "随县.xlsx", "file_name_not_utf8")
    assert list(gbk["severity"]) == ["info"] and "随县.xlsx" in gbk["message"].iloc[0]
    assert list(issues_of(result, "\\xff\\xfe\\xfd.xlsx", "file_name_not_utf8")["severity"]) == ["warning"]
    assert issues_of(result, "曾都区/统计表.xlsx", "file_name_not_utf8").empty  # the file's own name is UTF-8
    for path in sorted(out.iterdir()):
        if path.suffix in (".csv", ".json"):
            path.read_bytes().decode("utf-8")  # raises when not valid UTF-8
    files = pd.read_parquet(out / "files.parquet")
    assert sorted(files["source_file"]) == ["\\xff\\xfe\\xfd.xlsx", "曾都区/统计表.xlsx", "随县.xlsx"]


def test_utf8_names_get_no_name_issue(tmp_path: Path) -> None:
    raw = tmp_path / "2023"
    write_xlsx(raw / "随县.xlsx", vertical_form(SAMPLE, stamp=""))
    result = ingest_folder(raw)
    assert result.issues[result.issues["code"] == "file_name_not_utf8"].empty
