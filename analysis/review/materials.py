"""The notice's materials checklist: what each unit sent besides the table, and video lengths.

The notice asks every unit for the activity summary (总结), the statistics table,
images (影像资料: photos or videos, videos at most 3 minutes) and media reports.
Files are sorted into those kinds from ingest's ``files.csv`` (kind) and their names;
video durations are read at intake (:func:`analysis.intake.media.video_seconds`) and passed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import PurePosixPath

import pandas as pd

from analysis.intake import filekinds
from analysis.issues import Issue

MATERIALS: tuple[str, ...] = ("form", "summary", "photo", "media", "video")
MATERIAL_ZH = {
    "form": "统计表",
    "summary": "活动总结",
    "photo": "照片",
    "media": "媒体报道",
    "video": "视频",
    "other": "其他",
}
# What the notice requires besides the table: (name, any of these materials).
REQUIRED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("活动总结", ("summary",)),
    ("影像资料（照片或视频）", ("photo", "video")),
    ("媒体报道资料", ("media",)),
)
VIDEO_MAX_SECONDS = 180
MEDIA_WORDS = ("报道", "新闻", "媒体")
SUMMARY_WORDS = ("总结",)
# Per-unit checklist columns with their Chinese headers.
CHECKLIST_ZH = {"unit": "单位", **{m: MATERIAL_ZH[m] for m in MATERIALS}, "longest_video": "最长视频（秒）"}


def material_of(source_file: str, kind: str) -> str:
    """Material of one file from ingest's ``kind`` and its name: form / summary / photo / media / video / other.

    Media reports are documents or screenshots whose name says so (报道/新闻/媒体).
    """
    name = PurePosixPath(source_file).name
    by_name = filekinds.classify(name)  # table (incl. Word) / photo / video / document / system / other
    if by_name == "system":
        return "other"
    if kind == "form":
        return "form"
    if kind == "video" or by_name == "video":
        return "video"
    if any(w in name for w in MEDIA_WORDS) and by_name in ("document", "photo", "table"):
        return "media"
    if kind == "summary" or (any(w in name for w in SUMMARY_WORDS) and by_name in ("document", "table")):
        return "summary"
    if kind == "photo" or by_name == "photo":
        return "photo"
    return "other"


def minutes_seconds(seconds: float) -> str:
    """Seconds as 3分25秒."""
    total = int(round(seconds))
    return f"{total // 60}分{total % 60:02d}秒"


def _unit_of(source_file: str, unit: str, folder_units: dict[str, str], names: list[str]) -> str:
    """The file's unit: as ingest found it, else that of a form in the same folder, else a roster name in the path."""
    if unit:
        return unit
    folder = str(PurePosixPath(source_file).parent)
    if folder != "." and folder in folder_units:
        return folder_units[folder]
    hits = [n for n in names if n in source_file]
    return max(hits, key=len) if hits else ""


def video_files(files: pd.DataFrame) -> list[str]:
    """The source files of ``files.csv`` that are videos (whose durations the checklist needs)."""
    return [
        str(r["source_file"])
        for r in files.to_dict("records")
        if material_of(str(r["source_file"]), "" if pd.isna(r["kind"]) else str(r["kind"])) == "video"
    ]


def material_files(files: pd.DataFrame, durations: dict[str, float], roster_names: Iterable[str] = ()) -> pd.DataFrame:
    """One row per file: ``source_file, unit, material, seconds`` (video length from ``durations``; NaN
    otherwise or unreadable)."""
    names = [str(n) for n in roster_names]
    rows = files.assign(
        unit=files["unit"].fillna("").astype(str),
        kind=files["kind"].fillna("").astype(str),
        status=files["status"].fillna("").astype(str),
    ).to_dict("records")
    folder_units = {
        str(PurePosixPath(r["source_file"]).parent): r["unit"]
        for r in rows
        if r["kind"] == "form" and r["status"] == "accepted" and r["unit"]
    }
    out = []
    for r in rows:
        source = str(r["source_file"])
        material = material_of(source, r["kind"])
        seconds = durations.get(source, math.nan) if material == "video" else math.nan
        out.append((source, _unit_of(source, r["unit"], folder_units, names), material, seconds))
    return pd.DataFrame(out, columns=["source_file", "unit", "material", "seconds"]).astype(
        {"source_file": "str", "unit": "str", "material": "str", "seconds": "float64"}
    )


def checklist(materials: pd.DataFrame, units: Iterable[str] = ()) -> pd.DataFrame:
    """Per unit (the given units first, then any other unit that sent files): count of files of each material
    and the longest video in seconds."""
    known = [u for u in materials["unit"] if u]
    order = list(dict.fromkeys([*units, *known]))
    counts = pd.crosstab(materials["unit"], materials["material"]) if not materials.empty else pd.DataFrame()
    counts = counts.reindex(index=order, columns=list(MATERIALS), fill_value=0).astype("int64")
    videos = materials[materials["material"] == "video"].groupby("unit")["seconds"].max()
    return (
        counts.assign(longest_video=videos.reindex(order).astype("float64"))
        .rename_axis(index="unit", columns=None)
        .reset_index()
    )


def materials_issues(materials: pd.DataFrame, units: Iterable[str]) -> list[Issue]:
    """Videos over 3 minutes or of unknown length, and missing materials of each of ``units``."""
    out = []
    for r in materials[materials["material"] == "video"].to_dict("records"):
        if math.isnan(r["seconds"]):
            out.append(
                Issue(
                    "warning",
                    "video_duration_unknown",
                    "无法读取该视频的时长（格式不支持或文件损坏）：请人工确认不超过3分钟，或转为 MP4 格式后重新报送。",
                    source_file=r["source_file"],
                    unit=r["unit"],
                )
            )
        elif round(r["seconds"]) > VIDEO_MAX_SECONDS:
            out.append(
                Issue(
                    "warning",
                    "video_too_long",
                    f"视频时长 {minutes_seconds(r['seconds'])}，超过通知要求的3分钟：请剪辑到3分钟以内后重新报送。",
                    source_file=r["source_file"],
                    unit=r["unit"],
                )
            )
    sent = materials.groupby("unit")["material"].agg(set).to_dict() if not materials.empty else {}
    for unit in dict.fromkeys(units):
        have = sent.get(unit, set())
        missing = [name for name, kinds in REQUIRED if not have.intersection(kinds)]
        if missing:
            out.append(
                Issue(
                    "info",
                    "materials_missing",
                    f"未收到{'、'.join(missing)}：通知要求报送活动总结、统计表、影像资料和媒体报道资料，请补充报送。",
                    unit=unit,
                )
            )
    return out
