"""Issue 6, property tests: the readers fed random and mutated bytes never raise and never invent a value.

.docx and .csv are read in this process through ``process_file``.  Spreadsheet
bytes can make python-calamine abort the process, so they go through
``run_tasks`` (worker processes), where an abort must become an issue row.
Zip-based files carry a CRC per member, so a mutation can only lose values,
never change one: every value read from a mutated file is the original's.
"""

from __future__ import annotations

import functools
import math
import os
import tempfile
from pathlib import Path

import fixtures as fx
import hostile as h
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from analysis.form import BY_KEY, FIELDS
from analysis.intake.pool import ReadTask, run_tasks
from analysis.intake.read_file import process_file
from analysis.intake.records import FileOutcome
from analysis.intake.safety import DEFAULT_LIMITS, Limits

pytestmark = pytest.mark.xdist_group("fuzz")

YEAR = 2023
WEB_EXPORTS = Path(__file__).resolve().parent / "data" / "formats"
# Every item filled, each with its own number (money in 万元 with two decimals).
TYPED = {f.key: (round(f.order * 1.25, 2) if f.is_money else f.order * 10 + 1) for f in FIELDS}
SETTINGS = dict(deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

mutation = st.tuples(
    st.sampled_from(["set", "delete", "insert", "cut"]), st.integers(0, 2**31 - 1), st.binary(min_size=1, max_size=16)
)
mutations = st.lists(mutation, min_size=1, max_size=4)


def mutate(data: bytes, ops: list[tuple[str, int, bytes]]) -> bytes:
    """Apply byte-level edits at positions taken modulo the current length."""
    out = bytearray(data)
    for op, where, chunk in ops:
        pos = where % max(len(out), 1)
        if op == "set":
            out[pos : pos + len(chunk)] = chunk[: max(0, len(out) - pos)]
        elif op == "delete":
            del out[pos : pos + len(chunk) * 64]
        elif op == "insert":
            out[pos:pos] = chunk
        else:
            del out[pos:]
    return bytes(out)


@functools.cache
def originals() -> dict[str, bytes]:
    """The bytes of one good return per format."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        return {
            ".xlsx": fx.write_vertical_xlsx(folder / "a.xlsx", TYPED, stamp="随县").read_bytes(),
            ".docx": fx.write_vertical_docx(folder / "a.docx", TYPED, stamp="随县").read_bytes(),
            ".csv": fx.write_csv(
                folder / "a.csv", fx.vertical_form(TYPED, stamp="随县"), encoding="utf-8-sig"
            ).read_bytes(),
        }


def check(outcome: object, exact: bool) -> None:
    """A FileOutcome whose values are the original ones (``exact``) or at least plausible numbers."""
    assert isinstance(outcome, FileOutcome)
    for issue in outcome.issues:
        assert issue.severity in ("error", "warning", "info") and issue.message
    for key, value in ((p.key, p.value) for p in outcome.parsed):
        if value is None or key not in BY_KEY:
            continue
        assert math.isfinite(value) and value >= 0, (key, value)
        if exact:
            assert value == pytest.approx(TYPED[key]), (key, value)


def test_originals_read_exactly(tmp_path):
    """The baseline the properties compare against (the .xlsx one through a worker)."""
    for ext in (".docx", ".csv"):
        path = h.write_bytes(tmp_path / f"a{ext}", originals()[ext])
        outcome = process_file(path, path.name, YEAR)
        assert {p.key: p.value for p in outcome.parsed if p.key in BY_KEY} == pytest.approx(TYPED)
    path = h.write_bytes(tmp_path / "a.xlsx", originals()[".xlsx"])
    (outcome,) = run_tasks([ReadTask(str(path), "a.xlsx", YEAR, DEFAULT_LIMITS)], workers=1)
    assert {p.key: p.value for p in outcome.parsed if p.key in BY_KEY} == pytest.approx(TYPED)


@settings(max_examples=100, **SETTINGS)
@given(data=st.binary(max_size=4096), ext=st.sampled_from([".docx", ".csv", ".txt", ".xls", ".html", ".xml", ".mht"]))
def test_random_bytes_in_process(data, ext):
    with tempfile.TemporaryDirectory() as tmp:
        path = h.write_bytes(Path(tmp) / f"x{ext}", data)
        check(process_file(path, path.name, YEAR), exact=False)


@settings(max_examples=100, **SETTINGS)
@given(ops=mutations)
def test_mutated_docx_never_invents_a_value(ops):
    with tempfile.TemporaryDirectory() as tmp:
        path = h.write_bytes(Path(tmp) / "x.docx", mutate(originals()[".docx"], ops))
        check(process_file(path, path.name, YEAR), exact=True)


@settings(max_examples=100, **SETTINGS)
@given(ops=mutations)
def test_mutated_csv_never_raises(ops):
    with tempfile.TemporaryDirectory() as tmp:
        path = h.write_bytes(Path(tmp) / "x.csv", mutate(originals()[".csv"], ops))
        check(process_file(path, path.name, YEAR), exact=False)


@settings(max_examples=100, **SETTINGS)
@given(
    ops=mutations, name=st.sampled_from(["calc-2003.xml", "calc.html"]), ext=st.sampled_from([".xls", ".xml", ".html"])
)
def test_mutated_web_exports_never_raise(ops, name, ext):
    """LibreOffice's Excel 2003 XML and HTML exports, mutated, under their own and under an .xls name."""
    with tempfile.TemporaryDirectory() as tmp:
        path = h.write_bytes(Path(tmp) / f"x{ext}", mutate((WEB_EXPORTS / name).read_bytes(), ops))
        check(process_file(path, path.name, YEAR), exact=False)


@settings(max_examples=20, phases=[Phase.explicit, Phase.generate], **SETTINGS)  # no shrinking: each example forks
@given(
    batch=st.lists(st.one_of(mutations, st.binary(max_size=2048)), min_size=12, max_size=12),
    ext=st.sampled_from([".xlsx", ".xls", ".ods"]),
)
def test_mutated_spreadsheets_through_workers(batch, ext):
    """Twelve mutated workbooks (or random bytes) per example, read by worker processes."""
    with tempfile.TemporaryDirectory() as tmp:
        tasks = []
        for i, item in enumerate(batch):
            data = mutate(originals()[".xlsx"], item) if isinstance(item, list) else item
            path = h.write_bytes(Path(tmp) / f"{i}{ext}", data)
            tasks.append(ReadTask(str(path), path.name, YEAR, DEFAULT_LIMITS))
        outcomes = run_tasks(tasks, workers=2)
    assert [o.source_file for o in outcomes] == [t.source_file for t in tasks]
    for outcome in outcomes:
        check(outcome, exact=True)


def test_reader_abort_becomes_an_issue_row(tmp_path):
    """With the pre-flight limit lifted, python-calamine aborts on a cell at XFD1048576: the batch goes on."""
    bad = h.write_last_cell(tmp_path / "末格.xlsx")
    good = fx.write_vertical_xlsx(tmp_path / "随县.xlsx", TYPED, stamp="随县")
    lifted = Limits(max_cells=10**15)
    outcomes = run_tasks(
        [ReadTask(str(bad), bad.name, YEAR, lifted), ReadTask(str(good), good.name, YEAR, lifted)], workers=1
    )
    crashed, read = outcomes
    assert [(i.severity, i.code) for i in crashed.issues] == [("error", "file_crashed_reader")]
    assert {p.key: p.value for p in read.parsed if p.key in BY_KEY} == pytest.approx(TYPED)


def test_hung_read_becomes_a_timeout_issue(tmp_path):
    """A read that never returns (a named pipe with no writer) is stopped after Limits.seconds_per_file."""
    fifo = tmp_path / "管道.csv"
    os.mkfifo(fifo)
    (outcome,) = run_tasks([ReadTask(str(fifo), fifo.name, YEAR, Limits(seconds_per_file=1))], workers=1)
    assert [(i.severity, i.code) for i in outcome.issues] == [("error", "file_timeout")]
    assert "Limits.seconds_per_file" in outcome.issues[0].message
