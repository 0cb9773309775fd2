"""The named records and table columns that intake produces (docs/contracts.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from analysis.form import CURRENT, FIELD_KEYS, Form
from analysis.issues import Issue

RETURN_COLUMNS = ("source_file", "unit", "unit_kind", *FIELD_KEYS)
VALUE_COLUMNS = ("source_file", "unit", "field", "value", "raw_text", "sheet", "cell", "status", "note")
FILE_COLUMNS = ("source_file", "kind", "status", "unit", "sha256", "received", "received_from")
NARRATIVE = "summary"  # files.csv kind of a unit's 工作总结 (its narrative of the week): the value stays "summary"
FILE_KINDS = ("form", NARRATIVE, "photo", "video", "document", "other")
FILE_STATUSES = ("accepted", "superseded", "stamped", "skipped", "error")  # stamped: the 盖章件 of a return
ROW_UNIT_SOURCES = (
    "单位名称题",
    "提交者",
)  # where an online-form export's row names its unit (``FileOutcome.stamp_from``)


@dataclass(frozen=True, slots=True)
class ParsedCell:
    """One item of a return as read: the form key (or ``subtotal:<category>``), its value and where it came from."""

    key: str
    value: float | None
    raw: str
    sheet: str
    cell: str
    note: str

    def __reduce__(self):  # pickled by its fields: half the cost of the generated slot state, both ways
        return ParsedCell, (self.key, self.value, self.raw, self.sheet, self.cell, self.note)


@dataclass(frozen=True)
class FileOutcome:
    """What a worker learned about one table-bearing file (picklable)."""

    source_file: str
    sha256: str = ""
    kind: str = "other"
    stamp: str = ""  # the unit written on the 盖章 line
    parsed: tuple[ParsedCell, ...] = ()
    issues: tuple[Issue, ...] = ()
    mtime: float = 0.0
    members: tuple[FileOutcome, ...] = ()  # an archive's members, each named "<archive>/<member path>"
    seconds: float | None = None  # a video member's duration (read in the worker: the member is not on disk)
    stamp_from: str = "盖章栏"  # where ``stamp`` was written (an export row: its 单位名称 question or submitter)
    names: tuple[tuple[str, str], ...] = ()  # (where, text) naming the unit besides the file: a mail's sender, subject
    received: str = ""  # ISO date the channel itself gives (a mail's Date, an export row's submit time)
    received_from: str = ""  # where ``received`` comes from (Chinese, shown in files.csv and late_return)


@dataclass
class IngestResult:
    """The four tables of one year's returns, and what they were made from.

    ``file_times`` (source file → modification time, seconds) and ``video_seconds`` (archive member → duration,
    seconds) are read with the files and kept for the checks; they are not written to the processed folder.
    """

    returns: pd.DataFrame
    values: pd.DataFrame
    issues: pd.DataFrame
    files: pd.DataFrame
    meta: dict = field(default_factory=dict)
    file_times: dict[str, float] = field(default_factory=dict)
    video_seconds: dict[str, float] = field(default_factory=dict)

    def missing_units(self) -> list[str]:
        """Roster units without an accepted return, in roster order."""
        return missing_units(self.returns, self.meta.get("units_expected", []))


def missing_units(returns: pd.DataFrame, roster: list[str]) -> list[str]:
    """Names of ``roster`` (in its order, each once) that have no row in ``returns``."""
    got = set(returns["unit"].dropna()) if not returns.empty else set()
    return [name for name in dict.fromkeys(roster) if name not in got]


def typed_returns(frame: pd.DataFrame, form: Form = CURRENT) -> pd.DataFrame:
    """Money as float, counts as nullable integers, text as str; sorted by unit.  Items of ``form`` the frame
    lacks were not asked that year and stay absent."""
    import pandas as pd  # here, not at the top: the reader processes use the records and never load pandas

    out = frame.copy()
    for key in (k for k in form.keys if k in out.columns):
        numbers = pd.to_numeric(out[key], errors="coerce")
        out[key] = numbers.astype("float64") if form.by_key[key].is_money else numbers.round().astype("Int64")
    for col in ("source_file", "unit", "unit_kind"):
        out[col] = out[col].astype("str")
    return out.sort_values(["unit_kind", "unit"], kind="stable").reset_index(drop=True)
