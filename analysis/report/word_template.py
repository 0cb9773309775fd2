"""The Word template of the report, ``data/reference/report_template.docx``, and the code that made it.

The shipped template is what the report is rendered from (:mod:`analysis.report.word_report`); the bureau may
restyle it in Word or WPS (fonts, sizes, spacing, margins, footer) as long as the Jinja tags stay, each within one
run.  :func:`build_template` writes the project's own version: the habits of GB/T 9704 — A4, margins 37/35/28/26
mm, title 二号 方正小标宋简体 (falling back to 黑体), headings 三号 黑体, body 三号 仿宋_GB2312 (falling back to 仿宋)
at a fixed 28 pt line, page numbers "— 1 —" in 四号 宋体.  Fallbacks are declared in the font table
(``w:altName``); fonts are named, never embedded.  ``python -m analysis.report.word_template`` rewrites the file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from lxml import etree

from analysis.outputs import save_document, write_atomic
from analysis.paths import REFERENCE

TEMPLATE_DOCX = REFERENCE / "report_template.docx"

PAGE_MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # GB/T 9704
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TEXT_WIDTH_MM = PAGE_WIDTH_MM - PAGE_MARGINS_MM["left"] - PAGE_MARGINS_MM["right"]
LINE_PITCH = Pt(28)  # fixed line spacing of the body (22 lines a page)
LATIN_FONT = "Times New Roman"

# Style names the renderer relies on (the template may restyle them, not rename them).
STYLE_TITLE, STYLE_HEADING, STYLE_BODY = "Title", "Heading 1", "Normal"
STYLE_CAPTION, STYLE_FIGURE, STYLE_TABLE = "Caption", "图片", "表格文字"
STYLE_MARK, STYLE_NOTE = "标注", "说明"

# Top-level tags of the template: the renderer provides exactly these.
TAGS: tuple[str, ...] = ("title", "demo_mark", "draft_mark", "sections", "sources", "appendix")


@dataclass(frozen=True)
class FontChoice:
    """An East Asian font and the font Word/WPS use where it is not installed."""

    name: str
    fallback: str


TITLE_FONT = FontChoice("方正小标宋简体", "黑体")
HEADING_FONT = FontChoice("黑体", "SimHei")
BODY_FONT = FontChoice("仿宋_GB2312", "仿宋")
PAGE_NUMBER_FONT = FontChoice("宋体", "SimSun")
FALLBACK_FACES = (FontChoice("仿宋", "FangSong"),)


@dataclass(frozen=True)
class StyleSpec:
    """What one paragraph style of the template looks like."""

    name: str
    font: FontChoice
    size: float
    align: WD_ALIGN_PARAGRAPH | None = None
    indent_chars: float = 0  # first-line indent in characters of the style's size
    fixed_line: bool = True
    before: float = 0
    after: float = 0
    color: RGBColor | None = None


STYLES: tuple[StyleSpec, ...] = (
    StyleSpec(STYLE_BODY, BODY_FONT, 16, WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2),
    StyleSpec(STYLE_TITLE, TITLE_FONT, 22, WD_ALIGN_PARAGRAPH.CENTER, fixed_line=False, before=0, after=28),
    StyleSpec(STYLE_HEADING, HEADING_FONT, 16, WD_ALIGN_PARAGRAPH.LEFT, indent_chars=2),
    StyleSpec(STYLE_CAPTION, HEADING_FONT, 14, WD_ALIGN_PARAGRAPH.CENTER, fixed_line=False, before=3, after=6),
    StyleSpec(STYLE_FIGURE, BODY_FONT, 16, WD_ALIGN_PARAGRAPH.CENTER, fixed_line=False, before=6),
    StyleSpec(STYLE_TABLE, BODY_FONT, 10.5, WD_ALIGN_PARAGRAPH.CENTER, fixed_line=False),
    StyleSpec(
        STYLE_MARK,
        HEADING_FONT,
        16,
        WD_ALIGN_PARAGRAPH.CENTER,
        fixed_line=False,
        after=12,
        color=RGBColor(0xC0, 0x00, 0x00),
    ),
    StyleSpec(STYLE_NOTE, BODY_FONT, 14, WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2, before=12),
)


def set_run_fonts(rpr: etree._Element, font: FontChoice) -> None:
    """Name ``font`` for East Asian text and Times New Roman for Latin on an ``w:rPr``; drop theme fonts,
    which would win over named ones in Word."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), font.name)
    fonts.set(qn("w:cs"), LATIN_FONT)


def _style(doc: DocxDocument, spec: StyleSpec) -> ParagraphStyle:
    names = {s.name for s in doc.styles}
    style = doc.styles[spec.name] if spec.name in names else doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    if spec.name != STYLE_BODY:
        style.base_style = doc.styles[STYLE_BODY]
    style.quick_style = True
    font = style.font
    font.size = Pt(spec.size)
    font.bold = False
    font.italic = False
    font.color.rgb = spec.color or RGBColor(0, 0, 0)
    set_run_fonts(style.element.get_or_add_rPr(), spec.font)
    fmt = style.paragraph_format
    fmt.alignment = spec.align
    fmt.first_line_indent = Pt(spec.size * spec.indent_chars)
    fmt.space_before, fmt.space_after = Pt(spec.before), Pt(spec.after)
    if spec.fixed_line:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    return style


def _defaults(doc: DocxDocument) -> None:
    """Document defaults: the body font instead of the theme fonts."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    set_run_fonts(rpr, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(doc: DocxDocument) -> None:
    """Declare each named Chinese font with its fallback (``w:altName``) and the GB2312 character set."""
    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    for font in (TITLE_FONT, HEADING_FONT, BODY_FONT, PAGE_NUMBER_FONT, *FALLBACK_FACES):
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == font.name:
                root.remove(old)
        root.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{font.name}"><w:altName w:val="{font.fallback}"/>'
                '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
            )
        )
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(PAGE_MARGINS_MM["top"]), Mm(PAGE_MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(PAGE_MARGINS_MM["left"]), Mm(PAGE_MARGINS_MM["right"])
    section.footer_distance = Mm(28)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rpr = (
        f'<w:rPr><w:rFonts w:ascii="{PAGE_NUMBER_FONT.name}" w:hAnsi="{PAGE_NUMBER_FONT.name}" '
        f'w:eastAsia="{PAGE_NUMBER_FONT.name}"/><w:sz w:val="28"/></w:rPr>'
    )
    for xml in (
        f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve">— </w:t></w:r>',
        f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE \\* Arabic "><w:r>{rpr}<w:t>1</w:t></w:r></w:fldSimple>',
        f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve"> —</w:t></w:r>',
    ):
        footer._p.append(parse_xml(xml))


def _tag(doc: DocxDocument, text: str, style: str = STYLE_BODY) -> Paragraph:
    """One paragraph holding one tag in one run, its East Asian font set on the run."""
    paragraph = doc.add_paragraph(style=style)
    run = paragraph.add_run(text)
    spec = next(s for s in STYLES if s.name == style)
    set_run_fonts(run._element.get_or_add_rPr(), spec.font)
    return paragraph


def _blocks(doc: DocxDocument, owner: str) -> None:
    """The loop over a section's blocks: text, table (caption above), figure (caption below)."""
    _tag(doc, f"{{%p for b in {owner}.blocks %}}")
    _tag(doc, "{%p if b.text %}")
    _tag(doc, "{{ b.text }}")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if b.table %}")
    _tag(doc, "{{r b.table_caption }}", STYLE_CAPTION)
    _tag(doc, "{{p b.table }}")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if b.image %}")
    _tag(doc, "{{ b.image }}", STYLE_FIGURE)
    _tag(doc, "{{r b.caption }}", STYLE_CAPTION)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")


def template_document() -> DocxDocument:
    """The project's template as a python-docx document."""
    doc = Document()
    doc.core_properties.title = "科技活动周统计分析报告模板"
    doc.core_properties.author = "analysis"
    for body in list(doc.element.body):
        if body.tag != qn("w:sectPr"):
            doc.element.body.remove(body)
    _defaults(doc)
    for spec in STYLES:
        _style(doc, spec)
    title = doc.styles[STYLE_TITLE].element
    for extra in (*title.findall(f"{qn('w:pPr')}/{qn('w:pBdr')}"), *title.findall(f"{qn('w:rPr')}/{qn('w:spacing')}")):
        extra.getparent().remove(extra)  # python-docx's Title has a rule below and letter spacing
    doc.styles[STYLE_HEADING].paragraph_format.keep_with_next = True
    doc.styles[STYLE_CAPTION].paragraph_format.keep_with_next = False
    doc.styles[STYLE_FIGURE].paragraph_format.keep_with_next = True
    _font_table(doc)
    _page(doc)
    _tag(doc, "{{ title }}", STYLE_TITLE)
    for mark in ("demo_mark", "draft_mark"):
        _tag(doc, f"{{%p if {mark} %}}")
        _tag(doc, f"{{{{ {mark} }}}}", STYLE_MARK)
        _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for s in sections %}")
    _tag(doc, "{{ s.heading }}", STYLE_HEADING)
    _blocks(doc, "s")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{{ sources }}", STYLE_NOTE)
    _tag(doc, "{%p if appendix %}")
    heading = _tag(doc, "{{ appendix.heading }}", STYLE_HEADING)
    heading.paragraph_format.page_break_before = True
    _blocks(doc, "appendix")
    _tag(doc, "{%p endif %}")
    return doc


def build_template(target: Path = TEMPLATE_DOCX) -> Path:
    """Write the project's template (reproducible bytes) to ``target``."""
    doc = template_document()
    return write_atomic(Path(target), lambda p: save_document(doc, p))


if __name__ == "__main__":
    print(build_template(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_DOCX))
