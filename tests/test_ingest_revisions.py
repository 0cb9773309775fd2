"""Several tables from one unit: the newest is accepted, the others superseded and never summed."""

from __future__ import annotations

import os
import shutil
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
    with_values,
    write_docx,
    write_xlsx,
)

from analysis.form import FIELD_KEYS

OLD = SAMPLE
NEW = with_values(SAMPLE, events_held=15, public_offline=18000, funding_county=9.5)
NEW_EXPECTED = {k: float(v) for k, v in NEW.items()}
T0 = 1_685_000_000  # 2023-05-25


def write(path: Path, values, mtime: int, stamp: str = "随县科经局") -> Path:
    if path.suffix == ".docx":
        write_docx(path, vertical_form(values, stamp=stamp))
    else:
        write_xlsx(path, vertical_form(values, stamp=stamp))
    os.utime(path, (mtime, mtime))
    return path


def check_newest_accepted(result, new: str, old: str, unit: str = "随县") -> None:
    assert list(result.returns["source_file"]) == [new]
    row = return_of(result, new)
    assert row["unit"] == unit
    assert numbers(row) == NEW_EXPECTED  # not OLD, and not OLD + NEW (15 + 12 = 27 events would be summed)
    assert (file_row(result, new)["status"], file_row(result, old)["status"]) == ("accepted", "superseded")
    assert file_row(result, old)["unit"] == unit
    values = result.values[result.values["field"].isin(FIELD_KEYS)]
    assert sorted(values.loc[values["source_file"] == new, "status"]) == ["accepted"] * 20
    assert sorted(values.loc[values["source_file"] == old, "status"]) == ["superseded"] * 20
    old_events = values[(values["source_file"] == old) & (values["field"] == "events_held")]
    assert list(old_events["value"]) == [12.0]
    noted = issues_of(result, old, "superseded_revision")
    assert list(noted["severity"]) == ["info"]
    assert noted.iloc[0]["unit"] == unit
    assert issues_of(result, new, "superseded_revision").empty


# (older revision, newer revision); the newer one is written with the OLDER modification time,
# so only its name can tell.
BY_NAME = [
    ("随县统计表.xlsx", "随县统计表（修改版）.xlsx"),
    ("随县统计表.xlsx", "随县统计表-更正.xlsx"),
    ("随县统计表（修改版）.xlsx", "随县统计表（最终版）.xlsx"),
    ("随县统计表v1.xlsx", "随县统计表v2.xlsx"),
    ("随县统计表.xlsx", "随县统计表v2.xlsx"),
    ("随县统计表.docx", "随县统计表（修改版）.xlsx"),
    ("随县/统计表.xlsx", "随县/统计表（更正）.xlsx"),
    # Windows names a second copy "(2)": read as a revision marker (version 2), so the copy wins over the
    # original even when its file time is older — a decision pinned here.
    ("随县统计表.xlsx", "随县统计表(2).xlsx"),
    ("随县统计表.xlsx", "随县统计表（2）.xlsx"),
]


@pytest.mark.parametrize("old, new", BY_NAME, ids=[n for _, n in BY_NAME])
def test_revision_named_in_the_file_name_wins(tmp_path: Path, old: str, new: str):
    raw = tmp_path / "raw"
    stamp = "" if "/" in old else "随县科经局"
    write(raw / old, OLD, T0 + 3600, stamp)
    write(raw / new, NEW, T0, stamp)
    check_newest_accepted(ingest_folder(raw), new, old)


@pytest.mark.parametrize(
    "old, new", [("随县统计表.xlsx", "随县科技活动周.xlsx"), ("随县科技活动周.xlsx", "随县统计表.xlsx")]
)
def test_newer_modification_time_wins(tmp_path: Path, old: str, new: str):
    raw = tmp_path / "raw"
    write(raw / old, OLD, T0)
    write(raw / new, NEW, T0 + 3600)
    check_newest_accepted(ingest_folder(raw), new, old)


def test_identical_duplicate_counts_once(tmp_path: Path):
    raw = tmp_path / "raw"
    first = write(raw / "随县统计表.xlsx", SAMPLE, T0)
    shutil.copy2(first, raw / "随县统计表 - 副本.xlsx")
    result = ingest_folder(raw)
    assert len(result.returns) == 1
    assert numbers(result.returns.iloc[0]) == {k: float(v) for k, v in SAMPLE.items()}
    statuses = sorted(result.files["status"])
    assert statuses == ["accepted", "superseded"]
    assert result.files["sha256"].nunique() == 1


def test_three_revisions(tmp_path: Path):
    raw = tmp_path / "raw"
    write(raw / "随县统计表.xlsx", OLD, T0)
    write(raw / "随县统计表v2.xlsx", with_values(OLD, events_held=13), T0 + 60)
    write(raw / "随县统计表v3.xlsx", NEW, T0 + 120)
    result = ingest_folder(raw)
    assert numbers(return_of(result, "随县统计表v3.xlsx")) == NEW_EXPECTED
    assert sorted(result.files["status"]) == ["accepted", "superseded", "superseded"]
    assert len(result.issues[result.issues["code"] == "superseded_revision"]) == 2


def test_different_units_are_both_accepted(tmp_path: Path):
    raw = tmp_path / "raw"
    write(raw / "随县统计表.xlsx", OLD, T0)
    write(raw / "广水市统计表（修改版）.xlsx", NEW, T0, stamp="广水市")
    result = ingest_folder(raw)
    assert sorted(result.returns["unit"]) == ["广水市", "随县"]
    assert set(result.files["status"]) == {"accepted"}
    assert result.issues[result.issues["code"] == "superseded_revision"].empty
