"""The fillable template: generated from the year's form and roster, filled by program, read back exactly."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from analysis import form as form_module
from analysis.cli import main
from analysis.form import FIELD_KEYS, FIELDS, FORM_ID, FORMS_DIR, MONEY_KEYS, UNIT_KEY, form_for
from analysis.intake.ingest import ingest
from analysis.intake.template_form import BY_LABEL, BY_NAME, BY_TAG
from analysis.intake.units import Registry
from analysis.paths import UNITS_CSV
from analysis.template import FORM_SHEET, PLACEHOLDER, ROSTER_SHEET, template_title, write_templates

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ROSTER_2023 = [u.name for u in Registry.load(UNITS_CSV).roster(2023)]
# Hand-picked values: counts 3, 6, 9 …; money 0.25, 1.5, 12.75 … (exact in binary, two decimals at most).
MONEY = {
    "funding_central": 0.25,
    "funding_provincial": 1.5,
    "funding_municipal": 12.75,
    "funding_county": 3.0,
    "funding_enterprise": 0.0,
    "funding_in_kind": 2.5,
    "funding_other": 99.99,
}
COUNTS = {k: 3 * (i + 1) for i, k in enumerate(k for k in FIELD_KEYS if k not in MONEY)}
FILLED = MONEY | COUNTS


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return write_templates(2023, tmp_path_factory.mktemp("template"))


# --- what is generated -------------------------------------------------------------------------------------------
def test_xlsx_layout_protection_names_and_validation(made):
    wb = openpyxl.load_workbook(made.xlsx)
    ws = wb[FORM_SHEET]
    assert ws["A1"].value == "2023年科技活动周开展情况统计表" and ws["A2"].value == "地方/部门（盖章）："
    assert [ws.cell(3, c).value for c in (1, 2, 3)] == ["类别", "项目", "数值"]
    assert [ws.cell(r, 1).value for r in range(25, 28)] == ["填表人：", "联系电话：", "填报日期："]
    assert ws.protection.sheet is True and not ws.protection.password
    assert wb.properties.identifier == FORM_ID and wb.properties.version == "2023"
    names = {name: dn.attr_text for name, dn in wb.defined_names.items()}
    assert set(names) == {*FIELD_KEYS, UNIT_KEY}
    assert names["events_held"] == f"'{FORM_SHEET}'!$C$4" and names["open_universities"] == f"'{FORM_SHEET}'!$C$23"
    for f in FIELDS:
        row = 4 + f.order - 1
        assert ws.cell(row, 3).protection.locked is False
        assert ws.cell(row, 2 if f.category else 1).protection.locked is True
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    central, events = rules["C6"], rules["C4"]
    assert (central.type, central.operator, central.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert (events.type, events.operator, events.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert "单位：万元" in central.prompt and "单位：次" in events.prompt and events.showErrorMessage
    assert "不小于 0 的整数" in events.error
    unit = rules["C2"]
    assert unit.type == "list" and unit.formula1 == f"'{ROSTER_SHEET}'!$A$1:$A${len(ROSTER_2023)}"
    assert wb[ROSTER_SHEET].sheet_state == "veryHidden"
    assert [c.value for c in wb[ROSTER_SHEET]["A"]] == ROSTER_2023


def test_docx_controls_tagged_with_keys_and_a_unit_dropdown(made):
    with zipfile.ZipFile(made.docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
        core = zf.read("docProps/core.xml").decode()
    tags = {sdt.find(f"{_w('sdtPr')}/{_w('tag')}").get(_w("val")): sdt for sdt in root.iter(_w("sdt"))}
    assert set(tags) == {*FIELD_KEYS, UNIT_KEY}
    items = [i.get(_w("value")) for i in tags[UNIT_KEY].iter(_w("listItem"))]
    assert items == ROSTER_2023
    for sdt in tags.values():
        assert "".join(t.text for t in sdt.iter(_w("t"))) == PLACEHOLDER
    assert f"<dc:identifier>{FORM_ID}</dc:identifier>" in core and "<cp:version>2023</cp:version>" in core
    text = "".join(t.text or "" for t in root.iter(_w("t")))
    assert "2023年科技活动周开展情况统计表" in text and "填表人：" in text and "填报日期：" in text


def test_same_bytes_twice(tmp_path, made):
    again = write_templates(2023, tmp_path)
    assert again.xlsx.read_bytes() == made.xlsx.read_bytes() and again.docx.read_bytes() == made.docx.read_bytes()


def test_cli_writes_both_files(tmp_path, capsys):
    assert main(["template", "--year", "2024", "--out", str(tmp_path)]) == 0
    assert (tmp_path / f"{template_title(2024)}.xlsx").is_file() and (
        tmp_path / f"{template_title(2024)}.docx"
    ).is_file()
    assert "已生成2024年统计表模板" in capsys.readouterr().out


def test_cli_refuses_a_broken_roster_in_chinese(tmp_path, capsys):
    (tmp_path / "units.csv").write_text("who,what\n", encoding="utf-8")
    assert main(["template", "--year", "2024", "--out", str(tmp_path), "--units", str(tmp_path / "units.csv")]) == 2
    assert "错误：单位名录" in capsys.readouterr().err


# --- filling by program ------------------------------------------------------------------------------------------
def fill_xlsx(template: Path, target: Path, values: dict[str, object], unit: str, *, drop_name: str = "") -> Path:
    wb = openpyxl.load_workbook(template)
    for name, value in {**values, UNIT_KEY: unit}.items():
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        wb[sheet][ref.replace("$", "")] = value
    if drop_name:
        del wb.defined_names[drop_name]
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def fill_docx(template: Path, target: Path, values: dict[str, object], unit: str, *, unwrap: str = "") -> Path:
    """Type into each control as Word does (placeholder flag off, the text replaced); ``unwrap``: one control
    replaced by its plain content, as when a user deletes the control but keeps the text."""
    with zipfile.ZipFile(template) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    for sdt in list(root.iter(_w("sdt"))):
        props = sdt.find(_w("sdtPr"))
        tag = props.find(_w("tag")).get(_w("val"))
        text = unit if tag == UNIT_KEY else values.get(tag)
        if text is None:
            continue
        props.remove(props.find(_w("showingPlcHdr")))
        sdt.find(f"{_w('sdtContent')}//{_w('t')}").text = str(text)
        if tag == unwrap:
            parent = sdt.getparent()
            for run in sdt.find(_w("sdtContent")):
                parent.insert(parent.index(sdt), run)
            parent.remove(sdt)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return target


def _read(raw: Path, year: int = 2023):
    result = ingest(raw, year=year, workers=1)
    return result, result.values.set_index(["source_file", "field"])


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_filled_template_is_read_exactly_by_name_or_tag(tmp_path, made, fmt):
    raw = tmp_path / "2023"
    if fmt == "xlsx":
        fill_xlsx(made.xlsx, raw / "a" / "统计表.xlsx", FILLED, "随县")
    else:
        fill_docx(made.docx, raw / "a" / "统计表.docx", {k: str(v) for k, v in FILLED.items()}, "随县")
    result, values = _read(raw)
    assert result.returns["unit"].tolist() == ["随县"] and result.returns["unit_kind"].tolist() == ["county"]
    row = result.returns.iloc[0]
    assert {k: (float(row[k]) if k in MONEY_KEYS else int(row[k])) for k in FIELD_KEYS} == FILLED
    source = f"a/统计表.{fmt}"
    way = BY_NAME if fmt == "xlsx" else BY_TAG
    assert all(values.loc[(source, k), "note"] == f"{way}（2023年版模板）" for k in FIELD_KEYS)
    if fmt == "xlsx":
        assert (
            values.loc[(source, "events_held"), "cell"] == "C4"
            and values.loc[(source, "events_held"), "sheet"] == FORM_SHEET
        )
    else:
        assert (
            values.loc[(source, "events_held"), "cell"] == "C2"
            and values.loc[(source, "events_held"), "sheet"] == "表格1"
        )
    assert not result.issues["code"].isin(["value_unparsed", "field_not_found", "unit_unknown"]).any()


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_blank_template_is_a_blank_template(tmp_path, made, fmt):
    raw = tmp_path / "2023"
    raw.mkdir()
    shutil.copy(made.xlsx if fmt == "xlsx" else made.docx, raw / f"随县统计表.{fmt}")
    result, _ = _read(raw)
    assert result.returns.empty
    assert result.issues["code"].tolist() == ["blank_template"]


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_partly_filled_template_leaves_the_rest_blank_not_zero(tmp_path, made, fmt):
    raw = tmp_path / "2023"
    some = {"events_held": 7, "funding_other": 1.25}
    if fmt == "xlsx":
        fill_xlsx(made.xlsx, raw / "随县.xlsx", some, "随县")
    else:
        fill_docx(made.docx, raw / "随县.docx", {k: str(v) for k, v in some.items()}, "随县")
    result, _ = _read(raw)
    row = result.returns.iloc[0]
    assert int(row["events_held"]) == 7 and float(row["funding_other"]) == 1.25
    assert row[[k for k in FIELD_KEYS if k not in some]].isna().all()


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_altered_template_falls_back_to_the_label(tmp_path, made, fmt):
    raw = tmp_path / "2023"
    if fmt == "xlsx":
        fill_xlsx(made.xlsx, raw / "随县.xlsx", FILLED, "随县", drop_name="staff_other")
    else:
        fill_docx(made.docx, raw / "随县.docx", {k: str(v) for k, v in FILLED.items()}, "随县", unwrap="staff_other")
    result, values = _read(raw)
    row = result.returns.iloc[0]
    assert {k: (float(row[k]) if k in MONEY_KEYS else int(row[k])) for k in FIELD_KEYS} == FILLED
    source = f"随县.{fmt}"
    assert values.loc[(source, "staff_other"), "note"].startswith(BY_LABEL)
    assert values.loc[(source, "staff_fulltime"), "note"].startswith(BY_NAME if fmt == "xlsx" else BY_TAG)


def test_plain_returns_are_not_taken_for_templates(tmp_path):
    from tests.fixtures import write_vertical_xlsx

    write_vertical_xlsx(tmp_path / "2023" / "随县.xlsx", FILLED, stamp="随县")
    _, values = _read(tmp_path / "2023")
    assert not values["note"].fillna("").str.contains("模板").any()


# --- a form with one more item -----------------------------------------------------------------------------------
EXTRA = "21,science_lectures,科普活动开展次数,举办科普讲座次数,次,int,科普讲座,科普讲座次数|讲座场次\n"


@pytest.fixture()
def forms_2025(tmp_path, monkeypatch):
    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(FORMS_DIR / "2023.csv", folder / "2023.csv")
    (folder / "2025.csv").write_text((FORMS_DIR / "2023.csv").read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    monkeypatch.setattr(form_module, "FORMS_DIR", folder)
    return folder


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_added_item_is_in_the_template_and_read_back(tmp_path, forms_2025, fmt):
    made = write_templates(2025, tmp_path / "out")
    assert form_for(2025).keys[-1] == "science_lectures"
    values = FILLED | {"science_lectures": 4}
    raw = tmp_path / "2025"
    if fmt == "xlsx":
        assert "science_lectures" in openpyxl.load_workbook(made.xlsx).defined_names
        fill_xlsx(made.xlsx, raw / "随县.xlsx", values, "随县")
    else:
        fill_docx(made.docx, raw / "随县.docx", {k: str(v) for k, v in values.items()}, "随县")
    result, _ = _read(raw, 2025)
    assert list(result.returns.columns)[-1] == "science_lectures"
    assert int(result.returns.iloc[0]["science_lectures"]) == 4
    assert result.meta["form_version"] == "2025"


def test_a_year_of_the_older_form_does_not_ask_the_added_item(tmp_path, forms_2025, made):
    fill_xlsx(made.xlsx, tmp_path / "2024" / "随县.xlsx", FILLED, "随县")
    result, _ = _read(tmp_path / "2024", 2024)
    assert "science_lectures" not in result.returns.columns and result.meta["form_version"] == "2023"
    assert len(result.returns.columns) == 3 + 20


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_filled_templates_saved_again_by_libreoffice_are_still_read_by_name_and_control(tmp_path, made):
    """A unit that opens the template in LibreOffice and saves it: names (xlsx) and control titles (docx, whose
    tags LibreOffice drops) still lead to every value, exactly."""
    filled = tmp_path / "filled"
    fill_xlsx(made.xlsx, filled / "随县.xlsx", FILLED, "随县")
    fill_docx(made.docx, filled / "曾都区.docx", {k: str(v) for k, v in FILLED.items()}, "曾都区")
    raw = tmp_path / "2023"
    for name, target in (("随县.xlsx", "xlsx:Calc MS Excel 2007 XML"), ("曾都区.docx", "docx:MS Word 2007 XML")):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(raw),
                str(filled / name),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    result, values = _read(raw)
    assert sorted(result.returns["unit"]) == ["曾都区", "随县"]
    for row in result.returns.to_dict("records"):
        assert {k: (float(row[k]) if k in MONEY_KEYS else int(row[k])) for k in FIELD_KEYS} == FILLED
    assert (values.loc["随县.xlsx", "note"] == f"{BY_NAME}（2023年版模板）").all()
    assert (values.loc["曾都区.docx", "note"] == f"{BY_TAG}（2023年版模板）").all()
