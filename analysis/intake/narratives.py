"""Figures quoted in the units' narratives (工作总结, files.csv kind ``summary``): "举办各类科普活动56场", "参与群众3500余人次".

Conservative on purpose: only a few unambiguous phrasings are read, each tied to one item of the form; a
sentence about other years (去年、上年…) is skipped, and an item quoted twice with different numbers in one
summary is dropped.  A summary that cannot be read yields no quote (the file itself is listed by ingest).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from analysis.intake.readers.formats import WORD_EXT
from analysis.intake.readers.word import read_docx
from analysis.intake.records import NARRATIVE
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused

QUOTE_COLUMNS = ("source_file", "unit", "field", "value", "approx", "quote", "sentence")
PARTICIPATION = "total_participation"  # "参与群众…人次" without 线上/线下: offline or offline + online
MAX_SENTENCE = 120

_NUMBER = r"(?P<pre>约|近|超过|逾|达到?|共计?|累计)?(?P<num>\d+(?:\.\d+)?)(?P<wan>万)?(?P<post>余|多)?"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        (
            "events_held",
            r"(?:举办|开展|组织)了?(?:各类|各项|各种|系列)?(?:科普|科技)(?:宣传)?活动" + _NUMBER + r"(?:场|次)",
        ),
        ("public_offline", r"线下(?:活动)?(?:参与)?(?:群众|人数)?(?:参与)?" + _NUMBER + r"人次"),
        ("public_online", r"线上(?:活动)?(?:参与)?(?:群众|人数)?(?:参与)?" + _NUMBER + r"人次"),
        (PARTICIPATION, r"(?<![线上下])(?:参与|参加|受益|惠及)群众" + _NUMBER + r"人次"),
        ("media_reports", r"(?:刊发|发布|发表|播发)(?:各类)?(?:新闻)?(?:宣传)?(?:报道|稿件)" + _NUMBER + r"篇"),
        ("staff_volunteers", r"(?:招募|组织)?科技志愿者" + _NUMBER + r"(?:名|人)"),
        ("open_venues", r"开放(?:各类)?科普场馆" + _NUMBER + r"(?:个|家|处)"),
    )
)
_OTHER_YEARS = re.compile(r"去年|上年|往年|历年|前年|同比|比上")
_SENTENCE = re.compile(r"[^。！？；\n]+")


@dataclass(frozen=True)
class Quote:
    """One figure a summary gives for one item."""

    source_file: str
    unit: str
    field: str  # a form key, or PARTICIPATION
    value: float
    approx: bool  # 约/余/多/万: the unit rounded it
    quote: str  # the matched words, e.g. 举办各类科普活动56场
    sentence: str


def quotes_in_text(text: str, source_file: str = "", unit: str = "") -> list[Quote]:
    """The figures quoted in ``text``; items quoted with two different numbers are left out."""
    found: list[Quote] = []
    for sentence in _SENTENCE.findall(text):
        if _OTHER_YEARS.search(sentence):
            continue
        for key, pattern in _PATTERNS:
            for m in pattern.finditer(sentence):
                value = float(m["num"]) * (10_000 if m["wan"] else 1)
                found.append(
                    Quote(
                        source_file,
                        unit,
                        key,
                        round(value, 2),
                        bool(m["pre"] in ("约", "近", "超过", "逾") or m["wan"] or m["post"]),
                        m.group(0),
                        sentence.strip()[:MAX_SENTENCE],
                    )
                )
    values: dict[str, set[float]] = {}
    for q in found:
        values.setdefault(q.field, set()).add(q.value)
    seen: set[str] = set()
    unique = []
    for q in found:
        if len(values[q.field]) == 1 and q.field not in seen:
            seen.add(q.field)
            unique.append(q)
    return unique


def narrative_text(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """The body paragraphs of a Word summary ('' when it cannot be read safely)."""
    if Path(path).suffix.lower() not in WORD_EXT:
        return ""
    try:
        grids = read_docx(Path(path), limits)
    except (Refused, OSError, ValueError):
        return ""
    return "\n".join(str(row[0]) for g in grids if g.sheet == "正文" for row in g.rows if row and row[0])


def read_narratives(raw_dir: Path, files: pd.DataFrame, limits: Limits = DEFAULT_LIMITS) -> list[Quote]:
    """The quotes of every file ingest classed as a summary (``files.csv`` kind ``summary``) with a known unit."""
    quotes: list[Quote] = []
    if files.empty:
        return quotes
    for row in files[files["kind"] == NARRATIVE].to_dict("records"):
        unit = row.get("unit")
        if not isinstance(unit, str) or not unit:
            continue
        text = narrative_text(Path(raw_dir) / row["source_file"], limits)
        quotes += quotes_in_text(text, row["source_file"], unit)
    return quotes


def quotes_frame(quotes: list[Quote]) -> pd.DataFrame:
    """Quotes as the table ``catalog.QUOTES_CSV`` (summaries.csv)."""
    return pd.DataFrame([asdict(q) for q in quotes], columns=list(QUOTE_COLUMNS))
