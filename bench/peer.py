"""The peer a benchmark compares with: a commit of this repository unpacked into a folder of its own."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def unpack(commit: str, into: Path) -> Path:
    """``git archive COMMIT`` unpacked into ``into`` (created); run its package with ``PYTHONPATH`` set to it."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into
