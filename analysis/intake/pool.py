"""The worker pool: read files in child processes so that a crash or a hang costs only that file.

Each worker ignores Ctrl-C (the parent handles it), caps the memory it may take and arms an alarm per file.
Files go to the workers in small chunks; a chunk that fails is retried file by file in a fresh worker, and a
file that still kills or hangs its worker becomes one ``file_crashed_reader`` / ``file_timeout`` issue.

A :class:`WorkerPool` may outlive the reading: the year pipeline hands the same warm workers the feedback
files to write afterwards (no second start-up).  Workers are new interpreters (``spawn``), not forks of the
caller: they load only the readers (about 30 MB each, without pandas, against the 150 MB of a fork of the batch
process, counted again in every worker's resident memory), and no process that already runs threads (pandas,
pyarrow, the pool's own) is forked.

Workers die with the process that started them (:mod:`analysis.intake.lifetime`): a ``kill -9`` of the command,
or the OOM killer, leaves no reader or LibreOffice conversion running.  On Linux the kernel's parent-death signal
follows the *thread* that started a worker; the pool's workers are started by the thread that submits to it,
which is the caller's (keep that thread alive as long as the pool).
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from analysis.form import Form
from analysis.intake.lifetime import die_with_parent, watch_parent
from analysis.intake.read_file import (
    ReadTimeout,
    process_file,
    task_seconds,
    timeout_issue,
)
from analysis.intake.readers import libreoffice
from analysis.intake.records import FileOutcome
from analysis.intake.safety import Limits
from analysis.issues import Issue

WORKER_MEMORY = 384 * 1024**2  # memory a reader process may take beyond what it has loaded (2 workers: < 1 GB)
WORKERS = multiprocessing.get_context("spawn")  # how worker processes start (see the module docstring)


@dataclass(frozen=True)
class ReadTask:
    """One file for a worker: where it is, how it is named in the outputs, the year, the limits and the year's
    form as the caller knows it (None: the worker looks it up; a worker is a new process and does not see a form
    folder the caller has changed)."""

    path: str
    source_file: str
    year: int | None
    limits: Limits
    form: Form | None = None


def _worker_init(memory_bytes: int | None, started, parent: int) -> None:
    """Die with ``parent`` (the kernel's parent-death signal, else a thread watching the parent's pid), ignore
    Ctrl-C (the parent handles it), stay quiet when a crafted file kills this worker (the crash becomes an issue
    row, not a "Fatal Python error" dump on the console), cap how much more memory it may take, and count itself
    in ``started`` (a shared counter: workers that die before this line could not start at all)."""
    if not die_with_parent(parent):
        watch_parent(parent, libreoffice.stop_all)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.disable()
    with started.get_lock():
        started.value += 1
    if memory_bytes:
        try:
            import resource

            in_use = _data_in_use()
            if not in_use:  # no /proc: leave the limit alone rather than guess
                return
            _, hard = resource.getrlimit(resource.RLIMIT_DATA)
            limit = in_use + memory_bytes  # beyond what the worker has loaded so far
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
        except (ImportError, ValueError, OSError):
            pass


def _data_in_use() -> int:
    """This process's data segment (VmData) in bytes; 0 where /proc is not available."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _on_alarm(signum, frame):
    raise ReadTimeout


def _task(task: ReadTask) -> FileOutcome:
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(task_seconds(task.path, task.limits))
    try:
        return process_file(Path(task.path), task.source_file, task.year, task.limits, task.form)
    except ReadTimeout:
        return _crashed(task, timed_out=True)
    finally:
        if hasattr(signal, "SIGALRM"):
            signal.alarm(0)


def _crashed(task: ReadTask, timed_out: bool) -> FileOutcome:
    if timed_out:
        return FileOutcome(task.source_file, issues=(timeout_issue(task.source_file, task.limits),))
    message = (
        "读取该文件时读取进程异常终止（可能是文件过大、已损坏或被构造为耗尽内存），已跳过。请另存为新文件后重新报送。"
    )
    return FileOutcome(task.source_file, issues=(Issue("error", "file_crashed_reader", message, task.source_file),))


class WorkersUnavailable(RuntimeError):
    """No worker process could start (the batch stops: every file would otherwise look crashed)."""


WORKERS_UNAVAILABLE = (
    "无法启动读取文件的子进程（新进程在启动时即退出）。在自己的 Python 脚本中调用时，请把调用写在 "
    'if __name__ == "__main__": 之下（Python 多进程的要求）；在笔记本中或用 python -m analysis 运行不受影响。'
)


class WorkerPool:
    """The worker processes of one run (a :class:`~concurrent.futures.ProcessPoolExecutor` of
    :func:`_worker_init`'s workers), started at the first submitted task; a context manager that shuts them down."""

    def __init__(self, workers: int, memory_bytes: int | None = WORKER_MEMORY) -> None:
        self.workers = max(1, workers)
        self._before = set(multiprocessing.active_children())
        self._started = WORKERS.Value("i", 0)
        self.executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=WORKERS,
            initializer=_worker_init,
            initargs=(memory_bytes, self._started, os.getpid()),
        )

    def warm(self) -> WorkerPool:
        """Start every worker now (they load the readers while the caller goes on with its own work)."""
        for _ in range(self.workers):
            self.executor.submit(int)
        return self

    def check_started(self) -> None:
        """Raise :class:`WorkersUnavailable` when the pool broke before any of its workers started (a script that
        starts the batch without the ``__main__`` guard: each new process runs the script again and dies)."""
        if self._started.value == 0:
            raise WorkersUnavailable(WORKERS_UNAVAILABLE)

    def kill(self) -> None:
        """Kill this pool's processes (those started since it was made, found through the public
        ``multiprocessing.active_children``): a worker hangs in native code."""
        _kill_new_children(self._before)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def run_tasks(
    tasks: list[ReadTask],
    workers: int,
    progress=None,
    memory_bytes: int | None = WORKER_MEMORY,
    pool: WorkerPool | None = None,
) -> list[FileOutcome]:
    """Run every task in worker processes, in order; a dead or hung worker costs only its file.

    In ``pool`` when given (it stays open for the caller), else in a pool of ``workers`` made for these tasks."""
    results: dict[str, FileOutcome] = {}
    if tasks and pool is not None:
        _run_pool(tasks, pool, results, progress)
    elif tasks:
        with WorkerPool(workers, memory_bytes) as own:
            _run_pool(tasks, own, results, progress)
    for task in tasks:
        if task.source_file not in results:  # the pool broke or hung: each remaining file alone
            results[task.source_file] = _run_alone(task, memory_bytes)
            if progress is not None:
                progress.update(1)
    return [results[t.source_file] for t in tasks]


def _run_chunk(chunk: list[ReadTask]) -> list[FileOutcome]:
    return [_task(task) for task in chunk]


def _run_pool(tasks: list[ReadTask], pool: WorkerPool, results: dict[str, FileOutcome], progress) -> None:
    """Files go to the workers in small chunks (less inter-process traffic); any chunk that fails is left
    out of ``results`` so that its files are retried one by one."""
    size = max(1, min(16, len(tasks) // (4 * pool.workers)))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    patience = max(sum(task_seconds(t.path, t.limits) for t in chunk) for chunk in chunks) + 10
    try:
        futures: list[Future] = [pool.executor.submit(_run_chunk, chunk) for chunk in chunks]
    except BrokenProcessPool:  # broken before this run: every file alone
        return
    remaining = set(futures)
    while remaining:
        done, remaining = wait(remaining, timeout=patience, return_when=FIRST_COMPLETED)
        if not done:  # no progress at all: a worker hangs in native code
            pool.kill()
            return
        for fut in done:
            try:
                outcomes = fut.result()
            except BrokenProcessPool:  # a worker died: on a file (retried alone), or before it could start
                pool.check_started()
                continue
            except BaseException:  # noqa: BLE001 - a result that cannot be pickled back
                continue
            for outcome in outcomes:
                results[outcome.source_file] = outcome
            if progress is not None:
                progress.update(len(outcomes))


def _run_alone(task: ReadTask, memory_bytes: int | None) -> FileOutcome:
    with WorkerPool(1, memory_bytes) as pool:
        try:
            return pool.executor.submit(_task, task).result(timeout=task_seconds(task.path, task.limits) + 10)
        except TimeoutError:
            pool.kill()
            return _crashed(task, timed_out=True)
        except BrokenProcessPool:
            pool.check_started()
            return _crashed(task, timed_out=False)
        except BaseException:  # noqa: BLE001 - a result that cannot be pickled back
            return _crashed(task, timed_out=False)


def _kill_new_children(before: set) -> None:
    """Kill the worker processes started since ``before`` was taken (the pool's own, found through the
    public ``multiprocessing.active_children``)."""
    for process in set(multiprocessing.active_children()) - before:
        process.kill()
