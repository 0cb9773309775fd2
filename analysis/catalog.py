"""Every file and table the package writes or reads back, named once (as Kedro's catalog names every dataset)."""

from __future__ import annotations

QUOTES_CSV = "summaries.csv"
