"""The demo's writers (shared with the tests' fixtures) read back through the package's own readers: values,
merged ranges, hidden sheets and text that looks like a formula come back as written."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest

from analysis.demo.writers.delimited import csv_bytes
from analysis.demo.writers.grid import Sheet
from analysis.demo.writers.ods import ods_bytes
from analysis.demo.writers.word import word_table
from analysis.demo.writers.xls import xls_bytes
from analysis.demo.writers.xlsx import xlsx_bytes
from analysis.intake.readers.dispatch import read_grids

LAST_YEAR = Sheet("2022年", [["旧表"], [1]], hidden=True)
FORM = Sheet(
    "统计表",
    [["科技活动周统计表", None, None], ["经费", "县级财政", 8.25], [None, "社会资金", 2], ["=1+1", "两行\n标签", None]],
    merges=((0, 0, 0, 2), (1, 0, 2, 0)),
    widths={0: 18},
)
WHEN = dt.datetime(2023, 6, 1, 9, 30)


def _cells(rows: list[list[object]]) -> dict[tuple[int, int], object]:
    return {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v not in (None, "")}


WANT = {
    (0, 0): "科技活动周统计表",
    (1, 0): "经费",
    (1, 1): "县级财政",
    (1, 2): 8.25,
    (2, 1): "社会资金",
    (2, 2): 2,
    (3, 0): "=1+1",
    (3, 1): "两行\n标签",
}


@pytest.mark.parametrize("suffix, write", [(".xlsx", xlsx_bytes), (".xls", xls_bytes), (".ods", ods_bytes)])
def test_spreadsheets_read_back(tmp_path: Path, suffix: str, write) -> None:
    path = tmp_path / f"form{suffix}"
    path.write_bytes(write([LAST_YEAR, FORM]))
    grids = read_grids(path)
    assert [(g.sheet, g.hidden) for g in grids] == [("2022年", True), ("统计表", False)]
    form = grids[1]
    got = {k: (float(v) if isinstance(v, (int, float)) else str(v)) for k, v in _cells(form.rows).items()}
    # the .ods holds <text:line-break/>, which the reader (calamine) reads as nothing
    assert got == (WANT | {(3, 1): "两行标签"} if suffix == ".ods" else WANT)
    if suffix == ".ods":  # the reader does not report an .ods's merged ranges: the spans are in the file
        content = zipfile.ZipFile(path).read("content.xml").decode()
        assert 'table:number-columns-spanned="3"' in content and 'table:number-rows-spanned="2"' in content
        assert content.count("<table:covered-table-cell/>") == 3
    else:
        assert set(form.merged) == {(0, 0, 0, 2), (1, 0, 2, 0)}


def test_word_table_reads_back(tmp_path: Path) -> None:
    document = docx.Document()
    word_table(document, FORM, style="Table Grid")
    path = tmp_path / "form.docx"
    document.save(str(path))
    (grid,) = read_grids(path)
    assert _cells(grid.rows) == {k: str(v) for k, v in WANT.items()}
    assert (0, 0, 0, 2) in grid.merged  # merged across; merged down, as python-docx sees it:
    table = docx.Document(str(path)).tables[0]
    assert table.cell(2, 0)._tc is table.cell(1, 0)._tc and table.cell(0, 2)._tc is table.cell(0, 0)._tc
    assert table.style.name == "Table Grid"


def test_csv_in_the_encoding_asked(tmp_path: Path) -> None:
    data = csv_bytes([["县级财政", None, 8.25]], encoding="gb18030", delimiter=";")
    assert data == "县级财政;;8.25\r\n".encode("gb18030")


@pytest.mark.parametrize("write", [xlsx_bytes, ods_bytes])
def test_a_fixed_time_gives_identical_bytes(write) -> None:
    first = write([FORM], author="随县科协", when=WHEN)
    assert write([FORM], author="随县科协", when=WHEN) == first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert {info.date_time for info in zf.infolist()} == {(2023, 6, 1, 9, 30, 0)}
