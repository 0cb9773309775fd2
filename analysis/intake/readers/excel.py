"""Workbooks (.xlsx .xlsm .xls .ods .et) → one grid per worksheet, through python-calamine.

Cached values of formula cells, never macros.  calamine leaves formula-error cells empty; their text
(#REF! …) is put back from the sheet XML so that they are reported, not taken as blank.  calamine gives no
number formats: only when an .xlsx declares a custom format that can show another number than the stored
one (0!.0,"万" shows 126000 as 12.6万) are its styles and the cells using it read with lxml, and those
cells become :class:`Shown`.
"""

from __future__ import annotations

import html
import io
import math
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

from analysis.intake.readers.grid import Grid, Shown, short
from analysis.intake.safety import DEFAULT_LIMITS, Limits, Refused, ZipFacts, column_number
from analysis.intake.source import FileLike, Source, zip_input


def _utf8_path(path: FileLike) -> bool:
    """A file on disk whose name native readers can take (not a Source, no undecodable bytes)."""
    if isinstance(path, Source):
        return False
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_spreadsheet(path: FileLike, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """Every worksheet of a workbook, with its visibility, through python-calamine."""
    import python_calamine as pc

    try:
        if _utf8_path(path):  # by path: calamine also goes by the extension (an encrypted .xls says so)
            wb = pc.CalamineWorkbook.from_path(str(path))
        else:  # from bytes: archive members, and names that are not UTF-8
            with path.open("rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
    except pc.PasswordError as exc:
        raise Refused("file_encrypted", "文件设置了密码保护，无法读取。请取消密码后重新报送。") from exc
    except Exception as exc:  # calamine raises several error types for broken files
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise Refused("file_encrypted", "文件设置了密码保护，无法读取。请取消密码后重新报送。") from exc
        raise Refused("file_corrupt", f"文件无法打开（已损坏或格式不符：{short(exc)}），请重新保存后报送。") from exc
    grids: list[Grid] = []
    metas = wb.sheets_metadata
    if len(metas) > limits.max_sheets:
        raise Refused(
            "file_limit_sheets", f"工作表数量 {len(metas)} 超过上限 {limits.max_sheets}（Limits.max_sheets），未读取。"
        )
    for meta in metas:
        if meta.typ != pc.SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = wb.get_sheet_by_name(meta.name)
            height, width = sheet.total_height, sheet.total_width
            if height * width > limits.max_cells:
                raise Refused(
                    "file_limit_cells",
                    f"工作表“{meta.name}”的使用区域达 {height} 行 × {width} 列，"
                    f"超过单表上限 {limits.max_cells} 个单元格（Limits.max_cells），未读取。",
                )
            rows = sheet.to_python(skip_empty_area=True)
            start = sheet.start or (0, 0)
            merged = tuple(
                (r0 - start[0], c0 - start[1], r1 - start[0], c1 - start[1])
                for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or ())
            )
        except Refused:
            raise
        except Exception as exc:  # noqa: BLE001 - one broken sheet: say so and read the others
            grids.append(
                Grid(
                    sheet=meta.name,
                    rows=[],
                    problem=f"工作表“{meta.name}”无法读取（{short(exc)}），已跳过该表。"
                    "如统计表在这张表上，请另存为新文件后重新报送。",
                )
            )
            continue
        # compare the enum itself: the text of SheetVisibleEnum.Hidden contains "Visible" too
        grids.append(
            Grid(
                sheet=meta.name,
                rows=[[_blank(v) for v in row] for row in rows],
                hidden=meta.visible != pc.SheetVisibleEnum.Visible,
                origin=tuple(start),
                merged=merged,
            )
        )
    return grids


def zip_workbook_grids(path: FileLike, facts: ZipFacts, limits: Limits = DEFAULT_LIMITS) -> list[Grid]:
    """An .xlsx/.xlsm/.ods whose pre-flight check is done: its sheets, with formula errors and scaling number
    formats put back from the sheet XML."""
    grids = read_spreadsheet(path, limits)
    formats = scaling_formats(facts.styles) if facts.styles else {}
    if not facts.error_parts and not formats:
        return grids
    with zipfile.ZipFile(zip_input(path)) as zf:
        if facts.error_parts:
            grids = restore_error_cells(zf, grids, facts.error_parts)
        return apply_number_formats(zf, grids, formats) if formats else grids


_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_ENTRY = re.compile(
    rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
    rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"'
)
_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.DOTALL)
_CELL_R = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_CELL_V = re.compile(rb"<v>([^<]*)</v>")


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name → its part in the package (``xl/worksheets/sheet1.xml``); {} when the package is odd."""
    try:
        rels = {}
        for m in _REL_ENTRY.finditer(zf.read("xl/_rels/workbook.xml.rels")):
            rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            rels[rid.decode()] = "xl/" + target.decode().lstrip("/").removeprefix("xl/")
        return {
            html.unescape(name.decode()): rels.get(rid.decode(), "")
            for name, rid in _SHEET_ENTRY.findall(zf.read("xl/workbook.xml"))
        }
    except (KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return {}


def restore_error_cells(zf: zipfile.ZipFile, grids: list[Grid], error_parts: dict[str, bytes]) -> list[Grid]:
    """Put the text of formula-error cells (#REF!, #DIV/0! …) back where calamine left them empty."""
    part_of = sheet_parts(zf)
    out = []
    for grid in grids:
        data = error_parts.get(part_of.get(grid.sheet, ""))
        if data:
            rows = [list(row) for row in grid.rows]
            for attrs, body in _ERROR_CELL.findall(data):
                ref, value = _CELL_R.search(attrs), _CELL_V.search(body)
                if not ref or not value:
                    continue
                put(
                    rows,
                    grid,
                    ref.group(1).decode(),
                    int(ref.group(2)),
                    html.unescape(value.group(1).decode(errors="replace")),
                )
            grid = Grid(grid.sheet, rows, grid.hidden, grid.origin, grid.merged)
        out.append(grid)
    return out


def put(rows: list[list[object]], grid: Grid, column: str, row: int, value: object) -> None:
    """Set the cell at sheet address (column letters, 1-based row) in ``rows`` (grid coordinates), growing them."""
    r = row - 1 - grid.origin[0]
    c = column_number(column) - 1 - grid.origin[1]
    if r < 0 or c < 0:
        return
    while len(rows) <= r:
        rows.append([])
    rows[r].extend([None] * (c + 1 - len(rows[r])))
    rows[r][c] = value


def _blank(value: object) -> object:
    return None if value == "" else value


# ---------------------------------------------------------------- number formats that show another number

_SCALING = re.compile(r"[0#?],+(?![0#?,])|[!\\]|万|元|千|%")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_A1 = re.compile(r"([A-Z]{1,3})(\d{1,7})")
_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d+)?)\]")
_OPS = {
    "<": float.__lt__,
    ">": float.__gt__,
    "=": float.__eq__,
    "<=": float.__le__,
    ">=": float.__ge__,
    "<>": float.__ne__,
}


def scaling_formats(styles: bytes) -> dict[int, str]:
    """Cell style index → custom number format code, for the formats that may display another number than the
    stored one (0!.0,"万" shows 126000 as 12.6万); {} for the usual workbook, without parsing anything."""
    if b"<numFmt " not in styles and b":numFmt " not in styles:
        return {}
    try:
        root = etree.fromstring(styles, _parser())
    except etree.XMLSyntaxError:
        return {}
    codes = {fmt.get("numFmtId"): fmt.get("formatCode") or "" for fmt in root.iter(f"{_MAIN}numFmt")}
    codes = {
        fid: code
        for fid, code in codes.items()
        if fid and fid.isdigit() and int(fid) >= 164 and _SCALING.search(_unquoted(code))
    }
    xfs = root.find(f"{_MAIN}cellXfs")
    if not codes or xfs is None:
        return {}
    return {
        i: codes[xf.get("numFmtId")]
        for i, xf in enumerate(xfs.iterchildren(f"{_MAIN}xf"))
        if xf.get("numFmtId") in codes
    }


def _unquoted(code: str) -> str:
    """The format code with quoted literals kept as their text (万 in "万元" counts) but quotes dropped."""
    return code.replace('"', "")


def apply_number_formats(zf: zipfile.ZipFile, grids: list[Grid], formats: dict[int, str]) -> list[Grid]:
    """Number cells styled with a scaling format become :class:`Shown` (what the person saw, and what is stored)."""
    part_of = sheet_parts(zf)
    out = []
    for grid in grids:
        part = part_of.get(grid.sheet, "")
        if not part or part not in zf.namelist():
            out.append(grid)
            continue
        try:
            rows, changed = _formatted_rows(grid, zf.read(part), formats)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError):  # calamine read the sheet: keep its values
            rows, changed = grid.rows, False
        out.append(Grid(grid.sheet, rows, grid.hidden, grid.origin, grid.merged) if changed else grid)
    return out


def _formatted_rows(grid: Grid, data: bytes, formats: dict[int, str]) -> tuple[list[list[object]], bool]:
    """The grid's rows with the cells styled by ``formats`` as :class:`Shown`, and whether any was."""
    rows = [list(row) for row in grid.rows]
    changed = False
    for _, cell in etree.iterparse(
        io.BytesIO(data), tag=f"{_MAIN}c", resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    ):
        style, kind = cell.get("s"), cell.get("t")
        value = cell.findtext(f"{_MAIN}v")
        ref = _A1.fullmatch(cell.get("r") or "")
        cell.clear()
        if (
            not style
            or not style.isdigit()
            or int(style) not in formats
            or kind not in (None, "n")
            or value is None
            or ref is None
        ):
            continue
        try:
            stored = float(value)
        except ValueError:
            continue
        text = render_number(stored, formats[int(style)])
        if text is not None:
            put(rows, grid, ref.group(1), int(ref.group(2)), Shown(text, stored, formats[int(style)]))
            changed = True
    return rows, changed


def render_number(value: float, code: str) -> str | None:
    """The text Excel shows for ``value`` under a number format code; None for what is not rendered here
    (dates, scientific, text sections)."""
    if not math.isfinite(value):
        return None
    section, negative = _section(value, code)
    if section is None:
        return None
    tokens = _tokens(section)
    if tokens is None or not any(kind == "digit" for kind, _ in tokens):
        return None
    digits_at = [i for i, (kind, _) in enumerate(tokens) if kind == "digit"]
    point = next((i for i, (kind, _) in enumerate(tokens) if kind == "point"), len(tokens))
    last_digit = digits_at[-1]
    scale = sum(1 for i, (kind, _) in enumerate(tokens) if kind == "comma" and i > last_digit)
    grouping = any(kind == "comma" and digits_at[0] < i < min(point, last_digit) for i, (kind, _) in enumerate(tokens))
    percent = sum(1 for kind, _ in tokens if kind == "percent")
    places = sum(1 for i in digits_at if i > point)
    try:
        number = Decimal(repr(abs(value))) / Decimal(1000) ** scale * Decimal(100) ** percent
        rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):  # inf, nan, or more digits than a cell shows
        return None
    whole, _, fraction = f"{rounded:f}".partition(".")
    int_slots = [i for i in digits_at if i < point]
    shown = _place_whole(whole, [tokens[i][1] for i in int_slots], grouping)
    frac = iter(fraction.ljust(places, "0"))
    out: list[str] = ["-"] if negative else []
    slot = 0
    for i, (kind, text) in enumerate(tokens):
        if kind == "digit":
            if i < point:
                out.append(shown[slot])
                slot += 1
            else:
                out.append(next(frac))
        elif kind == "point":
            out.append(".")
        elif kind in ("literal", "percent"):
            out.append(text)
    return "".join(out).strip()


def _section(value: float, code: str) -> tuple[str | None, bool]:
    """The section of a format code that applies to ``value``, and whether a minus sign is to be added."""
    sections = _split_sections(code)
    conditions = [_CONDITION.search(s) for s in sections]
    if any(conditions):
        for s, cond in zip(sections, conditions):
            if cond is None or _OPS[cond.group(1)](float(value), float(cond.group(2))):
                return s, value < 0 and cond is None
        return None, False
    if value < 0:
        return (sections[1], False) if len(sections) > 1 else (sections[0], True)
    if value == 0 and len(sections) > 2:
        return sections[2], False
    return sections[0], False


def _split_sections(code: str) -> list[str]:
    sections, current, quoted, escaped = [], [], False, False
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "\\!" and not quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            sections.append("".join(current))
            current = []
            continue
        current.append(ch)
    sections.append("".join(current))
    return sections


def _tokens(section: str) -> list[tuple[str, str]] | None:
    """(kind, text) tokens of one section: digit, point, comma, percent, literal; None when not a plain number."""
    out: list[tuple[str, str]] = []
    i, seen_point = 0, False
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            out.append(("literal", section[i + 1 : end]))
            i = end + 1
            continue
        if ch in "\\!" and i + 1 < len(section):
            out.append(("literal", section[i + 1]))
            i += 2
            continue
        if ch in "_*" and i + 1 < len(section):  # padding and fill: no text of their own
            i += 2
            continue
        if ch == "[":
            end = section.find("]", i)
            i = len(section) if end < 0 else end + 1
            continue
        if ch in "0#?":
            out.append(("digit", ch))
        elif ch == "." and not seen_point:
            out.append(("point", ch))
            seen_point = True
        elif ch == ",":
            out.append(("comma", ch))
        elif ch == "%":
            out.append(("percent", ch))
        elif ch in "@eEyYmMdDhHsS/":
            return None  # text, scientific, dates and fractions are not rendered here
        else:
            out.append(("literal", ch))
        i += 1
    return out


def _place_whole(whole: str, slots: list[str], grouping: bool) -> list[str]:
    """The integer digits over the integer placeholders: right to left, the first placeholder takes the rest;
    with thousands grouping (#,##0) the grouped number takes the first placeholder."""
    if whole == "0" and "0" not in slots:
        whole = ""
    blank = {"0": "0", "#": "", "?": " "}
    if grouping:
        return [f"{int(whole):,}" if whole else blank[slots[0]], *[""] * (len(slots) - 1)]
    shown: list[str] = []
    rest = whole
    for n, slot in enumerate(reversed(slots)):
        if n == len(slots) - 1:
            shown.append(rest or blank[slot])
        elif rest:
            shown.append(rest[-1])
            rest = rest[:-1]
        else:
            shown.append(blank[slot])
    return list(reversed(shown))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )
