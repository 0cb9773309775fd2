"""The form as a CSV file: transposed to one row under one or two header rows, in the year's encoding."""

from __future__ import annotations

import csv
import io

from analysis import form
from analysis.demo.returns import Return, typed_text


def csv_form(ret: Return, encoding: str, header_rows: int) -> bytes:
    """The form transposed to one row: label header row(s), then the values."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if header_rows == 2:
        seen: set[str] = set()
        heads = []
        for f in form.FIELDS:
            heads.append(ret.categories[f.category].replace("\n", "") if f.category and f.category not in seen
                         else "")
            seen.add(f.category)
        writer.writerow(heads)
    writer.writerow([ret.labels[k].replace("\n", "") for k in form.FIELD_KEYS])
    writer.writerow([typed_text(ret, k) for k in form.FIELD_KEYS])
    return buf.getvalue().encode(encoding)

