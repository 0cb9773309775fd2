"""Converting a file with LibreOffice: the one way every reader calls it (.doc today, any other legacy format).

Each attempt runs in a temporary folder of its own, with a user profile of its own
(``-env:UserInstallation=file:///…``): two conversions started at the same moment in two workers never share a
profile (with a shared one the second exits with status 1).  The file is copied in under a plain name, so its own
name (spaces, a leading ``-``, any encoding) never reaches the command line.  An attempt that fails is tried once
more with a fresh profile; all attempts together keep within the time given (the file's limit).

``soffice.bin`` is started directly rather than through the ``soffice`` launcher (``oosplash``), which would leave
it running if killed: in its own process group, killed as a group when it overruns, when the caller is
interrupted (the worker's per-file alarm) and, on Linux, by the kernel when the worker itself dies.
A new profile makes ``soffice.bin`` set it up and ask to be started again (exit status 81, as the launcher
would): that restart is part of the attempt.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from analysis.intake.lifetime import child_dies_with_us
from analysis.intake.source import FileLike

ATTEMPTS = 2
RESTART = 81  # soffice.bin has set up a new profile and asks to be started again
_STARTS_PER_ATTEMPT = 3
_RUNNING: set[int] = set()  # process groups of the conversions running now


class LibreOfficeMissing(Exception):
    """LibreOffice is not installed (no ``soffice`` on the PATH)."""


class ConversionFailed(Exception):
    """LibreOffice did not convert the file; ``str()`` is a short Chinese reason."""


def soffice_program() -> Path | None:
    """The LibreOffice program: ``soffice.bin`` beside the ``soffice`` found on the PATH, else ``soffice``."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        return None
    real = Path(found).resolve()
    binary = real.with_name("soffice.bin")
    return binary if binary.is_file() else real


def convert(src: FileLike, target: str, seconds: float) -> bytes:
    """``src`` converted by LibreOffice (``target`` as ``--convert-to`` takes it: ``docx``, ``xlsx``,
    ``doc:MS Word 97``), as bytes; at most two attempts, together within ``seconds``.

    Raises :class:`LibreOfficeMissing` or :class:`ConversionFailed`."""
    program = soffice_program()
    if program is None:
        raise LibreOfficeMissing
    deadline = time.monotonic() + seconds
    failure = ConversionFailed("LibreOffice 未能转换")
    for _ in range(ATTEMPTS):
        if time.monotonic() >= deadline:
            break
        with tempfile.TemporaryDirectory(prefix="scitech-lo-") as tmp:
            try:
                return _attempt(program, src, target, Path(tmp), deadline)
            except ConversionFailed as exc:
                failure = exc
    raise failure


def stop_all() -> None:
    """Kill every conversion this process is running (its parent is gone, see :mod:`analysis.intake.lifetime`)."""
    for group in list(_RUNNING):
        _kill_group(group)


def _attempt(program: Path, src: FileLike, target: str, folder: Path, deadline: float) -> bytes:
    source = folder / "in" / f"source{src.suffix.lower()}"
    source.parent.mkdir()
    source.write_bytes(src.read_bytes())
    out = folder / "out"
    command = [
        str(program),
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        str(out),
        str(source),
    ]
    status = RESTART
    for _ in range(_STARTS_PER_ATTEMPT):
        status = _run(command, deadline)
        if status != RESTART:
            break
    converted = out / f"source.{target.split(':')[0]}"
    if status != 0 or not converted.is_file():
        raise ConversionFailed(f"LibreOffice 退出状态 {status}" if status else "LibreOffice 未生成转换结果")
    return converted.read_bytes()


def _run(command: list[str], deadline: float) -> int:
    """Run one LibreOffice process in a group of its own; the group is killed whatever happens."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ConversionFailed("超过单个文件的读取时限")
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=child_dies_with_us(),
        )
    except OSError as exc:
        raise ConversionFailed(f"无法启动 LibreOffice：{exc.strerror or exc}") from exc
    _RUNNING.add(process.pid)
    try:
        return process.wait(timeout=remaining)
    except subprocess.TimeoutExpired as exc:
        raise ConversionFailed("超过单个文件的读取时限") from exc
    finally:
        _kill_group(process.pid)
        process.kill()  # the group is gone already where process groups exist
        process.wait()
        _RUNNING.discard(process.pid)


def _kill_group(group: int) -> None:
    if hasattr(os, "killpg"):
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
