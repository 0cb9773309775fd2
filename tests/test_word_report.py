"""The Word report: sections, figures at text width, SEQ-numbered captions, official-document fonts and page,
the shipped template, broken templates, and (where LibreOffice exists) conversion to PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from analysis.paths import DEMO_LABEL
from analysis.report import word_report, word_template
from analysis.report.digest import week_figures
from analysis.report.model import load_week

HEADINGS = (
    "一、总体情况",
    "二、活动开展",
    "三、经费投入",
    "四、人员参与",
    "五、群众参与",
    "六、宣传报道",
    "七、场馆开放",
    "八、各单位情况",
    "九、数据质量与核实",
)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def report_2023(demo_processed, tmp_path_factory) -> Path:
    """The report of demo 2023 (compared with 2022), rendered from the shipped template."""
    out = tmp_path_factory.mktemp("word") / "2023"
    week = load_week(2023, demo_processed / "2023")
    return word_report.write_week_report(week, out)


def _body(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml").decode("utf-8")


def _paragraphs(doc) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in doc.paragraphs]


def _captions(xml: str, label: str) -> list[int]:
    """Cached numbers of the ``SEQ <label>`` fields, in document order."""
    pattern = rf'<w:fldSimple w:instr=" SEQ {label} \\\* ARABIC ">.*?<w:t[^>]*>(\d+)</w:t>.*?</w:fldSimple>'
    return [int(n) for n in re.findall(pattern, xml, flags=re.DOTALL)]


@pytest.mark.xdist_group("word")
def test_report_has_the_nine_sections_in_order_and_the_marks(report_2023):
    assert report_2023.name == "2023年科技活动周统计分析报告.docx"
    paragraphs = _paragraphs(Document(report_2023))
    headings = [text for style, text in paragraphs if style == word_template.STYLE_HEADING]
    assert headings[:9] == list(HEADINGS)
    assert headings[9] == word_report.APPENDIX_HEADING
    assert paragraphs[0] == (word_template.STYLE_TITLE, "2023年随州市科技活动周统计分析报告")
    marks = [text for style, text in paragraphs if style == word_template.STYLE_MARK]
    assert marks == [DEMO_LABEL, "初稿（尚有 6 项待核实）"]  # demo data without its ledger: six warnings open
    assert any(text.startswith("数据来源：") for style, text in paragraphs if style == word_template.STYLE_NOTE)
    body = [text for style, text in paragraphs if style == "Normal" and text]
    assert "与2022年相比，举办活动次数同比增长35.9%" in "".join(body)
    assert not re.search(r"\{\{|\{%|nan|inf%", "".join(t for _, t in paragraphs))


@pytest.mark.xdist_group("word")
def test_every_figure_at_text_width_with_a_numbered_caption(report_2023):
    doc = Document(report_2023)
    shapes = doc.inline_shapes
    assert len(shapes) == 7  # the week's seven figures (with a comparison year)
    assert all(abs(s.width - Mm(word_template.TEXT_WIDTH_MM)) <= Mm(0.1) for s in shapes)
    assert word_template.TEXT_WIDTH_MM == 210 - 28 - 26
    xml = _body(report_2023)
    assert _captions(xml, "图") == list(range(1, 8))
    pictures = [i for i, p in enumerate(doc.paragraphs) if p._p.findall(f".//{W}drawing")]
    for i in pictures:  # each figure is followed by its caption
        assert doc.paragraphs[i + 1].style.name == word_template.STYLE_CAPTION
        assert doc.paragraphs[i + 1]._p.find(f"{W}fldSimple") is not None


@pytest.mark.xdist_group("word")
def test_every_table_has_a_numbered_caption_above_it(report_2023):
    doc = Document(report_2023)
    xml = _body(report_2023)
    assert len(doc.tables) == 4  # main figures, units, problems, appendix of summaries
    assert _captions(xml, "表") == [1, 2, 3, 4]
    body = list(doc.element.body)
    for table in doc.tables:
        before = body[body.index(table._tbl) - 1]
        assert before.tag == f"{W}p" and "SEQ 表" in before.xpath("string(.//@w:instr)")
    units = doc.tables[1]
    assert units.rows[0].cells[0].text == "单位"
    assert units.rows[1].cells[0].text == "曾都区"  # 83 activities, the most
    assert len(units.rows) == 1 + 16
    assert doc.tables[1]._tbl.xpath("./w:tr[1]/w:trPr/w:tblHeader"), "header row repeated on every page"


@pytest.mark.xdist_group("word")
def test_official_fonts_page_and_page_numbers(report_2023):
    doc = Document(report_2023)

    def east_asia(style: str) -> str:
        return doc.styles[style].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    assert east_asia("Title") == "方正小标宋简体"
    assert east_asia("Heading 1") == "黑体"
    assert east_asia("Normal") == "仿宋_GB2312"
    assert doc.styles["Normal"].font.size.pt == 16 and doc.styles["Title"].font.size.pt == 22
    with zipfile.ZipFile(report_2023) as zf:
        fonts = zf.read("word/fontTable.xml").decode("utf-8")
    assert re.search(r'w:name="方正小标宋简体"><w:altName w:val="黑体"/>', fonts)
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>', fonts)
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    assert runs and all(r._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in runs)
    caption_runs = doc.element.body.xpath(".//w:fldSimple/w:r/w:rPr/w:rFonts/@w:eastAsia")
    assert set(caption_runs) == {"黑体"}
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ] == [37, 35, 28, 26]
    assert "PAGE" in section.footer._element.xpath("string(.//w:fldSimple/@w:instr)")


def test_shipped_template_is_the_generated_one(tmp_path):
    built = word_template.build_template(tmp_path / "template.docx")
    assert built.read_bytes() == word_template.TEMPLATE_DOCX.read_bytes(), (
        "data/reference/report_template.docx differs from the generator: run python -m analysis.report.word_template"
    )


def test_template_tags_each_sit_in_one_run():
    doc = Document(word_template.TEMPLATE_DOCX)
    for paragraph in doc.paragraphs:
        if "{" in paragraph.text:
            assert len(paragraph.runs) == 1, paragraph.text


def _broken_template(tmp_path: Path, old: str, new: str | None) -> Path:
    """The project's template with one tag changed (``new``) or its paragraph removed (``new=None``)."""
    doc = word_template.template_document()
    paragraph = next(p for p in doc.paragraphs if p.text == old)
    if new is None:
        paragraph._p.getparent().remove(paragraph._p)
    else:
        paragraph.runs[0].text = new
    path = tmp_path / "broken.docx"
    doc.save(str(path))
    return path


@pytest.mark.parametrize(
    "old, new, named",
    [
        ("{{ title }}", "{{ titel }}", "{{ titel }}"),  # misspelt: not a tag the report knows
        ("{{ sources }}", None, "{{ sources }}"),  # missing: the report would lose its sources note
        ("{{ b.text }}", "{{ b.txet }}", "txet"),  # misspelt attribute inside a loop
        ("{{ title }}", "{{ title }", "{{ title }}"),  # unbalanced braces: the tag is not there any more
        ("{%p if demo_mark %}", "{%p iff demo_mark %}", "标签写法有误"),  # not Jinja
    ],
)
def test_broken_template_gives_a_chinese_error_naming_the_tag(demo_processed, tmp_path, old, new, named):
    template = _broken_template(tmp_path, old, new)
    week = load_week(2023, demo_processed / "2023")
    figures = tmp_path / "figures"
    figures.mkdir()
    with pytest.raises(word_report.TemplateError) as failed:
        word_report.write_week_report(week, tmp_path / "out", figures=[], template=template)
    assert named in str(failed.value)
    assert "模板" in str(failed.value)
    assert not (tmp_path / "out" / "2023年科技活动周统计分析报告.docx").exists()


def test_missing_template_file_is_named(demo_processed, tmp_path):
    week = load_week(2023, demo_processed / "2023")
    with pytest.raises(word_report.TemplateError, match="找不到报告模板"):
        word_report.write_week_report(week, tmp_path, figures=[], template=tmp_path / "nope.docx")


@pytest.mark.xdist_group("word")
def test_year_without_comparison_and_all_findings_settled(demo_processed, tmp_path):
    week = load_week(2022, demo_processed / "2022")
    settled = replace(week, issues=week.issues.assign(status="confirmed"))
    path = word_report.write_week_report(settled, tmp_path)
    doc = Document(path)
    marks = [p.text for p in doc.paragraphs if p.style.name == word_template.STYLE_MARK]
    assert marks == [DEMO_LABEL]  # no 初稿 once every finding is settled
    text = "".join(p.text for p in doc.paragraphs)
    assert "本年无可对比的上年数据，未作同比分析。" in text
    assert len(doc.inline_shapes) == len(week_figures(week)) == 6  # no year-over-year chart
    assert _captions(_body(path), "图") == list(range(1, 7))


def test_every_figure_of_the_week_has_a_place():
    assert set(word_report.FIGURE_SECTIONS.values()) <= {key for key, _ in word_report.SECTION_HEADINGS}
    names = {
        "图01_全市经费投入来源",
        "图02_各单位举办活动次数",
        "图03_各单位线上线下参与人次",
        "图04_各单位经费投入构成",
        "图05_各单位科普工作人员构成",
        "图06_各单位宣传报道数量",
        "图07_主要指标同比变化",
    }
    assert set(word_report.FIGURE_SECTIONS) == names


@pytest.mark.xdist_group("word")
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_report_to_pdf(report_2023, tmp_path):
    copy = tmp_path / "report.docx"
    shutil.copy(report_2023, copy)
    done = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(copy),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    pdf = tmp_path / "report.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000
