"""Reused kernels: notebooks run one after another on one kernel each start clean, numbered from 1."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from analysis.report import runner


def _notebook(folder, name: str, *cells: str) -> None:
    nb = new_notebook(metadata={"kernelspec": {"name": runner.KERNEL_NAME, "display_name": "x", "language": "python"}})
    params = new_code_cell("year = 2023")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(new_code_cell(c) for c in cells)]
    nbformat.write(nb, folder / name)


def test_a_reused_kernel_starts_each_notebook_clean_and_survives_a_failure(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks, runner.CLEAN_NB, "import os\nleft_over = os.getpid()", "raise ValueError('坏数据')")
    _notebook(
        notebooks,
        runner.SUMMARY_NB,
        "print('left_over' in globals(), year, os.getpid() if 'os' in dir() else 0)",
        "import os\nprint(os.getpid(), os.getcwd())",
        "import multiprocessing\nctx = multiprocessing.get_context('spawn')\nworker = ctx.Process(target=os.getpid)\n"
        "worker.start()\nworker.join()\nprint(worker.exitcode, '_reset' in globals())",
    )
    plan = runner.YearPlan(2024, tmp_path / "raw", tmp_path / "p", tmp_path / "r", None)
    lane = runner.KernelLane(runner.ensure_kernel())
    try:
        with pytest.raises(runner.NotebookFailed) as failed:
            runner.execute_notebook(runner.CLEAN_NB, plan, notebooks_dir=notebooks, lane=lane)
        assert "In [4]" in str(failed.value)  # numbered as in a kernel of its own
        first_pid = lane.km.provisioner.process.pid
        output = runner.execute_notebook(runner.SUMMARY_NB, plan, notebooks_dir=notebooks, lane=lane)
        assert lane.km.provisioner.process.pid == first_pid  # the same kernel
    finally:
        lane.close()
    cells = [c for c in nbformat.read(output, as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in cells] == [1, 2, 3, 4, 5]
    assert cells[2].outputs[0]["text"] == "False 2024 0\n"  # nothing of the first notebook is left
    assert cells[3].outputs[0]["text"] == f"{first_pid} {plan.report_dir / 'notebooks'}\n"  # in its own folder
    assert cells[4].outputs[0]["text"] == "0 False\n"  # spawned processes start (the readers' pool does)
    assert lane.km is None


def test_a_warmed_up_lane_keeps_the_imports_but_not_the_names(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(
        notebooks,
        runner.CLEAN_NB,
        "import os, sys\nprint('warm_marker' in globals(), 'xml.dom.minidom' in sys.modules, os.getcwd())",
    )
    plan = runner.YearPlan(2024, tmp_path / "raw", tmp_path / "p", tmp_path / "r", None)
    lane = runner.KernelLane(runner.ensure_kernel())
    try:
        lane.warm_up("import xml.dom.minidom\nwarm_marker = 1\n")  # a module no kernel loads by itself
        output = runner.execute_notebook(runner.CLEAN_NB, plan, notebooks_dir=notebooks, lane=lane)
    finally:
        lane.close()
    cells = [c for c in nbformat.read(output, as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in cells] == [1, 2, 3]
    assert cells[2].outputs[0]["text"] == f"False True {plan.report_dir / 'notebooks'}\n"


def test_a_warm_up_that_fails_leaves_a_lane_that_still_runs(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks, runner.CLEAN_NB, "print(year)")
    plan = runner.YearPlan(2024, tmp_path / "raw", tmp_path / "p", tmp_path / "r", None)
    lane = runner.KernelLane(runner.ensure_kernel())
    try:
        lane.warm_up("import os\nos._exit(3)\n")  # the kernel dies while warming up
        output = runner.execute_notebook(runner.CLEAN_NB, plan, notebooks_dir=notebooks, lane=lane)
    finally:
        lane.close()
    cells = [c for c in nbformat.read(output, as_version=4).cells if c.cell_type == "code"]
    assert cells[-1].outputs[0]["text"] == "2024\n"


def _kernels_of_this_process() -> list[int]:
    """Kernels started by this test process (its children running ipykernel_launcher)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        if parent == os.getpid() and b"ipykernel_launcher" in cmdline:
            found.append(int(entry))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_closing_a_lane_while_it_warms_up_leaves_no_kernel():
    before = set(_kernels_of_this_process())
    lane = runner.KernelLane(runner.ensure_kernel())
    lane.warm_up("import time\ntime.sleep(1)\n")
    lane.close()  # at once: the kernel is still starting (or warming up)
    assert lane.km is None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and set(_kernels_of_this_process()) - before:
        time.sleep(0.1)
    assert set(_kernels_of_this_process()) - before == set()
