"""One raw cell as typed by a reporting unit → a number plus notes.

Pure: no I/O, never raises.  :func:`parse_value` reads the cell the way a person
would (thousands separators, full-width digits, Chinese numerals, unit suffixes,
约数 including "10万+", 万/w/元 conversion, bracketed remarks, 无 for zero, Excel's
leading apostrophe, a number format's displayed number, a unit the table declares)
and reports everything it did or could not do as :class:`Finding` rows with Chinese
messages.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from analysis import chinese
from analysis.form import BY_KEY, Field
from analysis.intake.readers.grid import Shown


@dataclass(frozen=True)
class Finding:
    """What parsing noticed about one cell."""

    severity: str  # "error" | "warning" | "info"
    code: str
    message: str


@dataclass(frozen=True)
class ParsedValue:
    """A parsed cell: the number (None when blank or unusable) and what was done."""

    value: float | None
    blank: bool
    note: str
    remark: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Declared:
    """The table says its money cells are in 元 (e.g. a value column headed 金额（元）, or 单位：元 above it).

    ``where`` names the declaration for the notes, e.g. 表中注明“金额（元）”.
    """

    where: str


_GENERIC = Field(0, "", "", "", "", "float")  # for an unknown key: any non-negative number, no unit check
MAX_TEXT = 300  # longer cells are not numbers; refuse before any normalisation or regex work
QUOTE_LEN = 30
MAX_VALUE = 1e12  # larger than any real figure of one week; keeps counts within 64-bit integers
MONEY_PLACES = 6

ZERO_MARKERS = frozenset({"无", "没有", "暂无", "零", "0", "0.0"})
UNKNOWN_WORDS = ("不详", "待统计", "待核实", "未统计", "不清楚", "暂缺", "未知")
FORMULA_ERRORS = frozenset(
    {"#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)
COUNT_UNITS = ("人次", "场次", "次", "个", "人", "家", "篇", "所", "场", "项", "名", "位", "期", "处")
YUAN = "元"
MULTIPLIERS = {"万": Decimal(10000), "千": Decimal(1000)}
MULTIPLIER_ALIASES = {"w": "万", "W": "万"}  # as typed online: 1.2w, 3.5W
APOSTROPHES = "'‘’"  # Excel's text prefix, typed or pasted: '3 is 3
_WAN = Decimal(10000)

_CN_CHARS = "零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟"
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d{1,3})?|\.\d+(?:[eE][+-]?\d{1,3})?"
_UNITS = "|".join(sorted((*COUNT_UNITS, YUAN), key=len, reverse=True))
_VALUE = re.compile(
    rf"(?P<pre>大约|将近|接近|超过|不少于|约|近|逾)?"
    rf"(?:(?P<num>{_NUM})|(?P<cn>[{_CN_CHARS}]+))"
    rf"(?P<mult>[万千wW])?(?P<mid>余|多)?(?P<unit>{_UNITS})?(?P<post>左右|以上|上下|余|多|\+)?",
    re.ASCII,
)
_PLAIN = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_REMARK = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]")
_RANGE = re.compile(r"(.+?)(?:~|至|到|-+|—+|–)(.+)")
_DASHES = re.compile(r"[-—–/]+")
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
_TRANSLATE = str.maketrans({"−": "-", "〜": "~", "﹣": "-", "―": "—"})


def raw_text(raw: object) -> str:
    """How a raw cell is shown in ``values.csv``: floats like 12.0 as "12", None and NaN as ""."""
    try:
        if raw is None:
            return ""
        if isinstance(raw, bool):
            return "TRUE" if raw else "FALSE"
        if isinstance(raw, float):
            if math.isnan(raw):
                return ""
            return str(int(raw)) if raw.is_integer() and abs(raw) < 1e16 else repr(raw)
        if isinstance(raw, dt.datetime):
            return raw.isoformat(sep=" ")
        if isinstance(raw, (dt.date, dt.time)):
            return raw.isoformat()
        return str(raw)
    except Exception:  # noqa: BLE001 - a foreign object whose str() fails
        return type(raw).__name__


def parse_value(raw: object, key: str, declared: Declared | None = None) -> ParsedValue:
    """Parse one raw cell of field ``key`` into its number (in the field's measure) plus notes and findings.

    ``declared``: the table declares its money cells in 元; a money cell without a unit of its own is converted.
    """
    field = BY_KEY.get(key, _GENERIC)
    yuan = declared if field.is_money else None
    try:
        if isinstance(raw, Shown):
            return _shown(raw, field, yuan)
        return _parse(raw, field, yuan)
    except Exception as exc:  # noqa: BLE001 - last guard: a surprise is a located warning saying so, never a crash or a quiet miss
        return _bad(
            "value_parse_error",
            f"读取数值“{_quote(raw_text(raw)[:MAX_TEXT])}”时程序出错（{type(exc).__name__}），"
            "该值未计入；请对照原表核实后在核实台账中填写，并将此情况告知维护人员。",
        )


def _shown(raw: Shown, field: Field, declared: Declared | None) -> ParsedValue:
    """A number whose format displays another number: read in the unit the person saw (126000 shown as 12.6万元
    is 12.6 万元), at the stored precision (82500 shown as 8.3万元 is 8.25 万元); a display that only rounds
    (165200 shown as 16.5万 人次) changes nothing."""
    stored = _parse(raw.stored, field, declared)
    seen = _parse(raw.text, field, declared)
    if seen.value is None or not stored.value or seen.value == stored.value:
        return stored
    value = _scaled(stored.value, seen.value) if seen.value else _in_shown_unit(raw, field)
    if value is None and not seen.value:
        note = (
            f"单元格存储值为{raw_text(raw.stored)}，数字格式“{_quote(raw.number_format)}”显示为“{_quote(raw.text)}”，"
            f"无法判断显示的单位，暂按存储值计为{_fmt_measure(stored.value, field)}"
        )
        return replace(
            stored,
            note=note,
            findings=(
                *stored.findings,
                Finding(
                    "warning",
                    "value_number_format",
                    f"{note}；请核实，并直接填写以{field.measure or '本项单位'}计的数值。",
                ),
            ),
        )
    if value is None or value == stored.value:
        return stored
    value = round(value, MONEY_PLACES) + 0.0 if field.is_money else value
    if field.dtype == "int" and not value.is_integer():
        return stored
    note = (
        f"单元格存储值为{raw_text(raw.stored)}，数字格式“{_quote(raw.number_format)}”显示为“{_quote(raw.text)}”，"
        f"按显示的单位计为{_fmt_measure(value, field)}"
    )
    finding = Finding(
        "info", "value_number_format", f"{note}；请核实，并直接填写以{field.measure or '本项单位'}计的数值。"
    )
    return ParsedValue(value, False, note, seen.remark, (finding,))


def _scaled(stored: float, seen: float) -> float | None:
    """The stored number moved by the power of ten the display differs by (82500 shown as 8.3 → 8.25)."""
    power = round(math.log10(seen / stored))
    return float(Decimal(repr(stored)).scaleb(power)) if power else None


def _in_shown_unit(raw: Shown, field: Field) -> float | None:
    """A small number a scaling format rounds to 0 (400 shown as 0.0万元): the stored number divided by the
    multiplier the display names, in the display's unit (0.04万元); None when the display names none."""
    core, _ = _split_remarks(_SPACE.sub("", unicodedata.normalize("NFKC", raw.text)))
    shown = _match(core)
    if shown is None or not shown.mult:
        return None
    number = Decimal(repr(float(raw.stored))) / MULTIPLIERS[shown.mult]
    return _parse_text(f"{number:f}{shown.mult}{shown.unit}", field).value


def _parse(raw: object, field: Field, declared: Declared | None = None) -> ParsedValue:
    if raw is None:
        return _BLANK
    if isinstance(raw, bool):
        return _bad("value_unparsed", f"单元格为逻辑值“{raw_text(raw)}”，不是数值；请填写具体数字{_hint(field)}。")
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        return _bad(
            "value_unparsed",
            f"单元格为日期/时间“{raw_text(raw)}”，不是数值；请将单元格格式改为“常规”或“数值”后填写具体数字"
            f"{_hint(field)}。",
        )
    if isinstance(raw, numbers.Number):
        parsed = _parse_number(raw, field)
        return _in_declared_yuan(parsed, field, raw_text(raw), declared) if declared else parsed
    return _parse_text(raw if isinstance(raw, str) else str(raw), field, declared)


def _in_declared_yuan(parsed: ParsedValue, field: Field, shown: str, declared: Declared) -> ParsedValue:
    """A bare number in a money cell of a table declared in 元: converted to 万元 as if it said 元."""
    if not parsed.value:
        return parsed
    number = Decimal(repr(parsed.value))
    return _apply(_Match(number, raw_text(parsed.value), False, "", YUAN, False), field, shown, [], "", declared)


def _parse_number(raw: numbers.Number, field: Field) -> ParsedValue:
    """A cell that already holds a number (int, float, numpy scalar, Decimal)."""
    try:
        number = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return _unparsed(field, raw_text(raw))
    if math.isnan(number):
        return _BLANK
    if math.isinf(number):
        return _unparsed(field, raw_text(raw))
    if number < 0:
        return _negative(raw_text(raw))
    if number > MAX_VALUE:
        return _too_large(raw_text(raw))
    if field.is_money:
        return _ok(round(number, MONEY_PLACES) + 0.0)
    if field.dtype == "int" and not number.is_integer():
        return _fraction(field, raw_text(raw))
    return _ok(number + 0.0)


def _parse_text(raw: str, field: Field, declared: Declared | None = None) -> ParsedValue:
    shown = raw.strip()
    if len(shown) > MAX_TEXT:
        return _unparsed(field, shown)
    if shown[:1] in APOSTROPHES and len(shown) > 1:
        shown = shown[1:].strip()
    if not shown:
        return _BLANK
    if shown.isascii() and _PLAIN.fullmatch(shown):
        plain = _from_decimal(Decimal(shown), field, shown, [], [], "")
        return _in_declared_yuan(plain, field, shown, declared) if declared else plain
    text = _SPACE.sub("", unicodedata.normalize("NFKC", shown).translate(_TRANSLATE))
    if text.upper() in FORMULA_ERRORS:
        return _bad(
            "value_formula_error",
            f"单元格显示公式错误“{text.upper()}”，未能得到数值；请将公式的计算结果（具体数字）填入后重新报送。",
        )
    core, remarks = _split_remarks(text)
    remark = "；".join(remarks)
    notes = [f"备注：{remark}"] if remark else []
    if "%" in core or "‰" in core:
        return _bad(
            "value_unparsed", f"数值“{_quote(shown)}”为百分比，本项需填写具体数量{_hint(field)}，请更正。", remark
        )
    if core in ZERO_MARKERS or _DASHES.fullmatch(core):
        if core not in ("0", "0.0"):
            notes.append(f"{core} → 0")
        return _from_decimal(Decimal(0), field, shown, notes, [], remark)
    if not any(c.isdigit() for c in core) and (any(w in core for w in UNKNOWN_WORDS) or set(core) == {"?"}):
        return _bad("value_unknown", f"值为“{_quote(shown)}”，无法统计，请核实后补报具体数值。", remark)
    parsed = _match(core)
    if parsed is None and core.startswith("-"):
        unsigned = _match(core.lstrip("-"))
        if unsigned is not None:
            return _negative(shown, remark) if unsigned.number else _apply(unsigned, field, shown, notes, remark)
    if parsed is None:
        halves = _RANGE.fullmatch(core)
        if halves and _match(halves.group(1)) is not None and _match(halves.group(2)) is not None:
            return _bad("value_range", f"数值“{_quote(shown)}”是一个范围，无法统计；请填报一个确切数值。", remark)
        return _unparsed(field, shown, remark)
    if declared and not parsed.unit and parsed.mult != "万" and parsed.number:  # 5千 in a 元 block: 5千元
        parsed = replace(parsed, unit=YUAN)
    return _apply(parsed, field, shown, notes, remark, declared)


@dataclass(frozen=True)
class _Match:
    number: Decimal
    written: str  # the number as written, with its multiplier (e.g. "1.2万", "一万二")
    chinese: bool
    mult: str
    unit: str
    approx: bool


def _match(core: str) -> _Match | None:
    """Read "约1.2万余人次"-like text into its parts; None when it is not one number."""
    m = _VALUE.fullmatch(core)
    if m is None:
        return None
    mult = MULTIPLIER_ALIASES.get(m["mult"] or "", m["mult"] or "")
    if m["num"] is not None:
        try:
            number = Decimal(m["num"].replace(",", ""))
        except InvalidOperation:
            return None
        written, chinese = m["num"], False
    else:
        cn = m["cn"]
        if not mult and len(cn) > 1 and cn.endswith("万"):
            cn, mult = cn[:-1], "万"
        converted = _chinese_number(cn)
        if converted is None:
            return None
        number, written, chinese = converted, cn, True
    if not number.is_finite():
        return None
    approx = bool(m["pre"] or m["mid"] or m["post"])
    return _Match(number, written + mult, chinese, mult, m["unit"] or "", approx)


def _chinese_number(text: str) -> Decimal | None:
    """Chinese numerals via cn2an ("一万二" → 12000, "千" → 1000); None when not a numeral."""
    import cn2an  # imported lazily: costs ~0.1 s and most cells hold digits

    for candidate in (text, "一" + text) if text[0] in "十百千万亿" else (text,):
        try:
            return Decimal(str(cn2an.cn2an(candidate, "normal")))
        except Exception:  # noqa: BLE001 - cn2an raises several kinds on text that is not a Chinese numeral
            continue
    return None


def _apply(
    m: _Match, field: Field, shown: str, notes: list[str], remark: str, declared: Declared | None = None
) -> ParsedValue:
    """Turn the matched parts into the field's measure and add notes for what was done."""
    if field.measure and m.unit and (m.unit == YUAN) != field.is_money:
        return _bad(
            "value_unit_mismatch",
            f"数值“{_quote(shown)}”的单位“{m.unit}”与本项单位“{field.measure}”不符，未计入；请按{field.measure}填报。",
            remark,
        )
    findings: list[Finding] = []
    said = f"{declared.where}，" if declared else ""
    number = m.number * MULTIPLIERS.get(m.mult, Decimal(1))
    yuan = field.is_money and m.unit == YUAN and m.mult != "万"
    if field.is_money and m.mult == "万":
        number = m.number  # 万 / 万元 is the field's own measure
    elif yuan:
        number = number / _WAN
        findings.append(
            Finding(
                "info",
                "value_converted_yuan",
                f"{said}数值“{_quote(shown)}”以元为单位，已换算为{_fmt(number)}万元；本项单位为万元，请按万元填报。",
            )
        )
    if m.chinese or yuan or (m.mult and not field.is_money):
        notes.append(f"{said if yuan else ''}由{m.written}{YUAN if yuan else ''}换算为{_fmt_measure(number, field)}")
    if m.approx:
        notes.append(f"约数，按{_fmt_measure(number, field)}计")
        findings.append(
            Finding(
                "info",
                "value_approx",
                f"数值“{_quote(shown)}”为约数，已按{_fmt_measure(number, field)}计入；如有准确数请更正。",
            )
        )
    return _from_decimal(number, field, shown, notes, findings, remark)


def _from_decimal(
    number: Decimal, field: Field, shown: str, notes: list[str], findings: list[Finding], remark: str
) -> ParsedValue:
    """Final checks (size, whole counts) and the remark finding."""
    value = float(number)
    if not math.isfinite(value):
        return _unparsed(field, shown, remark)
    if value > MAX_VALUE:
        return _too_large(shown, remark)
    if field.is_money:
        value = round(value, MONEY_PLACES)
    elif field.dtype == "int" and number != number.to_integral_value():
        return _fraction(field, shown, remark)
    value += 0.0  # no negative zero
    if remark:
        findings.append(
            Finding(
                "info",
                "value_remark",
                f"数值“{_quote(shown)}”带有备注“{_quote(remark)}”，已按{_fmt_measure(value, field)}计入，备注已保留。",
            )
        )
    return ParsedValue(value, False, "；".join(notes), remark, tuple(findings))


def _split_remarks(text: str) -> tuple[str, list[str]]:
    """Take bracketed remarks out of the text; a bracketed unit ("1200（人次）") stays as the unit."""
    remarks: list[str] = []

    def take(m: re.Match[str]) -> str:
        inner = m.group(1)
        if inner in COUNT_UNITS or inner in ("元", "万元", "千元", "万"):
            return inner
        if inner:
            remarks.append(inner)
        return ""

    return _REMARK.sub(take, text).rstrip("。;,、."), remarks


def _fmt(number: Decimal | float) -> str:
    return raw_text(round(float(number), MONEY_PLACES) + 0.0)


def _fmt_measure(number: Decimal | float, field: Field) -> str:
    return f"{_fmt(number)}{field.measure}" if field.is_money else _fmt(number)


def _hint(field: Field) -> str:
    return f"（单位：{field.measure}）" if field.measure else ""


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_LEN else text[:QUOTE_LEN] + "…"


def _too_large(shown: str, remark: str = "") -> ParsedValue:
    return _bad(
        "value_too_large",
        f"数值“{_quote(shown)}”大得不合常理（超过 {chinese.number(MAX_VALUE)}），未计入；请核实后填写正确的数值。",
        remark,
    )


def _ok(value: float) -> ParsedValue:
    return ParsedValue(value, False, "", "", ())


def _bad(code: str, message: str, remark: str = "") -> ParsedValue:
    return ParsedValue(None, False, "", remark, (Finding("warning", code, message),))


def _unparsed(field: Field, shown: str, remark: str = "") -> ParsedValue:
    return _bad(
        "value_unparsed", f"无法识别数值“{_quote(shown)}”，未计入；请填写一个阿拉伯数字{_hint(field)}。", remark
    )


def _negative(shown: str, remark: str = "") -> ParsedValue:
    return _bad(
        "value_negative", f"数值“{_quote(shown)}”为负数，不能作为统计数，未计入；请核实后填报非负数值。", remark
    )


def _fraction(field: Field, shown: str, remark: str = "") -> ParsedValue:
    return _bad(
        "value_fraction",
        f"本项以“{field.measure}”计，应为整数，填报的“{_quote(shown)}”带有小数，未计入；请核实后填报整数。",
        remark,
    )


_BLANK = ParsedValue(None, True, "", "", ())
