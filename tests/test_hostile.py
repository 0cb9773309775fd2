"""Issue 6: broken and hostile returns — nothing crashes, nothing is lost, nothing is injected.

One folder mixes good returns (exact expected values written out below) with
every kind of bad file the issue lists.  It goes through the project's ingest
once per module (worker processes: the files that abort python-calamine are
never opened in this process) and the tests look at what was written.
"""

from __future__ import annotations

import ast
import hashlib
import math
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import fixtures as fx
import hostile as h
import office_objects as oo
import openpyxl
import pandas as pd
import pytest

from analysis import outputs
from analysis.form import FIELD_KEYS
from analysis.intake.ingest import ingest
from analysis.intake.store import load_processed

pytestmark = pytest.mark.xdist_group("hostile")

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2023
SECRET = "TOP-SECRET-XYZ"
EVIL_UNIT = "../../evil"
HYPERLINK = '=HYPERLINK("http://x","y")'
MACRO_MARK = b'Sub Auto_Open()\r\n  Shell "calc.exe"\r\nEnd Sub MACRO-MARK-Q7'
NAN = math.nan
CJK = re.compile(r"[\u4e00-\u9fff]")

# ---------------------------------------------------------------- good returns: what is typed → what must come out

XLSX_TYPED = dict(
    events_held=12,
    most_tasks="无",
    funding_central=1.5,
    funding_provincial=None,
    funding_municipal="2.25",
    funding_county="50000元",
    funding_enterprise=0,
    funding_in_kind="0.5（捐赠科普图书）",
    funding_other=None,
    staff_fulltime=3,
    staff_scientists="二十",
    staff_volunteers="1,200",
    staff_other=0,
    public_offline=35200,
    public_online="1.2万",
    media_outlets=4,
    media_reports=9,
    open_venues=1,
    open_institutes=None,
    open_universities=0,
)
XLSX_EXPECTED = dict(
    events_held=12,
    most_tasks=0,
    funding_central=1.5,
    funding_provincial=NAN,
    funding_municipal=2.25,
    funding_county=5.0,
    funding_enterprise=0.0,
    funding_in_kind=0.5,
    funding_other=NAN,
    staff_fulltime=3,
    staff_scientists=20,
    staff_volunteers=1200,
    staff_other=0,
    public_offline=35200,
    public_online=12000,
    media_outlets=4,
    media_reports=9,
    open_venues=1,
    open_institutes=NAN,
    open_universities=0,
)

DOCX_TYPED = dict(
    events_held="8次",
    most_tasks=2,
    funding_central="0.25",
    funding_provincial="1",
    funding_municipal="3",
    funding_county="4.5",
    funding_enterprise="无",
    funding_in_kind="0",
    funding_other="0.75",
    staff_fulltime=6,
    staff_scientists=40,
    staff_volunteers=120,
    staff_other=7,
    public_offline="8,800人次",
    public_online=165200,
    media_outlets=3,
    media_reports=11,
    open_venues=2,
    open_institutes=1,
    open_universities=0,
)
DOCX_EXPECTED = dict(
    events_held=8,
    most_tasks=2,
    funding_central=0.25,
    funding_provincial=1.0,
    funding_municipal=3.0,
    funding_county=4.5,
    funding_enterprise=0.0,
    funding_in_kind=0.0,
    funding_other=0.75,
    staff_fulltime=6,
    staff_scientists=40,
    staff_volunteers=120,
    staff_other=7,
    public_offline=8800,
    public_online=165200,
    media_outlets=3,
    media_reports=11,
    open_venues=2,
    open_institutes=1,
    open_universities=0,
)

CSV_TYPED = dict(
    events_held=7,
    most_tasks=1,
    funding_central=2,
    funding_county="0.8",
    staff_fulltime=2,
    staff_volunteers=30,
    public_offline="2,500",
    public_online="3000",
    media_outlets=2,
    media_reports=5,
)
CSV_EXPECTED = {
    **{k: NAN for k in FIELD_KEYS},
    **dict(
        events_held=7,
        most_tasks=1,
        funding_central=2.0,
        funding_county=0.8,
        staff_fulltime=2,
        staff_volunteers=30,
        public_offline=2500,
        public_online=3000,
        media_outlets=2,
        media_reports=5,
    ),
}

XLSM_TYPED = dict(events_held=3, funding_municipal=0.6, staff_fulltime=1, public_offline=450, media_reports=2)
XLSM_EXPECTED = {
    **{k: NAN for k in FIELD_KEYS},
    **dict(events_held=3, funding_municipal=0.6, staff_fulltime=1, public_offline=450, media_reports=2),
}

INJECT_TYPED = dict(
    events_held=5, funding_central=1, funding_other="+1+2", staff_other=-5, media_reports="@SUM(A1)", public_offline=100
)
EVIL_TYPED = dict(
    events_held=1, funding_central=0.1, staff_fulltime=1, public_offline=10, media_outlets=1, media_reports=1
)

# source_file → (unit, expected values)
GOOD = {
    "随县/随县统计表.xlsx": ("随县", XLSX_EXPECTED),
    "广水市统计表.docx": ("广水市", DOCX_EXPECTED),
    "曾都区统计表.csv": ("曾都区", CSV_EXPECTED),
    "市科协统计表.xlsm": ("市科协", XLSM_EXPECTED),
}


def build_good(raw: Path) -> None:
    fx.write_vertical_xlsx(raw / "随县/随县统计表.xlsx", XLSX_TYPED, stamp="随县")
    fx.write_vertical_docx(raw / "广水市统计表.docx", DOCX_TYPED, stamp="广水市")
    fx.write_csv(raw / "曾都区统计表.csv", fx.vertical_form(CSV_TYPED, stamp="曾都区"), encoding="utf-16")
    h.add_macro(
        fx.write_vertical_xlsx(raw / "市科协统计表.xlsm", XLSM_TYPED, stamp="随州市科学技术协会", macro=True),
        MACRO_MARK,
    )


# ---------------------------------------------------------------- the hostile folder

# name → text one of its error/warning messages must contain ("" = any)
HOSTILE = {
    "空文件.xlsx": "",
    "截断.xlsx": "",
    "截断.docx": "",
    "图片改名.xlsx": "",
    "文本改名.docx": "",
    "加密.xlsx": "密码",
    "加密.xls": "密码",
    "坏XML.xlsx": "",
    "坏XML.docx": "",
    "统计表.xlsx": "",  # a directory
    "x.xlsx": "",  # a dangling link
    "声明全表.xlsx": "Limits.max_cells",
    "末格.xlsx": "Limits.max_cells",
    "压缩炸弹.xlsx": "Limits.max_",
    "多表.xlsx": "Limits.max_sheets",
    "三十万行.xlsx": "",
    "一万六千列.xlsx": "Limits.max_cells",
    "无表格统计表.docx": "",
    "嵌套表格.docx": "Limits.max_table_depth",
    "Big5.csv": "",
    "空字符.csv": "",
    "长行.csv": "Limits.max_csv_line",
    "XXE.docx": "",
    "XXE.xlsx": "",
    "实体膨胀.docx": "",
    "实体膨胀.xlsx": "",
    # the same tricks behind 6 KB of XML comment, past the head of the part
    "XXE填充.docx": "",
    "XXE填充.xlsx": "",
    "实体膨胀填充.docx": "",
    "实体膨胀填充.xlsx": "",
    # web pages, Excel 2003 XML and objects embedded in Word (read by content: these are named .xls and .docx)
    "XXE2003.xls": "",
    "实体膨胀2003.xml": "",
    "XXE填充2003.xml": "",
    "末格2003.xml": "Limits.max_cells",
    "跨一千列.xls": "Limits.max_cells",
    "嵌入压缩炸弹统计表.docx": "Limits.max_",
}
INJECT_FILE, EVIL_FILE = "注入测试.xlsx", "路径测试.docx"


def build_hostile(raw: Path, secret: Path) -> None:
    good_xlsx = raw / "随县/随县统计表.xlsx"
    good_docx = raw / "广水市统计表.docx"
    h.write_bytes(raw / "空文件.xlsx", b"")
    h.write_bytes(raw / "截断.xlsx", h.truncated(good_xlsx.read_bytes()))
    h.write_bytes(raw / "截断.docx", h.truncated(good_docx.read_bytes()))
    h.write_bytes(raw / "图片改名.xlsx", h.PNG_BYTES)
    h.write_bytes(raw / "文本改名.docx", "这不是Word文件。\n举办活动次数 12\n".encode())
    h.write_encrypted_ooxml(raw / "加密.xlsx")
    h.write_xls_filepass(raw / "加密.xls")
    h.write_malformed_sheet(raw / "坏XML.xlsx")
    h.rewrite_zip(
        good_docx, raw / "坏XML.docx", lambda parts: {**parts, "word/document.xml": parts["word/document.xml"][:-200]}
    )
    (raw / "统计表.xlsx").mkdir()
    (raw / "x.xlsx").symlink_to(raw / "不存在的文件.xlsx")
    h.write_extent_claim(raw / "声明全表.xlsx")
    h.write_last_cell(raw / "末格.xlsx")
    h.write_zip_bomb(raw / "压缩炸弹.xlsx")
    h.write_many_sheets(raw / "多表.xlsx")
    h.write_many_rows(raw / "三十万行.xlsx")
    h.write_wide_sheet(raw / "一万六千列.xlsx")
    h.write_docx_without_table(raw / "无表格统计表.docx")
    h.write_nested_tables(raw / "嵌套表格.docx")
    h.write_bytes(raw / "Big5.csv", h.BIG5_TEXT.encode("big5"))
    h.write_bytes(raw / "空字符.csv", "举办活动次数,12\n".encode() + b"\x00" * 64 + b"\n")
    h.write_bytes(raw / "长行.csv", h.long_line_csv(10))
    h.write_entity_docx(raw / "XXE.docx", good_docx, secret)
    h.write_entity_xlsx(raw / "XXE.xlsx", secret)
    h.write_entity_docx(raw / "实体膨胀.docx", good_docx, None, laughs=True)
    h.write_entity_xlsx(raw / "实体膨胀.xlsx", None, laughs=True)
    h.write_entity_docx(raw / "XXE填充.docx", good_docx, secret, padded=True)
    h.write_entity_xlsx(raw / "XXE填充.xlsx", secret, padded=True)
    h.write_entity_docx(raw / "实体膨胀填充.docx", good_docx, None, laughs=True, padded=True)
    h.write_entity_xlsx(raw / "实体膨胀填充.xlsx", None, laughs=True, padded=True)
    h.write_entity_spreadsheetml(raw / "XXE2003.xls", secret)
    h.write_entity_spreadsheetml(raw / "实体膨胀2003.xml", None, laughs=True)
    h.write_entity_spreadsheetml(raw / "XXE填充2003.xml", secret, padded=True)
    h.write_far_cell_spreadsheetml(raw / "末格2003.xml")
    h.write_spanning_html(raw / "跨一千列.xls")
    bomb = h.write_zip_bomb(secret.parent / "bomb.xlsx")
    oo.write_docx_with_objects(raw / "嵌入压缩炸弹统计表.docx", [("Excel.Sheet.12", bomb.read_bytes())], stamp="市科协")
    fx.write_vertical_xlsx(raw / INJECT_FILE, INJECT_TYPED, stamp=HYPERLINK)
    fx.write_vertical_docx(raw / EVIL_FILE, EVIL_TYPED, stamp=EVIL_UNIT)


# ---------------------------------------------------------------- helpers


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: sha256 for files, the target for links, 'dir' for folders."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "link→" + os.readlink(path)
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def output_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def csv_table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", dtype="str", keep_default_na=False)


def assert_values(row: pd.Series, expected: dict[str, float], where: str) -> None:
    for key, want in expected.items():
        got = row[key]
        if isinstance(want, float) and math.isnan(want):
            assert pd.isna(got), f"{where} {key}: expected not reported, got {got!r}"
        else:
            assert not pd.isna(got) and float(got) == pytest.approx(want, abs=1e-9), f"{where} {key}: {got!r} != {want}"


def maxrss_bytes(who: int) -> int:
    return resource.getrusage(who).ru_maxrss * 1024  # Linux reports KiB


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The mixed folder, its snapshot, one ingest run with its time and peak memory."""
    base = tmp_path_factory.mktemp("hostile")
    raw = base / "raw" / str(YEAR)
    secret = base / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    build_good(raw)
    build_hostile(raw, secret)
    before = snapshot(raw)
    tree_before = {p for p in base.rglob("*")}
    out = base / "deep" / "processed" / str(YEAR)
    start = time.perf_counter()
    result = ingest(raw, out, year=YEAR)
    seconds = time.perf_counter() - start
    return dict(
        base=base,
        raw=raw,
        out=out,
        result=result,
        seconds=seconds,
        before=before,
        tree_before=tree_before,
        rss_children=maxrss_bytes(resource.RUSAGE_CHILDREN),
        rss_self=maxrss_bytes(resource.RUSAGE_SELF),
    )


# ---------------------------------------------------------------- never fatal, bounded


def test_batch_finishes_fast_and_within_memory(batch):
    assert batch["seconds"] < 60, f"ingest of the hostile folder took {batch['seconds']:.1f} s"
    assert batch["rss_children"] < 1024**3, f"a worker peaked at {batch['rss_children'] / 1024**2:.0f} MB"
    assert batch["rss_self"] < 1024**3, f"the parent peaked at {batch['rss_self'] / 1024**2:.0f} MB"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_bad_file_is_named_in_issues(batch, name):
    issues = csv_table(batch["out"], "issues")
    mine = issues[(issues["source_file"] == name) & issues["severity"].isin(["error", "warning"])]
    assert not mine.empty, (
        f"{name}: no error/warning issue; got {issues[issues['source_file'] == name].to_dict('records')}"
    )
    assert all(CJK.search(m) for m in mine["message"]), mine["message"].tolist()
    if HOSTILE[name]:
        assert mine["message"].str.contains(HOSTILE[name], regex=False).any(), mine["message"].tolist()
    files = csv_table(batch["out"], "files")
    assert not ((files["source_file"] == name) & (files["status"] == "accepted")).any(), f"{name} was accepted"


def test_exactly_the_good_files_are_accepted(batch):
    files = csv_table(batch["out"], "files")
    accepted = set(files.loc[files["status"] == "accepted", "source_file"])
    assert accepted == set(GOOD) | {INJECT_FILE, EVIL_FILE}
    returns = csv_table(batch["out"], "returns")
    assert set(returns["source_file"]) == accepted


def test_good_files_are_exact(batch):
    returns = load_processed(batch["out"]).returns.set_index("source_file")
    for source, (unit, expected) in GOOD.items():
        assert returns.loc[source, "unit"] == unit
        assert_values(returns.loc[source], expected, source)
    csv_returns = pd.read_csv(batch["out"] / "returns.csv", encoding="utf-8-sig").set_index("source_file")
    for source, (_, expected) in GOOD.items():
        assert_values(csv_returns.loc[source], expected, f"returns.csv {source}")


UNEXPECTED = {  # bad files on which a reader raises something other than the usual errors
    "坏OLE.xls": lambda path, good: h.write_xls_filepass(path, broken=True),  # calamine PanicException
    "坏压缩.docx": lambda path, good: h.break_deflate(good, path, "word/document.xml"),  # zlib.error
    "裸回车.csv": lambda path, good: h.write_bytes(path, b"\r\x01"),  # csv.Error
}


@pytest.mark.parametrize("name", sorted(UNEXPECTED))
def test_unexpected_reader_errors_are_one_issue(tmp_path, name):
    raw = tmp_path / "raw" / str(YEAR)
    good = fx.write_vertical_docx(raw / "广水市统计表.docx", DOCX_TYPED, stamp="广水市")
    UNEXPECTED[name](raw / name, good)
    result = ingest(raw, year=YEAR, workers=1)
    assert (result.issues["source_file"] == name).any()
    assert result.files.set_index("source_file").loc[name, "status"] != "accepted"
    assert_values(result.returns.set_index("source_file").loc["广水市统计表.docx"], DOCX_EXPECTED, "docx")


def test_ingest_after_parquet_was_written_in_this_process(tmp_path):
    """Workers started by a process that has used pyarrow (which reserves >1 GB of address space) still read files
    under their memory limit (a forked worker would inherit that reservation)."""
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "warm.parquet")
    raw = tmp_path / "raw" / str(YEAR)
    fx.write_vertical_xlsx(raw / "随县统计表.xlsx", XLSX_TYPED, stamp="随县")
    result = ingest(raw, year=YEAR, workers=1)
    assert_values(result.returns.set_index("source_file").loc["随县统计表.xlsx"], XLSX_EXPECTED, "xlsx")


def test_good_files_read_as_without_the_bad_ones(batch, tmp_path):
    alone = tmp_path / "raw" / str(YEAR)
    build_good(alone)
    clean = ingest(alone, year=YEAR).returns.set_index("source_file")
    mixed = batch["result"].returns.set_index("source_file").loc[clean.index]
    pd.testing.assert_frame_equal(mixed, clean)


def test_raw_files_unchanged(batch):
    assert snapshot(batch["raw"]) == batch["before"]


def test_nothing_written_outside_out_dir(batch):
    created = {p for p in batch["base"].rglob("*")} - batch["tree_before"]
    outside = [
        p for p in created if batch["out"] not in p.parents and p != batch["out"] and p not in batch["out"].parents
    ]
    assert outside == []
    assert not list(batch["base"].rglob("evil*"))
    returns = csv_table(batch["out"], "returns")
    assert returns.loc[returns["source_file"] == EVIL_FILE, "unit"].str.contains(EVIL_UNIT, regex=False).all()


# ---------------------------------------------------------------- no XML tricks, nothing executed


def test_secret_never_leaks(batch):
    for path in batch["out"].iterdir():
        assert SECRET.encode() not in path.read_bytes(), path.name
        assert SECRET.encode("utf-16-le") not in path.read_bytes(), path.name
    result = load_processed(batch["out"])
    for name in ("returns", "values", "issues", "files"):
        text = [str(cell) for cell in getattr(result, name).to_numpy().ravel()]
        assert not any(SECRET in cell for cell in text), name


def test_entity_tricks_never_expand(batch):
    issues = csv_table(batch["out"], "issues")
    values = csv_table(batch["out"], "values")
    for name in (n for n in HOSTILE if n.startswith(("XXE", "实体膨胀"))):  # also the Excel 2003 XML ones
        cells = [
            *issues[issues["source_file"] == name].to_numpy().ravel(),
            *values[values["source_file"] == name].to_numpy().ravel(),
        ]
        assert not any("lollol" in c or len(c) > 2000 for c in cells), name


def test_macro_part_is_ignored(batch, monkeypatch):
    """The .xlsm is read (values exact above) and its vbaProject.bin is never opened by our Python code."""
    import zipfile

    from analysis.intake.read_file import process_file

    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    outcome = process_file(batch["raw"] / "市科协统计表.xlsm", "市科协统计表.xlsm", YEAR)
    assert outcome.kind == "form"
    assert "xl/vbaProject.bin" not in opened
    assert opened, "the spy saw no zip access at all"
    for path in batch["out"].iterdir():
        assert b"MACRO-MARK-Q7" not in path.read_bytes()


def test_no_eval_in_the_package():
    """No input text is ever eval'ed: the package calls neither eval nor exec."""
    for path in (ROOT / "analysis").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("eval", "exec", "__import__"), f"{path.name}:{node.lineno}"


# ---------------------------------------------------------------- no injection into what we write

_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def test_no_formula_capable_text_in_csv(batch):
    for name in ("returns", "values", "issues", "files"):
        frame = csv_table(batch["out"], name)
        for cell in frame.to_numpy().ravel():
            assert not (_FORMULA.match(cell) and not _NUMBER.match(cell)), f"{name}.csv: {cell!r}"


def test_injected_text_is_neutralised(batch):
    returns, values, issues = (csv_table(batch["out"], n) for n in ("returns", "values", "issues"))
    unit = returns.loc[returns["source_file"] == INJECT_FILE, "unit"].item()
    assert unit.startswith("'=HYPERLINK("), unit
    mine = values[values["source_file"] == INJECT_FILE].set_index("field")
    assert mine.loc["funding_other", "raw_text"] == "'+1+2"
    assert mine.loc["media_reports", "raw_text"] == "'@SUM(A1)"
    assert mine.loc["staff_other", "raw_text"] == "-5"  # a plain negative number stays a number
    assert (mine["unit"] == unit).all()
    inject_issues = issues[issues["source_file"] == INJECT_FILE]
    assert not inject_issues.empty and (inject_issues["unit"] == unit).all()


def test_unknown_units_kept_as_written(batch):
    returns = csv_table(batch["out"], "returns").set_index("source_file")
    assert returns.loc[EVIL_FILE, "unit"] == EVIL_UNIT
    assert returns.loc[INJECT_FILE, "unit"] == "'" + HYPERLINK


# ---------------------------------------------------------------- nothing lost


def test_two_runs_are_byte_identical(batch, tmp_path):
    again = tmp_path / "again"
    ingest(batch["raw"], again, year=YEAR)
    first, second = output_bytes(batch["out"]), output_bytes(again)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


@pytest.fixture
def good_run(tmp_path):
    raw = tmp_path / "raw" / str(YEAR)
    build_good(raw)
    out = tmp_path / "out"
    ingest(raw, out, year=YEAR, workers=1)
    fx.write_vertical_xlsx(raw / "大洪山统计表.xlsx", dict(events_held=99), stamp="大洪山风景名胜区")
    return raw, out, output_bytes(out)


def _temp_files(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".")]


def test_interrupted_parquet_write_leaves_no_partial_file(good_run, monkeypatch):
    raw, out, before = good_run

    def broken(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError):
        ingest(raw, out, year=YEAR, workers=1)
    assert _temp_files(out) == []
    for name in before:
        if name.endswith(".parquet"):
            assert (out / name).read_bytes() == before[name], name


def test_interrupted_run_keeps_previous_outputs(good_run, monkeypatch):
    """A failure after the CSVs are written leaves the previous complete outputs (as a set) and no temp files."""
    raw, out, before = good_run

    def broken(frame):
        def write(path):
            raise OSError("disk full")

        return write

    monkeypatch.setattr(outputs, "parquet_writer", broken)
    with pytest.raises(OSError):
        ingest(raw, out, year=YEAR, workers=1)
    assert _temp_files(out) == []
    assert output_bytes(out) == before


# ---------------------------------------------------------------- the command line


def test_cli_ingest_exit_0(batch, tmp_path):
    if not (ROOT / "analysis" / "__main__.py").is_file():
        pytest.skip("analysis/__main__.py not there yet")
    out = tmp_path / "cli" / "processed" / str(YEAR)
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(batch["raw"]), "--out", str(out), "--year", str(YEAR)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert maxrss_bytes(resource.RUSAGE_CHILDREN) < 1024**3
    assert snapshot(batch["raw"]) == batch["before"]
    assert not list(tmp_path.rglob("evil*"))
    for path in (p for p in out.rglob("*") if p.is_file()):  # the per-unit feedback files under 反馈/ too
        data = path.read_bytes()
        assert SECRET.encode() not in data, path.name
        if path.suffix == ".csv":
            for cell in csv_table(out, path.stem).to_numpy().ravel():
                assert not (_FORMULA.match(cell) and not _NUMBER.match(cell)), f"{path.name}: {cell!r}"
        if path.suffix == ".xlsx":
            for ws in openpyxl.load_workbook(path).worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        text = cell.value if isinstance(cell.value, str) else ""
                        assert SECRET not in text, f"{path.name}!{cell.coordinate}"
                        assert not (cell.data_type == "f" and "http://x" in text), f"{path.name}!{cell.coordinate}"
    issues = csv_table(out, "issues")
    for name in HOSTILE:
        assert ((issues["source_file"] == name) & issues["severity"].isin(["error", "warning"])).any(), name
