"""Photos of the printed form at the angles phones take them (issue 22): ms per photo and how many values came back
exact, flagged (a warning/error naming the item) or wrong with only an info, for this code and for the code
before issue 22 (git revision ``BEFORE``, unpacked with ``git archive`` into a temporary folder).

The photos are ``tests/renders.photo_set``: the form turned by 0°, ±0.6°, ±1.5°, ±2.6°, ±3° and a JPEG with very
large EXIF and ICC blocks.  Each code runs in its own process (``PYTHONPATH`` = its tree) and reads every photo
with ``analysis.intake.read_file.process_file`` after one warm-up read (the OCR models load on first use); ms is
one read per photo.  It prints, it never asserts (the no-wrong property is asserted by tests/test_ocr_trust.py).
Run: ``make bench`` or ``.venv/bin/python bench/bench_ocr_photos.py [--before REV]``.
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

from peer import unpack

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "4c9563a"  # the last commit before photos were read along the table


def child(folder: Path) -> None:
    """Read every photo of ``folder`` with the ``analysis`` package on PYTHONPATH; print one JSON line each."""
    from analysis.intake.read_file import process_file
    from analysis.intake.safety import Limits

    limits = Limits(seconds_per_file=600)
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    photos = sorted(folder.glob("*.jpg"))
    process_file(photos[0], photos[0].name, 2023, limits)  # warm-up: imports, OCR models
    for path in photos:
        start = time.perf_counter()
        outcome = process_file(path, path.name, 2023, limits)
        ms = (time.perf_counter() - start) * 1000
        got = {p.key: p.value for p in outcome.parsed}
        flagged = {i.field for i in outcome.issues if i.severity in ("warning", "error") and i.field}
        counts = {"exact": 0, "flagged": 0, "wrong": 0}
        for key, want in expected.items():
            exact = got.get(key) is not None and abs(got[key] - want) < 1e-9
            counts["exact" if exact else "flagged" if key in flagged else "wrong"] += 1
        print(json.dumps({"photo": path.stem, "ms": ms, **counts}, ensure_ascii=False), flush=True)


def run(tree: Path, folder: Path) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(folder)], env=env, capture_output=True, text=True, check=True
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def report(label: str, rows: list[dict]) -> None:
    total = {k: sum(r[k] for r in rows) for k in ("exact", "flagged", "wrong")}
    values = sum(total.values())
    print(
        f"  {label}：平均 {sum(r['ms'] for r in rows) / len(rows):,.0f} ms/张；{values} 个数值中读对 {total['exact']} 个"
        f"（{total['exact'] / values:.0%}），标记待核 {total['flagged']} 个，读错或漏读而没有警告 {total['wrong']} 个"
    )
    for r in rows:
        print(
            f"    {r['photo']:<10} {r['ms']:>7,.0f} ms  读对 {r['exact']:>2}  标记 {r['flagged']:>2}  错 {r['wrong']:>2}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git revision of the code to compare with")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    sys.path.insert(0, str(ROOT / "tests"))
    import fixtures
    import renders

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        form = fixtures.vertical_form(renders.PHOTO_VALUES, stamp="曾都区")
        for i, (name, data) in enumerate(renders.photo_set(form).items()):
            renders.write(folder / f"{i:02d}_{name.replace('/', '_')}.jpg", data)
        (folder / "expected.json").write_text(json.dumps(renders.PHOTO_VALUES), encoding="utf-8")
        print(
            f"统计表照片（转 0°、±0.6°、±1.5°、±2.6°、±3° 及大 EXIF/ICC 的 JPEG，共 {len(list(folder.glob('*.jpg')))} 张）："
        )
        try:
            before = unpack(args.before, Path(tmp) / "before", "analysis")
        except (OSError, subprocess.CalledProcessError):
            print(f"  改进前（{args.before}）：无法取出该版本（需要 git 仓库），略过")
        else:
            report(f"改进前（{args.before}）", run(before, folder))
        report("现在", run(ROOT, folder))


if __name__ == "__main__":
    main()
