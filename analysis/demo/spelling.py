"""How units write labels and values: label variants, the name on the 盖章 line, and the ways a figure is typed
(约1200人次, 1.2万, 50000元, 无, full-width digits…), each with the true value it then stands for."""

from __future__ import annotations

import cn2an

from analysis import form
from analysis.intake.units import Unit

Typed = str | int | float  # what a unit typed into a cell

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ORG_ENDINGS = ("局", "委", "委员会", "管委会", "协会", "学院", "科学院")


def number_text(value: float) -> str:
    """A number as people type it: no trailing zeros, at most two decimals."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def wrap_label(text: str) -> str:
    """Put a line break where a narrow cell wraps the text: before a hint or a word such as 参与; short text stays."""
    cuts = [i for i in (text.find("（"), text.find("参与"), text.find("投入"), text.find("数量")) if i > 1]
    cut = min(cuts) if cuts else (len(text) // 2 if len(text) >= 10 else 0)
    return text[:cut] + "\n" + text[cut:] if 0 < cut < len(text) else text


def label_variants(f: form.Field) -> tuple[str, ...]:
    """Ways units write the label of ``f``; each one matches ``f`` through :func:`form.match_label`."""
    display = f.display
    candidates = (
        f.label,
        *f.synonyms,
        f.label.replace("情况", ""),
        display + "：",
        wrap_label(f.label),
        display[: len(display) // 2] + " " + display[len(display) // 2 :],
        f"{display}（{f.measure}）",
    )
    return tuple(v for v in dict.fromkeys(candidates) if form.match_label(v) == f.key)


def stamp_names(unit: Unit) -> tuple[str, ...]:
    """Names a unit writes on the 盖章 line: its organisation aliases, the longest first."""
    names = [n for n in (*unit.aliases, unit.name) if n.endswith(_ORG_ENDINGS)] or [unit.name]
    return tuple(sorted(dict.fromkeys(names), key=lambda n: (-len(n), n)))


def spellings(f: form.Field, value: float) -> dict[str, tuple[Typed, float]]:
    """The ways a value of ``f`` may be typed, each with the true value it then stands for.

    Approximations and 万 round the figure, so the truth follows what was written.
    """
    if value == 0:
        return {"zero_wu": ("无", value), "zero_slash": ("/", value)}
    if f.is_money:
        opts: dict[str, tuple[Typed, float]] = {
            "wanyuan": (f"{number_text(value)}万元", value),
            "yuan": (f"{round(value * 10000)}元", value),
        }
        if f.key == "funding_in_kind":
            opts["remark"] = (f"{number_text(value)}（捐赠科普图书）", value)
        return opts
    v = int(value)
    opts = {"suffix": (f"{v}{f.measure}", v)}
    if f.key == "events_held":
        opts["chang"] = (f"{v}场", v)
    if 11 <= v <= 99:
        opts["chinese"] = (cn2an.an2cn(v), v)
    if v >= 100:
        opts["fullwidth"] = (str(v).translate(_FULLWIDTH), v)
    if v >= 1000:
        opts["thousands"] = (f"{v:,}", v)
    if f.key in form.STAFF_KEYS + form.PUBLIC_KEYS and v >= 50:
        rounded = round(v, -2) if v >= 1000 else round(v, -1)
        opts["about"] = (f"约{rounded}{f.measure}", rounded)
        opts["over"] = (f"{rounded}余{f.measure}", rounded)
    if f.key in form.PUBLIC_KEYS and v >= 10000:
        rounded = round(v, -3)
        opts["wan"] = (f"{number_text(rounded / 10000)}万", rounded)
    return opts


# Every year shows each of these spellings at least once; the common ones also appear at random.
FORCED_SPELLINGS = (
    "about",
    "over",
    "wan",
    "chang",
    "fullwidth",
    "yuan",
    "remark",
    "zero_wu",
    "zero_slash",
    "thousands",
    "chinese",
    "suffix",
    "wanyuan",
)
COMMON_SPELLINGS = ("suffix", "about", "zero_wu", "thousands", "wanyuan")
