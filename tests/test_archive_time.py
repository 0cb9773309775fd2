"""Time in archives: each member has the time of a file sent alone; the archive as a whole has its own limit.

Slow members are made slow by a patched reader in forked workers (``forked_workers``): a member named 慢… takes
0.7 s, one named 卡… 5 s, against ``Limits(seconds_per_file=1)``."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import fixtures as fx
import pytest
from archive_builders import write_zip

from analysis.form import FIELDS
from analysis.intake import read_file
from analysis.intake.safety import Limits

TYPED = {f.key: float(fx.SAMPLE[f.key]) for f in FIELDS}
UNITS = ("曾都区", "随县", "广水市", "随州高新区", "大洪山风景名胜区")


@pytest.fixture
def slow_members(monkeypatch, forked_workers):
    real = read_file.open_grids

    def slow(src, limits, *rest):
        if src.name.startswith("慢"):
            time.sleep(0.7)
        elif src.name.startswith("卡"):
            time.sleep(5)
        return real(src, limits, *rest)

    monkeypatch.setattr(read_file, "open_grids", slow)


def form_bytes(tmp_path: Path, unit: str) -> bytes:
    return fx.write_vertical_xlsx(tmp_path / "forms" / f"{unit}.xlsx", fx.SAMPLE, stamp=unit).read_bytes()


def archive(tmp_path: Path, names: dict[str, str]) -> Path:
    """raw/2023/报送材料.zip with one form per (member name → unit)."""
    return write_zip(
        tmp_path / "raw" / "2023" / "报送材料.zip", {name: form_bytes(tmp_path, unit) for name, unit in names.items()}
    )


def read(tmp_path: Path, limits: Limits):
    return fx.ingest_folder(tmp_path / "raw" / "2023", limits=limits)


def test_each_member_has_its_own_time(tmp_path, slow_members):
    """Three members of 0.7 s each: 2.1 s in all, more than one file's 1 s, and every one is read."""
    archive(tmp_path, {f"慢{i}_{u}统计表.xlsx": u for i, u in enumerate(UNITS[:3])})
    result = read(tmp_path, Limits(seconds_per_file=1))
    assert "file_timeout" not in set(result.issues["code"])
    assert sorted(result.returns["unit"]) == sorted(UNITS[:3])
    for _, row in result.returns.iterrows():
        assert {k: float(row[k]) for k in TYPED} == pytest.approx(TYPED)


def test_a_member_that_runs_out_of_time_costs_only_itself(tmp_path, slow_members):
    archive(tmp_path, {"慢_曾都区统计表.xlsx": "曾都区", "卡_随县统计表.xlsx": "随县", "广水市统计表.xlsx": "广水市"})
    result = read(tmp_path, Limits(seconds_per_file=1))
    timed_out = result.issues[result.issues["code"] == "file_timeout"]
    assert list(timed_out["source_file"]) == ["报送材料.zip/卡_随县统计表.xlsx"]
    assert list(timed_out["severity"]) == ["error"] and "Limits.seconds_per_file" in timed_out["message"].iloc[0]
    assert sorted(result.returns["unit"]) == ["广水市", "曾都区"]


def test_the_archive_as_a_whole_stops_at_its_own_limit(tmp_path, slow_members):
    """Five members of 0.7 s with 2 s for the archive: the first ones are kept, the rest is named in a warning."""
    archive(tmp_path, {f"慢{i}_{u}统计表.xlsx": u for i, u in enumerate(UNITS)})
    result = read(tmp_path, Limits(seconds_per_file=1, seconds_per_archive=2))
    stopped = result.issues[result.issues["code"] == "archive_time_limit"]
    assert list(stopped["severity"]) == ["warning"] and list(stopped["source_file"]) == ["报送材料.zip"]
    assert "Limits.seconds_per_archive" in stopped["message"].iloc[0]
    kept = len(result.returns)
    assert 2 <= kept <= 4 and f"慢{kept}_" in stopped["message"].iloc[0]  # named from the first member not read
    assert "file_timeout" not in set(result.issues["code"])


def test_read_in_this_process_no_alarm_is_set(tmp_path, monkeypatch):
    """Outside a worker (a notebook reading one archive) nothing arms an alarm that could go off later."""
    path = archive(tmp_path, {"曾都区统计表.xlsx": "曾都区", "随县统计表.xlsx": "随县"})
    outcome = read_file.process_file(path, path.name, 2023, Limits(seconds_per_file=1))
    assert len(outcome.members) == 2 and all(m.parsed for m in outcome.members)
    assert signal.alarm(0) == 0
