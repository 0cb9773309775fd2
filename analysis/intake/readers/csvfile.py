"""CSV text → one grid, decoding UTF-8 (BOM or not), UTF-16 (BOM) or GB18030."""

from __future__ import annotations

import csv
import io

from analysis.intake.readers.grid import Grid, short
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused
from analysis.intake.source import FileLike

DELIMITERS = ",\t;，"


def read_csv(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> Grid:
    """A CSV file as one grid, decoding UTF-8 (BOM or not), UTF-16 (BOM) or GB18030."""
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused(
            "csv_nul_bytes",
            "CSV 文件中含有空字符（NUL），可能不是文本文件或已损坏。请用Excel另存为“CSV UTF-8”或 .xlsx 后重新报送。",
        )
    text = decode_text(data)
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > limits.max_csv_line:
        raise Refused(
            "csv_line_too_long",
            f"CSV 文件中有一行长达 {longest} 个字符，超过上限 {limits.max_csv_line}（Limits.max_csv_line），未读取。",
        )
    delimiter = _delimiter(text[:4096])
    try:
        rows = [
            [cell.strip() or None for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise Refused(
            "csv_malformed", f"CSV 文件格式有误（{short(exc)}），请用Excel另存为“CSV UTF-8”或 .xlsx 后重新报送。"
        ) from exc
    if len(rows) * max((len(r) for r in rows), default=0) > limits.max_cells:
        raise Refused("file_limit_cells", f"CSV 文件单元格数超过上限 {limits.max_cells}（Limits.max_cells），未读取。")
    return Grid(sheet="", rows=rows)


def _delimiter(sample: str) -> str:
    """The sniffed delimiter when most lines hold it, else the one most lines hold (tab before comma: a web
    system's tab-separated export is sniffed as something else when its labels hold commas or semicolons)."""
    lines = [line for line in sample.splitlines() if line.strip()]

    def share(candidate: str) -> int:
        return sum(1 for line in lines if candidate in line)

    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ","
    if share(sniffed) * 2 >= len(lines):
        return sniffed
    return max(("\t", ",", ";", "，"), key=share)


def decode_text(data: bytes) -> str:
    """Text of a CSV-like file: UTF-8 (BOM or not), UTF-16 (BOM), else GB18030 (Excel on Chinese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")
