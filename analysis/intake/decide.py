"""Who sent each return and which revision counts: pure decisions over what the workers read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analysis.intake.records import ROW_UNIT_SOURCES, FileOutcome
from analysis.intake.units import Registry, Unit, fold_name
from analysis.issues import Issue

_REVISION = re.compile(r"(最终|终稿|定稿)|(修改|更正|修订|调整|补充|重报|新版)|[vV](\d+)|[（(](\d+)[)）]$")


@dataclass(frozen=True)
class UnitCandidate:
    """One place where a return names its unit: 盖章栏 / 文件名 / 文件夹, the text there, and the registered
    unit it resolves to (None when it does not)."""

    where: str
    text: str
    unit: Unit | None


@dataclass(frozen=True)
class UnitDecision:
    """The unit a return is counted for, its kind, and where that came from ('' when nowhere: unregistered)."""

    name: str
    kind: str
    where: str


def revision_rank(outcome: FileOutcome) -> tuple:
    """Sort key of one unit's returns, best last: marked final, marked revised, version number ("v2", "(2)"),
    modification time, name."""
    stem = Path(outcome.source_file).stem
    m = _REVISION.findall(stem)
    final = any(g[0] for g in m)
    revised = any(g[1] for g in m)
    version = max([int(g[2] or g[3] or 0) for g in m], default=0)
    return (final, revised or version > 0, version, outcome.mtime, outcome.source_file)


def unit_candidates(outcome: FileOutcome, registry: Registry) -> list[UnitCandidate]:
    """Where a return names its unit, most trusted first: the 盖章 line (an export row: its unit answer), the file
    name, what the channel says (a mail's sender and subject), the folders inward-out."""
    *folders, name = outcome.source_file.split("/")  # a "/"-separated path relative to the year folder
    if outcome.stamp_from in ROW_UNIT_SOURCES:  # an export's row names its unit itself; the file's place does not
        return [UnitCandidate(outcome.stamp_from, outcome.stamp, registry.resolve(outcome.stamp))]
    texts = [
        (outcome.stamp_from, outcome.stamp),
        ("文件名", PurePosixPath(name).stem),
        *outcome.names,
        *[("文件夹", p) for p in reversed(folders) if p],
    ]
    return [UnitCandidate(where, text, registry.resolve(text) if text else None) for where, text in texts]


def resolve_unit(outcome: FileOutcome, candidates: list[UnitCandidate]) -> UnitDecision:
    """The first registered candidate; an unregistered name is kept as written (the stamp, else the sender …),
    kind ``other``."""
    for candidate in candidates:
        if candidate.unit:
            return UnitDecision(candidate.unit.name, candidate.unit.kind, candidate.where)
    rel = Path(outcome.source_file)
    named = next((text for _, text in outcome.names if text), "")
    written = outcome.stamp or named or (rel.parts[0] if len(rel.parts) > 1 else fold_name(rel.stem)) or rel.stem
    return UnitDecision(written, "other", "")


def unit_of_path(source_file: str, registry: Registry, outcome: FileOutcome | None = None) -> str:
    """The registered unit a file's name or folders point to ("" when none): for photos, summaries …; a scan
    without a usable form may also have its 盖章 line, a mail attachment its sender (``outcome``), tried too."""
    outcome = outcome if outcome is not None else FileOutcome(source_file)
    return next((c.unit.name for c in unit_candidates(outcome, registry) if c.unit), "")


def unit_conflict(source_file: str, candidates: list[UnitCandidate]) -> Issue | None:
    """A warning when the 盖章 line and the file or folder name name different registered units."""
    found = [c for c in candidates if c.unit]
    if len({c.unit.name for c in found}) < 2:
        return None
    first = found[0]
    other = next(c for c in found if c.unit.name != first.unit.name)
    return Issue(
        "warning",
        "unit_conflict",
        f"{first.where}写的是“{first.unit.name}”，但{other.where}指向"
        f"“{other.unit.name}”：已按“{first.unit.name}”计入，请核实该表属于哪个单位。",
        source_file,
        unit=first.unit.name,
    )
