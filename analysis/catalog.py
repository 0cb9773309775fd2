"""Every file and table the package writes and reads back, named once (as Kedro's catalog names every dataset).

Whoever writes or reads one of these takes its name from here; the folders themselves come from
:mod:`analysis.paths` (``Workspace``: ``raw``, ``processed``, ``review``, ``reports``).  The names are part of the
outputs' contract (docs/contracts.md) and never change lightly: people and other tools open these files.
"""

from __future__ import annotations

from pathlib import Path

# --- a processed year: data/processed/<year>/ -------------------------------------------------------------------
TABLES = ("returns", "values", "issues", "files")  # each as <name>.csv (UTF-8 with BOM) and <name>.parquet
META_JSON = "meta.json"  # year, demo flag, the roster, the form version
DECISIONS_CSV = "review.csv"  # the ledger decisions applied (analysis.review.ledger.DECISION_COLUMNS)
MATERIALS_CSV = "materials.csv"  # each unit's materials (analysis.review.materials)
QUOTES_CSV = "summaries.csv"  # figures quoted in the units' narratives (工作总结; analysis.intake.narratives)
RULE_TALLY_CSV = "rule_tally.csv"  # rule by rule: values looked at, passed, failed, not judged (analysis.review.tally)
FEEDBACK_XLSX = "反馈清单.xlsx"  # the overview of the feedback to units
FEEDBACK_FOLDER = "反馈"  # beside the overview: one workbook per unit with findings

# --- a year's reports: reports/<year>/ --------------------------------------------------------------------------
WORKBOOK_XLSX = (
    "summary.xlsx"  # 全市汇总 (the form for reporting upward), 分单位明细, 同比, 数据问题, 核实与更正, 规则核查
)
CITY_TABLE_DOCX = "全市汇总表.docx"  # the city's own return in the attachment's layout
DIGEST_MD = "数据摘要.md"  # the 数据摘要 paragraph for the work report
DIGEST_DOCX = "数据摘要.docx"
WORD_REPORT_DOCX = "{year}年科技活动周统计分析报告.docx"
FIGURES_FOLDER = "figures"  # every chart as PNG (300 dpi), SVG and PDF
NOTEBOOKS_FOLDER = "notebooks"  # the executed notebooks and their HTML
TEMPLATES_FOLDER = "模板"  # the fillable form of a year (python -m analysis template)

# --- the review ledger: data/review/ ----------------------------------------------------------------------------
LEDGER_XLSX = "{year}.xlsx"


def table_csv(name: str) -> str:
    """``returns.csv`` … for a name of :data:`TABLES`."""
    return f"{name}.csv"


def table_parquet(name: str) -> str:
    """``returns.parquet`` … for a name of :data:`TABLES`."""
    return f"{name}.parquet"


def is_processed(folder: Path) -> bool:
    """True when ``folder`` holds a written returns table (Parquet or CSV): a processed year."""
    folder = Path(folder)
    return (folder / table_parquet("returns")).is_file() or (folder / table_csv("returns")).is_file()


def word_report(year: int) -> str:
    """The Word report's file name: ``2024年科技活动周统计分析报告.docx``."""
    return WORD_REPORT_DOCX.format(year=year)


def ledger(year: int) -> str:
    """A year's ledger file name: ``2024.xlsx``."""
    return LEDGER_XLSX.format(year=year)
