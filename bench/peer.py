"""The peer a benchmark compares with: a commit of this repository unpacked into a folder of its own."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Packages before tinytag replaced mutagen (GPL-3.0, no longer installed) import it for video durations; the
# benchmarks that run them read no video's duration.
MUTAGEN_STAND_IN = '"""Stand-in for mutagen in a benchmark\'s peer: no duration is read."""\n\n\ndef File(*args, **kwargs):\n    return None\n'


def unpack(commit: str, into: Path, *paths: str) -> Path:
    """``git archive COMMIT [PATHS]`` unpacked into ``into`` (created), with a stand-in for mutagen when it is not
    installed; run its package with ``PYTHONPATH`` set to ``into``.  Raises ``CalledProcessError`` when git or the
    commit is not there."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, *paths], capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    if importlib.util.find_spec("mutagen") is None:
        (into / "mutagen.py").write_text(MUTAGEN_STAND_IN, encoding="utf-8")
    return into
