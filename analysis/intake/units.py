"""Units: who sent a return, resolved against the registry ``data/reference/units.csv``."""

from __future__ import annotations

import csv
import heapq
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from analysis.issues import Issue
from analysis.paths import UNITS_CSV

KINDS = ("county", "department", "college", "institute", "other")
KIND_ZH = {"county": "县市区", "department": "市直部门", "college": "高校", "institute": "科研院所", "other": "其他"}

_NOISE = re.compile(r"[\s（）()【】\[\]<>《》\"'“”:：,，、.。\-_—]|盖章|公章|印章")
_DROP_WORDS = (
    "科技活动周开展情况统计表",
    "科技活动周统计表",
    "开展情况统计表",
    "统计表",
    "科技活动周",
    "活动周",
    "修改版",
    "最终版",
    "终稿",
    "更正版",
    "更正",
    "修订版",
    "修订",
    "定稿",
    "副本",
    "报送",
)
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)年?(度)?")  # not inside a longer number (县级单位01900)
# Words that name a body: text left around a unit's name that holds one is another organisation.
_OTHER_BODY = ("局", "委", "办", "院", "校", "中心", "协会", "公司", "站", "馆", "所", "部", "厂", "医院")
_VERSION = re.compile(r"v\d+$|\d+$", re.IGNORECASE)
# Long words of official names and the short forms people write (applied to both sides, longest first).
_ABBREVIATIONS = (
    ("高新技术产业开发区", "高新区"),
    ("科学技术协会", "科协"),
    ("卫生健康委员会", "卫健委"),
    ("经济和信息化", "经信"),
    ("经济信息化", "经信"),
    ("科学技术", "科技"),
    ("卫生健康", "卫健"),
    ("管理委员会", "管委会"),
    ("文化和旅游", "文旅"),
)
_ABBREVIATE = re.compile("|".join(long for long, _ in _ABBREVIATIONS))
_SHORT = dict(_ABBREVIATIONS)
MatchKind = Literal["name", "alias", "official", "contains", "ambiguous", "none"]
SHOWN = 5  # candidates a message names before 等 N 个
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None
    line: int | None = field(default=None, compare=False)  # the registry file's line, for messages

    def active(self, year: int | None) -> bool:
        return year is None or ((self.since or 0) <= year <= (self.until or 9999))


def fold_name(text: str) -> str:
    """Fold a text naming a unit for comparison: :func:`fold_plain`, then a trailing version marker dropped
    (v2, 2: 曾都区统计表2 → 曾都区)."""
    return _VERSION.sub("", fold_plain(text))


def fold_plain(text: str) -> str:
    """Fold a unit name: NFKC, no brackets, punctuation, 盖章, years or form words; its digits kept (县级单位00012
    is a name, not a version).  Registered names and aliases are folded so."""
    s = unicodedata.normalize("NFKC", str(text))
    s = _YEAR.sub("", s)
    for word in _DROP_WORDS:
        s = s.replace(word, "")
    return _NOISE.sub("", s)


def exact_text(text: str) -> str:
    """A text as written, only NFKC-normalised and without spaces: a registered name given exactly wins."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text)))


def listed(names: tuple[str, ...], count: int) -> str:
    """“甲”、“乙” …, and 等 N 个 when ``count`` exceeds the names shown."""
    shown = "、".join(f"“{name}”" for name in names)
    return shown if count <= len(names) else f"{shown}等 {count} 个"


class RegistryError(ValueError):
    """The unit registry cannot be used; the message (Chinese) says how to fix the file."""


def _year(text: str | None, path: Path, line: int) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit() and len(text) == 4:
        return int(text)
    raise RegistryError(f"单位名录 {path} 第 {line} 行的年度“{text}”不是四位年份：since/until 请填写如 2023，或留空。")


@dataclass(frozen=True)
class Match:
    """How a text names a registered unit.

    ``kind``: ``name`` / ``alias`` (the text is that name, once folded), ``official`` (the text is a long
    official form of a name or alias: 随州市高新技术产业开发区科技创新局 for 随州高新区 — worth an info note),
    ``contains`` (a name or alias of exactly one unit inside the text, such as 曾都区科经局报表), ``ambiguous``
    (names of several units: ``unit`` is None, ``candidates`` are the first :data:`SHOWN` of them in name order
    and ``count`` how many there are) or ``none``.
    """

    unit: Unit | None
    kind: MatchKind
    candidates: tuple[str, ...] = ()
    count: int = 0


def _ambiguous(names) -> Match:
    """An ambiguous match over ``names`` (an iterable of distinct unit names), keeping only the first few."""
    names = list(names)
    return Match(None, "ambiguous", tuple(heapq.nsmallest(SHOWN, names)), len(names))


_NO_MATCH = Match(None, "none")


class Registry:
    """The known reporting units and their aliases, indexed for resolving names.

    A name or alias written exactly is one dictionary look-up and always wins.  Otherwise every folded name and
    alias (:func:`fold_plain`) is a key of one dictionary (its official long forms too, see :func:`_variants`), so
    resolving a text costs a few dictionary look-ups per substring length present in the registry, whatever the
    number of units.  Two units whose names or aliases fold to the same key cannot be told apart: the registry
    is refused (:class:`RegistryError` naming both lines).
    """

    def __init__(self, units: list[Unit], source: Path | None = None) -> None:
        self.units = units
        self._cities = _cities(units)
        self._exact: dict[str, tuple[Unit, MatchKind]] = {}
        self._keys: dict[str, dict[str, tuple[Unit, MatchKind]]] = {}  # folded key → unit name → (unit, kind)
        written: dict[str, tuple[Unit, str]] = {}  # folded key → the unit and the text it came from
        clashes: list[str] = []
        for unit in units:
            for n, name in enumerate((unit.name, *unit.aliases)):
                kind: MatchKind = "name" if n == 0 else "alias"
                self._exact.setdefault(exact_text(name), (unit, kind))
                folded = fold_plain(name)
                if len(folded) < 2:
                    continue
                first = written.setdefault(folded, (unit, name))
                if first[0] is not unit:
                    clashes.append(_clash(first, (unit, name), folded))
                self._add(folded, unit, kind)
                for variant in _variants(folded, self._cities) - {folded}:
                    self._add(variant, unit, "official")
        if clashes:
            where = f"单位名录 {source} 中" if source else "单位名录中"
            more = f"（共 {len(clashes)} 处，以上为前 {SHOWN} 处）" if len(clashes) > SHOWN else ""
            raise RegistryError(
                f"{where}有名称或别名在去掉空格、括号、“盖章”等字样后相同，程序无法区分这些单位："
                f"{'；'.join(clashes[:SHOWN])}{more}。请修改或删除其中一个名称或别名后再运行。"
            )
        self._lengths = sorted({len(k) for k in self._keys}, reverse=True)  # longest first
        self._matched: dict[str, Match] = {}

    def _add(self, key: str, unit: Unit, kind: MatchKind) -> None:
        found = self._keys.setdefault(key, {})
        if unit.name not in found or (found[unit.name][1] == "official" and kind != "official"):
            found[unit.name] = (unit, kind)

    @classmethod
    def load(cls, path: Path = UNITS_CSV) -> Registry:
        """Read the registry (UTF-8 or GB18030, as Excel saves it); a broken file is a :class:`RegistryError`."""
        path = Path(path)
        if not path.is_file():
            raise RegistryError(f"找不到单位名录 {path}：请恢复该文件（列：name,kind,aliases,since,until）。")
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        if not rows or not {"name", "kind"} <= set(rows[0]):
            raise RegistryError(f"单位名录 {path} 缺少 name、kind 列：请按 name,kind,aliases,since,until 的格式填写。")
        units = []
        for number, row in enumerate(rows, start=2):
            name = (row.get("name") or "").strip()
            if not name:
                continue
            kind = (row.get("kind") or "").strip()
            units.append(
                Unit(
                    name,
                    kind if kind in KINDS else "other",
                    tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                    _year(row.get("since"), path, number),
                    _year(row.get("until"), path, number),
                    number,
                )
            )
        return cls(units, path)

    def roster(self, year: int | None) -> list[Unit]:
        """Units expected to return a table in ``year``, in registry order."""
        return [u for u in self.units if u.active(year)]

    def resolve(self, text: str) -> Unit | None:
        """The registered unit a name, file name or folder name refers to, or None (see :meth:`match`)."""
        return self.match(text).unit

    def match(self, text: str) -> Match:
        """Which registered unit ``text`` names, and how (cached per text)."""
        if text not in self._matched:
            self._matched[text] = self._match(text)
        return self._matched[text]

    def _match(self, text: str) -> Match:
        exact = self._exact.get(exact_text(text))
        if exact is not None:
            return Match(*exact)
        plain = fold_plain(text)
        forms = [f for f in dict.fromkeys((plain, _VERSION.sub("", plain))) if len(f) >= 2]  # digits kept first
        variants = [v for f in forms for v in sorted(_variants(f, self._cities), key=lambda v, f=f: (v != f, v))]
        for variant in variants:
            if variant in self._keys:
                found = self._keys[variant]
                written = {name: hit for name, hit in found.items() if hit[1] != "official"}
                found = written if len(written) == 1 else found  # a unit's own name beats another's long form
                if len(found) > 1:
                    return _ambiguous(found)
                unit, kind = next(iter(found.values()))
                return Match(unit, kind if variant in forms else "official")
        best = _NO_MATCH
        for variant in dict.fromkeys(variants):
            found = self._contained(variant)
            if found.kind == "contains":
                return found
            if best.kind == "none":
                best = found
        return best

    def notes(self, source_file: str, texts: list[tuple[str, str]]) -> list[Issue]:
        """Notes on how a return's unit was found from ``texts`` ((where, text), most trusted first): an info when
        the deciding text is a long official name, a warning naming the candidates when no text decided and one
        names several units."""
        ambiguous: list[Issue] = []
        for where, text in texts:
            found = self.match(text) if text else _NO_MATCH
            if found.unit is not None:
                if found.kind != "official":
                    return []
                return [
                    Issue(
                        "info",
                        "unit_official_name",
                        f"{where}写的“{text}”是名录中“{found.unit.name}”的全称，已按“{found.unit.name}”计入。",
                        source_file,
                        unit=found.unit.name,
                    )
                ]
            if found.kind == "ambiguous" and not ambiguous:
                names = listed(found.candidates, found.count)
                ambiguous.append(
                    Issue(
                        "warning",
                        "unit_ambiguous",
                        f"{where}写的“{text}”可能指名录中的{names}，"
                        "程序不作猜测。请在“地方/部门（盖章）”处填写单位全称。",
                        source_file,
                    )
                )
        return ambiguous

    def _contained(self, folded: str) -> Match:
        """Names or aliases inside ``folded``; one inside a longer one (曾都区 in 曾都区科经局) does not count."""
        spans: list[tuple[int, int, dict[str, tuple[Unit, MatchKind]]]] = []
        for length in self._lengths:
            if length >= len(folded):
                continue
            for start in range(len(folded) - length + 1):
                found = self._keys.get(folded[start : start + length])
                if found and not any(s <= start and start + length <= e for s, e, _ in spans):
                    spans.append((start, start + length, found))
        names = {name for _, _, found in spans for name in found}
        if not names:
            return _NO_MATCH
        if len(names) > 1:
            return _ambiguous(names)  # 广水市卫健局: 广水市 or 市卫健委? not guessed
        rest = "".join(ch for i, ch in enumerate(folded) if not any(s <= i < e for s, e, _ in spans))
        if any(word in rest for word in _OTHER_BODY):
            return _NO_MATCH  # another body of that place (随县教育局 is not 随县's own return)
        return Match(next(iter(spans[0][2].values()))[0], "contains")


def _clash(first: tuple[Unit, str], second: tuple[Unit, str], folded: str) -> str:
    """One collision of the registry, in words: both lines, both texts, the key they share."""

    def entry(unit: Unit, text: str) -> str:
        line = f"第 {unit.line} 行" if unit.line else ""
        return f"{line}“{unit.name}”" + (f"的别名“{text}”" if text != unit.name else "")

    return f"{entry(*first)}与{entry(*second)}都归并为“{folded}”"


def _cities(units: list[Unit]) -> tuple[str, ...]:
    """City names the registry writes before its city departments: 随州 from 市教育局's alias 随州市教育局."""
    found = {
        alias[: -len(unit.name)]
        for unit in units
        if unit.name.startswith("市")
        for alias in unit.aliases
        if alias.endswith(unit.name) and len(alias) > len(unit.name)
    }
    return tuple(sorted((fold_plain(c) for c in found if len(fold_plain(c)) >= 2), key=lambda c: (-len(c), c)))


def _variants(folded: str, cities: tuple[str, ...]) -> set[str]:
    """``folded`` and its other ways of writing: long official words shortened (科学技术 → 科技), and a city prefix,
    with or without 市, written as 市 alone (随州市教育局, 随州教育局 → 市教育局; 随州市高新区 → 市高新区)."""
    short = _ABBREVIATE.sub(lambda m: _SHORT[m.group()], folded)
    out = {folded, short}
    for text in (folded, short):
        for city in cities:
            if text.startswith(city):
                rest = text[len(city) :].removeprefix("市")
                if len(rest) >= 2:
                    out.add("市" + rest)
                break
    return {v for v in out if len(v) >= 2}
