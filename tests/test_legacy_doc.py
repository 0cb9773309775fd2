"""Legacy .doc returns through LibreOffice: side by side in the worker pool, each conversion with a profile of its
own, a failed conversion tried once more, the file's time limit kept, nothing left running."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest
from fixtures import file_row, ingest_folder, issues_of, return_of

from analysis.intake.readers.word import read_legacy_doc
from analysis.intake.safety import Limits, Refused

DOCS = Path(__file__).parent / "data" / "legacy_doc"
sys.path.insert(0, str(DOCS))
from make_docs import RETURNS  # noqa: E402 - its folder put on the path above

HAS_SOFFICE = shutil.which("soffice") is not None


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_eight_doc_returns_in_one_folder_are_all_read_by_parallel_workers(tmp_path: Path):
    raw = tmp_path / "raw"
    shutil.copytree(DOCS, raw, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    result = ingest_folder(raw, workers=2)
    assert result.issues[result.issues["code"].isin(["doc_convert_failed", "doc_legacy"])].empty
    for name, (unit, values) in RETURNS.items():
        row = return_of(result, name)
        assert (row["unit"], {k: float(row[k]) for k in values}) == (unit, {k: float(v) for k, v in values.items()})
        assert file_row(result, name)["status"] == "accepted"
    assert len(result.returns) == 8


def fake_soffice(folder: Path, body: str) -> Path:
    """A ``soffice`` on the PATH that runs ``body`` (sh); it logs each start's arguments to ``starts.log``."""
    folder.mkdir()
    script = folder / "soffice"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{folder}/starts.log"\n{body}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def starts(folder: Path) -> list[str]:
    log = folder / "starts.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def profiles(folder: Path) -> list[str]:
    return [arg for line in starts(folder) for arg in line.split() if arg.startswith("-env:UserInstallation=")]


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_a_failed_conversion_is_tried_once_more_with_a_new_profile(tmp_path: Path, monkeypatch):
    real = Path(shutil.which("soffice")).resolve().with_name("soffice.bin")
    # the first start fails as a second LibreOffice on a shared profile does (status 1); later ones are real
    bin_dir = fake_soffice(
        tmp_path / "bin", f'[ -e "{tmp_path}/failed" ] || {{ touch "{tmp_path}/failed"; exit 1; }}\nexec "{real}" "$@"'
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    name = next(iter(RETURNS))
    grids = read_legacy_doc(DOCS / name, Limits())
    assert any(RETURNS[name][0] in str(cell) for grid in grids for row in grid.rows for cell in row)
    used = profiles(bin_dir)
    assert len(set(used)) == 2  # the failed attempt's profile, then a fresh one (restarted once to set it up)


def test_a_conversion_that_always_fails_is_tried_twice_then_reported(tmp_path: Path, monkeypatch):
    bin_dir = fake_soffice(tmp_path / "bin", "exit 1")
    monkeypatch.setenv("PATH", str(bin_dir))
    doc = tmp_path / "市文旅局统计表.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    with pytest.raises(Refused) as refused:
        read_legacy_doc(doc, Limits())
    assert (refused.value.code, str(refused.value.message)) == (
        "doc_convert_failed",
        "旧版 Word（.doc）文件转换失败（LibreOffice 退出状态 1，已重试一次），请另存为 .docx 后重新报送。",
    )
    assert len(starts(bin_dir)) == 2 and len(set(profiles(bin_dir))) == 2


def test_the_file_time_limit_holds_and_nothing_is_left_running(tmp_path: Path, monkeypatch):
    # LibreOffice hangs, with a child of its own: both are killed when the file's time is up
    bin_dir = fake_soffice(
        tmp_path / "bin", f'sleep 300 &\necho $! > "{tmp_path}/child"\necho $$ > "{tmp_path}/self"\nwait'
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    doc = tmp_path / "随县统计表.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    start = time.monotonic()
    with pytest.raises(Refused) as refused:
        read_legacy_doc(doc, Limits(seconds_per_file=3))
    assert time.monotonic() - start < 6
    assert refused.value.code == "doc_convert_failed" and "超过单个文件的读取时限" in refused.value.message
    assert len(starts(bin_dir)) == 1  # no time left for a second attempt
    pids = [int((tmp_path / name).read_text()) for name in ("self", "child")]
    time.sleep(0.2)
    assert [pid for pid in pids if _running(pid)] == []


def _running(pid: int) -> bool:
    """True while ``pid`` is a live process (a zombie counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_no_libreoffice_asks_for_docx(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Refused) as refused:
        read_legacy_doc(DOCS / next(iter(RETURNS)), Limits())
    assert refused.value.code == "doc_legacy"


def test_issue_rows_of_a_failed_conversion(tmp_path: Path, monkeypatch):
    bin_dir = fake_soffice(tmp_path / "bin", "exit 1")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(DOCS / "随县统计表.doc", raw / "随县统计表.doc")
    result = ingest_folder(raw, workers=1)
    found = issues_of(result, "随县统计表.doc", "doc_convert_failed")
    assert list(found["severity"]) == ["error"] and file_row(result, "随县统计表.doc")["status"] == "error"
