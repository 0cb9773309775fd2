"""Speed of the readers of issue 21: ms per file for LibreOffice's Excel 2003 XML and HTML exports, a GBK web page
named .xls, a single-file web page, tab-separated text named .xls, Word with an embedded .xlsx and with an embedded
Excel 97 object; and for comparison an ordinary .xlsx and .docx (which now also pass the content sniff).

Files come from ``tests/data/formats`` and the tests' builders, are read through
``analysis.intake.read_file.process_file`` in this process (the reader's own cost, no worker pool), each the best of
``--repeat`` runs after one warm-up, with how many of the 20 values came back exactly.  It prints, it never asserts.
Run: ``make bench`` or ``.venv/bin/python bench/bench_web_formats.py``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import fixtures as fx  # noqa: E402
import office_objects as oo  # noqa: E402
import web_builders as wb  # noqa: E402

from analysis.intake.read_file import process_file  # noqa: E402

DATA = ROOT / "tests" / "data" / "formats"


def build(folder: Path) -> dict[str, Path]:
    """One return per format, all holding ``fixtures.SAMPLE``."""
    form = fx.vertical_form(fx.SAMPLE, stamp="随县")
    bare = fx.vertical_form(fx.SAMPLE, stamp=None)
    xlsx = fx.write_xlsx(folder / "plain.xlsx", form)
    xls = fx.write_xls(folder / "bare.xls", bare)
    files = {
        "xlsx (for comparison)": xlsx,
        "docx (for comparison)": fx.write_docx(folder / "plain.docx", form),
        "Excel 2003 XML (LibreOffice)": Path(shutil.copy(DATA / "calc-2003.xml", folder / "a.xml")),
        "HTML (LibreOffice), named .xls": Path(shutil.copy(DATA / "calc.html", folder / "b.xls")),
        "GBK web page named .xls": fx.write_bytes(
            folder / "c.xls", wb.form_html(fx.SAMPLE, stamp="随县", charset="gb2312").encode("gbk")
        ),
        "single-file web page (.mht)": fx.write_bytes(
            folder / "d.mht",
            wb.single_file_page(wb.form_html(fx.SAMPLE, stamp="随县", charset="utf-8"), "utf-8", "quoted-printable"),
        ),
        "tab-separated text named .xls": fx.write_csv(folder / "e.xls", form, encoding="gbk", delimiter="\t"),
        "Word + embedded .xlsx": oo.write_docx_with_objects(
            folder / "f.docx",
            [("Excel.Sheet.12", fx.write_xlsx(folder / "bare.xlsx", bare).read_bytes())],
            stamp="随县",
        ),
        "Word + embedded Excel 97 object": oo.write_docx_with_objects(
            folder / "g.docx", [("Excel.Sheet.8", oo.excel8_object(xls))], stamp="随县"
        ),
    }
    return files


def best_ms(path: Path, repeat: int) -> tuple[float, int]:
    process_file(path, path.name, 2023)  # warm-up: imports
    best, outcome = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = process_file(path, path.name, 2023)
        best = min(best, time.perf_counter() - start)
    got = {p.key: p.value for p in outcome.parsed}
    exact = sum(1 for k, v in fx.SAMPLE.items() if got.get(k) is not None and abs(got[k] - v) < 1e-9)
    return best * 1000, exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'file':<34} {'ms per file':>12} {'values exact':>13}")
        for label, path in build(Path(tmp)).items():
            ms, exact = best_ms(path, args.repeat)
            print(f"{label:<34} {ms:>12.1f} {exact:>10} / 20")


if __name__ == "__main__":
    main()
