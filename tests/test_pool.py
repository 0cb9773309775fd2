"""The worker pool of a run: lean reader processes that stay warm for the feedback files."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import fixtures as fx
import loaded_modules
import pytest

from analysis.form import FIELDS
from analysis.intake.pool import ReadTask, WorkerPool, run_tasks
from analysis.intake.safety import DEFAULT_LIMITS
from analysis.issues import Issue, issues_frame
from analysis.review import feedback
from analysis.review.feedback import write_feedback

HEAVY = ["pandas", "numpy", "pyarrow", "pandera", "matplotlib"]
TYPED = {f.key: float(fx.SAMPLE[f.key]) for f in FIELDS}


def test_reader_processes_load_the_readers_only(tmp_path):
    """Workers are new interpreters (not forks of the batch process) and reading a form loads no pandas: a
    worker's resident memory is its own (about 30 MB), not a copy of the caller's."""
    path = fx.write_vertical_xlsx(tmp_path / "随县.xlsx", fx.SAMPLE, stamp="随县")
    with WorkerPool(1) as pool:
        (outcome,) = run_tasks([ReadTask(str(path), path.name, 2023, DEFAULT_LIMITS)], 1, pool=pool)
        assert {p.key: p.value for p in outcome.parsed if p.key in TYPED} == pytest.approx(TYPED)
        assert pool.executor.submit(loaded_modules.loaded, HEAVY).result() == []


def test_the_same_warm_worker_writes_the_feedback_files_without_pandas(tmp_path, monkeypatch):
    monkeypatch.setattr(feedback, "PARALLEL_FROM", 2)
    path = fx.write_vertical_xlsx(tmp_path / "随县.xlsx", fx.SAMPLE, stamp="随县")
    issues = issues_frame(
        [Issue("warning", "field_not_reported", f"第{i}家单位未填报。", unit=f"单位{i}") for i in range(4)]
    )
    with WorkerPool(1) as pool:
        run_tasks([ReadTask(str(path), path.name, 2023, DEFAULT_LIMITS)], 1, pool=pool)
        reader = set(multiprocessing.active_children())
        assert pool.executor.submit(loaded_modules.loaded, ["xlsxwriter"]).result() == []
        written = write_feedback(tmp_path / "out" / "f.xlsx", issues, year=2023, demo=False, executor=pool.executor)
        assert set(multiprocessing.active_children()) == reader  # no new process for the feedback
        assert pool.executor.submit(loaded_modules.loaded, ["xlsxwriter", *HEAVY]).result() == ["xlsxwriter"]
    assert sorted(p.name for p in written.units.values()) == [f"单位{i}.xlsx" for i in range(4)]


def test_a_script_without_the_main_guard_gets_a_clear_error_not_crashed_files(tmp_path):
    """Each new worker runs such a script again and dies while starting: the batch stops with a message saying
    what to do, instead of reporting every file as having crashed its reader."""
    path = fx.write_vertical_xlsx(tmp_path / "raw" / "2023" / "随县.xlsx", fx.SAMPLE, stamp="随县")
    script = tmp_path / "run.py"
    script.write_text(
        f"from analysis.intake.ingest import ingest\ningest({str(path.parent)!r}, year=2023, workers=1)\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "WorkersUnavailable" in done.stderr and "if __name__" in done.stderr
    guarded = tmp_path / "guarded.py"
    guarded.write_text(
        "from analysis.intake.ingest import ingest\n"
        "if __name__ == '__main__':\n"
        f"    print(len(ingest({str(path.parent)!r}, year=2023, workers=1).returns))\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(guarded)], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "1"), done.stderr[-2000:]
