"""The file extensions each reader takes."""

SPREADSHEET_EXT = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
WORD_EXT = (".docx", ".docm", ".wps")
LEGACY_WORD_EXT = (".doc",)
CSV_EXT = (".csv",)
WEB_EXT = (".htm", ".html", ".mht", ".mhtml")  # web pages: HTML tables, single-file web pages
XML_EXT = (".xml",)  # Excel 2003 XML (SpreadsheetML)
TEXT_AS_SHEET_EXT = (".xls", ".et")  # names under which a web system's tab/comma-separated export arrives
TABLE_EXT = SPREADSHEET_EXT + WORD_EXT + LEGACY_WORD_EXT + CSV_EXT + WEB_EXT + XML_EXT
PDF_EXT = (".pdf",)
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")  # photos and scans, read by OCR
