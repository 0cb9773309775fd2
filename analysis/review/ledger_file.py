"""The ledger workbook on disk: read ``review/<year>.xlsx`` (or a .csv with the same header), write it back.

Reading never raises: a missing ledger is an empty one; an unreadable, locked or malformed file is one
``review_unreadable`` issue.  Writing keeps every row already written, in order; the sheet is made for people
(a dropdown on 处理, a frozen header, widths that fit Chinese text).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from analysis import catalog
from analysis.intake.readers.csvfile import decode_text
from analysis.intake.store import load_processed
from analysis.issues import Issue
from analysis.outputs import neutralize, save_workbook, write_atomic
from analysis.paths import DEMO_LABEL, ROOT
from analysis.review.ledger import ACTIONS, DECISION_COLUMNS, HEADER, Ledger, LedgerRow, number_text, updated_rows

SHEET = "核实台账"
WIDTHS = (16, 26, 24, 40, 9, 12, 11, 10, 30, 10, 12, 60)
_FIELDS = (
    "unit",
    "item",
    "code",
    "source_file",
    "cell",
    "original",
    "action",
    "corrected",
    "basis",
    "checker",
    "checked_on",
    "remark",
)
_ACTION_COLUMN = get_column_letter(HEADER.index("处理") + 1)


def ledger_path(raw_dir: Path, year: int) -> Path:
    """The default ledger of a year: ``review/<year>.xlsx`` beside the ``raw/`` folder the year is read from
    (``data/review/2025.xlsx`` for ``data/raw/2025``; the demo's beside ``data/demo/raw``)."""
    return Path(raw_dir).resolve().parent.parent / "review" / catalog.ledger(year)


def shown(path: Path) -> str:
    """A ledger's path as named in messages: relative to the project when inside it."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return resolved.as_posix()


def _ledger_text(value: object) -> str:
    """A ledger cell as text: numbers without a trailing .0, dates as 2024-06-05, blank as ''."""
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _cells(path: Path) -> list[list[object]]:
    if path.suffix.lower() == ".csv":
        return [list(r) for r in csv.reader(io.StringIO(decode_text(path.read_bytes())))]
    import python_calamine as pc

    workbook = pc.CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)


def read_ledger(path: Path) -> Ledger:
    """The ledger at ``path``: its decision rows and the problems with the file itself (never raises)."""
    name = shown(path)
    if not Path(path).is_file():
        return Ledger(name)

    def problem(why: str) -> Ledger:
        return Ledger(
            name,
            problems=(
                Issue(
                    "warning",
                    "review_unreadable",
                    f"核实台账无法使用：{why}。本次未采用任何核实结果，请修正台账后重新运行。",
                    source_file=name,
                ),
            ),
        )

    try:
        cells = _cells(Path(path))
    except Exception as exc:  # noqa: BLE001 - a locked, damaged or foreign file is one issue, never a crash
        return problem(f"文件无法读取（{type(exc).__name__}），可能已损坏、被加密或正被其他程序占用")
    if not cells:
        return problem("文件为空")
    header = tuple(_ledger_text(c) for c in cells[0])
    if header[: len(HEADER)] != HEADER:
        return problem(f"第一行表头应为“{'，'.join(HEADER)}”")
    rows = []
    for number, raw in enumerate(cells[1:], start=2):
        texts = [_ledger_text(c) for c in raw[: len(HEADER)]] + [""] * (len(HEADER) - len(raw))
        if any(texts):
            rows.append(LedgerRow(number, **dict(zip(_FIELDS, texts))))
    return Ledger(name, tuple(rows))


def write_ledger(rows: list[LedgerRow], path: Path, *, year: int, demo: bool) -> Path:
    """Write the ledger (.xlsx, or .csv when ``path`` says so) atomically with reproducible bytes."""
    path = Path(path)
    records = [[getattr(r, f) for f in _FIELDS] for r in rows]
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            [list(HEADER), *[[neutralize(v) for v in r] for r in records]]
        )
        return write_atomic(path, lambda p: p.write_text(buffer.getvalue(), encoding="utf-8-sig"))
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(HEADER))
    for record in records:
        ws.append([neutralize(v) for v in record])
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    ws.freeze_panes = "A2"
    choice = DataValidation(
        type="list",
        formula1=f'"{",".join(ACTIONS)}"',
        allow_blank=False,
        showDropDown=False,
        errorTitle="处理方式",
        error=f"请选择：{'、'.join(ACTIONS)}",
        promptTitle="处理方式",
        prompt="更正：用“更正值”替换；确认无误：数值无误，不再提示；待核实：尚未核实",
        showErrorMessage=True,
        showInputMessage=True,
    )
    choice.add(f"{_ACTION_COLUMN}2:{_ACTION_COLUMN}{max(len(rows) + 200, 300)}")
    ws.add_data_validation(choice)
    about = wb.create_sheet("说明")
    lines = [
        f"{year}年科技活动周统计表核实台账" + (f"（{DEMO_LABEL}）" if demo else ""),
        "每行一个需要核实的问题。与单位核实后，在“处理”中选择：更正（填写“更正值”）、确认无误，或保留待核实；",
        "并填写“依据”（如：电话核实、单位书面更正）、“核实人”和“核实日期”。保存后重新运行，程序按台账更正或确认，原始报表不变。",
        "“原值”是写入台账时文件中的数值：单位重新报送后数值不同时，该行不再采用，请按新文件重新核实。",
        "请勿修改第一行表头；可以增加行（例如单位电话补报的项目：处理填“更正”，写明单位、项目和更正值）。",
    ]
    for line in lines:
        about.append([line])
    about.column_dimensions["A"].width = 120
    return write_atomic(path, lambda p: save_workbook(wb, p))


def update_ledger(processed_dir: Path, path: Path) -> tuple[Path, int, int]:
    """Create or update the ledger at ``path`` from a processed year: a prefilled 待核实 row for each open error
    or warning finding not in it yet; every decision already written is kept as it is.  Returns the path, the
    number of new rows and the number of rows in all."""
    processed = load_processed(processed_dir)
    ledger = read_ledger(path)
    if ledger.problems:
        raise LedgerUnusable(ledger.problems[0].message)
    rows = updated_rows(ledger.rows, processed.issues, processed.values)
    write_ledger(rows, path, year=int(processed.meta.get("year") or 0), demo=bool(processed.meta.get("demo")))
    return Path(path), len(rows) - len(ledger.rows), len(rows)


class LedgerUnusable(ValueError):
    """The ledger file exists but cannot be read; it is left untouched."""


def read_decisions(processed_dir: Path) -> pd.DataFrame:
    """The decisions a processed year applied (``review.csv``); an empty table when there were none."""
    path = Path(processed_dir) / catalog.DECISIONS_CSV
    if not path.is_file():
        return pd.DataFrame(columns=list(DECISION_COLUMNS))
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype="str", keep_default_na=False)
    if frame.empty:
        return pd.DataFrame(columns=list(DECISION_COLUMNS))
    numbers = {c: pd.to_numeric(frame[c], errors="coerce") for c in ("original", "corrected")}
    return frame.assign(**numbers, ledger_row=pd.to_numeric(frame["ledger_row"]).astype("int64"))
