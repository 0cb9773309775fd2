"""The catalog names every output once: the names people open, and no module spelling them on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis import catalog

PACKAGE = Path(catalog.__file__).parent


def test_the_names_people_open():
    assert [catalog.table_csv(t) for t in catalog.TABLES] == ["returns.csv", "values.csv", "issues.csv", "files.csv"]
    assert catalog.table_parquet("returns") == "returns.parquet"
    assert (catalog.META_JSON, catalog.DECISIONS_CSV, catalog.MATERIALS_CSV, catalog.QUOTES_CSV) == (
        "meta.json",
        "review.csv",
        "materials.csv",
        "summaries.csv",
    )
    assert (catalog.FEEDBACK_XLSX, catalog.FEEDBACK_FOLDER, catalog.RULE_TALLY_CSV) == (
        "反馈清单.xlsx",
        "反馈",
        "rule_tally.csv",
    )
    assert (catalog.WORKBOOK_XLSX, catalog.CITY_TABLE_DOCX, catalog.DIGEST_MD, catalog.DIGEST_DOCX) == (
        "summary.xlsx",
        "全市汇总表.docx",
        "数据摘要.md",
        "数据摘要.docx",
    )
    assert catalog.word_report(2024) == "2024年科技活动周统计分析报告.docx"
    assert catalog.ledger(2024) == "2024.xlsx"
    assert (catalog.FIGURES_FOLDER, catalog.NOTEBOOKS_FOLDER, catalog.TEMPLATES_FOLDER) == (
        "figures",
        "notebooks",
        "模板",
    )


NAMES = (
    "returns.csv",
    "values.csv",
    "issues.csv",
    "files.csv",
    "meta.json",
    "review.csv",
    "materials.csv",
    "summaries.csv",
    "rule_tally.csv",
    "反馈清单.xlsx",
    "summary.xlsx",
    "全市汇总表.docx",
    "数据摘要.md",
    "数据摘要.docx",
    "年科技活动周统计分析报告.docx",
)


@pytest.mark.parametrize(
    "module",
    sorted(
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if p.name != "catalog.py" and "demo" not in p.parts and p.name != "demo.py"
    ),
)
def test_no_module_spells_an_output_name_in_code(module):
    code = (PACKAGE / module).read_text(encoding="utf-8")
    code = re.sub(r'"""[\s\S]*?"""', "", code)  # docstrings may name the files they describe
    code = "\n".join(line.split("#", 1)[0] for line in code.splitlines())  # so may comments
    found = [name for name in NAMES if f'{name}"' in code or f"{name}'" in code]
    assert not found, (module, found)
