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
* ``word97-excel12.doc``, ``word97-excel8.doc``: a Word file whose numbers are only in an embedded Excel worksheet
  object (``tests/office_objects.py``: the workbook by openpyxl, resp. the Workbook stream of an xlwt .xls in an
  ``Excel.Sheet.8`` compound file) and whose unit is its own 盖章 line, through the "MS Word 97" export.  Turned
  back into .docx by LibreOffice 7.4, the first holds ``oleObject1.xlsx`` (ProgID ``Excel.Sheet.12``), the second
  ``oleObject1.bin`` with ``ProgID=""``.
* ``word97-word-object.doc``: the same with a Word document as its only object (no numbers anywhere).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import fixtures as fx
import office_objects as oo

HERE = Path(__file__).resolve().parent
STAMP = "随县科技和经济信息化局"
OBJECT_STAMPS = {
    "word97-excel12": "随县科技和经济信息化局",
    "word97-excel8": "广水市科经局",
    "word97-word-object": "市科协",
}
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
        sheet = fx.vertical_form(fx.SAMPLE, stamp=None)  # the workbook names no unit: the document does
        objects = {
            "word97-excel12": ("Excel.Sheet.12", fx.write_xlsx(work / "object.xlsx", sheet).read_bytes()),
            "word97-excel8": ("Excel.Sheet.8", oo.excel8_object(fx.write_xls(work / "object.xls", sheet))),
            "word97-word-object": ("Word.Document.12", fx.write_docx(work / "object.docx", sheet).read_bytes()),
        }
        for name, found in objects.items():
            source = oo.write_docx_with_objects(work / f"{name}.docx", [found], stamp=OBJECT_STAMPS[name])
            shutil.copy(soffice(source, "doc:MS Word 97", work, profile), HERE / f"{name}.doc")


if __name__ == "__main__":
    main()
