"""Units: who sent a return, resolved against the registry ``data/reference/units.csv``."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from analysis.paths import UNITS_CSV

KINDS = ("county", "department", "college", "institute", "other")
KIND_ZH = {"county": "县市区", "department": "市直部门", "college": "高校", "institute": "科研院所", "other": "其他"}

_NOISE = re.compile(r"[\s（）()【】\[\]<>《》\"'“”:：,，、.。\-_—]|盖章|公章|印章")
_DROP_WORDS = ("科技活动周开展情况统计表", "科技活动周统计表", "开展情况统计表", "统计表", "科技活动周", "活动周",
               "修改版", "最终版", "终稿", "更正版", "更正", "修订版", "修订", "定稿", "副本", "报送")
_YEAR = re.compile(r"(19|20)\d{2}年?(度)?")
# Words that name a body: text left around a unit's name that holds one is another organisation.
_OTHER_BODY = ("局", "委", "办", "院", "校", "中心", "协会", "公司", "站", "馆", "所", "部", "厂", "医院")
_VERSION = re.compile(r"v\d+$|\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None

    def active(self, year: int | None) -> bool:
        return year is None or ((self.since or 0) <= year <= (self.until or 9999))


def fold_name(text: str) -> str:
    """Fold a unit name for comparison: NFKC, no brackets, punctuation, 盖章, years or form words."""
    s = unicodedata.normalize("NFKC", str(text))
    s = _YEAR.sub("", s)
    for word in _DROP_WORDS:
        s = s.replace(word, "")
    s = _NOISE.sub("", s)
    return _VERSION.sub("", s)


class RegistryError(ValueError):
    """The unit registry cannot be used; the message (Chinese) says how to fix the file."""


def _year(text: str | None, path: Path, line: int) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit() and len(text) == 4:
        return int(text)
    raise RegistryError(f"单位名录 {path} 第 {line} 行的年度“{text}”不是四位年份：since/until 请填写如 2023，或留空。")


class Registry:
    """The known reporting units and their aliases."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self._exact: dict[str, Unit] = {}
        for unit in units:
            for name in (unit.name, *unit.aliases):
                self._exact.setdefault(fold_name(name), unit)
        # longest first, so 随州高新区 wins over a shorter alias inside it
        self._by_length = sorted(self._exact.items(), key=lambda kv: -len(kv[0]))
        self._resolved: dict[str, Unit | None] = {}

    @classmethod
    def load(cls, path: Path = UNITS_CSV) -> "Registry":
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
            units.append(Unit(name, kind if kind in KINDS else "other",
                              tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                              _year(row.get("since"), path, number), _year(row.get("until"), path, number)))
        return cls(units)

    def roster(self, year: int | None) -> list[Unit]:
        """Units expected to return a table in ``year``, in registry order."""
        return [u for u in self.units if u.active(year)]

    def resolve(self, text: str) -> Unit | None:
        """The registered unit a name, file name or folder name refers to, or None."""
        if text not in self._resolved:
            self._resolved[text] = self._resolve(text)
        return self._resolved[text]

    def _resolve(self, text: str) -> Unit | None:
        folded = fold_name(text)
        if len(folded) < 2:
            return None
        if folded in self._exact:
            return self._exact[folded]
        if folded.startswith("随州") and "市" + folded.removeprefix("随州市").removeprefix("随州") in self._exact:
            return self._exact["市" + folded.removeprefix("随州市").removeprefix("随州")]
        found = [(alias, unit) for alias, unit in self._by_length if len(alias) >= 2 and alias in folded]
        if len({unit.name for _, unit in found}) != 1:
            return None  # nothing, or names of two units (广水市卫健局): not guessed
        alias, unit = found[0]  # the longest alias of that unit
        rest = folded.replace(alias, "")
        if any(word in rest for word in _OTHER_BODY):
            return None  # another body of that place (随县教育局 is not 随县's own return)
        return unit

    def kind_of(self, name: str) -> str:
        unit = self.resolve(name)
        return unit.kind if unit else "other"
