"""Regenerate the files in this folder with LibreOffice (committed, so that tests without LibreOffice still read
real-tool output).  Run from the repository root:  PYTHONPATH=.:tests python tests/data/formats/make_files.py

* ``calc-2003.xml``: Excel 2003 XML as LibreOffice Calc writes it ("MS Excel 2003 XML" filter) from a workbook
  written by openpyxl: the form on a visible sheet 统计表, last year's numbers on a hidden sheet 2022年.
  LibreOffice 7.4's XSLT export recurses once per column of a full-width sheet and fails, so the workbook goes
  through LibreOffice's own flat ODF first, with the repeat counts of the empty columns and rows past the used
  range cut to one (the cells are not touched), and that is exported.
* ``calc.html``: the same workbook through the "HTML (StarCalc)" export (UTF-8, rowspan/colspan).
* ``word97.wps``: the form as a Word table (python-docx), through LibreOffice's ODF text and its "MS Word 97"
  export: what WPS 文字 writes as .wps is this compound-file Word format.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import fixtures as fx

HERE = Path(__file__).resolve().parent
STAMP = "随县科技和经济信息化局"
LAST_YEAR = {**fx.SAMPLE, "events_held": 99, "public_offline": 11111}  # the hidden sheet: never taken


def soffice(source: Path, target: str, out: Path, profile: Path) -> Path:
    """Convert with a LibreOffice profile of this run's own; the converted file."""
    subprocess.run(
        [
            shutil.which("soffice") or "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    converted = out / f"{source.stem}.{target.split(':')[0]}"
    if not converted.is_file():
        sys.exit(f"LibreOffice did not write {converted.name}")
    return converted


def bounded(fods: str) -> str:
    """Flat ODF with the repeat counts of the empty columns and rows past the used range cut to one."""
    return re.sub(
        r'number-(columns|rows)-repeated="(\d+)"',
        lambda m: m.group(0) if int(m.group(2)) < 1000 else f'number-{m.group(1)}-repeated="1"',
        fods,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work, profile = Path(tmp) / "work", Path(tmp) / "profile"
        work.mkdir()
        book = fx.write_xlsx(
            work / "form.xlsx",
            [
                fx.vertical_form(fx.SAMPLE, stamp=STAMP).sheet("统计表"),
                fx.vertical_form(LAST_YEAR, year=2022, stamp=STAMP).sheet("2022年", hidden=True),
            ],
        )
        flat = soffice(book, "fods", work, profile)
        trimmed = work / "trimmed.fods"
        trimmed.write_text(bounded(flat.read_text(encoding="utf-8")), encoding="utf-8")
        shutil.copy(soffice(trimmed, "xml:MS Excel 2003 XML", work, profile), HERE / "calc-2003.xml")
        shutil.copy(soffice(book, "html:HTML (StarCalc)", work, profile), HERE / "calc.html")
        document = fx.write_docx(work / "word.docx", fx.vertical_form(fx.SAMPLE, stamp=STAMP))
        text = soffice(document, "odt", work, profile)  # docx straight to Word 97 loses python-docx's table
        shutil.copy(soffice(text, "doc:MS Word 97", work, profile), HERE / "word97.wps")


if __name__ == "__main__":
    main()
