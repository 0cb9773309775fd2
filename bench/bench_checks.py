"""How the data checks scale with the number of units: the vectorised rules against the per-unit loops they
replaced (the package at commit 2aeaa97, unpacked with ``git archive`` and timed in a process of its own so that
its checks run against its own package), on the same synthetic returns.  Prints, never asserts.

    .venv/bin/python bench/bench_checks.py [--units 500 5000 30000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
ROOT = Path(os.environ.get("BENCH_CHECKS_PACKAGE", REPO))  # the peer's unpacked tree when timing it
sys.path.insert(0, str(ROOT))

from peer import unpack  # noqa: E402

from analysis.form import COUNT_KEYS, FIELD_KEYS, MONEY_KEYS  # noqa: E402
from analysis.intake.units import KINDS  # noqa: E402
from analysis.review import checks  # noqa: E402

BEFORE = "2aeaa97"  # the last commit with the per-unit loops
RULES = (
    "missing_return",
    "field_not_reported",
    "small_field_too_large",
    "money_in_yuan_suspect",
    "ratio_implausible",
    "reports_lt_outlets",
    "most_tasks_gt_events",
    "county_media_reports_lt2",
    "outlier_mad",
    "yoy_jump",
)


def _peer_seconds(sizes: list[int]) -> dict[int, float]:
    """Seconds of the old per-unit loops for each size, timed in a process running the package as it was."""
    tree = unpack(BEFORE, Path(tempfile.mkdtemp()), "analysis")
    env = {**os.environ, "BENCH_CHECKS_PACKAGE": str(tree), "PYTHONPATH": str(tree)}
    cmd = [sys.executable, __file__, "--peer", "--units", *map(str, sizes)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return {int(n): s for n, s in json.loads(done.stdout).items()}


def frames(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """returns, values, roster and last year's returns of ``n`` units (a few of them with planted problems)."""
    rng = np.random.default_rng(seed)
    units = [f"单位{i:05d}" for i in range(n)]
    kinds = rng.choice(np.array(KINDS[:4]), size=n)
    data = {"source_file": [f"{u}/{u}.xlsx" for u in units], "unit": units, "unit_kind": kinds}
    for key in FIELD_KEYS:
        data[key] = np.round(rng.gamma(1.0, 1.0, n), 2) if key in MONEY_KEYS else rng.integers(5, 60, n)
    for key in ("most_tasks", "open_venues", "open_institutes", "open_universities"):
        data[key] = rng.integers(0, 4, n)
    data["events_held"] = rng.integers(10, 50, n)
    data["public_offline"] = data["events_held"] * rng.integers(50, 200, n)
    data["public_online"] = rng.integers(1000, 20000, n)
    data["media_outlets"] = rng.integers(2, 6, n)
    data["media_reports"] = data["media_outlets"] * rng.integers(1, 5, n)
    returns = pd.DataFrame(data)
    planted = returns.sample(frac=0.02, random_state=1).index  # 2 % of the units with a planted problem each
    returns.loc[planted[0::3], "funding_other"] = 50000.0  # 元 typed into a 万元 field
    returns.loc[planted[1::3], "staff_other"] = np.nan  # left blank
    returns.loc[planted[2::3], "open_universities"] = 40  # a county opening 40 universities
    returns = returns.astype(
        {k: "Int64" for k in COUNT_KEYS} | {"source_file": "str", "unit": "str", "unit_kind": "str"}
    )
    long = returns.melt(id_vars=["source_file", "unit"], value_vars=list(FIELD_KEYS), var_name="field")
    values = long.assign(
        value=pd.to_numeric(long["value"]).astype("float64"),
        raw_text=long["value"].astype("str").where(long["value"].notna(), ""),
        sheet="统计表",
        cell="C4",
        status="accepted",
        note="",
    )
    roster = pd.DataFrame({"name": units + ["未报送单位"], "kind": [*kinds, "department"]}, dtype="str")
    previous = returns.copy()
    previous.loc[planted[0::4], "events_held"] = previous.loc[planted[0::4], "events_held"] * 20  # a tenfold drop
    return returns, values, roster, previous


def timed(module, n: int, repeat: int) -> float:
    returns, values, roster, previous = frames(n)
    files = pd.DataFrame(
        {
            "source_file": returns["source_file"],
            "kind": "form",
            "status": "accepted",
            "unit": returns["unit"],
            "sha256": "",
        },
        dtype="str",
    )
    best = float("inf")
    for _ in range(repeat):
        ctx = module.CheckContext(
            year=2023, returns=returns, values=values, files=files, roster=roster, previous=previous
        )
        start = time.perf_counter()
        for name in RULES:
            getattr(module, name)(ctx)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, nargs="+", default=[500, 5000, 30000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before-max", type=int, default=5000, help="largest size timed with the old loops")
    parser.add_argument("--peer", action="store_true", help="time this process's package once per size, as JSON")
    args = parser.parse_args()
    if args.peer:
        print(json.dumps({n: timed(checks, n, 1) for n in args.units}))
        return
    peer = _peer_seconds([n for n in args.units if n <= args.before_max])
    print(f"{'units':>7} {'vectorised s':>13} {'µs/unit':>8} {'loops s':>9} {'µs/unit':>8} {'speed-up':>9}")
    for n in args.units:
        new = timed(checks, n, args.repeat)
        old = peer.get(n, float("nan"))
        print(f"{n:>7} {new:>13.3f} {new / n * 1e6:>8.1f} {old:>9.3f} {old / n * 1e6:>8.1f} {old / new:>8.1f}×")


if __name__ == "__main__":
    main()
