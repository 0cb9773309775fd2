"""Past city totals ("历年上报数"): what the bureau reported upward in years before the project.

Two sources, both under ``data/reference/``:

- ``history.csv`` with columns ``year, field, total`` (a form key such as ``events_held``, the city total; 万元
  items in 万元);
- ``history/``: last years' city tables in the form's own layout (Word or Excel, the attachment's 20 items),
  one file per year with the year in the file name (``2024年全市科技活动周开展情况统计表.docx``), read by the
  same readers as the units' returns.

``history.csv`` wins where both give an item of a year.  A bad row or file becomes an :class:`Issue` (with a
Chinese message) kept beside the totals, never a silent zero.  These totals give the first real year its
comparison (:func:`analysis.report.model.reported_comparison`) and the trends their earlier years; they are never
mixed with demo data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.form import BY_KEY, FIELD_KEYS
from analysis.issues import Issue
from analysis.paths import REFERENCE
from analysis.report import stats

HISTORY_CSV = REFERENCE / "history.csv"
HISTORY_DIR = REFERENCE / "history"
HISTORY_COLUMNS = ("year", "field", "total")
HISTORY_SOURCE = "历年上报数"  # how these totals are marked wherever they are shown
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


@dataclass
class History:
    """Past city totals by year (index ``year``, the 20 keys; NaN = not known) and the problems met reading them."""

    totals: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)

    def years(self) -> list[int]:
        return sorted(int(y) for y in self.totals.index)

    def of(self, year: int) -> pd.Series | None:
        """The 20 totals of ``year`` (NaN where unknown), or None when the year is not in the history."""
        if year not in self.totals.index:
            return None
        return self.totals.loc[year, list(FIELD_KEYS)]


def _csv_rows(path: Path) -> tuple[dict[tuple[int, str], float], list[Issue]]:
    rows: dict[tuple[int, str], float] = {}
    issues: list[Issue] = []
    name = path.name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        return rows, [
            Issue("warning", "history_invalid", f"历年上报数文件无法读取（{type(exc).__name__}），未使用。", name)
        ]
    if missing := [c for c in HISTORY_COLUMNS if c not in frame.columns]:
        return rows, [
            Issue(
                "warning",
                "history_invalid",
                f"历年上报数文件缺少列 {'、'.join(missing)}（应为 {','.join(HISTORY_COLUMNS)}），未使用。",
                name,
            )
        ]
    for line, row in enumerate(frame.to_dict("records"), start=2):
        year, key, text = row["year"].strip(), row["field"].strip(), row["total"].strip().replace(",", "")
        where = f"第{line}行"
        if not (year.isdigit() and len(year) == 4):
            issues.append(
                Issue("warning", "history_invalid", f"{where}年度“{year}”不是四位年份，该行未使用。", name, cell=where)
            )
            continue
        if key not in BY_KEY:
            issues.append(
                Issue(
                    "warning",
                    "history_invalid",
                    f"{where}项目“{key}”不是统计表的项目键（如 events_held），该行未使用。",
                    name,
                    cell=where,
                )
            )
            continue
        if text == "":
            continue  # not known: left out, never 0
        try:
            value = float(text)
        except ValueError:
            issues.append(
                Issue(
                    "warning",
                    "history_invalid",
                    f"{where}合计数“{text}”不是数字，该行未使用。",
                    name,
                    cell=where,
                    field=key,
                )
            )
            continue
        if value < 0:
            issues.append(
                Issue(
                    "warning",
                    "history_invalid",
                    f"{where}合计数为负数（{text}），该行未使用。",
                    name,
                    cell=where,
                    field=key,
                )
            )
            continue
        if (int(year), key) in rows and rows[(int(year), key)] != value:
            issues.append(
                Issue(
                    "warning",
                    "history_invalid",
                    f"{where}与前面的行重复且数值不同（{year}年 {key}），采用前一行。",
                    name,
                    cell=where,
                    field=key,
                )
            )
            continue
        rows[(int(year), key)] = value
    return rows, issues


def _folder_rows(folder: Path) -> tuple[dict[tuple[int, str], float], list[Issue]]:
    from analysis.intake.read_file import process_file
    from analysis.intake.readers.formats import TABLE_EXT

    rows: dict[tuple[int, str], float] = {}
    issues: list[Issue] = []
    for path in sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in TABLE_EXT and not p.name.startswith(("~$", "."))
    ):
        years = set(_YEAR_IN_NAME.findall(path.stem))
        name = f"{folder.name}/{path.name}"
        if len(years) != 1:
            issues.append(
                Issue(
                    "warning",
                    "history_invalid",
                    "文件名中应有且只有一个年份（如“2024年全市科技活动周开展情况统计表.docx”），该文件未使用。",
                    name,
                )
            )
            continue
        year = int(years.pop())
        outcome = process_file(path, name, year)
        if outcome.kind != "form":
            issues.append(Issue("warning", "history_invalid", "文件中未找到按通知附件格式填写的统计表，未使用。", name))
            continue
        for cell in outcome.parsed:
            if cell.key in BY_KEY and cell.value is not None and (year, cell.key) not in rows:
                rows[(year, cell.key)] = float(cell.value)
        issues.extend(i for i in outcome.issues if i.severity != "info" and i.code != "field_not_found")
    return rows, issues


def load_history(csv_path: Path | None = None, folder: Path | None = None) -> History:
    """Past city totals from ``history.csv`` and the ``history/`` folder (defaults: :data:`HISTORY_CSV`,
    :data:`HISTORY_DIR`; either may be absent)."""
    csv_path = HISTORY_CSV if csv_path is None else csv_path
    folder = HISTORY_DIR if folder is None else folder
    rows: dict[tuple[int, str], float] = {}
    issues: list[Issue] = []
    if Path(folder).is_dir():
        found, problems = _folder_rows(Path(folder))
        rows.update(found)
        issues += problems
    if Path(csv_path).is_file():
        found, problems = _csv_rows(Path(csv_path))
        rows.update(found)  # the CSV wins
        issues += problems
    years = sorted({year for year, _ in rows})
    totals = pd.DataFrame(
        [{k: rows.get((y, k), float("nan")) for k in FIELD_KEYS} for y in years],
        index=pd.Index(years, name="year"),
        columns=list(FIELD_KEYS),
        dtype="float64",
    )
    return History(totals, issues)


def yearly(history: History, years: list[int]) -> pd.DataFrame:
    """City totals and derived figures of the history ``years`` (rows as in :func:`stats.multi_year`)."""
    values = history.totals.loc[[y for y in years if y in history.totals.index], list(FIELD_KEYS)]
    return pd.concat(
        [values, pd.DataFrame([stats.derived(values.loc[y]) for y in values.index], index=values.index)], axis=1
    )
