"""Units: who sent a return, resolved against the registry ``data/reference/units.csv``."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .paths import UNITS_CSV

KINDS = ("county", "department", "college", "institute", "other")
KIND_ZH = {"county": "县市区", "department": "市直部门", "college": "高校", "institute": "科研院所", "other": "其他"}

_NOISE = re.compile(r"[\s（）()【】\[\]<>《》\"'“”:：,，、.。\-_—]|盖章|公章|印章")
_DROP_WORDS = ("科技活动周开展情况统计表", "科技活动周统计表", "开展情况统计表", "统计表", "科技活动周", "活动周",
               "修改版", "最终版", "终稿", "更正版", "更正", "修订版", "修订", "定稿", "副本", "报送")
_YEAR = re.compile(r"(19|20)\d{2}年?(度)?")
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


class Registry:
    """The known reporting units and their aliases."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self._exact: dict[str, Unit] = {}
        for unit in units:
            for name in (unit.name, *unit.aliases):
                self._exact.setdefault(fold_name(name), unit)
                if fold_name(name).startswith("随州市"):
                    self._exact.setdefault(fold_name(name)[3:], unit)
        # longest first, so 随州高新区 wins over a shorter alias inside it
        self._by_length = sorted(self._exact.items(), key=lambda kv: -len(kv[0]))

    @classmethod
    def load(cls, path: Path = UNITS_CSV) -> "Registry":
        units = []
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                kind = row["kind"].strip() if row["kind"].strip() in KINDS else "other"
                units.append(Unit(row["name"].strip(), kind,
                                  tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                                  int(row["since"]) if (row.get("since") or "").strip() else None,
                                  int(row["until"]) if (row.get("until") or "").strip() else None))
        return cls(units)

    def roster(self, year: int | None) -> list[Unit]:
        """Units expected to return a table in ``year``, in registry order."""
        return [u for u in self.units if u.active(year)]

    def resolve(self, text: str) -> Unit | None:
        """The registered unit a name, file name or folder name refers to, or None."""
        folded = fold_name(text)
        if len(folded) < 2:
            return None
        if folded in self._exact:
            return self._exact[folded]
        if folded.startswith("随州市") and folded[3:] in self._exact:
            return self._exact[folded[3:]]
        hits = {unit.name: unit for alias, unit in self._by_length if len(alias) >= 2 and alias in folded}
        if len(hits) == 1:
            return next(iter(hits.values()))
        if hits:  # several: the longest alias found decides
            for alias, unit in self._by_length:
                if len(alias) >= 2 and alias in folded:
                    return unit
        return None

    def kind_of(self, name: str) -> str:
        unit = self.resolve(name)
        return unit.kind if unit else "other"
