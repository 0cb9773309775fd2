"""The layouts a return comes in, and which writer makes each."""

from __future__ import annotations

from analysis.demo.plans import DemoPlan
from analysis.demo.returns import Return
from analysis.demo.writers.delimited import csv_form
from analysis.demo.writers.ods import ods_form
from analysis.demo.writers.word import docx_form
from analysis.demo.writers.xls import xls_form
from analysis.demo.writers.xlsx import xlsx_form

EXTENSIONS = {
    "docx": ".docx",
    "xlsx": ".xlsx",
    "xlsx_shift": ".xlsx",
    "xlsx_help": ".xlsx",
    "xlsx_hidden": ".xlsx",
    "xls": ".xls",
    "ods": ".ods",
    "csv": ".csv",
}


def write_return(ret: Return, plan: DemoPlan) -> bytes:
    """The bytes of a return in its layout."""
    if ret.layout == "docx":
        return docx_form(ret)
    if ret.layout.startswith("xlsx"):
        return xlsx_form(ret)
    if ret.layout == "xls":
        return xls_form(ret)
    if ret.layout == "ods":
        return ods_form(ret)
    return csv_form(ret, plan.csv_encoding, plan.csv_header_rows)
