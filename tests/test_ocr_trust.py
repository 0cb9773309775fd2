"""Issue 22: photos of the printed form read along the table at the angles phones take them, and OCR'd values
open until a person confirms them in the review ledger.  Photos are rendered from the form and turned
(``renders.tilted_photo``); the expected values are the ones written into the form.  CPU-heavy: run alone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fixtures import vertical_form, write_units_csv
from renders import BIG_METADATA_ANGLE, PHOTO_VALUES, photo_set, tilted_photo, write
from test_ledger import fill

from analysis.intake.read_file import process_file
from analysis.intake.readers.ocr import ocr_findings
from analysis.intake.readers.ocr_layout import OcrBox, grid_from_boxes, skew_of
from analysis.intake.records import ParsedCell
from analysis.intake.safety import Limits
from analysis.intake.store import load_processed
from analysis.issues import issues_frame, open_findings
from analysis.pipeline import process_year
from analysis.review.ledger import Decision, LedgerRow, finding_status, new_rows

SLOW = Limits(seconds_per_file=600)
VALUES = PHOTO_VALUES
FORM = vertical_form(VALUES, stamp="曾都区")


def verdicts(outcome) -> dict[str, str]:
    """Per item: exact, flagged (empty or wrong, with a warning/error naming the item) or wrong (with only infos)."""
    got = {p.key: p.value for p in outcome.parsed}
    flagged = {i.field for i in outcome.issues if i.severity in ("warning", "error") and i.field}
    out = {}
    for key, want in VALUES.items():
        if got.get(key) is not None and abs(got[key] - want) < 1e-9:
            out[key] = "exact"
        else:
            out[key] = "flagged" if key in flagged else "wrong"
    return out


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("tilted")
    out = {}
    for name, data in photo_set(FORM).items():
        path = write(folder / f"统计表照片{len(out)}.jpg", data)
        out[name] = verdicts(process_file(path, path.name, 2023, SLOW))
    return out


def test_no_value_is_wrong_with_only_an_info(photos) -> None:
    wrong = {name: [k for k, v in got.items() if v == "wrong"] for name, got in photos.items()}
    assert {name: keys for name, keys in wrong.items() if keys} == {}


def test_most_values_are_exact(photos) -> None:
    exact = sum(v == "exact" for got in photos.values() for v in got.values())
    assert exact >= 0.9 * 20 * len(photos), exact


def test_the_big_metadata_photo_is_a_real_jpeg_with_those_blocks() -> None:
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(tilted_photo(FORM, BIG_METADATA_ANGLE, big_metadata=True)))
    assert image.format == "JPEG" and len(image.info["icc_profile"]) >= 200_000 and len(image.info["exif"]) >= 60_000


# ---------------------------------------------------------------- the pairing, on boxes placed by hand


def line(x: float, y: float, text: str, degrees: float = 0.0, width: float = 300, height: float = 30) -> OcrBox:
    """A box as rapidocr gives it: a polygon along the text line, turned by ``degrees`` about its left end."""
    import math

    a = math.radians(degrees)
    dx, dy = math.cos(a), math.sin(a)
    quad = (
        (x, y),
        (x + width * dx, y + width * dy),
        (x + width * dx - height * dy, y + width * dy + height * dx),
        (x - height * dy, y + height * dx),
    )
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return OcrBox(round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys)), text, 1.0, quad)


def test_skew_is_the_median_angle_of_the_long_lines() -> None:
    boxes = [line(0, 100 * i, "举办活动次数情况", 2.5) for i in range(5)] + [line(900, 0, "12", 0, 40, 30)]
    assert round(skew_of(boxes), 2) == 2.5
    assert skew_of(boxes[:2]) == 0.0  # too few long lines to tell


def test_value_is_paired_along_the_tilted_row() -> None:
    import math

    slope = math.tan(math.radians(3))
    boxes = [
        line(0, 60 * i, label, 3) for i, label in enumerate(("举办活动次数", "承接科技部活动任务个数", "参与媒体数量"))
    ]
    # the values 900 px to the right: 47 px lower than their labels, nearly a row (60 px) in image coordinates
    boxes += [line(900, 60 * i + 900 * slope, text, 0, 40) for i, text in enumerate(("7", "8", "9"))]
    grid = grid_from_boxes("照片", boxes)
    assert [[v for v in row if v] for row in grid.rows] == [
        ["举办活动次数", "7"],
        ["承接科技部活动任务个数", "8"],
        ["参与媒体数量", "9"],
    ]
    assert grid.skew == 3.0


def test_two_candidates_on_one_row_leave_it_empty_with_a_warning() -> None:
    # 7 on the label's line and 1 a third of a row lower (its own line): both within half a row of 举办活动次数
    boxes = [
        line(0, 0, "举办活动次数"),
        line(0, 60, "承接科技部活动任务个数"),
        line(0, 120, "参与媒体数量"),
        line(900, 0, "7", width=40),
        line(905, 20, "1", width=40),
        line(900, 60, "8", width=40),
        line(900, 120, "9", width=40),
    ]
    grid = grid_from_boxes("照片", boxes)
    paired = {row[0]: row[1] for row in grid.rows if row[0]}
    assert paired == {"举办活动次数": None, "承接科技部活动任务个数": "8", "参与媒体数量": "9"}
    address = grid.address(0, 1)
    parsed = (
        ParsedCell("events_held", None, "", "照片", address, ""),
        ParsedCell("most_tasks", 8.0, "8", "照片", grid.address(2, 1), ""),
    )
    found = ocr_findings([grid], parsed, "统计表照片.jpg")
    assert [(i.severity, i.code, i.field) for i in found] == [
        ("warning", "ocr_unpaired", "events_held"),
        ("info", "ocr_value", "most_tasks"),
    ]
    assert "“7”“1”" in found[0].message


def test_an_item_without_a_value_on_its_row_is_a_warning() -> None:
    grid = grid_from_boxes(
        "照片", [line(0, 0, "举办活动次数"), line(0, 60, "承接科技部活动任务个数"), line(900, 60, "8", width=40)]
    )
    parsed = (ParsedCell("events_held", None, "", "照片", grid.address(0, 1), ""),)
    assert [(i.severity, i.code) for i in ocr_findings([grid], parsed, "x.jpg")] == [("warning", "ocr_unpaired")]


def test_confidence_combines_recognition_and_alignment() -> None:
    # the value sits a quarter of a row below its label's line: alignment 1 − (15/30)² = 0.75
    grid = grid_from_boxes(
        "照片",
        [
            line(0, 0, "举办活动次数"),
            line(0, 60, "承接科技部活动任务个数"),
            line(0, 120, "参与媒体数量"),
            line(0, 180, "宣传报道数量"),
            line(900, 15, "7", width=40),
            line(900, 60, "8", width=40),
            line(900, 120, "9", width=40),
            line(900, 180, "10", width=40),
        ],
    )
    box = grid.box(grid.address(0, 1))
    assert (box.text, box.score, box.alignment, box.confidence) == ("7", 1.0, 0.75, 0.75)
    parsed = (ParsedCell("events_held", 7.0, "7", "照片", box.label, ""),)
    found = ocr_findings([grid], parsed, "x.jpg")
    assert [(i.severity, i.code) for i in found] == [("warning", "ocr_low_confidence")]
    assert "置信度 0.75（识别 1.00，与本行对齐 0.75）" in found[0].message


# ---------------------------------------------------------------- open until the ledger confirms the photo

PHOTO = "曾都区/统计表照片.jpg"


def run(raw: Path, ledger: Path):
    out = raw.parent / "processed"
    process_year(raw, out, year=2023, workers=1, units_csv=write_units_csv(raw.parent / "units.csv"), review=ledger)
    return load_processed(out)


def test_a_photo_stays_open_until_one_ledger_row_confirms_it(tmp_path: Path) -> None:
    raw = tmp_path / "2023"
    write(raw / PHOTO, tilted_photo(FORM, 2.6))
    before = run(raw, tmp_path / "review.xlsx")
    unverified = before.issues[before.issues["code"] == "ocr_unverified"]
    assert list(unverified["severity"]) == ["warning"] and list(unverified["status"]) == ["open"]
    assert list(unverified["source_file"]) == [PHOTO] and list(unverified["unit"]) == ["曾都区"]
    assert "ocr_unverified" in set(open_findings(before.issues)["code"])  # the 初稿 mark counts it
    fingerprint = unverified["cell"].iloc[0]
    assert fingerprint.startswith("文件指纹")
    prefilled = [r for r in new_rows(before.issues, before.values, ()) if r.code == "ocr_unverified"]
    assert [(r.unit, r.item, r.source_file, r.cell, r.action) for r in prefilled] == [
        ("曾都区", "", PHOTO, fingerprint, "待核实")
    ]  # `analysis review` writes this row: one edit confirms the photo

    confirm = {
        "单位": "曾都区",
        "问题代码": "ocr_unverified",
        "文件": PHOTO,
        "单元格": fingerprint,
        "处理": "确认无误",
        "依据": "已对照原图核对",
        "核实人": "王磊",
        "核实日期": "2023-06-05",
    }
    fix = {
        "单位": "曾都区",
        "项目": "举办活动次数",
        "问题代码": "ocr_value",
        "文件": PHOTO,
        "原值": 37,
        "处理": "更正",
        "更正值": 38,
        "依据": "原图为38（拍摄反光）",
    }
    after = run(raw, fill(tmp_path / "review.xlsx", [confirm, fix]))
    mine = after.issues[after.issues["source_file"] == PHOTO]
    assert open_findings(mine).empty
    assert list(mine.loc[mine["code"] == "ocr_unverified", "status"]) == ["confirmed"]
    assert float(after.returns.loc[after.returns["unit"] == "曾都区", "events_held"].iloc[0]) == 38
    assert float(after.returns.loc[after.returns["unit"] == "曾都区", "public_offline"].iloc[0]) == 76486

    stale = {**confirm, "单元格": "文件指纹000000000000"}  # a confirmation of another photo of the same name
    again = run(raw, fill(tmp_path / "review.xlsx", [stale]))
    assert list(again.issues.loc[again.issues["code"] == "ocr_unverified", "status"]) == ["open"]


def test_the_file_row_settles_the_low_confidence_warnings_of_that_file_only() -> None:
    issues = issues_frame([])
    rows = [
        ("warning", "ocr_unverified", "a.jpg", "文件指纹1", ""),
        ("warning", "ocr_low_confidence", "a.jpg", "OCR(1,2,3,4)", "events_held"),
        ("warning", "ocr_unpaired", "a.jpg", "OCR(1,9,3,12)", "most_tasks"),
        ("warning", "ocr_low_confidence", "b.jpg", "OCR(1,2,3,4)", "events_held"),
    ]
    issues = pd.DataFrame(
        [
            dict(
                severity=s,
                code=c,
                source_file=f,
                sheet="照片",
                cell=cell,
                field=k,
                unit="曾都区",
                message="",
                status="open",
            )
            for s, c, f, cell, k in rows
        ],
        columns=issues.columns,
    )
    row = LedgerRow(2, "曾都区", "", "ocr_unverified", "a.jpg", "文件指纹1", action="确认无误", basis="已对照原图核对")
    status = finding_status(issues, issues.iloc[0:0], [Decision(row, "", "a.jpg", None, None)])
    assert list(status) == ["confirmed", "confirmed", "open", "open"]  # a value left blank needs its own row
