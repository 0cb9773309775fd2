"""The year's four tables from what the walk found and the workers read: units, revisions and statuses."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from analysis import chinese
from analysis.form import BY_KEY, FIELD_KEYS, SUBTOTAL_PREFIX, Form, form_for
from analysis.intake.decide import (
    resolve_unit,
    revision_rank,
    unit_candidates,
    unit_conflict,
    unit_of_path,
)
from analysis.intake.readers.formats import IMAGE_EXT, PDF_EXT
from analysis.intake.readers.ocr import read_by_ocr, unverified
from analysis.intake.records import (
    FILE_COLUMNS,
    FILE_KINDS,
    RETURN_COLUMNS,
    VALUE_COLUMNS,
    FileOutcome,
    IngestResult,
    typed_returns,
)
from analysis.intake.units import Registry
from analysis.intake.walk import NOT_A_FILE_CODES
from analysis.issues import Issue, issues_frame


@dataclass(frozen=True)
class SeenFile:
    """One file of the year folder as the walk found it: where it is, its name in the outputs, what kind of
    file its name says it is (table / photo / video / document / system / project / other), and its hash."""

    path: Path
    source_file: str
    kind: str
    sha256: str = ""  # taken by the parent for files no worker reads
    read: bool = False  # a worker opens it (table, PDF, image, archive)


@dataclass(frozen=True)
class Entry:
    """One row-to-be of files.csv: a file of the folder or a member of an archive, and what a worker read of it."""

    source_file: str
    kind: str
    sha256: str
    outcome: FileOutcome | None


def all_members(outcome: FileOutcome) -> list[FileOutcome]:
    """An archive's members, each nested archive followed by its own members."""
    return [m for member in outcome.members for m in (member, *all_members(member))]


def entries(seen: list[SeenFile], outcomes: dict[str, FileOutcome]) -> list[Entry]:
    """The folder's files, each archive followed by its members."""
    out: list[Entry] = []
    for item in seen:
        outcome = outcomes.get(item.source_file)
        out.append(Entry(item.source_file, item.kind, item.sha256, outcome))
        out += [Entry(m.source_file, m.kind, m.sha256, m) for m in (all_members(outcome) if outcome else ())]
    return out


@dataclass(frozen=True)
class UnitForm:
    """A parsed form counted for a unit."""

    outcome: FileOutcome
    unit: str
    unit_kind: str


def assemble(
    seen: list[SeenFile], outcomes: dict[str, FileOutcome], walk_issues: list[Issue], registry: Registry, meta: dict
) -> IngestResult:
    """Decide units, revisions and statuses; build the four tables."""
    issues = list(walk_issues)
    # entries that are not readable files (links, devices) are inventoried too
    file_rows: list[dict] = [
        dict(
            source_file=i.source_file,
            kind="other",
            status="error" if i.severity == "error" else "skipped",
            unit="",
            sha256="",
        )
        for i in issues
        if i.code in NOT_A_FILE_CODES
    ]
    forms: dict[str, list[UnitForm]] = {}
    unit_of: dict[str, str] = {}
    for item in entries(seen, outcomes):
        rel = item.source_file
        outcome = item.outcome
        if outcome is None or outcome.kind == "system":  # not read: a video, a system or project file …
            if item.kind in ("system", "project"):
                file_rows.append(dict(source_file=rel, kind="other", status="skipped", unit="", sha256=item.sha256))
            else:
                file_rows.append(
                    dict(
                        source_file=rel,
                        kind=item.kind,
                        status="skipped",
                        unit=unit_of_path(rel, registry),
                        sha256=item.sha256,
                    )
                )
            continue
        issues.extend(outcome.issues)
        if outcome.kind != "form":
            status = "error" if any(i.severity == "error" for i in outcome.issues) else "skipped"
            kind = outcome.kind if outcome.kind in FILE_KINDS else "other"
            file_rows.append(
                dict(
                    source_file=rel,
                    kind=kind,
                    status=status,
                    unit=unit_of_path(rel, registry, outcome),
                    sha256=outcome.sha256,
                )
            )
            continue
        if is_blank_template(outcome):
            file_rows.append(dict(source_file=rel, kind="form", status="skipped", unit="", sha256=outcome.sha256))
            issues.append(
                Issue(
                    "info",
                    "blank_template",
                    "这是未填写任何数值的空白统计表（模板），未计入。如这是本单位的报表，请填写后重新报送。",
                    rel,
                )
            )
            continue
        candidates = unit_candidates(outcome, registry)
        decision = resolve_unit(outcome, candidates)
        unit_of[rel] = decision.name
        issues.extend(registry.notes(rel, [(c.where, c.text) for c in candidates]))
        conflict = unit_conflict(rel, candidates)
        if conflict:
            issues.append(conflict)
        if not decision.where:
            issues.append(
                Issue(
                    "warning",
                    "unit_unknown",
                    f"无法确定报送单位，暂按“{decision.name}”记录。请在表头“地方/"
                    "部门（盖章）”处填写单位全称，或在单位名录中登记该单位。",
                    rel,
                    unit=decision.name,
                )
            )
        forms.setdefault(decision.name, []).append(UnitForm(outcome, decision.name, decision.kind))
        file_rows.append(
            dict(source_file=rel, kind="form", status="accepted", unit=decision.name, sha256=outcome.sha256)
        )
    status_of = {row["source_file"]: row["status"] for row in file_rows}
    accepted: list[UnitForm] = []
    for unit, group in forms.items():
        electronic = [f for f in group if not is_paper_copy(f.outcome.source_file)]
        ranked = sorted(electronic or group, key=lambda f: revision_rank(f.outcome), reverse=True)
        best = ranked[0]
        accepted.append(best)
        if read_by_ocr(best.outcome):
            issues.append(unverified(best.outcome, unit))
        for older in ranked[1:]:
            status_of[older.outcome.source_file] = "superseded"
            issues.append(
                Issue(
                    "info",
                    "superseded_revision",
                    f"“{unit}”报送了多份统计表，采用较新的“{best.outcome.source_file}”，本文件不计入。",
                    older.outcome.source_file,
                    unit=unit,
                )
            )
        for copy in (f for f in group if electronic and is_paper_copy(f.outcome.source_file)):
            status_of[copy.outcome.source_file] = "stamped"
            issues.append(
                Issue(
                    "info",
                    "stamped_copy",
                    f"这是“{unit}”统计表的盖章件（PDF/扫描件），按电子版“"
                    f"{best.outcome.source_file}”计入，不作为第二份报表。",
                    copy.outcome.source_file,
                    unit=unit,
                )
            )
            issues.extend(stamped_differences(copy.outcome, best.outcome, unit))
    file_rows = sorted(
        ({**row, "status": status_of[row["source_file"]]} for row in file_rows), key=lambda row: row["source_file"]
    )
    issues = [i if i.unit or i.source_file not in unit_of else replace(i, unit=unit_of[i.source_file]) for i in issues]
    files = pd.DataFrame(file_rows, columns=list(FILE_COLUMNS[:5]), dtype="str")
    return IngestResult(
        returns_frame(accepted, form_for(meta.get("year"))),
        values_frame(forms, status_of),
        issues_frame(issues),
        files,
        meta,
    )


def is_paper_copy(source_file: str) -> bool:
    """A PDF, scan or photo: the stamped copy of a return when the same unit also sent it as Word/Excel."""
    return Path(source_file).suffix.lower() in PDF_EXT + IMAGE_EXT


def stamped_differences(copy: FileOutcome, electronic: FileOutcome, unit: str) -> list[Issue]:
    """A warning per field whose number in the stamped copy differs from the electronic return's."""
    theirs = {p.key: p for p in electronic.parsed}
    out = []
    for mine in copy.parsed:
        other = theirs.get(mine.key)
        if mine.key not in BY_KEY or other is None or mine.value is None or other.value is None:
            continue
        if abs(mine.value - other.value) > 1e-9:
            out.append(
                Issue(
                    "warning",
                    "stamped_copy_differs",
                    f"盖章件中“{BY_KEY[mine.key].label}”为 {chinese.number(mine.value)}，"
                    f"电子版“{electronic.source_file}”（{other.cell}）中为 "
                    f"{chinese.number(other.value)}：盖章件是正式文本，请向单位核实哪个数正确。",
                    copy.source_file,
                    mine.sheet,
                    mine.cell,
                    mine.key,
                    unit,
                )
            )
    return out


def is_blank_template(outcome: FileOutcome) -> bool:
    """True when no item of the form holds a value (subtotals aside)."""
    return all(p.value is None for p in outcome.parsed if not p.key.startswith(SUBTOTAL_PREFIX))


def returns_frame(accepted: list[UnitForm], form: Form) -> pd.DataFrame:
    """One row per accepted return with the items of the year's form (an item it lacks was not asked: no column)."""
    rows = []
    for unit_form in accepted:
        row = {"source_file": unit_form.outcome.source_file, "unit": unit_form.unit, "unit_kind": unit_form.unit_kind}
        row.update({p.key: p.value for p in unit_form.outcome.parsed if p.key in form.by_key})
        rows.append(row)
    return typed_returns(pd.DataFrame(rows, columns=[*RETURN_COLUMNS[:3], *form.keys]), form)


def values_frame(forms: dict[str, list[UnitForm]], status_of: dict[str, str]) -> pd.DataFrame:
    rows = [
        (
            form.outcome.source_file,
            unit,
            p.key,
            p.value,
            p.raw,
            p.sheet,
            p.cell,  # in VALUE_COLUMNS order
            status_of[form.outcome.source_file],
            p.note,
        )
        for unit, group in forms.items()
        for form in group
        for p in form.outcome.parsed
    ]
    frame = pd.DataFrame.from_records(rows, columns=list(VALUE_COLUMNS))
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    return frame.sort_values(["source_file", "field"], kind="stable", key=_field_order).reset_index(drop=True)


def _field_order(col: pd.Series) -> pd.Series:
    if col.name != "field":
        return col
    order = {k: i for i, k in enumerate(FIELD_KEYS)}
    return col.map(order).fillna(len(order))  # subtotals after the items
