"""Scans and photos of the printed form, read by OCR as a flagged best effort; ordinary photos stay photos."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from fixtures import (
    SAMPLE,
    file_row,
    ingest_folder,
    issues_of,
    numbers,
    return_of,
    value_of,
    vertical_form,
    with_values,
    write_units_csv,
)
from renders import form_png, image_pdf, notice_png, photo_png, value_box, write

from analysis.form import FIELD_KEYS
from analysis.intake.readers import ocr as ocr_reader
from analysis.intake.safety import Limits
from analysis.intake.units import Registry
from analysis.review.checks import CheckContext, missing_return, roster_frame

SCANNED = with_values(SAMPLE, events_held=9, public_offline=2300, media_reports=4)
SLOW = Limits(seconds_per_file=240)  # OCR takes seconds; the test machine is shared
BOX = re.compile(r"^OCR\((\d+),(\d+),(\d+),(\d+)\)$")
PHOTO_FORM = vertical_form(SAMPLE, stamp="曾都区")


def _raw(raw: Path) -> Path:
    write(raw / "曾都区/统计表照片.png", form_png(PHOTO_FORM))
    write(raw / "广水市/盖章扫描件.pdf", image_pdf(form_png(vertical_form(SCANNED, stamp="广水市"))))
    write(raw / "随县/活动照片.jpg", photo_png())
    write(
        raw / "市科协/扫描件.pdf",
        image_pdf(notice_png(["关于报送科技活动周总结的函", "各有关单位：", "现将我单位活动周开展情况报告如下。"])),
    )
    write(raw / "市科协/媒体报道汇编.pdf", image_pdf(notice_png(["随州日报 2023年5月21日", "我市科技活动周启动"])))
    write(
        raw / "扫描件.pdf", image_pdf(notice_png(["地方/部门（盖章）：随县", "统计表另行报送。"]))
    )  # unit from the stamp
    return raw


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("ocr")
    units = write_units_csv(base / "units.csv")
    return ingest_folder(_raw(base / "2023"), limits=SLOW, workers=2, units_csv=units), units


def test_photo_of_the_form_is_read_with_ocr_boxes(scans) -> None:
    result, _ = scans
    name = "曾都区/统计表照片.png"
    row = return_of(result, name)
    assert (row["unit"], numbers(row)) == ("曾都区", numbers(SAMPLE))
    for key in ("events_held", "funding_county", "public_online", "open_universities"):
        cell = value_of(result, name, key)
        assert cell["sheet"] == "照片"
        x0, y0, x1, y1 = map(int, BOX.match(cell["cell"]).groups())
        left, top, right, bottom = value_box(PHOTO_FORM, key)
        assert left < (x0 + x1) / 2 < right and top < (y0 + y1) / 2 < bottom, (key, cell["cell"])  # in its cell


def test_every_ocr_value_has_one_finding_with_its_confidence(scans) -> None:
    result, _ = scans
    found = issues_of(result, "曾都区/统计表照片.png")
    ocr = found[found["code"].isin(["ocr_value", "ocr_low_confidence"])]
    assert sorted(ocr["field"]) == sorted(FIELD_KEYS)
    assert ocr["message"].str.contains(r"置信度 [01]\.\d\d", regex=True).all()
    assert ocr["message"].str.contains("照片OCR(", regex=False).all()  # the photo and the box are named
    assert set(ocr.loc[ocr["code"] == "ocr_value", "severity"]) <= {"info"}


def test_image_only_pdf_is_ocrd_page_by_page(scans) -> None:
    result, _ = scans
    row = return_of(result, "广水市/盖章扫描件.pdf")
    assert (row["unit"], numbers(row)) == ("广水市", numbers(SCANNED))
    assert value_of(result, "广水市/盖章扫描件.pdf", "events_held")["sheet"] == "第1页"


def test_ordinary_photo_stays_a_photo(scans) -> None:
    result, _ = scans
    row = file_row(result, "随县/活动照片.jpg")
    assert (row["kind"], row["status"], row["unit"]) == ("photo", "skipped", "随县")
    assert issues_of(result, "随县/活动照片.jpg").empty


def test_scan_without_a_form_asks_for_the_table_and_the_unit_returned(scans) -> None:
    result, units = scans
    found = issues_of(result, "市科协/扫描件.pdf")
    assert list(found["code"]) == ["scan_no_form"] and list(found["severity"]) == ["warning"]
    assert "电子版" in found["message"].iloc[0]
    assert file_row(result, "市科协/扫描件.pdf")["unit"] == "市科协"
    roster = roster_frame(Registry.load(units).roster(2023))
    ctx = CheckContext(2023, result.returns, result.values, result.files, roster)
    said = {i.unit: i.message for i in missing_return(ctx)}
    assert said["市科协"].startswith("已收到“市科协”")  # returned, not readable — not "did not return"
    assert "曾都区" not in said and "广水市" not in said  # scans read by OCR count as returned


def test_scan_without_a_form_takes_its_unit_from_the_stamp_line(scans) -> None:
    result, _ = scans
    assert file_row(result, "扫描件.pdf")["unit"] == "随县"
    assert list(issues_of(result, "扫描件.pdf")["code"]) == ["scan_no_form"]


def test_scanned_document_that_is_not_the_form_stays_a_document(scans) -> None:
    result, _ = scans
    row = file_row(result, "市科协/媒体报道汇编.pdf")
    assert (row["kind"], row["status"], row["unit"]) == ("document", "skipped", "市科协")
    assert issues_of(result, "市科协/媒体报道汇编.pdf").empty


def test_low_confidence_values_are_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked_workers) -> None:
    monkeypatch.setattr(ocr_reader, "LOW_CONFIDENCE", 1.01)  # every value is then below the threshold
    raw = tmp_path / "2023"
    write(raw / "曾都区/统计表照片.png", form_png(PHOTO_FORM))
    result = ingest_folder(raw, limits=SLOW)  # forked workers: they see the patched threshold
    found = issues_of(result, "曾都区/统计表照片.png")
    low = found[found["code"] == "ocr_low_confidence"]
    assert sorted(low["field"]) == sorted(FIELD_KEYS) and set(low["severity"]) == {"warning"}
    assert low["message"].str.contains("请对照原图").all()
    assert found[found["code"] == "ocr_value"].empty


def test_without_the_ocr_packages_scans_get_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked_workers
) -> None:
    ocr_reader.ocr_engine.cache_clear()
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # "import rapidocr" now raises ImportError
    try:
        raw = tmp_path / "2023"
        write(raw / "广水市/盖章扫描件.pdf", image_pdf(form_png(vertical_form(SCANNED, stamp="广水市"))))
        write(raw / "曾都区/统计表照片.png", form_png(PHOTO_FORM))
        write(raw / "随县/活动照片.jpg", photo_png())
        result = ingest_folder(raw)
    finally:
        ocr_reader.ocr_engine.cache_clear()
    assert result.returns.empty
    for name, kind, unit in (
        ("广水市/盖章扫描件.pdf", "document", "广水市"),
        ("曾都区/统计表照片.png", "photo", "曾都区"),
    ):
        found = issues_of(result, name)
        assert list(found["code"]) == ["ocr_not_installed"] and list(found["severity"]) == ["warning"]
        assert "未安装" in found["message"].iloc[0]
        assert (file_row(result, name)["kind"], file_row(result, name)["unit"]) == (kind, unit)
    assert issues_of(result, "随县/活动照片.jpg").empty


def test_ordinary_photo_is_not_ocrd_fully(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.intake.readers.dispatch import read_grids

    def never(*args, **kwargs):
        raise AssertionError("full OCR ran on an ordinary photo")

    monkeypatch.setattr(ocr_reader, "ocr_grid", never)
    assert read_grids(write(tmp_path / "活动照片.jpg", photo_png()), SLOW) == []  # the cheap pass said: a photo
    small = write(tmp_path / "缩略图.png", form_png(PHOTO_FORM, scale=0.5))  # 545 px wide: under MIN_SIDE
    assert read_grids(small, SLOW) == []


def test_ocr_is_an_optional_extra_installed_by_setup() -> None:
    import tomllib

    root = Path(__file__).resolve().parent.parent
    extra = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    names = [re.split(r"[<>=]", r)[0] for r in extra["ocr"]]
    assert names == ["rapidocr", "onnxruntime"]
    comments = [
        line for line in (root / "environment.yml").read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]
    assert all(any(name in line for line in comments) for name in names)
    assert '".[dev,ocr,demo]"' in (root / "Makefile").read_text(encoding="utf-8")
