"""The processed folder: write the four tables and meta.json together, read them back, find earlier years."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis import catalog, outputs
from analysis.form import form_for
from analysis.intake.records import IngestResult, typed_returns
from analysis.paths import year_of


def write_result(result: IngestResult, out_dir: Path) -> None:
    """The four tables as CSV (UTF-8 with BOM) and Parquet, plus meta.json, replaced together.

    Everything is written to temporary files first; only when all are complete are they renamed over the
    previous outputs, so a failure leaves the previous run's tables as they were.
    """
    jobs = []
    for name in catalog.TABLES:
        frame = getattr(result, name)
        jobs += [
            (out_dir / catalog.table_csv(name), outputs.csv_writer(frame)),
            (out_dir / catalog.table_parquet(name), outputs.parquet_writer(frame)),
        ]
    meta = json.dumps(result.meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    jobs.append((out_dir / catalog.META_JSON, outputs.text_writer(meta)))
    outputs.replace_together(jobs)


def read_meta(out_dir: Path) -> dict:
    """meta.json of a processed folder ({} when absent)."""
    path = Path(out_dir) / catalog.META_JSON
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def load_processed(out_dir: Path) -> IngestResult:
    """Read a processed year folder back with the right dtypes."""
    out_dir = Path(out_dir)
    frames = {}
    for name in catalog.TABLES:
        parquet = out_dir / catalog.table_parquet(name)
        frames[name] = (
            pd.read_parquet(parquet)
            if parquet.is_file()
            else pd.read_csv(out_dir / catalog.table_csv(name), encoding="utf-8-sig", dtype="str")
        )
    meta = read_meta(out_dir)
    frames["returns"] = typed_returns(frames["returns"], form_for(meta.get("year")))
    return IngestResult(frames["returns"], frames["values"], frames["issues"], frames["files"], meta)


def processed_years(processed_root: Path) -> dict[int, bool]:
    """Processed year folders under ``processed_root``: year → whether it holds demo data."""
    root = Path(processed_root)
    if not root.is_dir():
        return {}
    found = {year_of(p): p for p in root.iterdir() if p.is_dir() and year_of(p) is not None and catalog.is_processed(p)}
    return {year: bool(read_meta(p).get("demo")) for year, p in sorted(found.items())}
