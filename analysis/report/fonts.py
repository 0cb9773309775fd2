"""Chinese fonts for charts: a system CJK font when present, else the bundled Noto Sans SC subset."""

from __future__ import annotations

from functools import cache

from matplotlib import font_manager, rcParams
from matplotlib.ft2font import FT2Font

from analysis.paths import FONTS

BUNDLED_FAMILY = "Noto Sans SC"
BUNDLED_FILES: tuple[str, ...] = ("NotoSansSC-Regular-GB2312.ttf", "NotoSansSC-Bold-GB2312.ttf")
# Preferred system fonts, best first: Windows, macOS, then common Linux CJK fonts.
SYSTEM_FAMILIES: tuple[str, ...] = (
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
)
LAST_RESORT = "DejaVu Sans"
MINUS = 0x2212


def _register_bundled() -> None:
    """Add the bundled TTFs to matplotlib's font manager once."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for name in BUNDLED_FILES:
        path = str(FONTS / name)
        if path not in known:
            font_manager.fontManager.addfont(path)


@cache
def _has_minus(path: str) -> bool:
    return MINUS in FT2Font(path).get_charmap()


def _font_file(family: str) -> str:
    """Path of the regular face of ``family`` (which must be registered)."""
    return font_manager.fontManager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)


def setup_fonts() -> str:
    """Register the bundled fonts and make matplotlib draw Chinese; return the primary family.

    A system CJK font is preferred; the bundled Noto Sans SC and DejaVu Sans follow as per-glyph
    fallbacks.  Text is embedded as TrueType in PDF and as paths in SVG so the files look the
    same where the font is missing.  Safe to call any number of times.
    """
    _register_bundled()
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    primary = next((f for f in SYSTEM_FAMILIES if f in installed), BUNDLED_FAMILY)
    families = list(dict.fromkeys([primary, BUNDLED_FAMILY, LAST_RESORT]))
    rcParams["font.family"] = families
    rcParams["font.sans-serif"] = families + [f for f in rcParams["font.sans-serif"] if f not in families]
    rcParams["axes.unicode_minus"] = _has_minus(_font_file(primary))
    rcParams["pdf.fonttype"] = 42
    rcParams["ps.fonttype"] = 42
    rcParams["svg.fonttype"] = "path"
    return primary
