"""Issue 11: Word's hidden structures, read as Word shows them (files built with python-docx, then lxml).

Content controls (cell, inline, whole table; placeholders are blank), Track Changes (insertions count,
deletions never), fields and hyperlinks in cells, a table continued after a page break (续表), and a 盖章 line
in a text box.  Expected numbers are SAMPLE's (hand-written in fixtures.py) unless a test says otherwise.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures import (
    SAMPLE,
    Form,
    file_row,
    ingest_folder,
    issues_of,
    numbers,
    patch_docx_body,
    return_of,
    value_of,
    vertical_form,
    write_docx,
)
from lxml import etree

from analysis.intake.readers.dispatch import read_grids

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
EXPECTED = {k: float(v) for k, v in SAMPLE.items()}
NAME = "随县.docx"
MARK = "@{}@"


def snippet(xml: str) -> etree._Element:
    return etree.fromstring(
        f'<w:root xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships">{xml}</w:root>'
    )[0]


def edited(xml: bytes, edit: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(xml)
    edit(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def paragraph_of(root: etree._Element, text: str) -> etree._Element:
    """The paragraph whose only text is ``text`` (a marker written into a value cell)."""
    found = [p for p in root.iter(f"{{{W}}}p") if "".join(p.itertext()) == text]
    assert len(found) == 1, text
    return found[0]


def word_return(
    tmp_path: Path,
    cells: dict[str, str],
    *,
    name: str = NAME,
    stamp: str | None = "随县",
    edit: Callable[[etree._Element], None] | None = None,
):
    """SAMPLE as a Word form whose value cells ``cells`` (key → paragraph XML) replace the plain ones."""
    values = {k: (MARK.format(k) if k in cells else v) for k, v in SAMPLE.items()}
    path = write_docx(tmp_path / "raw" / name, vertical_form(values, stamp=stamp))

    def change(root: etree._Element) -> None:
        for key, xml in cells.items():
            old = paragraph_of(root, MARK.format(key))
            old.getparent().replace(old, snippet(xml))
        if edit:
            edit(root)

    patch_docx_body(path, lambda xml: edited(xml, change))
    result = ingest_folder(tmp_path / "raw")
    return result, numbers(return_of(result, name))


def run(text: str) -> str:
    return f"<w:r><w:t>{text}</w:t></w:r>"


# ---------------------------------------------------------------- content controls


def test_block_level_content_control_in_a_cell_is_read(tmp_path: Path):
    block = f"<w:sdt><w:sdtPr><w:id w:val='7'/></w:sdtPr><w:sdtContent><w:p>{run('12')}</w:p></w:sdtContent></w:sdt>"
    result, got = word_return(tmp_path, {"events_held": block})
    assert got == EXPECTED
    assert value_of(result, NAME, "events_held")["cell"] == "C1"


def test_inline_content_control_is_read(tmp_path: Path):
    inline = f"<w:p><w:sdt><w:sdtPr/><w:sdtContent>{run('165200')}</w:sdtContent></w:sdt></w:p>"
    _, got = word_return(tmp_path, {"public_online": inline})
    assert got == EXPECTED


def test_whole_table_in_a_content_control_is_read(tmp_path: Path):
    def wrap(root: etree._Element) -> None:
        table = root.find(f".//{{{W}}}tbl")
        sdt = snippet("<w:sdt><w:sdtPr/><w:sdtContent/></w:sdt>")
        table.addprevious(sdt)
        sdt.find(f"{{{W}}}sdtContent").append(table)

    _, got = word_return(tmp_path, {}, edit=wrap)
    assert got == EXPECTED


def test_row_and_cell_content_controls_are_read(tmp_path: Path):
    def wrap(root: etree._Element) -> None:
        for label, level in (("举办活动次数", 2), ("宣传报道数量", 1)):  # 2: the whole row; 1: the label's cell
            element = paragraph_of(root, label)
            for _ in range(level):
                element = element.getparent()
            sdt = snippet("<w:sdt><w:sdtPr/><w:sdtContent/></w:sdt>")
            element.addprevious(sdt)
            sdt.find(f"{{{W}}}sdtContent").append(element)

    result, got = word_return(tmp_path, {}, edit=wrap)
    assert got == EXPECTED
    assert value_of(result, NAME, "media_reports")["cell"] == "C17"  # the wrapped cell keeps its column


@pytest.mark.parametrize("flagged", [True, False], ids=["showingPlcHdr", "placeholder-text-only"])
def test_placeholder_of_a_content_control_is_blank(tmp_path: Path, flagged: bool):
    # a template's own prompt, flagged as placeholder; or Word's standard prompt without the flag
    props, prompt = ("<w:showingPlcHdr/>", "在此填写篇数") if flagged else ("", "单击或点击此处输入文字。")
    placeholder = (
        f"<w:p><w:sdt><w:sdtPr>{props}</w:sdtPr><w:sdtContent><w:r><w:rPr><w:rStyle w:val='PlaceholderText'/>"
        f"</w:rPr><w:t>{prompt}</w:t></w:r></w:sdtContent></w:sdt></w:p>"
    )
    result, got = word_return(tmp_path, {"media_reports": placeholder})
    assert got == {**EXPECTED, "media_reports": None}  # not reported, never the placeholder as a value
    assert issues_of(result, NAME, "value_unparsed").empty
    assert value_of(result, NAME, "media_reports")["raw_text"] == ""


# ---------------------------------------------------------------- Track Changes

REVISION = "w:id='{}' w:author='张三' w:date='2023-06-01T09:00:00Z'"


@pytest.mark.parametrize("deleted_tag", ["w:delText", "w:t"])
def test_tracked_insertion_counts_and_deletion_never(tmp_path: Path, deleted_tag: str):
    changed = (
        f"<w:p><w:del {REVISION.format(1)}><w:r><{deleted_tag}>30</{deleted_tag}></w:r></w:del>"
        f"<w:ins {REVISION.format(2)}>{run('40')}</w:ins></w:p>"
    )
    _, got = word_return(tmp_path, {"staff_scientists": changed})
    assert got == EXPECTED  # 40, not 3040 or 30


def test_tracked_deleted_row_is_not_read(tmp_path: Path):
    def delete_a_copy(root: etree._Element) -> None:
        row = paragraph_of(root, "举办活动次数").getparent().getparent()
        copy = etree.fromstring(etree.tostring(row))
        for t in copy.iter(f"{{{W}}}t"):
            if t.text == "12":
                t.text = "99"
        props = copy.find(f"{{{W}}}trPr")
        if props is None:
            props = etree.SubElement(copy, f"{{{W}}}trPr")
            copy.insert(0, props)
        props.append(snippet(f"<w:del {REVISION.format(3)}/>"))
        row.addprevious(copy)  # the deleted 99 row comes first: it would win as the first label

    _, got = word_return(tmp_path, {}, edit=delete_a_copy)
    assert got == EXPECTED


# ---------------------------------------------------------------- fields and hyperlinks


def test_fields_show_their_result_never_their_instruction(tmp_path: Path):
    simple = f"<w:p><w:fldSimple w:instr=' =5+7 '>{run('12')}</w:fldSimple></w:p>"
    complex_field = (
        "<w:p><w:r><w:fldChar w:fldCharType='begin'/></w:r>"
        "<w:r><w:instrText xml:space='preserve'> =10+30 </w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='separate'/></w:r>"
        + run("40")
        + "<w:r><w:fldChar w:fldCharType='end'/></w:r></w:p>"
    )
    result, got = word_return(tmp_path, {"events_held": simple, "staff_scientists": complex_field})
    assert got == EXPECTED
    assert value_of(result, NAME, "staff_scientists")["raw_text"] == "40"


def test_hyperlink_in_a_cell_is_read(tmp_path: Path):
    link = f"<w:p><w:hyperlink r:id='rId99'>{run('25')}</w:hyperlink></w:p>"
    _, got = word_return(tmp_path, {"media_reports": link})
    assert got == EXPECTED


# ---------------------------------------------------------------- a 盖章 line in a text box

TEXT_BOX = """<w:p xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
  xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
  xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml">
 <w:r><mc:AlternateContent>
  <mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>
   <w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor>
  </w:drawing></mc:Choice>
  <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>
  </v:textbox></v:shape></w:pict></mc:Fallback>
 </mc:AlternateContent></w:r></w:p>"""


def with_text_box(text: str) -> Callable[[etree._Element], None]:
    def add(root: etree._Element) -> None:
        root.find(f".//{{{W}}}tbl").addprevious(snippet(TEXT_BOX.format(text=text)))

    return add


def test_stamp_line_in_a_text_box_names_the_unit(tmp_path: Path):
    result, got = word_return(
        tmp_path, {}, name="统计表.docx", stamp=None, edit=with_text_box("地方/部门（盖章）：随县科经局")
    )
    assert got == EXPECTED
    assert file_row(result, "统计表.docx")["unit"] == "随县"
    assert issues_of(result, "统计表.docx", "unit_unknown").empty
    body = [g for g in read_grids(tmp_path / "raw/统计表.docx") if g.sheet == "正文"][0]
    assert body.rows.count(["地方/部门（盖章）：随县科经局"]) == 1  # once: the VML fallback copy is not read again


def test_without_a_stamp_anywhere_the_unit_is_unknown(tmp_path: Path):
    result, _ = word_return(tmp_path, {}, name="统计表.docx", stamp=None, edit=with_text_box("填表说明见附件"))
    assert len(issues_of(result, "统计表.docx", "unit_unknown")) == 1


# ---------------------------------------------------------------- a table continued after a page break

HEADER = ["类别", "项目", "数值"]


def split_form(tmp_path: Path, between: list[str], repeat_header: bool, name: str = NAME):
    """The template as two tables: the first nine items, then the rest after ``between`` (PAGE: a page break)."""
    form = vertical_form(SAMPLE, stamp="随县")
    top = 1 if repeat_header else 0
    first = Form(
        form.head,
        [HEADER, *form.table[:9]],
        tuple((r0 + 1, c0, r1 + 1, c1) for r0, c0, r1, c1 in form.merges if r1 < 9),
    )
    rest = Form(
        [],
        [*([HEADER] if repeat_header else []), *form.table[9:]],
        tuple((r0 - 9 + top, c0, r1 - 9 + top, c1) for r0, c0, r1, c1 in form.merges if r0 >= 9),
    )
    path = write_docx(tmp_path / "raw" / name, first)
    second = etree.fromstring(zipfile.ZipFile(write_docx(tmp_path / "second.docx", rest)).read("word/document.xml"))

    def add_rest(root: etree._Element) -> None:
        anchor = root.find(f".//{{{W}}}tbl")
        table = second.find(f".//{{{W}}}tbl")
        anchor.addnext(table)
        for text in between:
            table.addprevious(
                snippet("<w:p><w:r><w:br w:type='page'/></w:r></w:p>" if text == "PAGE" else f"<w:p>{run(text)}</w:p>")
            )

    patch_docx_body(path, lambda xml: edited(xml, add_rest))
    return ingest_folder(tmp_path / "raw")


@pytest.mark.parametrize(
    "between, repeat_header",
    [(["PAGE", "续表"], True), (["PAGE"], True), (["续表"], False)],
    ids=["page-break-续表-header", "page-break-header", "续表-no-header"],
)
def test_table_continued_after_a_page_break_is_one_form(tmp_path: Path, between: list[str], repeat_header: bool):
    result = split_form(tmp_path, between, repeat_header)
    assert numbers(return_of(result, NAME)) == EXPECTED
    assert issues_of(result, NAME, "field_not_found").empty
    # the second part's rows follow the first part's: header + 9 items, then (header dropped) the 10th item
    assert value_of(result, NAME, "events_held")["cell"] == "C2"
    assert value_of(result, NAME, "staff_fulltime")["cell"] == "C11"
    assert value_of(result, NAME, "open_universities")["cell"] == "C21"


def test_two_tables_with_text_between_are_not_joined(tmp_path: Path):
    result = split_form(tmp_path, ["说明：以下为人员情况"], True)
    assert len(issues_of(result, NAME, "field_not_found")) == 9  # the smaller part is not glued on


@pytest.mark.parametrize("between", [[], ["续表"]], ids=["adjacent", "续表-between"])
def test_a_second_copy_of_the_form_is_not_a_continuation(tmp_path: Path, between: list[str]):
    other = {**SAMPLE, "events_held": 13}
    path = write_docx(
        tmp_path / "raw" / NAME,
        Form([], [HEADER, *vertical_form(SAMPLE).table]),
        extra_tables=[[HEADER, *vertical_form(other).table]],
    )

    def insert(root: etree._Element) -> None:
        second = root.findall(f".//{{{W}}}tbl")[1]
        for text in between:
            second.addprevious(snippet(f"<w:p>{run(text)}</w:p>"))

    patch_docx_body(path, lambda xml: edited(xml, insert))
    result = ingest_folder(tmp_path / "raw")
    assert numbers(return_of(result, NAME))["events_held"] == 12.0  # the first, and said so:
    warned = issues_of(result, NAME, "form_sheet_ambiguous")
    assert list(warned["sheet"]) == ["表格1"] and "“表格1”、“表格2”" in warned["message"].iloc[0]
