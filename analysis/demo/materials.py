"""The files a unit sends besides its statistics table: a work summary, activity photos, a scanned media report,
videos (one of them over the notice's three minutes in some years)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from analysis.demo.city import DEMO_WEEKS, FOLDERS, Values
from analysis.demo.media import minimal_mp4, minimal_pdf, tiny_jpeg
from analysis.demo.plans import DemoPlan, planted_row
from analysis.demo.writers.word import summary_docx
from analysis.intake.units import Unit
from analysis.review.materials import VIDEO_MAX_SECONDS


@dataclass(frozen=True)
class Materials:
    """A unit's other files by path, and the planted rows they make (too long a video, not a return)."""

    files: dict[str, bytes]
    planted: list[dict[str, str]]


def unit_materials(
    unit: Unit,
    plan: DemoPlan,
    folder: str | None,
    stamp: str,
    values: Values,
    when: dt.datetime,
    rng: np.random.Generator,
) -> Materials:
    """The files ``unit`` sends besides its table, into ``folder`` (None: beside the others, flat)."""
    prefix = f"{folder}/" if folder else ""
    week_start, week_end, _ = DEMO_WEEKS[when.year]
    extra: list[tuple[str, bytes, str]] = []
    planted: list[dict[str, str]] = []
    county = unit.kind == "county"
    if county or rng.random() < (0.6 if folder else 0.25):
        who = stamp if folder else FOLDERS.get(unit.name, unit.name)
        name = (
            "科技活动周工作总结.docx" if folder and rng.random() < 0.5 else f"{who}{when.year}年科技活动周工作总结.docx"
        )
        extra.append((prefix + name, summary_docx(unit, stamp, when.year, values, when), "summary"))
    photos = int(rng.integers(2, 4)) if county else int(folder is not None and rng.random() < 0.5)
    for n in range(1, photos + 1):
        taken = dt.datetime.combine(
            week_start, dt.time(int(rng.integers(8, 18)), int(rng.integers(0, 60)), int(rng.integers(0, 60)))
        )
        taken += dt.timedelta(days=int(rng.integers(0, (week_end - week_start).days + 1)))
        name = f"活动照片{n}.jpg" if rng.random() < 0.6 else f"IMG_{taken:%Y%m%d_%H%M%S}.jpg"
        extra.append((prefix + name, tiny_jpeg(rng), "photo"))
    if county and rng.random() < 0.4:
        extra.append((prefix + "媒体报道汇编.pdf", minimal_pdf(), "document"))
    for who, name, seconds in (
        (plan.long_video, "科技活动周宣传片.mp4", float(rng.integers(190, 260))),
        (plan.short_video, "活动视频.mp4", float(rng.integers(60, 170))),
    ):
        if who == unit.name:
            extra.append((prefix + name, minimal_mp4(seconds), "video"))
            if seconds > VIDEO_MAX_SECONDS:
                planted.append(
                    planted_row(prefix + name, unit.name, "video_too_long", f"视频时长{seconds:g}秒，超过3分钟")
                )
    planted += [planted_row(path, unit.name, "non_return_file", kind) for path, _, kind in extra]
    return Materials({path: data for path, data, _ in extra}, planted)
