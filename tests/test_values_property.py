"""Property tests of analysis.intake.values: never raises, numbers round-trip, idempotent on its own output."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.form import COUNT_KEYS, FIELD_KEYS, MONEY_KEYS
from analysis.intake.values import ParsedValue, parse_value, raw_text

FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
SEVERITIES = {"error", "warning", "info"}

keys = st.sampled_from(FIELD_KEYS)
cell_alphabet = st.sampled_from(
    list("0123456789０１２３４５６７８９.,，-—~／/ 　%#!?约近余多万千元人次场（）()【】[]十百两一二三无不详")
)
cell_text = st.one_of(st.text(max_size=40), st.text(cell_alphabet, max_size=20))
objects = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    cell_text,
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.complex_numbers(),
    st.binary(max_size=10),
    st.lists(st.integers(), max_size=3),
)


def _well_formed(parsed: ParsedValue) -> None:
    assert isinstance(parsed, ParsedValue)
    assert parsed.value is None or isinstance(parsed.value, float)
    assert not (parsed.blank and parsed.value is not None)
    assert isinstance(parsed.note, str) and isinstance(parsed.remark, str)
    for finding in parsed.findings:
        assert finding.severity in SEVERITIES and finding.code and finding.message
    if parsed.value is None and not parsed.blank:
        assert any(f.severity == "warning" for f in parsed.findings)


@settings(max_examples=300, deadline=None)
@given(raw=cell_text, key=keys)
def test_never_raises_on_text(raw: str, key: str) -> None:
    _well_formed(parse_value(raw, key))
    assert isinstance(raw_text(raw), str)


@settings(max_examples=300, deadline=None)
@given(raw=objects, key=keys)
def test_never_raises_on_objects(raw: object, key: str) -> None:
    _well_formed(parse_value(raw, key))
    assert isinstance(raw_text(raw), str)


@settings(max_examples=300, deadline=None)
@given(raw=objects, key=keys)
def test_non_negative_results(raw: object, key: str) -> None:
    value = parse_value(raw, key).value
    assert value is None or value >= 0


def _styles(text: str) -> list[str]:
    return [text, text.translate(FULL_WIDTH), f" {text}\u00a0"]


@settings(max_examples=300, deadline=None)
@given(number=st.integers(min_value=0, max_value=10**12), key=st.sampled_from(COUNT_KEYS))
def test_counts_round_trip(number: int, key: str) -> None:
    for text in (*_styles(str(number)), *_styles(f"{number:,}"), f"{number:,}".replace(",", "，")):
        assert parse_value(text, key).value == float(number), text
    assert parse_value(number, key).value == float(number)


@settings(max_examples=300, deadline=None)
@given(
    number=st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
    key=st.sampled_from(MONEY_KEYS),
)
def test_money_round_trip(number: Decimal, key: str) -> None:
    expected = float(number)
    whole, _, frac = f"{number:f}".partition(".")
    grouped = f"{int(whole):,}" + (f".{frac}" if frac else "")
    for text in (*_styles(f"{number:f}"), *_styles(grouped), f"{number:f}万元"):
        assert parse_value(text, key).value == expected, text
    assert parse_value(expected, key).value == expected
    assert parse_value(f"{number * 10000:f}元", key).value == expected


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(objects, cell_text), key=keys)
def test_idempotent_on_own_output(raw: object, key: str) -> None:
    first = parse_value(raw, key)
    if first.value is None:
        return
    again = parse_value(raw_text(first.value), key)
    assert again.value == first.value
    assert again.findings == ()
    assert parse_value(first.value, key).value == first.value


# ---------------------------------------------------------------- ordinary inputs never reach the last guard

SCALING_CODES = [
    '0!.0,"万元"',
    '0!.0,"万"',
    '0.0,"千元"',
    '[>=10000]0!.0,"万";0',
    '0.00"万元"',
    "#,##0",
    "0.0",
    '0!.00,"万元"',
    '0"元"',
]
numbers_ = st.one_of(st.integers(0, 10**9), st.floats(0, 1e9, allow_nan=False).map(lambda x: round(x, 2)))
unit_words = st.sampled_from(
    ["", "元", "万元", "千元", "万", "千", "w", "人次", "人", "次", "个", "场", "余", "多", "+"]
)
ordinary_text = st.builds(
    lambda n, sep, unit, pre, wide: (pre + (f"{n:,}" if sep else str(n)) + unit).translate(FULL_WIDTH if wide else {}),
    numbers_,
    st.booleans(),
    unit_words,
    st.sampled_from(["", "约", "近", "超过"]),
    st.booleans(),
)


def _shown_cell(value: float, code: str) -> object:
    from analysis.intake.readers.excel import render_number
    from analysis.intake.readers.grid import Shown

    text = render_number(float(value), code)
    return Shown(text, float(value), code) if text is not None else value


ordinary = st.one_of(numbers_, ordinary_text, st.builds(_shown_cell, numbers_, st.sampled_from(SCALING_CODES)))


@settings(max_examples=500, deadline=None)
@given(raw=ordinary, key=keys, declared=st.booleans())
def test_ordinary_inputs_never_reach_the_last_guard(raw: object, key: str, declared: bool) -> None:
    from analysis.intake.values import Declared

    parsed = parse_value(raw, key, Declared("表中注明“单位：元”") if declared else None)
    assert "value_parse_error" not in [f.code for f in parsed.findings], raw


def test_a_surprise_inside_parsing_is_a_warning_naming_the_text(monkeypatch) -> None:
    from analysis.intake import values

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(values, "_parse", broken)
    parsed = parse_value("1,234", "events_held")
    assert parsed.value is None and not parsed.blank
    assert [(f.severity, f.code) for f in parsed.findings] == [("warning", "value_parse_error")]
    assert "“1,234”" in parsed.findings[0].message and "ZeroDivisionError" in parsed.findings[0].message
