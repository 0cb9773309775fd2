"""Processes that end with their parent: the reader workers and the LibreOffice conversions they start.

On Linux the kernel does it (``prctl(PR_SET_PDEATHSIG, SIGKILL)``): a ``kill -9`` of the command, or the OOM
killer ending it, ends its workers at once, even one busy in native code.  Elsewhere a daemon thread of the
worker watches the parent's process id and ends the worker (and the conversion it runs) when the parent is gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5


def _load_prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, looked up once (never after a fork: a child must not load libraries)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


def die_with_parent(parent: int) -> bool:
    """Have the kernel kill this process when its parent (pid ``parent``) ends; False where it cannot (not Linux).

    A parent that ended before the request leaves this process adopted by another: it exits at once."""
    if _PRCTL is None or _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:
        os._exit(1)
    return True


def watch_parent(parent: int, on_gone: Callable[[], None]) -> threading.Thread:
    """A daemon thread that calls ``on_gone`` and exits this process once its parent is no longer ``parent``."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_SECONDS)
        try:
            on_gone()
        finally:
            os._exit(1)

    thread = threading.Thread(target=watch, name="watch-parent", daemon=True)
    thread.start()
    return thread


def child_dies_with_us() -> Callable[[], None] | None:
    """A ``preexec_fn`` for :mod:`subprocess` that makes the child die with this process, or None where that is
    not safe or not possible (other threads are running: code between fork and exec must not take their locks)."""
    if _PRCTL is None or threading.active_count() != 1:
        return None
    us = os.getpid()

    def in_child() -> None:
        die_with_parent(us)

    return in_child
