"""Writing outputs safely: atomic replacement and text that cannot become a formula.

Every table or document the project writes goes through these helpers, so that
an interrupted run leaves the previous complete file and no text taken from a
return can act as a formula in Excel, WPS or LibreOffice.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once at import: os.umask can only be read by setting it
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralize(value: object) -> object:
    """Make text safe for a spreadsheet cell: prefix a quote when it could start a formula.

    Numbers, and text that is a plain number such as ``-12.5``, are left alone.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with every text cell passed through :func:`neutralize`."""
    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(neutralize, na_action="ignore")
    return out


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary shared files
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_atomic(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` and move the result to ``target`` in one step."""
    with atomic_path(target) as tmp:
        write(tmp)
    return Path(target)


def write_csv(frame: pd.DataFrame, target: Path) -> Path:
    """UTF-8 with BOM (so Excel shows the Chinese), neutralised, atomic, no index."""
    safe = neutralize_frame(frame)
    return write_atomic(target, lambda p: safe.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n"))


def write_parquet(frame: pd.DataFrame, target: Path) -> Path:
    """Parquet without index, atomic."""
    return write_atomic(target, lambda p: frame.to_parquet(p, index=False))


def write_text(text: str, target: Path) -> Path:
    """UTF-8 text, atomic."""
    return write_atomic(target, lambda p: p.write_text(text, encoding="utf-8"))
