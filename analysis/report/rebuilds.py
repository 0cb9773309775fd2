"""Which years ``report`` must rebuild: fingerprints of every input of a year, kept beside its report.

A year is rebuilt when an input changed since its last successful build (the raw files' contents and dates, the
review ledger, the form, the check rules, the roster, the weeks, the past city totals, the Word template and the
notebooks, the package), when an earlier year of the same kind changed (its returns are compared and charted),
when one of the files the build wrote is gone, or when asked to (``--force``).  The record is ``.build.json`` in
the year's report folder (git-ignored like the folder).

Only the standard library and :mod:`analysis.paths` are imported here: deciding that nothing changed must not load
pandas, matplotlib or papermill.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from analysis import __version__, paths

RECORD = ".build.json"
RECORD_FORMAT = 1
PACKAGE = Path(__file__).resolve().parent.parent
FORMS = PACKAGE / "forms"
RULES = PACKAGE / "review" / "rules.csv"
HISTORY = ("history.csv", "history")  # under data/reference: read for real years only

# Input groups in the order reasons are given, with their Chinese names.
GROUPS: dict[str, str] = {
    "raw": "报送文件",
    "ledger": "核实台账",
    "form": "表式",
    "rules": "核查规则",
    "roster": "单位名录",
    "weeks": "活动周日期",
    "history": "历年上报数",
    "reference": "其他参考数据",
    "template": "报告模板和笔记本",
    "package": "程序（analysis 包）",
    "earlier": "此前年度",
}
_REFERENCE_GROUPS = {"units.csv": "roster", "weeks.csv": "weeks", "report_template.docx": "template"}


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _files(folder: Path) -> list[Path]:
    """Every file under ``folder`` (none when it does not exist), without caches, in a stable order."""
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [Path(root) / n for n in sorted(names) if not n.endswith(".pyc")]
    return found


def _digests(files: Iterable[Path], base: Path) -> dict[str, str]:
    return {p.relative_to(base).as_posix(): file_digest(p) for p in files}


def ledger_files(raw_dir: Path, year: int) -> list[Path]:
    """The year's review ledger as ingest finds it by default (``review/<year>.xlsx`` beside ``raw/``, see
    :func:`analysis.review.ledger_file.ledger_path`), and a ``.csv`` of the same name."""
    folder = Path(raw_dir).resolve().parent.parent / "review"
    return [folder / f"{year}{suffix}" for suffix in (".xlsx", ".csv")]


def raw_inputs(raw_dir: Path) -> dict[str, str]:
    """Each file of a raw year folder: its content digest and its modification date (the received date of a
    return that ``received.csv`` does not list)."""
    return {
        p.relative_to(raw_dir).as_posix(): f"{file_digest(p)}@{datetime.fromtimestamp(p.stat().st_mtime).date()}"
        for p in _files(raw_dir)
    }


@dataclass(frozen=True)
class SharedInputs:
    """The inputs every year shares, hashed once per run: group → {file → digest}."""

    groups: dict[str, dict[str, str]]

    @classmethod
    def read(cls, reference: Path = paths.REFERENCE, notebooks: Path = paths.NOTEBOOKS) -> SharedInputs:
        groups: dict[str, dict[str, str]] = {
            "form": _digests(_files(FORMS), PACKAGE),
            "rules": _digests([RULES], PACKAGE),
        }
        package = [p for p in _files(PACKAGE) if FORMS not in p.parents and p != RULES]
        groups["package"] = {"version": __version__, **_digests(package, PACKAGE)}
        for name, digest in _digests(_files(reference), reference).items():
            top = name.split("/")[0]
            group = "history" if top in HISTORY else _REFERENCE_GROUPS.get(top, "reference")
            groups.setdefault(group, {})[name] = digest
        groups.setdefault("template", {}).update(
            {f"notebooks/{k}": v for k, v in _digests(notebooks.glob("*.ipynb"), notebooks).items()}
        )
        return cls(groups)


def own_inputs(raw_dir: Path, year: int, shared: SharedInputs, demo: bool) -> dict[str, dict[str, str]]:
    """A year's inputs, group → {item → digest}; demo years never read the past city totals."""
    groups = {
        "raw": raw_inputs(raw_dir),
        "ledger": {p.name: file_digest(p) for p in ledger_files(raw_dir, year) if p.is_file()},
    }
    groups.update({k: v for k, v in shared.groups.items() if not (demo and k == "history")})
    return groups


YEAR_GROUPS = ("raw", "ledger")  # the inputs of one year alone; the others are every year's


def summary_digest(groups: Mapping[str, Mapping[str, str]]) -> str:
    """One digest for a year's own returns and ledger (what later years depend on: the inputs all years share are
    compared directly)."""
    return hashlib.sha256(json.dumps(groups, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass
class YearInputs:
    """What a build of one year reads: its own inputs and the digests of the earlier years it depends on."""

    year: int
    groups: dict[str, dict[str, str]]
    earlier: dict[str, str] = field(default_factory=dict)  # year → summary digest

    def all_groups(self) -> dict[str, dict[str, str]]:
        return {**self.groups, "earlier": self.earlier}


def workspace_inputs(workspace: paths.Workspace, shared: SharedInputs) -> dict[int, YearInputs]:
    """Inputs of every year of the workspace; a year depends on every earlier year of the same kind (its checks
    and report compare with the previous one, its trends chart them all)."""
    kinds = {int(p.name): paths.is_demo(p) for p in paths.year_dirs(workspace.raw)}
    own = {y: own_inputs(workspace.raw / str(y), y, shared, demo) for y, demo in kinds.items()}
    digests = {y: summary_digest({k: groups[k] for k in YEAR_GROUPS}) for y, groups in own.items()}
    return {
        y: YearInputs(y, own[y], {str(e): digests[e] for e in sorted(kinds) if e < y and kinds[e] == kinds[y]})
        for y in kinds
    }


def read_record(report_dir: Path) -> dict | None:
    """The record of the year's last successful build, or None (none, unreadable or of another format)."""
    try:
        record = json.loads((Path(report_dir) / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == RECORD_FORMAT else None


def built_files(folders: Iterable[Path]) -> list[str]:
    """Every file the build left in ``folders`` (the record itself excepted), as absolute POSIX paths."""
    return sorted(p.resolve().as_posix() for folder in folders for p in _files(Path(folder)) if p.name != RECORD)


def write_record(report_dir: Path, inputs: YearInputs, outputs: list[str]) -> Path:
    """Record a successful build (atomically: a half-written record would read as none)."""
    from analysis.outputs import write_text

    record = {"format": RECORD_FORMAT, "year": inputs.year, "inputs": inputs.all_groups(), "outputs": outputs}
    return write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True), Path(report_dir) / RECORD)


def forget(report_dir: Path) -> None:
    """Drop the record (a failed build must be redone next time)."""
    (Path(report_dir) / RECORD).unlink(missing_ok=True)


def _group_change(group: str, before: Mapping[str, str], now: Mapping[str, str]) -> str:
    added = sorted(set(now) - set(before))
    removed = sorted(set(before) - set(now))
    changed = sorted(k for k in set(now) & set(before) if now[k] != before[k])
    if group == "earlier":
        return f"此前年度 {'、'.join(k + '年' for k in sorted({*added, *removed, *changed}))} 有变化"
    parts = [
        f"{label} {len(names)} 个" for label, names in (("新增", added), ("删除", removed), ("修改", changed)) if names
    ]
    return f"{GROUPS[group]}有变化（{'，'.join(parts)}）" if parts else f"{GROUPS[group]}有变化"


def changes(record: Mapping | None, inputs: YearInputs) -> list[str]:
    """Why the year must be rebuilt (Chinese reasons), empty when its last build is still current."""
    if record is None:
        return ["尚无构建记录（首次生成，或上次未完成）"]
    before = record.get("inputs", {})
    now = inputs.all_groups()
    reasons = [
        _group_change(g, before.get(g, {}), now.get(g, {})) for g in GROUPS if before.get(g, {}) != now.get(g, {})
    ]
    missing = [p for p in record.get("outputs", []) if not Path(p).is_file()]
    if missing:
        reasons.append(f"上次生成的文件缺失 {len(missing)} 个（如 {Path(missing[0]).name}）")
    return reasons


@dataclass(frozen=True)
class Decision:
    year: int
    reasons: list[str]  # empty: nothing changed, not rebuilt

    @property
    def rebuild(self) -> bool:
        return bool(self.reasons)


def decide(years: Mapping[int, Path], inputs: Mapping[int, YearInputs], force: bool = False) -> list[Decision]:
    """One decision per year (year → its report folder), oldest first."""
    if force:
        return [Decision(y, ["按 --force 要求全部重新生成"]) for y in sorted(years)]
    return [Decision(y, changes(read_record(years[y]), inputs[y])) for y in sorted(years)]


def announcement(decisions: list[Decision]) -> list[str]:
    """The first lines ``report`` prints: which years are rebuilt and why, which are current."""
    rebuilt = [d for d in decisions if d.rebuild]
    current = [str(d.year) for d in decisions if not d.rebuild]
    if not rebuilt:
        return [
            f"输入均未变化，{'、'.join(current)}年报告已是最新，未重新生成"
            "（如需全部重新生成：python -m analysis report --all --force）。"
        ]
    lines = [
        f"重新生成：{'、'.join(str(d.year) for d in rebuilt)}年"
        + (f"；未变化、不重新生成：{'、'.join(current)}年" if current else "")
        + "。"
    ]
    lines += [f"  {d.year}年：{'；'.join(d.reasons)}" for d in rebuilt]
    return lines
