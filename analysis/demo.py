"""Synthetic demo returns: a believable Suizhou, 2021–2024, with planted problems.

``generate`` writes, for each demo year, the returns as units really send them
(Word tables, workbooks, one CSV, photos, a summary, a video) into
``<raw>/<year>/`` and the true values plus the list of planted problems into
``<truth>/<year>.csv`` and ``<truth>/<year>_planted.csv``.  Everything is seeded
and every document timestamp is fixed, so a second run gives identical bytes.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import functools
import io
import shutil
import struct
import sys
import zipfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator, Sequence

import cn2an
import docx
import numpy as np
import openpyxl
import pandas as pd
import xlwt
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from odf import dc, meta
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
from odf.text import P
from openpyxl.writer.excel import ExcelWriter
from PIL import Image

from analysis import form, paths
from analysis.intake.dates import RECEIVED_CSV
from analysis.review.materials import VIDEO_MAX_SECONDS
from analysis.outputs import normalize_zip, write_atomic, write_csv, write_text
from analysis.intake.units import Registry, Unit
from analysis.review.ledger import LedgerRow
from analysis.review.ledger_file import write_ledger

DEMO_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024)
DEFAULT_SEED = 20230520
TRUTH_DIR = paths.ROOT / "tests" / "data" / "demo_truth"

# The week's window and the return deadline the demo received dates are built
# around; data/reference/weeks.csv must agree for the demo years.
DEMO_WEEKS: dict[int, tuple[dt.date, dt.date, dt.date]] = {
    2021: (dt.date(2021, 5, 22), dt.date(2021, 5, 29), dt.date(2021, 6, 4)),
    2022: (dt.date(2022, 8, 20), dt.date(2022, 8, 27), dt.date(2022, 9, 2)),
    2023: (dt.date(2023, 5, 20), dt.date(2023, 5, 31), dt.date(2023, 6, 3)),
    2024: (dt.date(2024, 5, 25), dt.date(2024, 6, 1), dt.date(2024, 6, 7)),
}
THEMES = {2021: "百年回望：中国共产党领导科技发展", 2022: "走进科技，你我同行",
          2023: "热爱科学 崇尚科学", 2024: "科技创新 引领未来"}

MARKER_TEXT = (
    "本文件夹中的统计表、总结、照片和视频均为程序生成的示例数据（非真实统计），"
    "只用于演示和测试本项目，不代表任何单位的真实情况。\n"
    "重新生成：python -m analysis demo。放入真实报表时请新建年份文件夹，不要复制本文件。\n"
)

PLANTED_COLUMNS = ("source_file", "unit", "field", "code", "note")

Typed = str | int | float


# ---------------------------------------------------------------------------
# Small valid binary files

def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full_box(kind: bytes, version: int, payload: bytes, flags: int = 0) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags) + payload)


def _timebase(seconds: float) -> tuple[int, int]:
    """A (timescale, duration) pair whose ratio is ``seconds``: exactly for whole milliseconds (or
    1/600, 1/90000 s), else the nearest fraction with a 31-bit timescale (within a few ulps)."""
    for scale in (1000, 600, 90000):
        ticks = round(seconds * scale)
        if ticks / scale == seconds:
            return scale, ticks
    exact = Fraction(seconds).limit_denominator(2**31 - 1)
    return exact.denominator, exact.numerator


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def minimal_mp4(seconds: float) -> bytes:
    """A tiny valid MP4 (ftyp + moov with one empty video track) whose container says it lasts ``seconds``.

    ``mutagen.mp4.MP4(...).info.length == seconds`` exactly when ``seconds`` is a whole number of
    milliseconds (and for most other values); otherwise it differs by a few units in the last place.
    """
    if not (seconds >= 0 and seconds != float("inf")):
        raise ValueError(f"duration must be finite and non-negative: {seconds!r}")
    scale, ticks = _timebase(float(seconds))
    version = 0 if ticks < 2**31 else 1
    times = struct.pack(">IIII", 0, 0, scale, ticks) if version == 0 else struct.pack(">QQIQ", 0, 0, scale, ticks)
    track_times = (struct.pack(">IIIII", 0, 0, 1, 0, ticks) if version == 0
                   else struct.pack(">QQIIQ", 0, 0, 1, 0, ticks))
    mvhd = _full_box(b"mvhd", version, times + struct.pack(">IH10x", 0x10000, 0x100) + _MATRIX + bytes(24)
                     + struct.pack(">I", 2))
    tkhd = _full_box(b"tkhd", version, track_times + bytes(8) + struct.pack(">hhH2x", 0, 0, 0) + _MATRIX
                     + struct.pack(">II", 320 << 16, 240 << 16), flags=3)
    mdhd = _full_box(b"mdhd", version, times + struct.pack(">HH", 0x55C4, 0))  # language 'und'
    hdlr = _full_box(b"hdlr", 0, bytes(4) + b"vide" + bytes(12) + b"VideoHandler\x00")
    dinf = _box(b"dinf", _full_box(b"dref", 0, struct.pack(">I", 1) + _full_box(b"url ", 0, b"", flags=1)))
    stbl = _box(b"stbl", b"".join(_full_box(k, 0, struct.pack(">I", 0))
                                  for k in (b"stsd", b"stts", b"stsc", b"stco"))
                + _full_box(b"stsz", 0, struct.pack(">II", 0, 0)))
    minf = _box(b"minf", _full_box(b"vmhd", 0, bytes(8), flags=1) + dinf + stbl)
    trak = _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + minf))
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41")
    return ftyp + _box(b"moov", mvhd + trak) + _box(b"mdat", b"")


def minimal_pdf() -> bytes:
    """A valid one-page blank PDF (a stand-in for a scanned media report)."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_jpeg(rng: np.random.Generator, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small real JPEG: a coloured gradient standing in for an activity photo."""
    width, height = size
    base = rng.integers(40, 200, size=3)
    ramp = np.linspace(0, 55, width)[None, :, None] + np.linspace(0, 30, height)[:, None, None]
    pixels = np.clip(base[None, None, :] + ramp, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format="JPEG", quality=70)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# The units and the city's story

# Folder a unit puts its files in (default: its canonical name); these units send one flat file instead.
FOLDERS = {"随州高新区": "高新区", "大洪山风景名胜区": "大洪山风景区", "市自然资源和规划局": "市自然资源局",
           "市文化和旅游局": "市文旅局", "随州职业技术学院": "随州职院", "市农业科学院": "市农科院"}
FLAT = frozenset({"市气象局", "市地震局", "市应急管理局", "市生态环境局"})
# Size relative to a typical county; departments, the college and the institute default by kind.
SCALE = {"曾都区": 1.3, "随县": 1.1, "广水市": 1.2, "随州高新区": 0.55, "大洪山风景名胜区": 0.4}
KIND_SCALE = {"county": (0.5, 1.0), "department": (0.14, 0.3), "college": (0.2, 0.25), "institute": (0.1, 0.15),
              "other": (0.1, 0.2)}
VERTICAL = frozenset({"市气象局", "市地震局"})  # vertically managed: some central funding
VENUES = {"市科协": 2, "市气象局": 1, "市地震局": 1, "市文化和旅游局": 2, "市教育局": 1, "随州职业技术学院": 1}
INSTITUTES = {"市农业农村局": 1, "市农业科学院": 1}
UNIVERSITIES = {"曾都区": 1, "随州职业技术学院": 1}
# A real change from that year on: 高新区 opened a science hall, the museum of 文旅局 closed for repairs.
SHIFTS = {"随州高新区": (2023, 2.2), "市文化和旅游局": (2024, 0.4)}
EVENTS_TREND = {2021: 1.0, 2022: 0.9, 2023: 1.1, 2024: 1.15}
OFFLINE_TREND = {2021: 1.0, 2022: 0.85, 2023: 1.15, 2024: 1.25}
ONLINE_TREND = {2021: 1.0, 2022: 2.6, 2023: 3.6, 2024: 4.6}
# Per-county-scale levels of one week in 2021.
LEVELS = {"events_held": 55, "staff_fulltime": 18, "staff_scientists": 55, "staff_volunteers": 140,
          "staff_other": 35, "public_offline": 24000, "public_online": 16000}
# Funding sources by kind: key -> (probability the unit uses it, low, high) in 万元.
FUNDING = {
    "county": {"funding_central": (0.4, 1, 5), "funding_provincial": (1, 3, 10), "funding_municipal": (1, 2, 8),
               "funding_county": (1, 10, 28), "funding_enterprise": (0.7, 1, 6), "funding_in_kind": (0.6, 0.5, 3),
               "funding_other": (0.4, 0.3, 2)},
    "department": {"funding_provincial": (0.4, 0.5, 3), "funding_municipal": (1, 1, 5),
                   "funding_enterprise": (0.35, 0.3, 1.5), "funding_in_kind": (0.5, 0.2, 1.2),
                   "funding_other": (0.3, 0.2, 1)},
    "college": {"funding_provincial": (0.5, 0.5, 2), "funding_municipal": (1, 0.5, 1.5),
                "funding_enterprise": (0.5, 0.3, 1), "funding_in_kind": (1, 0.2, 1), "funding_other": (1, 1, 3)},
    "institute": {"funding_central": (0.5, 0.5, 2), "funding_provincial": (1, 1, 3), "funding_municipal": (1, 0.5, 2),
                  "funding_in_kind": (1, 0.2, 1), "funding_other": (0.3, 0.2, 1)},
}
FUNDING["other"] = FUNDING["department"]


@dataclass(frozen=True)
class YearPlan:
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
    2021: YearPlan("市地震局", "市科协", "广水市", ("市卫健委", "public_online"), "大洪山风景名胜区", "市农业农村局",
                   "随县", "曾都区", {"市气象局": "xlsx", "随州职业技术学院": "xlsx_help", "市教育局": "xls",
                                      "市农业科学院": "csv", "市自然资源和规划局": "xlsx_shift"}, "utf-8-sig", 1),
    2022: YearPlan("市应急管理局", "随县", "曾都区", ("市文化和旅游局", "staff_volunteers"), "大洪山风景名胜区",
                   "市生态环境局", "广水市", "随县",
                   {"市气象局": "xlsx", "随州职业技术学院": "xlsx_hidden", "市教育局": "xls", "市农业科学院": "csv",
                    "市地震局": "ods", "市自然资源和规划局": "xlsx_shift"}, "gb18030", 2),
    2023: YearPlan("市自然资源和规划局", "广水市", "随县", ("市教育局", "public_offline"), "大洪山风景名胜区",
                   "市卫健委", "曾都区", "广水市",
                   {"市气象局": "xlsx_hidden", "随州职业技术学院": "xlsx_help", "市应急管理局": "xls", "市科协": "csv",
                    "市农业科学院": "xlsx", "随州高新区": "xlsx_shift"}, "utf-8", 1),
    2024: YearPlan("市生态环境局", "市卫健委", "随州高新区", ("市农业农村局", "media_reports"), "大洪山风景名胜区", "市教育局",
                   "随县", "大洪山风景名胜区",
                   {"市气象局": "xlsx", "随州职业技术学院": "xlsx_hidden", "市地震局": "xls", "市农业科学院": "csv",
                    "市文化和旅游局": "xlsx_shift"}, "utf-8-sig", 1),
}

Values = dict[str, float]


def _baseline(unit: Unit, rng: np.random.Generator) -> dict[str, float]:
    """A unit's 2021 level for every field (before year effects), drawn once."""
    low, high = KIND_SCALE.get(unit.kind, KIND_SCALE["other"])
    scale = SCALE.get(unit.name, float(rng.uniform(low, high)))
    base: dict[str, float] = {k: LEVELS[k] * scale * float(rng.uniform(0.85, 1.15)) for k in LEVELS}
    for key in form.MONEY_KEYS:
        p, lo, hi = FUNDING.get(unit.kind, FUNDING["other"]).get(key, (0, 0, 0))
        if key == "funding_central" and unit.name in VERTICAL:
            p, lo, hi = 1, 0.5, 2.5
        used = rng.random() < p
        base[key] = float(rng.uniform(lo, hi)) * (scale if unit.kind == "county" else 1.0) if used else 0.0
    county = unit.kind == "county"
    base["money_digits"] = float(rng.choice([1, 2], p=[0.7, 0.3]))
    base["most_tasks"] = float(rng.integers(1, 6) if county else rng.integers(0, 3))
    base["media_outlets"] = float(round(3 + 7 * scale) if county else rng.integers(1, 5))
    base["open_venues"] = float(rng.integers(1, 7) if county else VENUES.get(unit.name, 0))
    base["open_institutes"] = float(rng.integers(0, 3) if county else INSTITUTES.get(unit.name, 0))
    base["open_universities"] = float(UNIVERSITIES.get(unit.name, 0))
    return base


def true_values(units: Sequence[Unit], year: int, seed: int = DEFAULT_SEED) -> dict[str, Values]:
    """Every unit's true figures for ``year``: money in 万元 (float), counts as whole numbers."""
    base_rng = np.random.default_rng([seed, 0])
    bases = {u.name: _baseline(u, base_rng) for u in units}
    rng = np.random.default_rng([seed, year, 1])
    out: dict[str, Values] = {}
    for unit in units:
        base = bases[unit.name]
        since, factor = SHIFTS.get(unit.name, (9999, 1.0))
        level = 1.06 ** (year - DEMO_YEARS[0]) * float(rng.lognormal(0, 0.06)) * (factor if year >= since else 1.0)

        def noisy(x: float) -> float:
            return x * level * float(rng.lognormal(0, 0.07))

        v: Values = {"events_held": max(2, round(noisy(base["events_held"]) * EVENTS_TREND[year]))}
        v["most_tasks"] = min(v["events_held"], base["most_tasks"])
        for key in form.MONEY_KEYS:
            v[key] = min(48.0, round(noisy(base[key]), int(base["money_digits"]))) if base[key] else 0.0
        for key in form.STAFF_KEYS:
            v[key] = max(1, round(noisy(base[key])))
        v["public_offline"] = round(noisy(base["public_offline"]) * OFFLINE_TREND[year])
        v["public_online"] = round(noisy(base["public_online"]) * ONLINE_TREND[year])
        v["media_outlets"] = max(1, base["media_outlets"] + int(rng.integers(-1, 2)))
        v["media_reports"] = max(2, round(v["media_outlets"] * float(rng.uniform(2, 4))))
        jitter = int(rng.integers(-1, 2)) if unit.kind == "county" else 0
        v["open_venues"] = max(0, base["open_venues"] + jitter)
        v["open_institutes"] = base["open_institutes"]
        v["open_universities"] = base["open_universities"]
        out[unit.name] = {k: (float(v[k]) if k in form.MONEY_KEYS else int(v[k])) for k in form.FIELD_KEYS}
    return out


# ---------------------------------------------------------------------------
# How a unit writes its labels and values

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ORG_ENDINGS = ("局", "委", "委员会", "管委会", "协会", "学院", "科学院")


def _num(value: float) -> str:
    """A number as people type it: no trailing zeros, at most two decimals."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _break(text: str) -> str:
    """Put a line break where a narrow cell wraps the text: before a hint or a word such as 参与; short text stays."""
    cuts = [i for i in (text.find("（"), text.find("参与"), text.find("投入"), text.find("数量")) if i > 1]
    cut = min(cuts) if cuts else (len(text) // 2 if len(text) >= 10 else 0)
    return text[:cut] + "\n" + text[cut:] if 0 < cut < len(text) else text


def label_variants(f: form.Field) -> tuple[str, ...]:
    """Ways units write the label of ``f``; each one matches ``f`` through :func:`form.match_label`."""
    display = f.display
    candidates = (f.label, *f.synonyms, f.label.replace("情况", ""), display + "：", _break(f.label),
                  display[: len(display) // 2] + " " + display[len(display) // 2:], f"{display}（{f.measure}）")
    return tuple(v for v in dict.fromkeys(candidates) if form.match_label(v) == f.key)


def stamp_names(unit: Unit) -> tuple[str, ...]:
    """Names a unit writes on the 盖章 line: its organisation aliases, the longest first."""
    names = [n for n in (*unit.aliases, unit.name) if n.endswith(_ORG_ENDINGS)] or [unit.name]
    return tuple(sorted(dict.fromkeys(names), key=lambda n: (-len(n), n)))


def spellings(f: form.Field, value: float) -> dict[str, tuple[Typed, float]]:
    """The ways a value of ``f`` may be typed, each with the true value it then stands for.

    Approximations and 万 round the figure, so the truth follows what was written.
    """
    if value == 0:
        return {"zero_wu": ("无", value), "zero_slash": ("/", value)}
    if f.is_money:
        opts: dict[str, tuple[Typed, float]] = {"wanyuan": (f"{_num(value)}万元", value),
                                                "yuan": (f"{round(value * 10000)}元", value)}
        if f.key == "funding_in_kind":
            opts["remark"] = (f"{_num(value)}（捐赠科普图书）", value)
        return opts
    v = int(value)
    opts = {"suffix": (f"{v}{f.measure}", v)}
    if f.key == "events_held":
        opts["chang"] = (f"{v}场", v)
    if 11 <= v <= 99:
        opts["chinese"] = (cn2an.an2cn(v), v)
    if v >= 100:
        opts["fullwidth"] = (str(v).translate(_FULLWIDTH), v)
    if v >= 1000:
        opts["thousands"] = (f"{v:,}", v)
    if f.key in form.STAFF_KEYS + form.PUBLIC_KEYS and v >= 50:
        rounded = round(v, -2) if v >= 1000 else round(v, -1)
        opts["about"] = (f"约{rounded}{f.measure}", rounded)
        opts["over"] = (f"{rounded}余{f.measure}", rounded)
    if f.key in form.PUBLIC_KEYS and v >= 10000:
        rounded = round(v, -3)
        opts["wan"] = (f"{_num(rounded / 10000)}万", rounded)
    return opts


# Every year shows each of these spellings at least once; the common ones also appear at random.
FORCED_SPELLINGS = ("about", "over", "wan", "chang", "fullwidth", "yuan", "remark", "zero_wu", "zero_slash",
                    "thousands", "chinese", "suffix", "wanyuan")
COMMON_SPELLINGS = ("suffix", "about", "zero_wu", "thousands", "wanyuan")


# ---------------------------------------------------------------------------
# One return as the unit filled it in

@dataclass
class Return:
    """A statistics table as one unit filled it in; ``cells`` hold what was typed."""

    unit: Unit
    year: int
    path: str  # relative to the year folder, '/' separators
    layout: str
    stamp: str
    labels: dict[str, str]
    categories: dict[str, str]
    cells: dict[str, Typed]
    note: str
    when: dt.datetime
    money_text: Callable[[float], str] = _num
    last_year: dict[str, float] | None = None


def _blocks() -> list[tuple[str, list[str]]]:
    """The form's rows grouped as printed: (category, keys); '' for the rows without one."""
    blocks: list[tuple[str, list[str]]] = []
    for f in form.FIELDS:
        if f.category and blocks and blocks[-1][0] == f.category:
            blocks[-1][1].append(f.key)
        else:
            blocks.append((f.category, [f.key]))
    return blocks


def _text(ret: Return, key: str) -> str:
    """A cell as text (Word, CSV): what was typed, or the number written the unit's way."""
    value = ret.cells[key]
    if isinstance(value, str):
        return value
    return ret.money_text(value) if key in form.MONEY_KEYS else str(int(value))


def _cell_value(value: Typed) -> Typed:
    """What a spreadsheet cell holds: numbers stay numbers, whole money amounts become ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


@functools.lru_cache(maxsize=1)
def _word_template() -> bytes:
    """python-docx's blank document slimmed to what a short document needs: quicker to write, smaller files."""
    document = docx.Document()
    for style in list(document.styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.name not in ("Normal Table", "Table Grid"):
            style.delete()
    unused = (STYLES_WITH_EFFECTS, RT.CUSTOM_XML, RT.THUMBNAIL)
    for rels in (document.part.rels, document.part.package.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in unused]:
            rels.pop(rid)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _new_docx() -> docx.document.Document:
    return docx.Document(io.BytesIO(_word_template()))


def _save_docx(document: docx.document.Document, when: dt.datetime, author: str) -> bytes:
    props = document.core_properties
    props.author = props.last_modified_by = author
    props.title = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = when
    buf = io.BytesIO()
    document.save(buf)
    return normalize_zip(buf.getvalue(), when)


def docx_form(ret: Return) -> bytes:
    """The notice attachment's Word table, filled in."""
    document = _new_docx()
    title = document.add_paragraph()
    title.alignment = 1
    title.add_run(form.FORM_TITLE.format(year=ret.year)).bold = True
    document.add_paragraph(form.STAMP_LABEL + ret.stamp)
    table = document.add_table(rows=len(form.FIELDS), cols=3)
    table.style = "Table Grid"
    grid = [row.cells for row in table.rows]  # taken before merging: Table.cell() rescans the whole table
    row = 0
    for category, keys in _blocks():
        if category:
            top = grid[row][0]
            merged = top.merge(grid[row + len(keys) - 1][0]) if len(keys) > 1 else top
            merged.text = ret.categories[category]
        for key in keys:
            label_cell = grid[row][1] if category else grid[row][0].merge(grid[row][1])
            label_cell.text = ret.labels[key]
            grid[row][2].text = _text(ret, key)
            row += 1
    if ret.note:
        document.add_paragraph(ret.note)
    return _save_docx(document, ret.when, ret.stamp)


def _sheet_form(ws: openpyxl.worksheet.worksheet.Worksheet, ret: Return, year: int, cells: dict[str, Typed],
                wide: bool) -> None:
    """Write the vertical form on a worksheet; ``wide`` puts the values one column further right."""
    value_col = 4 if wide else 3
    ws.cell(1, 1, form.FORM_TITLE.format(year=year))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=value_col)
    ws.cell(2, 1, form.STAMP_LABEL + ret.stamp)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=value_col)
    row = 3
    for category, keys in _blocks():
        if category:
            ws.cell(row, 1, ret.categories[category])
            if len(keys) > 1:
                ws.merge_cells(start_row=row, start_column=1, end_row=row + len(keys) - 1, end_column=1)
        for key in keys:
            first = 2 if category else 1
            ws.cell(row, first, ret.labels[key])
            if value_col - 1 > first:
                ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=value_col - 1)
            ws.cell(row, value_col, _cell_value(cells[key]))
            row += 1
    if ret.note:
        ws.cell(row + 1, 1, ret.note)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 30


def _save_xlsx(wb: openpyxl.Workbook, ret: Return) -> bytes:
    wb.properties.creator = wb.properties.lastModifiedBy = ret.stamp
    wb.properties.created = wb.properties.modified = ret.when
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    return normalize_zip(buf.getvalue(), ret.when)


INSTRUCTIONS = ("填表说明", "1．本表由各县、市、区和市直各有关单位填写，加盖公章后报送。",
                "2．经费单位为万元，人员和活动按实际发生填写，没有的填“0”。",
                "3．请于规定时间前将电子版和盖章扫描件一并报送市科技局外专科。")


def xlsx_form(ret: Return) -> bytes:
    """The form as an Excel workbook, in one of the layouts units use."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if ret.layout == "xlsx_help":
        ws.title = "填表说明"
        for n, line in enumerate(INSTRUCTIONS, start=1):
            ws.cell(n, 1, line)
        ws = wb.create_sheet("统计表")
    elif ret.layout == "xlsx_hidden" and ret.last_year is not None:
        ws.title = f"{ret.year - 1}年"
        ws.sheet_state = "hidden"
        _sheet_form(ws, ret, ret.year - 1, dict(ret.last_year), wide=False)
        ws = wb.create_sheet(f"{ret.year}年")
        wb.active = 1
    else:
        ws.title = "Sheet1"
    _sheet_form(ws, ret, ret.year, ret.cells, wide=ret.layout == "xlsx_shift")
    return _save_xlsx(wb, ret)


def xls_form(ret: Return) -> bytes:
    """The form as a legacy Excel 97–2003 (BIFF) workbook with a header row, as WPS saves it."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Sheet1")
    wrap = xlwt.easyxf("align: wrap on, vert centre")
    ws.write_merge(0, 0, 0, 2, form.FORM_TITLE.format(year=ret.year))
    ws.write_merge(1, 1, 0, 2, form.STAMP_LABEL + ret.stamp)
    for col, head in enumerate(("类别", "指标", "数量")):
        ws.write(2, col, head)
    row = 3
    for category, keys in _blocks():
        if category:
            ws.write_merge(row, row + len(keys) - 1, 0, 0, ret.categories[category], wrap)
        for key in keys:
            if category:
                ws.write(row, 1, ret.labels[key], wrap)
            else:
                ws.write_merge(row, row, 0, 1, ret.labels[key], wrap)
            ws.write(row, 2, _cell_value(ret.cells[key]))
            row += 1
    if ret.note:
        ws.write(row + 1, 0, ret.note)
    ws.col(0).width = 18 * 256
    ws.col(1).width = 30 * 256
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _ods_cell(value: Typed, columns: int = 1, rows: int = 1) -> TableCell:
    spans = {"numbercolumnsspanned": columns} if columns > 1 else {}
    spans |= {"numberrowsspanned": rows} if rows > 1 else {}
    if isinstance(value, str):
        cell = TableCell(valuetype="string", **spans)
    else:
        cell = TableCell(valuetype="float", value=value, **spans)
    cell.addElement(P(text=str(value)))
    return cell


@contextlib.contextmanager
def _own_odf_namespaces() -> Iterator[None]:
    """odfpy declares every namespace any element in the process has used (one class-wide dict).

    Start from an empty dict so the document declares the same namespaces in the same
    order on every run; afterwards give back what other documents had registered.
    """
    saved = dict(Element.namespaces)
    Element.namespaces.clear()
    try:
        yield
    finally:
        Element.namespaces.update(saved)


def ods_form(ret: Return) -> bytes:
    """The form as an OpenDocument spreadsheet (LibreOffice / WPS)."""
    with _own_odf_namespaces():
        return normalize_zip(_ods_bytes(ret), ret.when)


def _ods_bytes(ret: Return) -> bytes:
    doc = OpenDocumentSpreadsheet()
    stamp = ret.when.strftime("%Y-%m-%dT%H:%M:%S")
    doc.meta.addElement(meta.CreationDate(text=stamp))
    doc.meta.addElement(dc.Date(text=stamp))
    doc.meta.addElement(meta.InitialCreator(text=ret.stamp))
    table = Table(name="Sheet1")
    table.addElement(TableColumn(numbercolumnsrepeated=3))

    def add_row(*cells: TableCell | CoveredTableCell) -> None:
        tr = TableRow()
        for cell in cells:
            tr.addElement(cell)
        table.addElement(tr)

    for line in (form.FORM_TITLE.format(year=ret.year), form.STAMP_LABEL + ret.stamp):
        add_row(_ods_cell(line, columns=3), CoveredTableCell(), CoveredTableCell())
    for category, keys in _blocks():
        for n, key in enumerate(keys):
            label = ret.labels[key].replace("\n", "")
            value = _ods_cell(_cell_value(ret.cells[key]))
            if not category:
                add_row(_ods_cell(label, columns=2), CoveredTableCell(), value)
            elif n == 0:
                add_row(_ods_cell(ret.categories[category].replace("\n", ""), rows=len(keys)),
                        _ods_cell(label), value)
            else:
                add_row(CoveredTableCell(), _ods_cell(label), value)
    if ret.note:
        add_row(_ods_cell(ret.note))
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    return buf.getvalue()


def csv_form(ret: Return, encoding: str, header_rows: int) -> bytes:
    """The form transposed to one row: label header row(s), then the values."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if header_rows == 2:
        seen: set[str] = set()
        heads = []
        for f in form.FIELDS:
            heads.append(ret.categories[f.category].replace("\n", "") if f.category and f.category not in seen
                         else "")
            seen.add(f.category)
        writer.writerow(heads)
    writer.writerow([ret.labels[k].replace("\n", "") for k in form.FIELD_KEYS])
    writer.writerow([_text(ret, k) for k in form.FIELD_KEYS])
    return buf.getvalue().encode(encoding)


def summary_docx(unit: Unit, stamp: str, year: int, values: Values, when: dt.datetime) -> bytes:
    """A work summary (工作总结) in Word, without the statistics table."""
    document = _new_docx()
    title = document.add_paragraph()
    title.alignment = 1
    title.add_run(f"{stamp}{year}年科技活动周工作总结").bold = True
    offline = values["public_offline"] / 10000
    paragraphs = (
        f"根据市科技局、市委宣传部、市科协关于举办{year}年随州市科技活动周的通知要求，我单位围绕“{THEMES[year]}”"
        "主题，精心组织，周密安排，广泛开展了形式多样的群众性科技活动，取得了良好效果。",
        f"一、高度重视，加强领导。成立了科技活动周工作专班，制定活动方案，明确责任分工。活动周期间共组织科普活动"
        f"{int(values['events_held'])}场，线下参与群众约{offline:.1f}万人次。",
        "二、突出特色，注重实效。组织科技工作者和科技志愿者深入社区、农村、学校和企业，开展科普讲座、科技咨询、"
        "科普展览和科学实验展演，并通过微信公众号、短视频平台开展线上科普。",
        "三、加强宣传，营造氛围。积极联系主流媒体和新媒体进行宣传报道，营造了热爱科学、崇尚科学的浓厚氛围。",
        "下一步，我们将认真总结经验，进一步创新活动形式，推动科普工作常态化开展。",
    )
    for text in paragraphs:
        document.add_paragraph(text)
    return _save_docx(document, when, stamp)


# ---------------------------------------------------------------------------
# One demo year

@dataclass(frozen=True)
class DemoYear:
    """Everything generated for one year: files by relative path, and the tables beside them."""

    files: dict[str, bytes]
    received: pd.DataFrame
    truth: pd.DataFrame
    planted: pd.DataFrame
    ledger: list[LedgerRow]


EXTENSIONS = {"docx": ".docx", "xlsx": ".xlsx", "xlsx_shift": ".xlsx", "xlsx_help": ".xlsx",
              "xlsx_hidden": ".xlsx", "xls": ".xls", "ods": ".ods", "csv": ".csv"}
REVISION_MARK = "（修改版）"
CLERKS = ("张敏", "李娟", "王磊", "刘洋", "陈静", "杨帆", "黄丽", "周涛", "吴昊", "徐倩")
# Fields a unit corrected in its revised return, and what the first version said instead.
REVISED_FIELDS: dict[str, Callable[[float], float]] = {
    "events_held": lambda v: v + 3, "public_offline": lambda v: round(v * 0.8), "staff_volunteers": lambda v: v + 15,
    "funding_municipal": lambda v: v + 1.0}


def _form_name(year: int, short: str, ext: str, in_folder: bool, stamped: bool, rng: np.random.Generator) -> str:
    if in_folder:
        names = [f"{year}年科技活动周开展情况统计表（{short}）", f"{short}{year}年科技活动周统计表"]
        names += [f"附件-{year}年科技活动周开展情况统计表"] if stamped else []
    else:
        names = [f"{short}-科技活动周统计表", f"{year}年科技活动周统计表-{short}"]
    return str(rng.choice(names)) + ext


def _received(day: dt.date, rng: np.random.Generator) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, int(rng.integers(8, 18)), int(rng.integers(0, 60)))


def _note(when: dt.datetime, rng: np.random.Generator) -> str:
    if rng.random() > 0.4:
        return ""
    phone = f"0722-{int(rng.integers(3000000, 3999999))}"
    return f"填表人：{rng.choice(CLERKS)}    联系电话：{phone}    填报日期：{when.year}年{when.month}月{when.day}日"


def _planted(source_file: str, unit: str, code: str, note: str, field_key: str = "") -> dict[str, str]:
    return {"source_file": source_file, "unit": unit, "field": field_key, "code": code, "note": note}


@dataclass
class _YearState:
    """Mutable bookkeeping while one year is built."""

    returns: list[Return] = field(default_factory=list)
    values: list[Values] = field(default_factory=list)
    protected: list[set[str]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    planted: list[dict[str, str]] = field(default_factory=list)
    settled: dict[tuple[str, str], float] = field(default_factory=dict)  # (unit, field) → the value on the phone


def _spell(state: _YearState, rng: np.random.Generator) -> None:
    """Type some values the way units do: each forced spelling once, common ones at random."""
    for how in FORCED_SPELLINGS:
        spots = [(i, k) for i, ret in enumerate(state.returns) for k in form.FIELD_KEYS
                 if k not in state.protected[i] and how in spellings(form.BY_KEY[k], state.values[i][k])]
        if not spots:
            raise ValueError(f"no cell can take the spelling {how!r}")
        i, key = spots[int(rng.integers(len(spots)))]
        state.returns[i].cells[key], state.values[i][key] = spellings(form.BY_KEY[key], state.values[i][key])[how]
        state.protected[i].add(key)
    for i, ret in enumerate(state.returns):
        for key in form.FIELD_KEYS:
            if key in state.protected[i] or rng.random() > 0.05:
                continue
            options = spellings(form.BY_KEY[key], state.values[i][key])
            common = [h for h in COMMON_SPELLINGS if h in options]
            if common:
                ret.cells[key], state.values[i][key] = options[str(rng.choice(common))]


def _materials(state: _YearState, unit: Unit, plan: YearPlan, folder: str | None, stamp: str, values: Values,
               when: dt.datetime, rng: np.random.Generator) -> None:
    """The files a unit sends besides its table: summary, photos, media reports, videos."""
    prefix = f"{folder}/" if folder else ""
    week_start, week_end, _ = DEMO_WEEKS[when.year]
    extra: list[tuple[str, bytes, str]] = []
    county = unit.kind == "county"
    if county or rng.random() < (0.6 if folder else 0.25):
        who = stamp if folder else FOLDERS.get(unit.name, unit.name)
        name = "科技活动周工作总结.docx" if folder and rng.random() < 0.5 else f"{who}{when.year}年科技活动周工作总结.docx"
        extra.append((prefix + name, summary_docx(unit, stamp, when.year, values, when), "summary"))
    photos = int(rng.integers(2, 4)) if county else int(folder is not None and rng.random() < 0.5)
    for n in range(1, photos + 1):
        taken = dt.datetime.combine(week_start, dt.time(int(rng.integers(8, 18)), int(rng.integers(0, 60)),
                                                       int(rng.integers(0, 60))))
        taken += dt.timedelta(days=int(rng.integers(0, (week_end - week_start).days + 1)))
        name = f"活动照片{n}.jpg" if rng.random() < 0.6 else f"IMG_{taken:%Y%m%d_%H%M%S}.jpg"
        extra.append((prefix + name, tiny_jpeg(rng), "photo"))
    if county and rng.random() < 0.4:
        extra.append((prefix + "媒体报道汇编.pdf", minimal_pdf(), "document"))
    for who, name, seconds in ((plan.long_video, "科技活动周宣传片.mp4", float(rng.integers(190, 260))),
                               (plan.short_video, "活动视频.mp4", float(rng.integers(60, 170)))):
        if who == unit.name:
            extra.append((prefix + name, minimal_mp4(seconds), "video"))
            if seconds > VIDEO_MAX_SECONDS:
                state.planted.append(_planted(prefix + name, unit.name, "video_too_long",
                                              f"视频时长{seconds:g}秒，超过3分钟"))
    for path, data, kind in extra:
        state.files[path] = data
        state.planted.append(_planted(path, unit.name, "non_return_file", kind))


def build_year(units: Sequence[Unit], year: int, seed: int = DEFAULT_SEED) -> DemoYear:
    """Generate one demo year: the returns as sent, when they arrived, the truth and the planted problems."""
    plan = PLANS[year]
    _, week_end, deadline = DEMO_WEEKS[year]
    roster = [u for u in units if u.active(year)]
    truth = true_values(roster, year, seed)
    rng = np.random.default_rng([seed, year, 2])
    state = _YearState()
    received: dict[str, dt.datetime] = {}
    window = (deadline - week_end).days
    for unit in roster:
        if unit.name == plan.missing:
            state.planted.append(_planted("", unit.name, "missing_return", "未报送统计表"))
            continue
        values = dict(truth[unit.name])
        layout = plan.layouts.get(unit.name, "docx")
        short = FOLDERS.get(unit.name, unit.name)
        folder = None if unit.name in FLAT else short
        name = _form_name(year, short, EXTENSIONS[layout], folder is not None, layout != "csv", rng)
        path = f"{folder}/{name}" if folder else name
        names = stamp_names(unit)
        stamp = names[0] if rng.random() < 0.7 else str(rng.choice(names))
        late = unit.name == plan.late
        first_day = 2 if unit.name == plan.revised else 1  # room for the first version of a revised return
        day = deadline + dt.timedelta(days=int(rng.integers(3, 11))) if late else \
            week_end + dt.timedelta(days=int(rng.integers(first_day, window + 1)))
        when = _received(day, rng)
        vary = float(rng.choice([0.0, 0.2, 0.5], p=[0.4, 0.4, 0.2]))
        labels = {f.key: str(rng.choice(label_variants(f))) if rng.random() < vary else f.label for f in form.FIELDS}
        categories = {f.category: _break(f.category) if rng.random() < 0.5 else f.category
                      for f in form.FIELDS if f.category}
        ret = Return(unit, year, path, layout, stamp, labels, categories, dict(values), _note(when, rng), when,
                     _num if rng.random() < 0.7 else "{:.2f}".format)
        protected: set[str] = set()
        if unit.name == plan.few_reports:
            ret.cells["media_outlets"] = values["media_outlets"] = 1
            ret.cells["media_reports"] = values["media_reports"] = 1
            protected |= {"media_outlets", "media_reports"}
            state.planted.append(_planted(path, unit.name, "county_media_reports_lt2", "宣传报道仅1篇", "media_reports"))
        if unit.name == plan.yuan:
            typed = round(values["funding_county"] * 10000)
            state.planted.append(_planted(path, unit.name, "money_in_yuan_suspect",
                                          f"按元填写：{typed} 实为 {_num(values['funding_county'])} 万元",
                                          "funding_county"))
            state.settled[(unit.name, "funding_county")] = values["funding_county"]
            ret.cells["funding_county"], values["funding_county"] = typed, float(typed)
            protected.add("funding_county")
        if unit.name == plan.unknown[0]:
            key = plan.unknown[1]
            state.settled[(unit.name, key)] = values[key]
            ret.cells[key], values[key] = "待统计", float("nan")
            protected.add(key)
            state.planted.append(_planted(path, unit.name, "value_unknown", "填写“待统计”", key))
        if unit.name == plan.revised:
            protected |= set(REVISED_FIELDS)
        if layout == "xlsx_hidden" and year - 1 in PLANS:
            ret.last_year = true_values(roster, year - 1, seed)[unit.name]
        if late:
            state.planted.append(_planted(path, unit.name, "late_return",
                                          f"{when:%Y-%m-%d}收到，截止日期{deadline:%Y-%m-%d}"))
        state.returns.append(ret)
        state.values.append(values)
        state.protected.append(protected)
        received[path] = when
        _materials(state, unit, plan, folder, stamp, truth[unit.name], when, rng)
    _spell(state, rng)
    _revise(state, plan, received, rng)
    for ret in state.returns:
        state.files[ret.path] = write_return(ret, plan)
    return DemoYear(files=dict(sorted(state.files.items())),
                    received=pd.DataFrame({"source_file": list(received),
                                           "received": [w.date().isoformat() for w in received.values()]})
                    .sort_values("source_file", ignore_index=True),
                    truth=_truth_frame(state),
                    planted=pd.DataFrame(state.planted, columns=list(PLANTED_COLUMNS))
                    .sort_values(["code", "source_file", "unit"], ignore_index=True),
                    ledger=demo_ledger(state.planted, state.settled, year))


# How the (fictional) bureau settled each planted problem after phoning the unit: (处理, 依据).
SETTLEMENTS = {
    "money_in_yuan_suspect": ("更正", "电话核实：单位确认按元填写，已换算为万元（示例）"),
    "value_unknown": ("更正", "电话核实：单位补报具体数值（示例）"),
    "county_media_reports_lt2": ("确认无误", "电话核实：本年度宣传报道确为1篇，已提醒今后按通知要求报送（示例）"),
    "late_return": ("确认无误", "已知悉逾期原因，数据可用（示例）"),
    "missing_return": ("确认无误", "电话核实：该单位本年度未单独组织活动周活动（示例）"),
    "video_too_long": ("确认无误", "视频仅作资料存档，不对外发布（示例）"),
}
LEDGER_CHECKER = "市科技局统计组（示例）"
OPEN_IN = {2024: ("value_unknown",)}  # left 待核实 in the demo, so that one year shows a draft report


def demo_ledger(planted: list[dict[str, str]], settled: dict[tuple[str, str], float], year: int) -> list[LedgerRow]:
    """The demo year's review ledger: every planted warning settled as :data:`SETTLEMENTS` says, except the
    codes :data:`OPEN_IN` leaves open."""
    rows = []
    checked_on = (DEMO_WEEKS[year][2] + dt.timedelta(days=3)).isoformat()
    for p in sorted(planted, key=lambda p: (p["unit"], p["code"], p["source_file"])):
        if p["code"] not in SETTLEMENTS:
            continue
        action, basis = SETTLEMENTS[p["code"]]
        key = p.get("field", "")
        value = settled.get((p["unit"], key))
        original = {"money_in_yuan_suspect": _num(round(value * 10000)) if value is not None else "",
                    "value_unknown": "待统计", "county_media_reports_lt2": "1"}.get(p["code"], "")
        pending = p["code"] in OPEN_IN.get(year, ())
        rows.append(LedgerRow(len(rows) + 2, p["unit"], form.BY_KEY[key].label if key else "", p["code"],
                              p["source_file"], "", original, "待核实" if pending else action,
                              "" if pending or action != "更正" else _num(value), "" if pending else basis,
                              "" if pending else LEDGER_CHECKER, "" if pending else checked_on))
    return rows


def _revise(state: _YearState, plan: YearPlan, received: dict[str, dt.datetime], rng: np.random.Generator) -> None:
    """The revised unit sent a first version, then the corrected one named …（修改版）."""
    i = next(n for n, ret in enumerate(state.returns) if ret.unit.name == plan.revised)
    final = state.returns[i]
    stem, ext = final.path.rsplit(".", 1)
    first_cells = dict(final.cells)
    for key, wrong in REVISED_FIELDS.items():
        first_cells[key] = wrong(first_cells[key])
    first_when = final.when - dt.timedelta(days=1, hours=int(rng.integers(1, 5)))
    first = Return(**{**final.__dict__, "cells": first_cells, "when": first_when})
    final.path = f"{stem}{REVISION_MARK}.{ext}"
    received.pop(first.path)
    received[first.path], received[final.path] = first_when, final.when
    state.returns.insert(i, first)
    state.values.insert(i, {})
    state.protected.insert(i, set())
    state.planted.append(_planted(first.path, final.unit.name, "superseded_revision", f"已被{final.path}取代"))
    for row in state.planted:
        if row["source_file"] == first.path and row["code"] != "superseded_revision":
            row["source_file"] = final.path


def write_return(ret: Return, plan: YearPlan) -> bytes:
    """The bytes of a return in its layout."""
    if ret.layout == "docx":
        return docx_form(ret)
    if ret.layout.startswith("xlsx"):
        return xlsx_form(ret)
    if ret.layout == "xls":
        return xls_form(ret)
    if ret.layout == "ods":
        return ods_form(ret)
    return csv_form(ret, plan.csv_encoding, plan.csv_header_rows)


def _truth_frame(state: _YearState) -> pd.DataFrame:
    """One row per accepted return with the values ingest must report."""
    rows = [{"source_file": ret.path, "unit": ret.unit.name, "unit_kind": ret.unit.kind, **values}
            for ret, values in zip(state.returns, state.values) if values]
    frame = pd.DataFrame(rows, columns=["source_file", "unit", "unit_kind", *form.FIELD_KEYS])
    return frame.astype({k: "Int64" for k in form.COUNT_KEYS} | {k: "float64" for k in form.MONEY_KEYS})


# ---------------------------------------------------------------------------
# Writing it out

def _refuse_real_returns(folder: Path) -> None:
    """Raise when ``folder`` holds anything but demo data: real returns are never overwritten."""
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} 已存在且不是文件夹，未生成示例数据。")
    if folder.is_dir() and any(folder.iterdir()) and not paths.is_demo(folder):
        raise FileExistsError(f"{folder} 中已有非示例数据（没有 {paths.DEMO_MARKER}），为避免覆盖真实报表，未生成示例数据。")


def generate(raw_dir: Path, truth_dir: Path, years: Sequence[int] = DEMO_YEARS, seed: int = DEFAULT_SEED) -> None:
    """Write the demo years into ``raw_dir/<year>/`` (replacing earlier demo data), their truth into ``truth_dir``."""
    unknown = sorted(set(years) - set(PLANS))
    if unknown:
        raise ValueError(f"没有 {', '.join(map(str, unknown))} 年的示例数据方案，可生成的年份：{', '.join(map(str, PLANS))}")
    folders = {year: Path(raw_dir) / str(year) for year in years}
    for folder in folders.values():
        _refuse_real_returns(folder)
    units = Registry.load(paths.UNITS_CSV).units
    for year, folder in folders.items():
        built = build_year(units, year, seed)
        if folder.exists():
            shutil.rmtree(folder)
        for rel, data in built.files.items():
            write_atomic(folder / rel, lambda p, d=data: p.write_bytes(d))
        write_csv(built.received, folder / RECEIVED_CSV)
        write_text(MARKER_TEXT, folder / paths.DEMO_MARKER)
        write_csv(built.truth, Path(truth_dir) / f"{year}.csv")
        write_csv(built.planted, Path(truth_dir) / f"{year}_planted.csv")
        write_ledger(built.ledger, Path(raw_dir).parent / "review" / f"{year}.xlsx", year=year, demo=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis demo``: regenerate the synthetic demo years."""
    parser = argparse.ArgumentParser(prog="python -m analysis demo",
                                     description="生成示例数据（非真实统计）：2021—2024年各单位报送的统计表及核对用的真实值。")
    parser.add_argument("--out", type=Path, default=paths.DEMO.raw, help="示例报表目录（默认 data/demo/raw）")
    parser.add_argument("--truth", type=Path, default=TRUTH_DIR, help="真实值目录（默认 tests/data/demo_truth）")
    parser.add_argument("--years", type=int, nargs="+", default=list(DEMO_YEARS), help="要生成的年份")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
    args = parser.parse_args(argv)
    try:
        generate(args.out, args.truth, years=args.years, seed=args.seed)
    except (FileExistsError, ValueError) as exc:  # real returns in the way, or a year without a plan
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"错误：写入示例数据失败（{exc}），请检查目录是否存在、是否有写入权限。", file=sys.stderr)
        return 1
    print(f"已生成示例数据：{', '.join(map(str, args.years))} 年 → {args.out}；真实值 → {args.truth}")
    return 0
