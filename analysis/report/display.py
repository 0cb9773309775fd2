"""Notebook display helpers shared by the report notebooks (thin wrappers around IPython.display)."""

from __future__ import annotations

import numbers
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis.report.charts import save_figure
from analysis.paths import DEMO_LABEL


def show_markdown(text: str) -> None:
    """Markdown text as a notebook output."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def demo_banner(demo: bool) -> None:
    """A visible note at the top of a notebook built from synthetic data."""
    if demo:
        show_markdown(f"> **{DEMO_LABEL}**：本报告由程序生成的合成数据制作，仅用于演示，不代表真实统计结果。")


def show_table(frame: pd.DataFrame, caption: str = "", max_rows: int = 60) -> None:
    """A table with an optional caption, without the numeric index."""
    from IPython.display import Markdown, display

    if caption:
        display(Markdown(f"**{caption}**"))
    if frame.empty:
        display(Markdown("（无）"))
        return
    display(styled(frame.head(max_rows)))


def styled(frame: pd.DataFrame):
    """The table as shown: no index, numbers formatted, "—" for not reported, text HTML-escaped."""
    return frame.style.hide(axis="index").format(_number, na_rep="—", escape="html")


def _number(value: object) -> str:
    """Whole numbers without decimals, others with two; text as it is (escaped by the Styler)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy scalars included
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)


def show_figures(figures: dict[str, Figure], out_dir: Path, width: int = 760) -> list[Path]:
    """Save every figure once (PNG 300 dpi, SVG, PDF) and show the saved PNG (no second rendering)."""
    from IPython.display import Image, display

    written: list[Path] = []
    for name, fig in figures.items():
        files = save_figure(fig, Path(out_dir), name)
        written.extend(files)
        display(Image(filename=str(next(p for p in files if p.suffix == ".png")), width=width))
    return written
