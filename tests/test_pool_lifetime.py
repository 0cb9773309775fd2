"""A killed run leaves no process: ``kill -9`` of ``python -m analysis ingest`` mid-run ends its reader workers
(and the LibreOffice conversions they run) within seconds."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixtures import SAMPLE, vertical_form, write_units_csv, write_xlsx

DOCS = Path(__file__).parent / "data" / "legacy_doc"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Proc:
    """A process as /proc shows it: pid, command name and start time (a reused pid has another)."""

    pid: int
    name: str
    started: str

    def kill(self) -> None:
        if alive(self):
            os.kill(self.pid, signal.SIGKILL)


def _stat(pid: int) -> tuple[str, list[str]] | None:
    """(command name, the fields after it) of /proc/<pid>/stat, or None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()


def descendants(pid: int) -> list[Proc]:
    """Every process below ``pid`` (children, their children …)."""
    children: dict[int, list[Proc]] = {}
    for entry in os.listdir("/proc"):
        found = _stat(int(entry)) if entry.isdigit() else None
        if found:
            name, fields = found
            children.setdefault(int(fields[1]), []).append(Proc(int(entry), name, fields[19]))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child.pid)
    return out


def alive(process: Proc) -> bool:
    """Still running (the same process, not a reused pid; a zombie counts as ended)."""
    found = _stat(process.pid)
    return found is not None and found[1][0] != "Z" and found[1][19] == process.started


def left_after_kill(run: subprocess.Popen, seen: dict[int, Proc], settle: float) -> list[tuple[int, str]]:
    """``kill -9`` of ``run`` after a last look at its processes (added to ``seen``); those still alive ``settle``
    seconds later (then killed, so that nothing is left behind even when the test fails)."""
    seen.update((p.pid, p) for p in descendants(run.pid))
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline and any(alive(p) for p in seen.values()):
        time.sleep(0.1)
    left = [(p.pid, p.name) for p in seen.values() if alive(p)]
    for p in seen.values():
        p.kill()
    return left


def big_year(raw: Path, forms: int) -> None:
    """``forms`` copies of one .xlsx return (enough for the run to be reading when it is killed), plus the
    eight Word 97 returns when LibreOffice is installed (so that conversions are running too)."""
    first = write_xlsx(raw / "00000.xlsx", vertical_form(SAMPLE, stamp="随县"))
    data = first.read_bytes()
    for n in range(1, forms):
        (raw / f"{n:05d}.xlsx").write_bytes(data)
    if shutil.which("soffice"):
        for doc in DOCS.glob("*.doc"):
            shutil.copy(doc, raw / f"0{doc.name}")  # read first, while the .xlsx copies wait


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and kill -9")
def test_kill_9_of_the_command_leaves_no_process(tmp_path: Path):
    raw = tmp_path / "raw" / "2023"
    big_year(raw, 3000)
    units = write_units_csv(tmp_path / "units.csv")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analysis",
            "ingest",
            str(raw),
            "--out",
            str(tmp_path / "out"),
            "--year",
            "2023",
            "--units",
            str(units),
            "--workers",
            "2",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    want_soffice = shutil.which("soffice") is not None
    seen: dict[int, Proc] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:  # mid-run: workers reading, a conversion running
        seen.update((p.pid, p) for p in descendants(run.pid))
        names = {p.name for p in seen.values() if alive(p)}
        workers = [p for p in seen.values() if alive(p) and p.name.startswith("python")]
        if len(workers) >= 2 and (not want_soffice or "soffice.bin" in names):
            break
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before it could be killed: make the folder bigger"
    assert len(seen) >= 2
    assert left_after_kill(run, seen, settle=5) == []


GRANDCHILD = """
import sys, time
from pathlib import Path
from analysis.intake.lifetime import watch_parent
watch_parent(int(sys.argv[1]), lambda: Path(sys.argv[2]).write_text("gone"))
time.sleep(60)
"""
CHILD = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", sys.argv[1], str(__import__("os").getpid()), sys.argv[2]])
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and kill -9")
def test_where_the_kernel_cannot_a_thread_watching_the_parent_ends_the_worker(tmp_path: Path):
    flag = tmp_path / "gone"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", CHILD, GRANDCHILD, str(flag)], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not descendants(child.pid):
        time.sleep(0.05)
    (grandchild,) = descendants(child.pid)
    time.sleep(1)  # the watcher is running
    assert alive(grandchild) and not flag.exists()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and alive(grandchild):
        time.sleep(0.1)
    still = alive(grandchild)
    grandchild.kill()
    assert (still, flag.read_text() if flag.exists() else "") == (False, "gone")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and kill -9")
def test_kill_9_of_report_leaves_no_kernel_and_no_reader(tmp_path: Path):
    """``report`` starts two kernels at once (from background threads), and 01's kernel starts the readers: a
    ``kill -9`` of the command while 01 reads ends them all."""
    from analysis import paths

    shutil.copytree(paths.DEMO.raw / "2024", tmp_path / "raw" / "2024")
    folders = [f"--{name}={tmp_path / name}" for name in ("raw", "processed", "reports")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.Popen(
        [sys.executable, "-m", "analysis", "report", "--year", "2024", *folders],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: dict[int, Proc] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:  # both kernels up, and a kernel's readers started
        seen.update((p.pid, p) for p in descendants(run.pid))
        kernels = {p.pid for p in seen.values() if alive(p) and p.pid in _children(run.pid)}
        readers = [p for p in seen.values() if alive(p) and p.pid not in kernels and p.pid != run.pid]
        if len(kernels) >= 2 and readers:
            break
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before it could be killed"
    assert len(seen) >= 3
    assert left_after_kill(run, seen, settle=10) == []


def _children(pid: int) -> set[int]:
    """The direct children of ``pid``."""
    found = set()
    for entry in os.listdir("/proc"):
        stat = _stat(int(entry)) if entry.isdigit() else None
        if stat and int(stat[1][1]) == pid:
            found.add(int(entry))
    return found
