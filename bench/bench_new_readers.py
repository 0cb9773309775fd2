"""Speed of the new readers (issue 15): ms per file for a text-layer PDF, an OCR'd photo and image-only PDF,
an ordinary photo (the cheap first pass only), and a zip member.

Files are made with the tests' builders (``tests/renders.py``, ``tests/archive_builders.py``) and read through
``analysis.intake.read_file.process_file`` in this process (no worker pool: the reader's own cost), each the best
of ``--repeat`` runs after one warm-up (the OCR models load on first use).  It also says how many of the 20 values
came back exactly.  It prints, it never asserts.  Run: ``make bench`` or ``.venv/bin/python bench/bench_new_readers.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import archive_builders  # noqa: E402
import fixtures  # noqa: E402
import renders  # noqa: E402

from analysis.intake.read_file import process_file  # noqa: E402
from analysis.intake.safety import Limits  # noqa: E402

LIMITS = Limits(seconds_per_file=600)
ZIP_MEMBERS = 50


def _exact(outcome, expected: dict[str, float]) -> int:
    got = {p.key: p.value for p in outcome.parsed}
    return sum(1 for k, v in expected.items() if got.get(k) is not None and abs(got[k] - v) < 1e-9)


def _best_ms(path: Path, repeat: int):
    process_file(path, path.name, 2023, LIMITS)  # warm-up: imports, OCR models
    best, outcome = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = process_file(path, path.name, 2023, LIMITS)
        best = min(best, (time.perf_counter() - start) * 1000)
    return best, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    form = fixtures.vertical_form(fixtures.SAMPLE, stamp="随县")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        xlsx = fixtures.write_xlsx(folder / "staging.xlsx", form).read_bytes()
        cases = {
            "文字版 PDF": renders.write(folder / "统计表.pdf", renders.form_pdf(form)),
            "统计表照片（OCR）": renders.write(folder / "统计表照片.png", renders.form_png(form)),
            "扫描版 PDF（OCR）": renders.write(folder / "扫描件.pdf", renders.image_pdf(renders.form_png(form))),
            "活动照片（只做初筛）": renders.write(folder / "活动照片.jpg", renders.photo_png()),
            f"zip 成员（{ZIP_MEMBERS} 个 .xlsx，按每个成员计）": archive_builders.write_zip(
                folder / "材料.zip", {f"单位{i}/统计表.xlsx": xlsx for i in range(ZIP_MEMBERS)}, gbk=True
            ),
        }
        print(f"新读取器耗时（本进程，{args.repeat} 次取最快，首次加载不计）：")
        for label, path in cases.items():
            ms, outcome = _best_ms(path, args.repeat)
            per = ms / ZIP_MEMBERS if path.suffix == ".zip" else ms
            first = outcome.members[0] if outcome.members else outcome
            exact = f"，20 项中读对 {_exact(first, fixtures.SAMPLE)} 项" if first.parsed else ""
            print(f"  {label}: {per:,.1f} ms/个{exact}")


if __name__ == "__main__":
    main()
