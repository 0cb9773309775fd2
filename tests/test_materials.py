"""Materials checklist: file sorting, unit attribution, video durations, issues."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.demo.media import minimal_mp4
from analysis.intake import media
from analysis.review import materials

ROSTER = ("曾都区", "随县", "广水市")


@pytest.mark.parametrize(
    "source, kind, expected",
    [
        ("随县/随县统计表.xlsx", "form", "form"),
        ("随县/科技活动周工作总结.docx", "summary", "summary"),
        ("随县/活动总结.pdf", "document", "summary"),
        ("随县/活动照片1.jpg", "photo", "photo"),
        ("随县/IMG_0001.PNG", "other", "photo"),
        ("随县/媒体报道汇编.pdf", "document", "media"),
        ("随县/随州日报新闻截图.png", "photo", "media"),
        ("随县/宣传片.MOV", "other", "video"),
        ("随县/新闻报道视频.mp4", "video", "video"),
        ("随县/~$随县统计表.xlsx", "other", "other"),
        ("随县/Thumbs.db", "other", "other"),
        ("随县/说明.zip", "other", "other"),
    ],
)
def test_material_of(source, kind, expected):
    assert materials.material_of(source, kind) == expected


def test_video_seconds(tmp_path):
    (tmp_path / "a.mp4").write_bytes(minimal_mp4(205))
    (tmp_path / "b.mov").write_bytes(minimal_mp4(59.5))
    (tmp_path / "broken.mp4").write_bytes(b"\x00\x00\x00\x08junk")
    (tmp_path / "c.avi").write_bytes(b"RIFF0000AVI ")
    assert media.video_seconds(tmp_path / "a.mp4") == pytest.approx(205.0)
    assert media.video_seconds(tmp_path / "b.mov") == pytest.approx(59.5)
    assert math.isnan(media.video_seconds(tmp_path / "broken.mp4"))
    assert math.isnan(media.video_seconds(tmp_path / "c.avi"))
    assert math.isnan(media.video_seconds(tmp_path / "missing.mp4"))


@pytest.mark.parametrize("seconds, text", [(205, "3分25秒"), (180.4, "3分00秒"), (59.6, "1分00秒"), (7, "0分07秒")])
def test_minutes_seconds(seconds, text):
    assert materials.minutes_seconds(seconds) == text


@pytest.fixture
def year_folder(tmp_path):
    """A year folder: 随县 complete in its own folder (one long video), 曾都区 with a summary at the top level only,
    广水市 a table and an unreadable video."""
    files = {
        "随县/随县统计表.xlsx": ("form", "accepted", "随县", b"x"),
        "随县/旧版统计表.xlsx": ("form", "superseded", "随县", b"x"),
        "随县/科技活动周工作总结.docx": ("summary", "skipped", "", b"x"),
        "随县/活动照片1.jpg": ("photo", "skipped", "", b"x"),
        "随县/活动照片2.jpg": ("photo", "skipped", "", b"x"),
        "随县/媒体报道汇编.pdf": ("document", "skipped", "", b"x"),
        "随县/宣传片.mp4": ("video", "skipped", "", minimal_mp4(200)),
        "随县/活动视频.mp4": ("video", "skipped", "", minimal_mp4(170)),
        "曾都区统计表.docx": ("form", "accepted", "曾都区", b"x"),
        "曾都区2023年科技活动周工作总结.docx": ("summary", "skipped", "", b"x"),
        "广水市/统计表.xls": ("form", "accepted", "广水市", b"x"),
        "广水市/视频.wmv": ("video", "skipped", "广水市", b"not a video"),
        "说明.txt": ("other", "skipped", "", b"x"),
    }
    for name, (*_, data) in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    frame = pd.DataFrame(
        [(name, kind, status, unit, "0" * 64) for name, (kind, status, unit, _) in files.items()],
        columns=["source_file", "kind", "status", "unit", "sha256"],
    )
    return tmp_path, frame


def found_in(raw, files):
    """The materials of ``files`` with the durations read from the real video files, as the pipeline does."""
    durations = {f: media.video_seconds(raw / f) for f in materials.video_files(files)}
    return materials.material_files(files, durations, ROSTER)


def test_video_files_are_the_videos_by_kind_or_name(year_folder):
    _, files = year_folder
    assert materials.video_files(files) == ["随县/宣传片.mp4", "随县/活动视频.mp4", "广水市/视频.wmv"]


def test_material_files(year_folder):
    raw, files = year_folder
    got = found_in(raw, files).set_index("source_file")
    assert got.loc["随县/活动照片1.jpg", "unit"] == "随县"  # from the accepted form in the same folder
    assert got.loc["曾都区2023年科技活动周工作总结.docx", "unit"] == "曾都区"  # from the roster name in the path
    assert got.loc["说明.txt", ["unit", "material"]].tolist() == ["", "other"]
    assert got.loc["随县/宣传片.mp4", "seconds"] == pytest.approx(200.0)
    assert math.isnan(got.loc["广水市/视频.wmv", "seconds"])
    assert math.isnan(got.loc["随县/媒体报道汇编.pdf", "seconds"])


def test_checklist_counts_per_unit(year_folder):
    raw, files = year_folder
    got = materials.checklist(found_in(raw, files), ROSTER)
    assert got.columns.tolist() == ["unit", *materials.MATERIALS, "longest_video"]
    assert got["unit"].tolist() == ["曾都区", "随县", "广水市"]
    counts = got.set_index("unit")[list(materials.MATERIALS)]
    assert counts.loc["随县"].tolist() == [2, 1, 2, 1, 2]
    assert counts.loc["曾都区"].tolist() == [1, 1, 0, 0, 0]
    assert counts.loc["广水市"].tolist() == [1, 0, 0, 0, 1]
    longest = got.set_index("unit")["longest_video"]
    assert longest["随县"] == pytest.approx(200.0)
    assert math.isnan(longest["曾都区"]) and math.isnan(longest["广水市"])


def test_checklist_of_no_files(tmp_path):
    files = pd.DataFrame(columns=["source_file", "kind", "status", "unit", "sha256"], dtype="str")
    got = materials.checklist(materials.material_files(files, {}, ["随县"]), ["随县"])
    assert got.to_dict("records")[0] | {"longest_video": 0} == {
        "unit": "随县",
        "form": 0,
        "summary": 0,
        "photo": 0,
        "media": 0,
        "video": 0,
        "longest_video": 0,
    }


def test_materials_issues(year_folder):
    raw, files = year_folder
    found = found_in(raw, files)
    issues = materials.materials_issues(found, ROSTER)
    got = {(i.code, i.severity, i.unit, i.source_file) for i in issues}
    assert got == {
        ("video_too_long", "warning", "随县", "随县/宣传片.mp4"),
        ("video_duration_unknown", "warning", "广水市", "广水市/视频.wmv"),
        ("materials_missing", "info", "曾都区", ""),
        ("materials_missing", "info", "广水市", ""),
    }
    by_code = {i.code + i.unit: i.message for i in issues}
    assert "3分20秒" in by_code["video_too_long随县"]
    assert by_code["materials_missing曾都区"].startswith("未收到影像资料（照片或视频）、媒体报道资料：")
    assert by_code["materials_missing广水市"].startswith("未收到活动总结、媒体报道资料：")


def test_complete_materials_give_no_issue():
    found = pd.DataFrame(
        {
            "source_file": ["a/总结.docx", "a/1.jpg", "a/报道.pdf", "a/v.mp4"],
            "unit": "随县",
            "material": ["summary", "photo", "media", "video"],
            "seconds": [math.nan] * 3 + [180.4],
        }
    )
    assert materials.materials_issues(found, ["随县"]) == []
