"""The output contract of ingest: file names, columns, encodings, dtypes, determinism, the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fixtures import (
    SAMPLE,
    ingest_folder,
    vertical_form,
    with_values,
    write_csv,
    write_docx,
    write_photo,
    write_xlsx,
)

from analysis.intake.ingest import ingest
from analysis.intake.store import load_processed
from analysis.outputs import neutralize
from analysis.paths import ROOT

KEYS = [
    "events_held",
    "most_tasks",
    "funding_central",
    "funding_provincial",
    "funding_municipal",
    "funding_county",
    "funding_enterprise",
    "funding_in_kind",
    "funding_other",
    "staff_fulltime",
    "staff_scientists",
    "staff_volunteers",
    "staff_other",
    "public_offline",
    "public_online",
    "media_outlets",
    "media_reports",
    "open_venues",
    "open_institutes",
    "open_universities",
]
MONEY = KEYS[2:9]
COUNTS = KEYS[:2] + KEYS[9:]
COLUMNS = {
    "returns": ["source_file", "unit", "unit_kind", *KEYS],
    "values": ["source_file", "unit", "field", "value", "raw_text", "sheet", "cell", "status", "note"],
    "issues": ["severity", "code", "source_file", "sheet", "cell", "field", "unit", "message", "status"],
    "files": ["source_file", "kind", "status", "unit", "sha256", "received", "received_from"],
}
OUTPUT_FILES = sorted([f"{t}.{ext}" for t in COLUMNS for ext in ("csv", "parquet")] + ["meta.json"])
# 曾都区: blanks and zeros; 随县: a formula-like text and a warning; 广水市: Word; plus a photo
BLANKS = with_values(SAMPLE, events_held=None, funding_central=0, funding_other=None, public_online="无")


def build_raw(raw: Path) -> Path:
    write_xlsx(raw / "曾都区/统计表.xlsx", vertical_form(BLANKS, stamp="曾都区科经局"))
    write_xlsx(
        raw / "随县统计表.xlsx", vertical_form(with_values(SAMPLE, most_tasks="=1+1", media_reports="-"), stamp="随县")
    )
    write_docx(raw / "广水市.docx", vertical_form(with_values(SAMPLE, events_held="不详"), stamp="广水市"))
    write_csv(raw / "高新区.csv", vertical_form(SAMPLE, stamp="高新区"), encoding="gbk")
    write_photo(raw / "曾都区/照片.jpg")
    return raw


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("outputs")
    raw = build_raw(base / "2023")
    result = ingest_folder(raw, out_dir=base / "out")
    return result, base / "out", raw


def test_output_files(run):
    _, out, _ = run
    assert sorted(p.name for p in out.iterdir()) == OUTPUT_FILES


@pytest.mark.parametrize("table", list(COLUMNS))
def test_columns_in_order(run, table):
    result, out, _ = run
    assert list(getattr(result, table).columns) == COLUMNS[table]
    assert list(pd.read_csv(out / f"{table}.csv", encoding="utf-8-sig", nrows=0).columns) == COLUMNS[table]
    assert list(pd.read_parquet(out / f"{table}.parquet").columns) == COLUMNS[table]


@pytest.mark.parametrize("table", list(COLUMNS))
def test_csv_is_utf8_with_bom(run, table):
    data = (run[1] / f"{table}.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    data[3:].decode("utf-8")  # strict


def test_returns_rows(run):
    result, out, _ = run
    assert sorted(result.returns["source_file"]) == [
        "广水市.docx",
        "曾都区/统计表.xlsx",
        "随县统计表.xlsx",
        "高新区.csv",
    ]
    assert sorted(result.returns["unit"]) == ["广水市", "曾都区", "随县", "随州高新区"]
    assert set(result.returns["unit_kind"]) == {"county"}


@pytest.mark.parametrize("frame", ["memory", "parquet", "load_processed"])
def test_returns_dtypes(run, frame):
    result, out, _ = run
    returns = {
        "memory": lambda: result.returns,
        "parquet": lambda: pd.read_parquet(out / "returns.parquet"),
        "load_processed": lambda: load_processed(out).returns,
    }[frame]()
    for key in MONEY:
        assert returns[key].dtype == "float64", key
    for key in COUNTS:
        assert str(returns[key].dtype) == "Int64", key


def test_blank_is_not_reported_and_distinct_from_zero(run):
    result, out, _ = run
    row = result.returns.set_index("unit").loc["曾都区"]
    assert pd.isna(row["events_held"]) and pd.isna(row["funding_other"])
    assert row["funding_central"] == 0 and row["public_online"] == 0
    text = pd.read_csv(out / "returns.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    text = text.set_index("unit").loc["曾都区"]
    assert (text["events_held"], text["funding_other"]) == ("", "")
    assert float(text["funding_central"]) == 0.0 and text["public_online"] == "0"
    assert text["funding_county"] == "8.25" and text["public_offline"] == "16520"


def test_values_of_money_are_float_and_statuses(run):
    values = run[0].values
    assert values["value"].dtype == "float64"
    assert set(values["status"]) == {"accepted"}
    assert len(values[values["field"].isin(KEYS)]) == 4 * 20


def test_files_table(run):
    files = run[0].files.set_index("source_file")
    assert files.loc["曾都区/照片.jpg", "kind"] == "photo"
    assert files.loc["曾都区/照片.jpg", "status"] == "skipped"
    assert set(files.loc[files["kind"] == "form", "status"]) == {"accepted"}
    assert files["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_issues_are_located_and_in_chinese(run):
    issues = run[0].issues
    unknown = issues[issues["code"] == "value_unknown"]
    assert unknown[["severity", "source_file", "sheet", "cell", "field", "unit"]].values.tolist() == [
        ["warning", "广水市.docx", "表格1", "C1", "events_held", "广水市"]
    ]
    assert issues["severity"].isin(["error", "warning", "info"]).all()
    assert issues["message"].str.contains(r"[\u4e00-\u9fff]").all()


@pytest.mark.parametrize("table", list(COLUMNS))
def test_parquet_equals_csv(run, table):
    out = run[1]
    pq = pd.read_parquet(out / f"{table}.parquet")
    text = pd.read_csv(out / f"{table}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(pq) == len(text)
    for col in COLUMNS[table]:
        if pd.api.types.is_numeric_dtype(pq[col]):
            numbers = pd.to_numeric(text[col].replace("", None)).astype("float64")
            pd.testing.assert_series_equal(numbers, pq[col].astype("float64"), check_names=False)
        else:  # the CSV holds the same text, made safe against formulas
            expected = pq[col].fillna("").astype(str).map(neutralize)
            assert text[col].tolist() == expected.tolist(), col


def test_formula_like_text_is_neutralised_in_csv(run):
    result, out, _ = run
    row = result.values[(result.values["source_file"] == "随县统计表.xlsx") & (result.values["field"] == "most_tasks")]
    assert row["raw_text"].tolist() == ["=1+1"]
    assert "'=1+1" in (out / "values.csv").read_text(encoding="utf-8-sig")
    assert ",=1+1" not in (out / "values.csv").read_text(encoding="utf-8-sig")


def test_meta(run):
    _, out, raw = run
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["year"] == 2023
    assert meta["demo"] is False


def test_outputs_are_byte_identical_on_two_runs(run, tmp_path: Path):
    _, out, raw = run
    again = tmp_path / "again"
    ingest_folder(raw, out_dir=again, workers=2)
    for name in OUTPUT_FILES:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_rerun_into_the_same_folder_replaces_and_leaves_no_temp_files(run, tmp_path: Path):
    _, out, raw = run
    target = tmp_path / "out"
    ingest_folder(raw, out_dir=target)
    first = {n: (target / n).read_bytes() for n in OUTPUT_FILES}
    ingest_folder(raw, out_dir=target)
    assert sorted(p.name for p in target.iterdir()) == OUTPUT_FILES
    assert {n: (target / n).read_bytes() for n in OUTPUT_FILES} == first


def test_year_from_the_folder_name(run, tmp_path: Path):
    _, _, raw = run
    result = ingest_folder(raw, year=None)
    assert result.meta["year"] == 2023


def test_missing_raw_dir_raises(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        ingest(tmp_path / "nowhere", workers=1)


def test_ingest_survives_pandas_string_frames_made_before_it(tmp_path: Path):
    """Ingest in a process that already used pandas (as a notebook or this test session does), run twice."""
    raw = build_raw(tmp_path / "2023")
    script = (
        "import sys, pandas as pd\n"
        "pd.DataFrame({'a': ['x']}, dtype='str').sort_values('a')\n"
        "from analysis.intake.ingest import ingest\n"
        "for _ in range(2):\n"
        "    r = ingest(sys.argv[1], year=2023, workers=1)\n"
        "    print(len(r.returns), sorted(set(r.issues['code'])))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(raw)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["4", "4"], done.stdout
    assert "file_crashed_reader" not in done.stdout


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_cli_ingest(run, tmp_path: Path):
    _, out, raw = run
    done = cli("ingest", str(raw), "--out", str(tmp_path / "cli"), "--year", "2023")
    assert done.returncode == 0, done.stderr[-2000:]
    assert set(OUTPUT_FILES) <= {p.name for p in (tmp_path / "cli").iterdir()}  # the CLI may add more
    returns = pd.read_csv(tmp_path / "cli" / "returns.csv", encoding="utf-8-sig")
    assert sorted(returns["unit"]) == ["广水市", "曾都区", "随县", "随州高新区"]
    assert returns.set_index("unit").loc["随县", "public_online"] == 165200


def test_cli_missing_raw_dir_fails_with_a_message(tmp_path: Path):
    done = cli("ingest", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), "--year", "2023")
    assert done.returncode != 0
    assert "No module named" not in done.stderr and "Traceback" not in done.stderr
    assert "nowhere" in done.stderr + done.stdout
    assert not (tmp_path / "out" / "returns.csv").exists()


def test_links_and_odd_entries_are_inventoried(tmp_path):
    raw = tmp_path / "2023"
    raw.mkdir()
    (raw / "断开的链接.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    result = ingest_folder(raw)
    row = result.files.set_index("source_file").loc["断开的链接.xlsx"]
    assert (row["kind"], row["status"], row["sha256"]) == ("other", "error", "")
    assert list(result.issues["code"]) == ["link_skipped"]
