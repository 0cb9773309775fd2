"""Writing outputs safely: atomic replacement and text that cannot become a formula.

Every table or document the project writes goes through these helpers, so that
an interrupted run leaves the previous complete file and no text taken from a
return can act as a formula in Excel, WPS or LibreOffice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import secrets
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the frame helpers import pandas when called: processes that only write files never load it
    import pandas as pd

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
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        column = out[col]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        try:  # only the few cells that start like a formula need a closer look
            suspect = column.str.startswith(_FORMULA_START, na=False).to_numpy(dtype=bool)
        except AttributeError:  # a column without any text (dates …): each cell as it is
            out[col] = column.map(neutralize, na_action="ignore")
            continue
        if suspect.any():
            out.loc[suspect, col] = column[suspect].map(neutralize)
    return out


def _create_unique(target: Path, folder: bool = False) -> Path:
    """Create an empty, uniquely named file (or folder) beside ``target`` with the permissions of an ordinary new
    one (0666 / 0777 less the process umask, applied by the system: unlike ``mkstemp``'s 0600 and ``mkdtemp``'s
    0700, and without touching the umask)."""
    while True:
        candidate = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            if folder:
                os.mkdir(candidate, 0o777)
            else:
                os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return candidate
        except FileExistsError:
            continue


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target``, removed on exit unless it was renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _create_unique(target)
    try:
        yield Path(tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _publish(tmp: Path, target: Path) -> None:
    os.replace(tmp, target)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``."""
    target = Path(target)
    with _temporary(target) as tmp:
        yield tmp
        _publish(tmp, target)


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a new empty folder beside ``target``; on success it takes the place of ``target`` as a whole (the
    previous folder and everything in it are removed), so readers see the old set of files or the new one."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _create_unique(target, folder=True)
    try:
        yield tmp
        old = target.with_name(f"{tmp.name}.old")
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_atomic(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` and move the result to ``target`` in one step."""
    with atomic_path(target) as tmp:
        write(tmp)
    return Path(target)


def replace_together(jobs: list[tuple[Path, Callable[[Path], None]]]) -> list[Path]:
    """Write every ``(target, write)`` to a temporary file first, then rename them all over their targets."""
    with contextlib.ExitStack() as stack:
        temps = [stack.enter_context(_temporary(Path(target))) for target, _ in jobs]
        for tmp, (_, write) in zip(temps, jobs):
            write(tmp)
        for tmp, (target, _) in zip(temps, jobs):
            _publish(tmp, Path(target))
    return [Path(target) for target, _ in jobs]


def csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    """UTF-8 with BOM (so Excel shows the Chinese), neutralised, no index."""
    safe = neutralize_frame(frame)
    return lambda p: safe.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n")


def parquet_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda p: frame.to_parquet(p, index=False)


def text_writer(text: str) -> Callable[[Path], None]:
    return lambda p: p.write_text(text, encoding="utf-8")


def write_csv(frame: pd.DataFrame, target: Path) -> Path:
    """A CSV for Excel (see :func:`csv_writer`), written atomically."""
    return write_atomic(target, csv_writer(frame))


def write_text(text: str, target: Path) -> Path:
    """UTF-8 text, atomic."""
    return write_atomic(target, text_writer(text))


FIXED_TIME = dt.datetime(2000, 1, 1)  # document and zip-entry time of generated Office files: reproducible bytes


def normalize_zip(data: bytes, when: dt.datetime = FIXED_TIME) -> bytes:
    """Rewrite a zip-based document with every entry dated ``when``, in its original order.

    The order the writing library chose (``mimetype`` first for OpenDocument) and each entry's compression
    are kept; times, permissions and host system are fixed.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(fixed_entry(info.filename, info.compress_type, when), src.read(info.filename))
    return out.getvalue()


def fixed_entry(name: str, compress_type: int, when: dt.datetime = FIXED_TIME) -> zipfile.ZipInfo:
    """A zip entry as :func:`normalize_zip` writes it: dated ``when``, Unix, mode 644.  Writing a new zip's
    entries with it gives the normalised bytes directly."""
    entry = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    entry.compress_type = compress_type
    entry.create_system = 3
    entry.external_attr = 0o644 << 16
    return entry


def save_workbook(wb, path: Path, when: dt.datetime = FIXED_TIME) -> None:
    """Save an openpyxl workbook with fixed document and zip times (``Workbook.save`` stamps the clock)."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = wb.properties.modified = when
    buffer = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    Path(path).write_bytes(normalize_zip(buffer.getvalue(), when))


def save_document(doc, path: Path, when: dt.datetime = FIXED_TIME) -> None:
    """Save a python-docx document with fixed document and zip times."""
    doc.core_properties.created = doc.core_properties.modified = when
    buffer = io.BytesIO()
    doc.save(buffer)
    Path(path).write_bytes(normalize_zip(buffer.getvalue(), when))
