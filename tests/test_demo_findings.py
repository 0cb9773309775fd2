"""On the demo years, every warning or error points at a planted problem, and every planted problem is found
(without the demo ledgers); with them, 2021–2023 are settled and 2024 keeps exactly what its ledger leaves open."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import paths
from analysis.pipeline import process_year

TRUTH = paths.DEMO_TRUTH
YEARS = (2021, 2022, 2023, 2024)
# planted codes that are findings a person must act on (the others are inventory facts, noted as info)
ACTIONABLE = {
    "missing_return",
    "money_in_yuan_suspect",
    "value_unknown",
    "county_media_reports_lt2",
    "late_return",
    "video_too_long",
}


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> dict[int, pd.DataFrame]:
    root = tmp_path_factory.mktemp("processed")
    out = {}
    for year in YEARS:  # in order, so each year's checks can compare with the previous one
        out[year] = process_year(
            paths.DEMO.raw / str(year), root / str(year), year=year, workers=1, review=root / "no-ledger.xlsx"
        )
    return out


@pytest.fixture(scope="module")
def settled(tmp_path_factory) -> dict[int, pd.DataFrame]:
    """The demo years with their own ledgers (data/demo/review), as make report runs them."""
    root = tmp_path_factory.mktemp("settled")
    return {year: process_year(paths.DEMO.raw / str(year), root / str(year), year=year, workers=1) for year in YEARS}


@pytest.mark.parametrize("year", YEARS)
def test_the_demo_ledger_settles_every_planted_problem_but_what_2024_leaves_open(settled, year):
    from analysis.issues import open_findings

    issues = settled[year].result.issues
    still = {(r.code, r.unit) for r in open_findings(issues).itertuples()}
    assert still == ({("value_unknown", "市农业农村局")} if year == 2024 else set())
    assert not issues["code"].str.startswith("review_").any()


@pytest.mark.parametrize("year", YEARS)
def test_the_demo_funding_totals_are_plausible_once_settled(settled, year):
    returns = settled[year].result.returns
    planted = _planted(year)
    (yuan,) = planted.loc[planted["code"] == "money_in_yuan_suspect"].itertuples()
    typed = int(yuan.note.split("：")[1].split(" ")[0])  # "按元填写：304000 实为 30.4 万元"
    value = returns.set_index("unit").loc[yuan.unit, "funding_county"]
    assert value == pytest.approx(typed / 10000)
    assert returns["funding_county"].sum() < 300  # 万元 for the whole city's week: not the 30万-万元 of a typo


def _planted(year: int) -> pd.DataFrame:
    return pd.read_csv(TRUTH / f"{year}_planted.csv", encoding="utf-8-sig", dtype=str).fillna("")


@pytest.mark.parametrize("year", YEARS)
def test_every_warning_is_a_planted_problem(processed, year):
    issues = processed[year].result.issues
    raised = issues[issues["severity"].isin(["warning", "error"])]
    planted = _planted(year)
    expected = {(r.code, r.unit) for r in planted.itertuples() if r.code in ACTIONABLE}
    got = {(r.code, r.unit) for r in raised.itertuples()}
    assert got == expected


@pytest.mark.parametrize("year", YEARS)
def test_planted_cells_are_located(processed, year):
    issues = processed[year].result.issues
    for r in _planted(year).itertuples():
        if r.code in ACTIONABLE and r.field:
            hit = issues[(issues["code"] == r.code) & (issues["unit"] == r.unit) & (issues["field"] == r.field)]
            assert len(hit) == 1, (r.code, r.unit)
            assert hit.iloc[0]["source_file"] == r.source_file
            assert hit.iloc[0]["cell"], "located to a cell"


@pytest.mark.parametrize("year", YEARS)
def test_inventory_facts_are_recorded(processed, year):
    result = processed[year].result
    files = result.files.set_index("source_file")
    for r in _planted(year).itertuples():
        if r.code == "superseded_revision":
            assert files.loc[r.source_file, "status"] == "superseded"
        if r.code == "non_return_file":
            assert files.loc[r.source_file, "status"] == "skipped"
            assert r.source_file not in set(result.returns["source_file"])


def test_processed_demo_folder_says_it_is_demo(processed):
    out = processed[2023].out_dir
    assert paths.DEMO_LABEL in (out / paths.DEMO_MARKER).read_text(encoding="utf-8")


def test_real_year_is_not_checked_against_demo_year(processed):
    from analysis.pipeline import previous_returns

    root = processed[2024].out_dir.parent
    assert previous_returns(root / "2025", 2025, demo=True) is not None  # demo 2025 would compare with demo 2024
    assert previous_returns(root / "2025", 2025, demo=False) is None  # a real 2025 is never checked against it
