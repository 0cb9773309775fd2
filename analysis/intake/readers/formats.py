"""The file extensions each reader takes."""

SPREADSHEET_EXT = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
WORD_EXT = (".docx", ".docm", ".wps")
LEGACY_WORD_EXT = (".doc",)
CSV_EXT = (".csv",)
TABLE_EXT = SPREADSHEET_EXT + WORD_EXT + LEGACY_WORD_EXT + CSV_EXT
PDF_EXT = (".pdf",)
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")  # photos and scans, read by OCR
