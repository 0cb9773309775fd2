"""The report: notebook templates, a papermill run on a demo year, and what it exports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import unquote

import nbformat
import openpyxl
import pandas as pd
import pytest
from docx import Document

from analysis import paths
from analysis.form import FIELD_KEYS, FIELDS, MONEY_KEYS
from analysis.report import runner as report

NOTEBOOKS = [paths.NOTEBOOKS / name for name in report.NOTEBOOK_NAMES]
ANNOUNCED: list[str] = []  # the lines run_year printed for the demo report, one per notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_template_is_clean_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "committed with outputs"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and code.index(tagged[0]) == 0, "one parameters cell, first among the code cells"
    assert nb.metadata.kernelspec.name == report.KERNEL_NAME
    # thin: logic lives in the package, notebooks only call it
    assert all(len(c.source.splitlines()) <= 12 for c in code)
    assert not any(line.lstrip().startswith(("def ", "class ")) for c in code for line in c.source.splitlines())


def test_parameters_are_plain_data(tmp_path):
    plan = report.YearPlan(2023, tmp_path / "raw", tmp_path / "p" / "2023", tmp_path / "r" / "2023", 2022)
    for name in report.NOTEBOOK_NAMES:
        params = plan.parameters(name)
        assert json.loads(json.dumps(params)) == params
        nb = nbformat.read(paths.NOTEBOOKS / name, as_version=4)
        defaults = {}
        exec(nb.cells[[c.cell_type for c in nb.cells].index("code")].source, {}, defaults)  # the template's own cell
        assert set(params) <= set(defaults), f"{name}: runner passes a parameter the notebook does not declare"


def test_project_kernel_runs_this_interpreter():
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(report.ensure_kernel())
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()


def test_the_runner_goes_without_the_iri_grammar_that_takes_seconds_to_import():
    import subprocess
    import sys

    code = (
        "import importlib.util, sys\n"
        "installed = importlib.util.find_spec('rfc3987_syntax') is not None\n"
        "import analysis.report.runner, papermill, nbconvert\n"
        "print(installed, sys.modules.get('rfc3987_syntax'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    installed, loaded = done.stdout.split()
    if installed != "True":
        pytest.skip("rfc3987-syntax is not installed in this environment: nothing to avoid")
    assert loaded == "None"


def test_plan_years_compares_with_previous_available_year_of_the_same_kind(tmp_path):
    for year in (2021, 2023, 2024, 2025):
        (tmp_path / str(year)).mkdir()
    for year in (2021, 2023, 2024):
        (tmp_path / str(year) / paths.DEMO_MARKER).write_text("示例", encoding="utf-8")
    plans = report.plan_years(None, paths.Workspace("测试", tmp_path, tmp_path / "p", tmp_path / "v", tmp_path / "r"))
    assert [(p.year, p.compare_year) for p in plans] == [(2021, None), (2023, 2021), (2024, 2023), (2025, None)]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    """Run the three notebooks for demo year 2023 (compared with 2022) into a temporary folder."""
    base = tmp_path_factory.mktemp("report")
    raw = base / "raw"
    for year in (2022, 2023):
        shutil.copytree(paths.DEMO.raw / str(year), raw / str(year))
    plans = report.plan_years(
        [2022, 2023], paths.Workspace("测试", raw, base / "processed", base / "review", base / "reports")
    )
    from analysis.pipeline import process_year

    process_year(plans[0].raw_dir, plans[0].processed_dir, year=2022, workers=1)
    report.run_year(plans[1], ANNOUNCED.append)
    return plans[1]


@pytest.mark.xdist_group("report")
def test_report_writes_every_output(demo_report):
    out = demo_report.report_dir
    for name in report.NOTEBOOK_NAMES:
        assert (out / "notebooks" / name).is_file()
        html = (out / (Path(name).stem + ".html")).read_text(encoding="utf-8")
        assert paths.DEMO_LABEL in html
        assert "import " not in html, "HTML report must not show code"
        assert "No description has been provided" not in html  # nbconvert's English placeholder for a picture
    summary_html = (out / (Path(report.SUMMARY_NB).stem + ".html")).read_text(encoding="utf-8")
    assert 'alt="图01 全市经费投入来源"' in summary_html  # each chart described by its Chinese name
    figures = sorted(p.name for p in (out / "figures").iterdir())
    stems = {Path(f).stem for f in figures}
    assert {"图01_全市经费投入来源", "图07_主要指标同比变化", "趋势01_主要指标历年变化"} <= stems
    for stem in stems:
        for ext in ("png", "svg", "pdf"):
            assert f"{stem}.{ext}" in figures
    from PIL import Image

    with Image.open(out / "figures" / "图01_全市经费投入来源.png") as png:
        assert png.width == pytest.approx(16 / 2.54 * 300, abs=2), "16 cm wide at 300 dpi: an A4 text width"
        assert png.info["dpi"][0] == pytest.approx(300, abs=1)
    for name in (
        "summary.xlsx",
        "全市汇总表.docx",
        "数据摘要.md",
        "数据摘要.docx",
        "2023年科技活动周统计分析报告.docx",
    ):
        assert (out / name).is_file()
    assert sorted(line.split("：")[0].strip() for line in ANNOUNCED) == [
        f"2023年 {Path(name).stem}" for name in report.NOTEBOOK_NAMES
    ]
    assert paths.DEMO_LABEL in (out / "数据摘要.md").read_text(encoding="utf-8")


def _returns_sums(processed: Path) -> pd.Series:
    frame = pd.read_csv(processed / "returns.csv", encoding="utf-8-sig")
    return frame[list(FIELD_KEYS)].sum(min_count=1)


@pytest.mark.xdist_group("report")
def test_city_table_equals_column_sums_of_returns(demo_report):
    sums = _returns_sums(demo_report.processed_dir)
    ws = openpyxl.load_workbook(demo_report.report_dir / "summary.xlsx")["全市汇总"]
    by_label = {}
    for row in ws.iter_rows(values_only=True):
        texts = [c for c in row if isinstance(c, str)]
        numbers = [c for c in row if isinstance(c, (int, float))]
        if texts and numbers:
            by_label[texts[-1].replace("\n", "")] = numbers[-1]
    for field in FIELDS:
        assert by_label[field.label.replace("\n", "")] == pytest.approx(sums[field.key], abs=1e-6), field.key

    doc = Document(demo_report.report_dir / "全市汇总表.docx")
    cells = {}
    for row in doc.tables[0].rows:
        texts = [c.text.strip() for c in row.cells]
        cells[texts[-2]] = texts[-1]
    for field in FIELDS:
        shown = cells[field.label.replace("\n", "")].replace(",", "")
        expected = sums[field.key]
        assert float(shown) == pytest.approx(round(expected, 2) if field.key in MONEY_KEYS else expected)


@pytest.mark.xdist_group("report")
def test_year_over_year_sheet_matches_independent_computation(demo_report):
    current = _returns_sums(demo_report.processed_dir)
    previous = _returns_sums(demo_report.processed_dir.parent / "2022")
    ws = openpyxl.load_workbook(demo_report.report_dir / "summary.xlsx")["同比"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and isinstance(r[0], str)}
    checked = 0
    for field in FIELDS:
        row = next((r for label, r in rows.items() if field.display in label), None)
        assert row is not None, field.key
        numbers = [v for v in row[1:] if isinstance(v, (int, float))]
        cur, prev = current[field.key], previous[field.key]
        if pd.isna(cur) or pd.isna(prev):
            continue
        assert numbers[0] == pytest.approx(cur, abs=1e-6)
        assert numbers[1] == pytest.approx(prev, abs=1e-6)
        assert numbers[2] == pytest.approx(cur - prev, abs=1e-6)
        if prev:
            assert numbers[3] == pytest.approx((cur - prev) / prev * 100, abs=0.05) or numbers[3] == pytest.approx(
                (cur - prev) / prev, abs=0.0005
            )
        checked += 1
    assert checked >= 15


def test_failing_cell_names_notebook_and_cell_and_keeps_the_output(tmp_path):
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(metadata={"kernelspec": {"name": report.KERNEL_NAME, "display_name": "x", "language": "python"}})
    params = new_code_cell("year = 2023")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, new_code_cell("x = 1"), new_code_cell("raise ValueError('坏数据')")]
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(nb, notebooks / report.CLEAN_NB)
    plan = report.YearPlan(2023, tmp_path / "raw", tmp_path / "p", tmp_path / "r", None)
    with pytest.raises(report.NotebookFailed) as failed:
        report.execute_notebook(report.CLEAN_NB, plan, report.ensure_kernel(), notebooks_dir=notebooks)
    message = str(failed.value)
    assert report.CLEAN_NB in message and "ValueError" in message and "坏数据" in message
    assert "In [4]" in message  # as numbered in the executed notebook (after the injected parameters)
    assert (plan.report_dir / "notebooks" / report.CLEAN_NB).is_file()


@pytest.mark.xdist_group("report")
def test_html_tables_follow_one_display_style(demo_report):
    """Rendered HTML of the executed notebooks: one number of decimals per column (per measure where items are
    rows), 万元 two decimals, counts whole, % one decimal, numbers right-aligned, no English problem code."""
    from tests.html_tables import style_problems, tables, visible_codes

    for name in report.NOTEBOOK_NAMES:
        html = (demo_report.report_dir / (Path(name).stem + ".html")).read_text(encoding="utf-8")
        shown = tables(html)
        assert shown, name
        assert [p for t in shown for p in style_problems(t)] == [], name
        assert [c for t in shown for c in visible_codes(t)] == [], name
        assert (
            "new ITable(" in html and "injectModule(" in html and "unpkg" not in html
        )  # DataTables embedded (offline)
    clean = tables((demo_report.report_dir / "01_清洗与核查.html").read_text(encoding="utf-8"))
    assert any(t.columns[:2] == ["单位", "单位类别"] for t in clean), "units listed with their kind (the filter)"


@pytest.mark.xdist_group("report")
def test_html_report_links_its_exports_relatively_and_is_titled(demo_report):
    from tests.html_tables import local_links, resolves

    out = demo_report.report_dir
    html = (out / "02_周后统计分析.html").read_text(encoding="utf-8")
    links = local_links(html)
    names = {Path(unquote(h)).name for h in links}
    assert {"summary.xlsx", "全市汇总表.docx", "数据摘要.docx", "2023年科技活动周统计分析报告.docx"} <= names
    assert all(resolves(h, out) for h in links), links
    assert "<title>2023年科技活动周周后统计分析</title>" in html
    executed = nbformat.read(out / "notebooks" / report.SUMMARY_NB, as_version=4)
    shown = "".join(o.get("data", {}).get("text/html", "") for o in executed.cells[-1].outputs)
    assert local_links(shown) and all(resolves(h, out / "notebooks") for h in local_links(shown))
