"""The synthetic demo city: byte-for-byte reproducible, committed as generated, its planted problems
where the truth files say, and recovered exactly by ingest."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinytag import TinyTag

from analysis import form, paths
from analysis.demo import city, cli, spelling
from analysis.demo import materials as demo_materials
from analysis.demo.city import DEMO_WEEKS, DEMO_YEARS
from analysis.demo.generate import generate
from analysis.demo.media import minimal_mp4
from analysis.intake import units
from analysis.review import materials

TRUTH_DIR = paths.DEMO_TRUTH

CODES = {
    "missing_return",
    "money_in_yuan_suspect",
    "value_unknown",
    "county_media_reports_lt2",
    "superseded_revision",
    "late_return",
    "video_too_long",
    "non_return_file",
}
ZIP_SUFFIXES = (".docx", ".xlsx", ".ods")


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def read_truth(truth_dir: Path, year: int) -> pd.DataFrame:
    return pd.read_csv(
        truth_dir / f"{year}.csv",
        encoding="utf-8-sig",
        dtype={"source_file": "str", "unit": "str", "unit_kind": "str"}
        | {k: "Int64" for k in form.COUNT_KEYS}
        | {k: "float64" for k in form.MONEY_KEYS},
    )


def registry_units() -> list[units.Unit]:
    return units.Registry.load(paths.UNITS_CSV).units


def read_planted(truth_dir: Path, year: int) -> pd.DataFrame:
    return pd.read_csv(truth_dir / f"{year}_planted.csv", encoding="utf-8-sig", dtype="str", keep_default_na=False)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    generate(root / "raw", root / "truth")
    return root


# ---------------------------------------------------------------------------
# Reproducible and committed as generated


def test_regenerating_gives_identical_files(fresh: Path, tmp_path: Path) -> None:
    generate(tmp_path / "raw", tmp_path / "truth")
    first, second = digests(fresh), digests(tmp_path)
    assert len(first) > 4 * 30
    assert first == second


def test_committed_demo_folders_equal_a_fresh_generation(fresh: Path) -> None:
    hint = "data/demo 中的示例数据与生成器不一致：请运行 python -m analysis demo 重新生成，不要手工修改示例数据"
    for year in DEMO_YEARS:
        assert digests(paths.DEMO.raw / str(year)) == digests(fresh / "raw" / str(year)), hint
        for name in (f"{year}.csv", f"{year}_planted.csv"):
            assert (TRUTH_DIR / name).read_bytes() == (fresh / "truth" / name).read_bytes(), hint
        ledger = f"{year}.xlsx"
        assert (paths.DEMO.review / ledger).read_bytes() == (fresh / "review" / ledger).read_bytes(), hint


def test_document_timestamps_are_fixed_to_the_demo_year(fresh: Path) -> None:
    today = dt.date.today().isoformat()
    for year in DEMO_YEARS:
        files = [p for p in (fresh / "raw" / str(year)).rglob("*") if p.suffix in ZIP_SUFFIXES]
        assert {p.suffix for p in files} >= {".docx", ".xlsx"}
        for path in files:
            with zipfile.ZipFile(path) as zf:
                times = {info.date_time for info in zf.infolist()}
                assert len(times) == 1 and next(iter(times))[0] == year, path
                for name in ("docProps/core.xml", "meta.xml"):
                    if name in zf.namelist():
                        text = zf.read(name).decode()
                        assert str(year) in text and today not in text, path


def test_generate_refuses_to_overwrite_real_returns(tmp_path: Path) -> None:
    real = tmp_path / "raw" / "2023"
    real.mkdir(parents=True)
    (real / "随县.docx").write_bytes(b"real")
    with pytest.raises(FileExistsError):
        generate(tmp_path / "raw", tmp_path / "truth", years=(2023,))
    assert (real / "随县.docx").read_bytes() == b"real"


def test_main_explains_a_refusal_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "raw" / "2023"
    real.mkdir(parents=True)
    (real / "随县.docx").write_bytes(b"real")
    (tmp_path / "raw" / "2022").write_bytes(b"not a folder")
    for year in ("2023", "2022"):
        assert cli.main(["--out", str(tmp_path / "raw"), "--truth", str(tmp_path / "truth"), "--years", year]) == 1
        err = capsys.readouterr().err
        assert err.startswith("错误：") and "未生成示例数据" in err and "Traceback" not in err
    assert cli.main(["--out", str(tmp_path / "raw"), "--truth", str(tmp_path / "truth"), "--years", "2019"]) == 1
    assert "没有 2019 年的示例数据方案" in capsys.readouterr().err
    assert (real / "随县.docx").read_bytes() == b"real"
    assert (tmp_path / "raw" / "2022").read_bytes() == b"not a folder"
    assert not (tmp_path / "truth").exists()


@pytest.mark.parametrize("hidden", [("xlwt",), ("odf",), ("xlwt", "odf")])
def test_without_the_demo_extra_the_command_says_how_to_install_it(tmp_path: Path, hidden: tuple[str, ...]) -> None:
    """``python -m analysis demo`` where xlwt/odfpy cannot be imported: exit code 2, a Chinese hint, nothing written."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in hidden))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(paths.ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "demo", "--out", str(tmp_path / "raw"), "--truth", str(tmp_path / "truth")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("错误：生成示例数据需要可选依赖 ") and "Traceback" not in run.stderr
    named = {"xlwt": "xlwt", "odf": "odfpy"}
    assert run.stderr.split("可选依赖 ")[1].split("，")[0] == "、".join(named[m] for m in hidden)
    assert 'pip install -e ".[demo]"' in run.stderr
    assert not (tmp_path / "raw").exists() and not (tmp_path / "truth").exists()


def test_demo_uses_the_registry_and_the_materials_limit() -> None:
    assert city.Unit is units.Unit  # no second reader of units.csv
    assert demo_materials.VIDEO_MAX_SECONDS is materials.VIDEO_MAX_SECONDS


# ---------------------------------------------------------------------------
# The MP4 helper


@pytest.mark.parametrize("seconds", [200.0, 185.3, 180.0, 0.04, 0.0, 1 / 3, 7200.5, 5e9])
def test_minimal_mp4_reports_its_duration(seconds: float) -> None:
    data = minimal_mp4(seconds)
    assert TinyTag.get(file_obj=io.BytesIO(data)).duration == seconds
    boxes, offset = [], 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        boxes.append(kind)
        offset += size
    assert offset == len(data) and boxes == [b"ftyp", b"moov", b"mdat"]
    assert len(data) < 1024


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_minimal_mp4_is_exact_to_the_millisecond(millis: int) -> None:
    seconds = millis / 1000
    assert TinyTag.get(file_obj=io.BytesIO(minimal_mp4(seconds))).duration == seconds


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=0, max_value=1e7, allow_nan=False))
def test_minimal_mp4_any_duration_is_close(seconds: float) -> None:
    assert TinyTag.get(file_obj=io.BytesIO(minimal_mp4(seconds))).duration == pytest.approx(
        seconds, rel=1e-14, abs=1e-9
    )


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_minimal_mp4_rejects_impossible_durations(bad: float) -> None:
    with pytest.raises(ValueError):
        minimal_mp4(bad)


# ---------------------------------------------------------------------------
# How values are typed


def test_spellings_keep_or_round_the_true_value() -> None:
    online, county, in_kind = (form.BY_KEY[k] for k in ("public_online", "funding_county", "funding_in_kind"))
    assert spelling.spellings(online, 12345)["wan"] == ("1.2万", 12000)
    assert spelling.spellings(online, 12345)["about"] == ("约12300人次", 12300)
    assert spelling.spellings(online, 12345)["over"] == ("12300余人次", 12300)
    assert spelling.spellings(online, 12345)["fullwidth"] == ("１２３４５", 12345)
    assert spelling.spellings(online, 12345)["thousands"] == ("12,345", 12345)
    assert spelling.spellings(form.BY_KEY["events_held"], 35)["chang"] == ("35场", 35)
    assert spelling.spellings(form.BY_KEY["events_held"], 35)["chinese"] == ("三十五", 35)
    assert spelling.spellings(county, 5.0)["yuan"] == ("50000元", 5.0)
    assert spelling.spellings(county, 1.25)["wanyuan"] == ("1.25万元", 1.25)
    assert spelling.spellings(in_kind, 0.5)["remark"] == ("0.5（捐赠科普图书）", 0.5)
    assert spelling.spellings(county, 0.0) == {"zero_wu": ("无", 0.0), "zero_slash": ("/", 0.0)}


def test_label_variants_all_resolve_to_their_field() -> None:
    for f in form.FIELDS:
        variants = spelling.label_variants(f)
        assert f.label in variants and len(variants) >= 5
        assert all(form.match_label(v) == f.key for v in variants)


# ---------------------------------------------------------------------------
# The committed years: planted problems, magnitudes, recognisable units


@pytest.mark.parametrize("year", DEMO_YEARS)
def test_planted_problems_are_where_the_truth_says(year: int) -> None:
    folder = paths.DEMO.raw / str(year)
    truth, planted = read_truth(TRUTH_DIR, year), read_planted(TRUTH_DIR, year)
    assert set(planted["code"]) == CODES
    assert paths.is_demo(folder)
    by_code = {code: rows for code, rows in planted.groupby("code")}
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(planted["source_file"]) - {""} <= files
    # Every file is a return (accepted or superseded), a listed non-return file, or bookkeeping.
    superseded = set(by_code["superseded_revision"]["source_file"])
    assert files == set(truth["source_file"]) | superseded | set(by_code["non_return_file"]["source_file"]) | {
        "received.csv",
        paths.DEMO_MARKER,
    }
    # The missing unit sent nothing.
    missing = by_code["missing_return"]["unit"].tolist()
    assert len(missing) == 1 and missing[0] not in set(truth["unit"])
    roster = {u.name for u in registry_units()}
    assert set(truth["unit"]) == roster - set(missing)
    # The revision replaced its first version.
    for first, unit in by_code["superseded_revision"][["source_file", "unit"]].itertuples(index=False):
        accepted = truth.loc[truth["unit"] == unit, "source_file"].item()
        stem, ext = first.rsplit(".", 1)
        assert accepted == f"{stem}（修改版）.{ext}"
    # Received dates: only the planted return is late.
    _, week_end, deadline = DEMO_WEEKS[year]
    received = pd.read_csv(folder / "received.csv", encoding="utf-8-sig", dtype="str")
    assert set(received["source_file"]) == set(truth["source_file"]) | superseded
    days = received.set_index("source_file")["received"].map(dt.date.fromisoformat)
    assert set(days[days > deadline].index) == set(by_code["late_return"]["source_file"])
    assert (days > week_end).all()
    # Videos: only the planted one is over three minutes.
    lengths = {p: TinyTag.get(folder / p).duration for p in files if p.endswith(".mp4")}
    assert {p for p, s in lengths.items() if s > 180} == set(by_code["video_too_long"]["source_file"])
    assert materials.VIDEO_MAX_SECONDS == 180  # the notice's three minutes
    # Money typed in 元, the unknown marker, the county with one report.
    yuan = by_code["money_in_yuan_suspect"].iloc[0]
    assert truth.loc[truth["unit"] == yuan["unit"], yuan["field"]].item() >= 10000
    money = truth[list(form.MONEY_KEYS)].to_numpy(dtype=float)
    assert int((money > 50).sum()) == 1
    unknown = by_code["value_unknown"].iloc[0]
    assert pd.isna(truth.loc[truth["unit"] == unknown["unit"], unknown["field"]].item())
    assert int(truth[list(form.FIELD_KEYS)].isna().sum().sum()) == 1
    few = by_code["county_media_reports_lt2"].iloc[0]
    counties = truth[truth["unit_kind"] == "county"].set_index("unit")["media_reports"]
    assert counties[few["unit"]] == 1 and (counties.drop(few["unit"]) >= 2).all()


def test_magnitudes_and_trends_are_believable() -> None:
    frames = {year: read_truth(TRUTH_DIR, year).set_index("unit") for year in DEMO_YEARS}
    for t in frames.values():
        county = t[t["unit_kind"] == "county"]
        assert county["events_held"].between(10, 150).all()
        assert county["public_offline"].between(2000, 80000).all()
        assert (county["public_online"] <= 500_000).all()
        assert county["media_outlets"].between(1, 20).all()
        assert county["media_reports"].between(1, 100).all()
        assert t["open_venues"].between(0, 10).all()
        assert (t[list(form.STAFF_KEYS)] <= 500).all().all()
        assert (t["most_tasks"] <= t["events_held"]).all()
        assert (t["media_reports"] >= t["media_outlets"]).fillna(True).all()
        others = t[t["unit_kind"] != "county"]
        assert others["events_held"].median() * 2 < county["events_held"].median()
        assert others["public_offline"].median() * 2 < county["public_offline"].median()
    online = {y: t["public_online"].sum() for y, t in frames.items()}
    assert online[2024] > 3 * online[2021] and online[2022] > 1.8 * online[2021]
    events = pd.DataFrame({y: t["events_held"] for y, t in frames.items()})
    assert events.loc["随州高新区", 2023] > 2 * events.loc["随州高新区", 2022]
    assert events.loc["市文化和旅游局", 2024] < 0.6 * events.loc["市文化和旅游局", 2023]
    change = (events[2024] / events[2021]).drop(["随州高新区", "市文化和旅游局"]).dropna()
    assert change.median() > 1.05


@pytest.mark.parametrize("year", DEMO_YEARS)
def test_each_return_names_its_unit_in_folder_or_file_name(year: int) -> None:
    registered = registry_units()
    for path, unit in read_truth(TRUTH_DIR, year)[["source_file", "unit"]].itertuples(index=False):
        named = {u.name for u in registered if any(n in path for n in (u.name, *u.aliases))}
        assert named == {unit}, path


def test_registry_folders_and_stamps_are_known_names() -> None:
    for unit in registry_units():
        known = {unit.name, *unit.aliases}
        assert city.FOLDERS.get(unit.name, unit.name) in known
        assert set(spelling.stamp_names(unit)) <= known


def test_demo_weeks_agree_with_the_reference_table() -> None:
    if not paths.WEEKS_CSV.exists():
        pytest.skip("data/reference/weeks.csv 尚未建立")
    weeks = pd.read_csv(paths.WEEKS_CSV, dtype="str").set_index("year")
    for year, (start, end, deadline) in DEMO_WEEKS.items():
        assert tuple(weeks.loc[str(year), ["start", "end", "deadline"]]) == (
            start.isoformat(),
            end.isoformat(),
            deadline.isoformat(),
        )


# ---------------------------------------------------------------------------
# Ingest reads the truth back


@pytest.mark.parametrize("year", DEMO_YEARS)
def test_ingest_recovers_the_true_values(year: int) -> None:
    from analysis.intake.ingest import ingest

    result = ingest(paths.DEMO.raw / str(year), year=year)
    got = result.returns.set_index("unit").sort_index()
    want = read_truth(TRUTH_DIR, year).set_index("unit").sort_index()
    assert got.index.tolist() == want.index.tolist()
    assert got["source_file"].tolist() == want["source_file"].tolist()
    for key in form.MONEY_KEYS:
        np.testing.assert_allclose(got[key].astype(float), want[key], rtol=0, atol=1e-9, equal_nan=True, err_msg=key)
    for key in form.COUNT_KEYS:
        pd.testing.assert_series_equal(got[key].astype("Int64"), want[key], check_names=False, obj=key)
