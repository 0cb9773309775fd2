"""Readers: one file → cell grids.  No interpretation of what the cells mean.

One module per format: :mod:`~analysis.intake.readers.excel` (.xlsx .xlsm .xls .ods through python-calamine,
cached values of formula cells, never macros; number formats that show another number than the stored one,
from the styles XML), :mod:`~analysis.intake.readers.word` (Word tables straight from ``word/document.xml``
with a hardened lxml parser; legacy .doc through LibreOffice when installed),
:mod:`~analysis.intake.readers.libreoffice` (the one way any reader converts a file with LibreOffice),
:mod:`~analysis.intake.readers.csvfile` (UTF-8 with or without BOM, UTF-16 with BOM, GB18030),
:mod:`~analysis.intake.readers.pdf` (text-layer PDFs), :mod:`~analysis.intake.readers.ocr` (photos and scans),
:mod:`~analysis.intake.readers.html` (HTML tables, also a web system's .xls export), :mod:`~analysis.intake.readers.mht`
(single-file web pages), :mod:`~analysis.intake.readers.spreadsheetml` (Excel 2003 XML),
:mod:`~analysis.intake.readers.embedded` (Excel worksheets embedded in Word), :mod:`~analysis.intake.readers.sniff`
(what a file's bytes are, whatever its extension),
the shared :class:`~analysis.intake.readers.grid.Grid`, :mod:`~analysis.intake.readers.formats` (extensions)
and :mod:`~analysis.intake.readers.dispatch` (which reader opens a file).  Every failure is a :class:`~analysis.intake.safety.Refused` carrying the Chinese message for
the issue row.
"""
