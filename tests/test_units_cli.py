"""`python -m analysis ingest --units PATH --weeks PATH`: another roster and other dates without editing the
package's data; a missing file is a Chinese error and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fixtures import SAMPLE, vertical_form, write_units_csv, write_xlsx

ROOT = Path(__file__).resolve().parent.parent


def ingest_cli(raw: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "ingest",
            str(raw),
            "--out",
            str(out),
            "--year",
            "2023",
            "--workers",
            "1",
            *options,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "2023"
    write_xlsx(folder / "a.xlsx", vertical_form(SAMPLE, stamp="黄州区科技局"))
    write_xlsx(folder / "b.xlsx", vertical_form(SAMPLE, stamp="随县科经局"))
    return folder


def test_own_roster_and_dates(raw, tmp_path):
    units = write_units_csv(
        tmp_path / "省名录.csv", [("黄州区", "county", "黄州区科技局"), ("团风县", "county", "团风县科技局")]
    )
    weeks = tmp_path / "weeks.csv"
    weeks.write_text("year,start,end,deadline\n2023,2023-05-20,2023-05-27,2099-12-31\n", encoding="utf-8")
    done = ingest_cli(raw, tmp_path / "out", "--units", str(units), "--weeks", str(weeks))
    assert done.returncode == 0, done.stderr
    returns = table(tmp_path / "out", "returns").set_index("source_file")
    assert (returns.loc["a.xlsx", "unit"], returns.loc["a.xlsx", "unit_kind"]) == ("黄州区", "county")
    assert returns.loc["b.xlsx", "unit_kind"] == "other"  # 随县 is not in this roster
    issues = table(tmp_path / "out", "issues")
    assert list(issues.loc[issues["code"] == "missing_return", "unit"]) == ["团风县"]
    assert not (issues["code"] == "late_return").any()  # the deadline of the given weeks.csv
    assert not (issues["code"] == "deadline_unknown").any()


def test_defaults_are_the_package_files(raw, tmp_path):
    done = ingest_cli(raw, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    returns = table(tmp_path / "out", "returns").set_index("source_file")
    assert (returns.loc["b.xlsx", "unit"], returns.loc["a.xlsx", "unit_kind"]) == ("随县", "other")
    issues = table(tmp_path / "out", "issues")
    assert "市科协" in set(issues.loc[issues["code"] == "missing_return", "unit"])
    late = issues[issues["code"] == "late_return"]  # the files are dated today, after 2023-06-03
    assert set(late["source_file"]) == {"a.xlsx", "b.xlsx"} and late["message"].str.contains("2023-06-03").all()


def test_a_year_missing_from_the_given_weeks_is_noted(raw, tmp_path):
    weeks = tmp_path / "weeks.csv"
    weeks.write_text("year,start,end,deadline\n2022,2022-08-20,2022-08-27,2022-09-02\n", encoding="utf-8")
    done = ingest_cli(raw, tmp_path / "out", "--weeks", str(weeks))
    assert done.returncode == 0, done.stderr
    issues = table(tmp_path / "out", "issues")
    assert list(issues.loc[issues["code"] == "deadline_unknown", "severity"]) == ["info"]
    assert not (issues["code"] == "late_return").any()


@pytest.mark.parametrize("option, message", [("--units", "找不到单位名录"), ("--weeks", "找不到活动周日期文件")])
def test_a_missing_file_is_exit_2(raw, tmp_path, option, message):
    done = ingest_cli(raw, tmp_path / "out", option, str(tmp_path / "无此文件.csv"))
    assert done.returncode == 2
    assert message in done.stderr and "无此文件.csv" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_registry_whose_units_cannot_be_told_apart_is_exit_2(raw, tmp_path):
    units = write_units_csv(tmp_path / "units.csv", [("城关镇", "other", "城关"), ("城关街道", "other", "城关")])
    done = ingest_cli(raw, tmp_path / "out", "--units", str(units))
    assert done.returncode == 2
    assert "第 2 行“城关镇”的别名“城关”与第 3 行“城关街道”的别名“城关”都归并为“城关”" in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()
