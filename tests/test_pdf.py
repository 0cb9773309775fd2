"""PDFs with a text layer (Word/WPS "export as PDF"): the form read with page and table-cell provenance; the
stamped PDF twin of a Word/Excel return is that return's 盖章件, with a warning per differing number."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import (
    SAMPLE,
    Form,
    file_row,
    ingest_folder,
    issues_of,
    numbers,
    return_of,
    value_of,
    vertical_form,
    with_values,
    write_pdf,
    write_xlsx,
)
from renders import form_pdf, write

from analysis.form import FIELD_KEYS

# 2 of 20 numbers differ; one item left blank in the stamped copy is not a differing number
TWIN_CHANGED = with_values(SAMPLE, events_held=13, public_online=165300, staff_other=None)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory):
    raw = tmp_path_factory.mktemp("pdfs") / "2023"
    write(raw / "随县/随县统计表.pdf", form_pdf(vertical_form(SAMPLE, stamp="随县")))  # a PDF-only return
    write_xlsx(raw / "广水市/广水市统计表.xlsx", vertical_form(SAMPLE, stamp="广水市"))
    write(raw / "广水市/广水市统计表（盖章）.pdf", form_pdf(vertical_form(TWIN_CHANGED, stamp="广水市")))
    write_xlsx(raw / "曾都区/统计表.xlsx", vertical_form(SAMPLE, stamp="曾都区"))
    write(raw / "曾都区/盖章件.pdf", form_pdf(vertical_form(SAMPLE, stamp="曾都区")))  # identical twin
    write(raw / "市科协/媒体报道汇编.pdf", _prose_pdf())
    return ingest_folder(raw)


def _prose_pdf() -> bytes:
    """A text PDF with no statistics table (a media report compilation)."""
    return form_pdf(Form(head=[["随州日报：我市科技活动周启动"], ["5月20日，活动周在市科技馆启动。"]], table=[]))


def test_pdf_only_return_is_read_with_page_and_cell(pdfs) -> None:
    row = return_of(pdfs, "随县/随县统计表.pdf")
    assert (row["unit"], numbers(row)) == ("随县", numbers(SAMPLE))
    first = value_of(pdfs, "随县/随县统计表.pdf", "events_held")
    assert (first["sheet"], first["cell"], first["raw_text"]) == ("第1页表格1", "C1", "12")
    last = value_of(pdfs, "随县/随县统计表.pdf", "open_universities")
    assert (last["sheet"], last["cell"]) == ("第1页表格1", "C20")
    assert file_row(pdfs, "随县/随县统计表.pdf")["kind"] == "form"
    assert issues_of(pdfs, "随县/随县统计表.pdf").empty


def test_stamped_twin_is_the_returns_盖章件_not_a_second_return(pdfs) -> None:
    assert list(pdfs.returns.loc[pdfs.returns["unit"] == "广水市", "source_file"]) == ["广水市/广水市统计表.xlsx"]
    twin = file_row(pdfs, "广水市/广水市统计表（盖章）.pdf")
    assert (twin["kind"], twin["status"], twin["unit"]) == ("form", "stamped", "广水市")
    note = issues_of(pdfs, "广水市/广水市统计表（盖章）.pdf", "stamped_copy")
    assert list(note["severity"]) == ["info"] and "广水市/广水市统计表.xlsx" in note["message"].iloc[0]
    values = pdfs.values[pdfs.values["source_file"] == "广水市/广水市统计表（盖章）.pdf"]
    assert set(values["status"]) == {"stamped"} and len(values) == len(FIELD_KEYS)


def test_a_warning_per_differing_field(pdfs) -> None:
    differs = issues_of(pdfs, "广水市/广水市统计表（盖章）.pdf", "stamped_copy_differs")
    assert sorted(differs["field"]) == ["events_held", "public_online"]
    assert set(differs["severity"]) == {"warning"}
    online = differs[differs["field"] == "public_online"].iloc[0]
    assert "165,300" in online["message"] and "165,200" in online["message"] and online["cell"] == "C15"
    assert numbers(return_of(pdfs, "广水市/广水市统计表.xlsx")) == numbers(SAMPLE)  # the electronic numbers count


def test_identical_twin_gives_no_difference(pdfs) -> None:
    assert file_row(pdfs, "曾都区/盖章件.pdf")["status"] == "stamped"
    assert issues_of(pdfs, "曾都区/盖章件.pdf", "stamped_copy_differs").empty


def test_pdf_without_the_form_is_a_document(pdfs) -> None:
    row = file_row(pdfs, "市科协/媒体报道汇编.pdf")
    assert (row["kind"], row["status"], row["unit"]) == ("document", "skipped", "市科协")
    assert issues_of(pdfs, "市科协/媒体报道汇编.pdf").empty


def test_blank_pdf_is_a_document_without_issues(tmp_path: Path) -> None:
    raw = tmp_path / "2023"
    write_pdf(raw / "随县/空白.pdf")
    result = ingest_folder(raw)
    assert (file_row(result, "随县/空白.pdf")["kind"], file_row(result, "随县/空白.pdf")["status"]) == (
        "document",
        "skipped",
    )
    assert result.issues.empty


def test_pdf_named_like_the_form_without_it_is_flagged(tmp_path: Path) -> None:
    raw = tmp_path / "2023"
    write(raw / "随县统计表.pdf", _prose_pdf())
    result = ingest_folder(raw)
    assert list(issues_of(result, "随县统计表.pdf")["code"]) == ["no_form_found"]
    assert file_row(result, "随县统计表.pdf")["kind"] == "document"
