"""CSV files: any rows in any encoding, and the form transposed to one row under one or two header rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from analysis import form
from analysis.demo.returns import Return, typed_text
from analysis.demo.writers.grid import Cell


def csv_bytes(rows: Sequence[Sequence[Cell]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """The rows as CSV text with CRLF line ends (None as an empty field)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def csv_form(ret: Return, encoding: str, header_rows: int) -> bytes:
    """The form transposed to one row: label header row(s), then the values."""
    rows: list[list[Cell]] = []
    if header_rows == 2:
        seen: set[str] = set()
        heads: list[Cell] = []
        for f in form.FIELDS:
            heads.append(ret.categories[f.category].replace("\n", "") if f.category and f.category not in seen else "")
            seen.add(f.category)
        rows.append(heads)
    rows.append([ret.labels[k].replace("\n", "") for k in form.FIELD_KEYS])
    rows.append([typed_text(ret, k) for k in form.FIELD_KEYS])
    return csv_bytes(rows, encoding)
