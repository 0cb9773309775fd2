"""The review ledger: the bureau's follow-up decisions, applied to the year's data as an edit log.

One row per decision (GSBPM 5.4 "edit"): a unit confirms a flagged value (``确认无误``), gives the right one
(``更正``), or the question is still open (``待核实``).  The published figures are the raw returns plus these
rows; raw files are never changed.  Every value a row changes keeps its file, sheet and cell, and gets the
status ``corrected`` and a note naming the ledger row and its basis.  A row that cannot be applied never
changes a number: it becomes a ``review_*`` issue naming the ledger file and row.

Reading and writing the workbook is in :mod:`analysis.review.ledger_file`; this module is pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import pandas as pd

from analysis.form import BY_KEY, FIELD_KEYS, match_label
from analysis.intake.readers.ocr import SETTLED_WITH_FILE
from analysis.intake.readers.ocr import UNVERIFIED as OCR_UNVERIFIED
from analysis.intake.records import IngestResult
from analysis.intake.values import parse_value, raw_text
from analysis.issues import Issue

# The ledger's header row, exactly (docs/contracts.md).
HEADER: tuple[str, ...] = (
    "单位",
    "项目",
    "问题代码",
    "文件",
    "单元格",
    "原值",
    "处理",
    "更正值",
    "依据",
    "核实人",
    "核实日期",
    "备注",
)
CORRECT, CONFIRM, PENDING = "更正", "确认无误", "待核实"
ACTIONS: tuple[str, ...] = (CORRECT, CONFIRM, PENDING)
CORRECTED_STATUS = "corrected"  # values.csv status of a value the ledger replaced
# Columns of review.csv in the processed folder: each decision that was applied.
DECISION_COLUMNS: tuple[str, ...] = (
    "ledger_row",
    "action",
    "unit",
    "field",
    "code",
    "source_file",
    "cell",
    "original",
    "corrected",
    "basis",
    "checker",
    "checked_on",
)


@dataclass(frozen=True)
class LedgerRow:
    """One row of the ledger as written (text), with its row number in the sheet (the header is row 1)."""

    row: int
    unit: str = ""
    item: str = ""  # 项目: the form's label or the field key
    code: str = ""
    source_file: str = ""
    cell: str = ""
    original: str = ""
    action: str = ""
    corrected: str = ""
    basis: str = ""
    checker: str = ""
    checked_on: str = ""
    remark: str = ""

    @property
    def field(self) -> str:
        """The form key 项目 names ('' when blank or unknown)."""
        text = self.item.strip()
        if not text or text in BY_KEY:
            return text
        return match_label(text) or ""


@dataclass(frozen=True)
class Ledger:
    """A year's ledger as read: where it is (as shown in messages), its rows, and problems with the file itself."""

    shown: str
    rows: tuple[LedgerRow, ...] = ()
    problems: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class Decision:
    """A ledger row that was applied: a correction or a confirmation, with the value before and after."""

    row: LedgerRow
    field: str
    source_file: str
    original: float | None  # the value the file gives (None when it did not parse)
    corrected: float | None  # the value now used (same as original for a confirmation)

    def record(self) -> dict[str, object]:
        r = self.row
        return dict(
            ledger_row=r.row,
            action=r.action,
            unit=r.unit,
            field=self.field,
            code=r.code,
            source_file=self.source_file,
            cell=r.cell,
            original=self.original,
            corrected=self.corrected,
            basis=r.basis,
            checker=r.checker,
            checked_on=r.checked_on,
        )


@dataclass
class Applied:
    """The year's data after the ledger: corrected returns and values, the decisions, and the rows refused."""

    returns: pd.DataFrame
    values: pd.DataFrame
    decisions: list[Decision] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def decisions_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([d.record() for d in self.decisions], columns=list(DECISION_COLUMNS))
        return frame.astype(
            {c: "float64" for c in ("original", "corrected")}
            | {c: "str" for c in DECISION_COLUMNS if c not in ("original", "corrected", "ledger_row")}
        )


def number_text(value: float) -> str:
    """A number as a person writes it in the ledger: 304000, 30.4 (never 3.04e+05)."""
    return str(int(value)) if float(value).is_integer() else f"{float(value):.6f}".rstrip("0").rstrip(".")


def _refused(ledger: Ledger, row: LedgerRow, code: str, why: str) -> Issue:
    return Issue(
        "warning",
        code,
        f"核实台账第 {row.row} 行未采用：{why}。该行不改变任何数值，请修改台账后重新运行。",
        source_file=ledger.shown,
        cell=f"A{row.row}",
        field=row.field,
        unit=row.unit,
    )


def _same(original: str, value: float | None, raw: str) -> bool:
    """Does 原值 as written in the ledger still match what the file says (the parsed number, else its text)?"""
    text = original.strip()
    if value is not None and not (isinstance(value, float) and math.isnan(value)):
        try:
            return math.isclose(float(text.replace(",", "")), float(value), rel_tol=1e-9, abs_tol=1e-6)
        except ValueError:
            return False
    return text == raw_text(raw).strip()


def apply_ledger(result: IngestResult, ledger: Ledger) -> Applied:
    """Apply every decision row of ``ledger`` to ``result``'s accepted returns; refuse the rest with an issue."""
    returns, values = result.returns.copy(), result.values.copy()
    applied = Applied(returns, values, issues=list(ledger.problems))
    status_of = dict(zip(result.files["source_file"], result.files["status"]))
    known_units = (
        set(result.returns["unit"])
        | set(result.meta.get("units_expected", []))
        | set(result.files["unit"].dropna()) - {""}
    )
    accepted_file = dict(zip(returns["unit"], returns["source_file"]))
    for row in ledger.rows:
        problem = _problem(row, known_units, status_of)
        if problem:
            applied.issues.append(_refused(ledger, row, *problem))
            continue
        if row.action == PENDING:
            continue
        source = row.source_file or (accepted_file.get(row.unit, "") if row.field else "")
        if not (row.field and source):  # a finding without a cell (a missing return …): a confirmation only
            if row.action == CORRECT:
                applied.issues.append(
                    _refused(ledger, row, "review_invalid", "“更正”需要写明项目，且该单位有采用的统计表")
                )
            else:
                applied.decisions.append(Decision(row, row.field, row.source_file, None, None))
            continue
        at = values.index[(values["source_file"] == source) & (values["field"] == row.field)]
        if len(at) != 1 or status_of.get(source) != "accepted":
            applied.issues.append(
                _refused(ledger, row, "review_unknown_file", f"“{source}”中没有采用的“{BY_KEY[row.field].label}”数值")
            )
            continue
        current = values.loc[at[0]]
        value = None if pd.isna(current["value"]) else float(current["value"])
        if row.original.strip() and not _same(row.original, value, current["raw_text"]):
            shown = raw_text(current["raw_text"]) if value is None else number_text(value)
            applied.issues.append(
                _refused(
                    ledger,
                    row,
                    "review_stale",
                    f"原值“{row.original}”与文件现在的数值“{shown}”不一致（单位可能已重新报送），请按新文件重新核实",
                )
            )
            continue
        if row.action == CONFIRM:
            applied.decisions.append(Decision(row, row.field, source, value, value))
            continue
        new = _corrected_value(row)
        if isinstance(new, str):
            applied.issues.append(_refused(ledger, row, "review_invalid", new))
            continue
        values.loc[at[0], ["value", "status", "note"]] = [
            new,
            CORRECTED_STATUS,
            f"按核实台账第{row.row}行更正：{row.basis or '未写依据'}",
        ]
        target = returns.index[returns["source_file"] == source]
        returns.loc[target, row.field] = new if BY_KEY[row.field].is_money else round(new)
        applied.decisions.append(Decision(row, row.field, source, value, new))
    applied.returns, applied.values = returns, values
    return applied


def _problem(row: LedgerRow, known_units: set[str], status_of: dict[str, str]) -> tuple[str, str] | None:
    """Why a row cannot be applied at all, as (code, reason); None when it can be looked at."""
    if row.action not in ACTIONS:
        return "review_invalid", f"“处理”应为{'、'.join(ACTIONS)}之一，而不是“{row.action or '（空）'}”"
    if row.unit and row.unit not in known_units:
        return "review_unknown_unit", f"单位“{row.unit}”不在本年度的名录和报送单位中"
    if row.item.strip() and not row.field:
        return "review_unknown_field", f"项目“{row.item}”不是统计表中的项目"
    if row.source_file and row.source_file not in status_of:
        return "review_unknown_file", f"本年度没有文件“{row.source_file}”"
    if row.source_file and status_of[row.source_file] == "superseded":
        return "review_stale", f"“{row.source_file}”已被该单位重新报送的版本替代，请按新文件重新核实"
    return None


def _corrected_value(row: LedgerRow) -> float | str:
    """The number 更正值 gives, by the field's own rules (a settled value is exact: no 约/余); a Chinese reason
    when it cannot be used."""
    if not row.corrected.strip():
        return "“更正”需要填写“更正值”"
    parsed = parse_value(row.corrected.strip(), row.field)
    serious = [f.message for f in parsed.findings if f.severity in ("error", "warning") or f.code == "value_approx"]
    if parsed.value is None or serious:
        return f"更正值“{row.corrected}”不能使用（{serious[0] if serious else '不是数值'}）"
    return parsed.value


def finding_status(issues: pd.DataFrame, read_issues: pd.DataFrame, decisions: list[Decision]) -> pd.Series:
    """``open`` / ``confirmed`` / ``corrected`` for each row of ``issues``.

    Confirmed: a 确认无误 row names the finding's code and agrees on every key it fills (unit, field, file,
    cell).  Corrected: a reading finding (one of ``read_issues``, raised on the text as written) at a value the
    ledger replaced; the checks ran again on the corrected data, so a finding they raise now stays open.
    """
    status = pd.Series("open", index=issues.index, dtype="str")
    corrected = {(d.source_file, d.field) for d in decisions if d.row.action == CORRECT}
    if corrected:
        read = set(zip(read_issues["source_file"], read_issues["field"], read_issues["code"]))
        at = [
            (s, f) in corrected and (s, f, c) in read
            for s, f, c in zip(issues["source_file"], issues["field"], issues["code"])
        ]
        status[at] = "corrected"
    for d in decisions:
        if d.row.action != CONFIRM:
            continue
        match = issues["code"] == d.row.code
        for column, wanted in (
            ("unit", d.row.unit),
            ("field", d.field),
            ("source_file", d.row.source_file),
            ("cell", d.row.cell),
        ):
            if wanted:
                match &= issues[column].fillna("") == wanted
        if d.row.code == OCR_UNVERIFIED:  # one row for a photo confirms every value read from it
            match |= issues["code"].isin(SETTLED_WITH_FILE) & issues["source_file"].isin(
                set(issues.loc[match, "source_file"])
            )
        status[match & (status == "open")] = "confirmed"
    return status


def with_statuses(issues: pd.DataFrame, read_issues: pd.DataFrame, decisions: list[Decision]) -> pd.DataFrame:
    """``issues`` with its ``status`` column set from the decisions."""
    return issues.assign(status=finding_status(issues, read_issues, decisions))


def ledger_key(unit: str, field_key: str, code: str, source_file: str, cell: str) -> tuple[str, ...]:
    """What identifies a finding in the ledger (used to find the row already written for it)."""
    return (unit, field_key, code, source_file, cell)


def row_key(row: LedgerRow) -> tuple[str, ...]:
    return ledger_key(row.unit, row.field, row.code, row.source_file, row.cell)


def original_of(values: pd.DataFrame, source_file: str, field_key: str) -> str:
    """原值 for a new ledger row: the parsed number the file gives, else its text ('' when not located)."""
    if not (source_file and field_key in FIELD_KEYS):
        return ""
    at = values[(values["source_file"] == source_file) & (values["field"] == field_key)]
    if at.empty:
        return ""
    value = at["value"].iloc[0]
    return raw_text(at["raw_text"].iloc[0]) if pd.isna(value) else number_text(value)


def new_rows(issues: pd.DataFrame, values: pd.DataFrame, written: tuple[LedgerRow, ...]) -> list[LedgerRow]:
    """One prefilled 待核实 row for each open error or warning finding that the ledger does not hold yet."""
    have = {row_key(r) for r in written}
    out, seen = [], set(have)
    todo = issues[
        issues["severity"].isin(("error", "warning"))
        & (issues["status"].fillna("open") == "open")
        & ~issues["code"].str.startswith("review_")
    ]
    for r in todo.fillna("").to_dict("records"):
        key = ledger_key(r["unit"], r["field"], r["code"], r["source_file"], r["cell"])
        if key in seen or r["field"].startswith("subtotal:"):
            continue
        seen.add(key)
        label = BY_KEY[r["field"]].label if r["field"] in BY_KEY else r["field"]
        out.append(
            LedgerRow(
                0,
                r["unit"],
                label,
                r["code"],
                r["source_file"],
                r["cell"],
                original_of(values, r["source_file"], r["field"]),
                PENDING,
                remark=r["message"],
            )
        )
    return out


GONE = "（本次运行未再出现该问题）"


def updated_rows(written: tuple[LedgerRow, ...], issues: pd.DataFrame, values: pd.DataFrame) -> list[LedgerRow]:
    """The ledger after a run: every row already written, in its order and with its decision untouched (a row
    whose finding no longer appears is marked so in 备注), and a new row for each new open finding, placed after
    the last row of the same unit so that a unit's rows stay together."""
    present = {
        ledger_key(*r)
        for r in issues.fillna("")[["unit", "field", "code", "source_file", "cell"]].itertuples(index=False, name=None)
    }
    rows = [
        r
        if row_key(r) in present or r.action != PENDING or GONE in r.remark
        else replace(r, remark=f"{r.remark}{GONE}")
        for r in written
    ]
    for new in sorted(new_rows(issues, values, written), key=lambda r: (r.unit, r.source_file, r.cell, r.code)):
        last = max((i for i, r in enumerate(rows) if r.unit == new.unit), default=len(rows) - 1)
        rows.insert(last + 1, new)
    return [replace(r, row=i) for i, r in enumerate(rows, start=2)]
