"""Shared fixtures: the bundled demo returns, processed once per test session (per xdist worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import paths

ROOT = Path(__file__).resolve().parent.parent
DEMO_YEARS = (2021, 2022, 2023, 2024)


@pytest.fixture(scope="session")
def demo_raw() -> Path:
    """The committed demo returns (data/demo/raw), read-only."""
    return paths.DEMO.raw


@pytest.fixture(scope="session")
def demo_processed(tmp_path_factory, demo_raw) -> Path:
    """data/processed for demo years 2022 and 2023, made by the year pipeline into a temporary folder, as the
    files say (without the demo ledgers: every finding open; tests of the ledger process their own)."""
    from analysis.pipeline import process_year

    root = tmp_path_factory.mktemp("processed")
    for year in (2022, 2023):
        process_year(demo_raw / str(year), root / str(year), year=year, workers=1, review=root / "no-ledger.xlsx")
    return root


@pytest.fixture
def forked_workers(monkeypatch):
    """Reader workers forked from this process, for a test that patches module state the workers must see (the
    package's workers are new interpreters, which would not)."""
    import multiprocessing

    from analysis.intake import pool

    monkeypatch.setattr(pool, "WORKERS", multiprocessing.get_context("fork"))
