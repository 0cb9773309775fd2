"""Word files (python-docx): any :class:`~.grid.Sheet` as a Word table, the notice's statistics table filled in, and
a work summary (工作总结) without the table."""

from __future__ import annotations

import datetime as dt
import functools
import io

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from analysis import form
from analysis.demo.city import THEMES, Values
from analysis.demo.returns import Return, typed_text
from analysis.demo.writers.grid import Sheet, covered
from analysis.demo.writers.vertical import vertical_table
from analysis.intake.units import Unit
from analysis.outputs import normalize_zip

STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


@functools.lru_cache(maxsize=1)
def _word_template() -> bytes:
    """python-docx's blank document slimmed to what a short document needs: quicker to write, smaller files."""
    document = docx.Document()
    for style in list(document.styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.name not in ("Normal Table", "Table Grid"):
            style.delete()
    unused = (STYLES_WITH_EFFECTS, RT.CUSTOM_XML, RT.THUMBNAIL)
    for rels in (document.part.rels, document.part.package.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in unused]:
            rels.pop(rid)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _new_docx() -> docx.document.Document:
    return docx.Document(io.BytesIO(_word_template()))


def _save_docx(document: docx.document.Document, when: dt.datetime, author: str) -> bytes:
    props = document.core_properties
    props.author = props.last_modified_by = author
    props.title = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = when
    buf = io.BytesIO()
    document.save(buf)
    return normalize_zip(buf.getvalue(), when)


def word_table(document: docx.document.Document, sheet: Sheet, style: str | None = None) -> None:
    """Add ``sheet`` to ``document`` as a Word table: values as text, merged ranges merged."""
    table = document.add_table(rows=len(sheet.rows), cols=sheet.width)
    if style is not None:
        table.style = style
    grid = [row.cells for row in table.rows]  # taken before merging: Table.cell() rescans the whole table
    inside = covered(sheet.merges)
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in inside:
                grid[r][c].text = str(value)
    for r0, c0, r1, c1 in sheet.merges:
        grid[r0][c0].merge(grid[r1][c1])


def docx_form(ret: Return) -> bytes:
    """The notice attachment's Word table, filled in: the title and 盖章 line above it, the note under it."""
    document = _new_docx()
    title = document.add_paragraph()
    title.alignment = 1
    title.add_run(form.FORM_TITLE.format(year=ret.year)).bold = True
    document.add_paragraph(form.STAMP_LABEL + ret.stamp)
    word_table(document, vertical_table(ret, {k: typed_text(ret, k) for k in form.FIELD_KEYS}), "Table Grid")
    if ret.note:
        document.add_paragraph(ret.note)
    return _save_docx(document, ret.when, ret.stamp)


def summary_docx(unit: Unit, stamp: str, year: int, values: Values, when: dt.datetime) -> bytes:
    """A work summary (工作总结) in Word, without the statistics table."""
    document = _new_docx()
    title = document.add_paragraph()
    title.alignment = 1
    title.add_run(f"{stamp}{year}年科技活动周工作总结").bold = True
    offline = values["public_offline"] / 10000
    paragraphs = (
        f"根据市科技局、市委宣传部、市科协关于举办{year}年随州市科技活动周的通知要求，我单位围绕“{THEMES[year]}”"
        "主题，精心组织，周密安排，广泛开展了形式多样的群众性科技活动，取得了良好效果。",
        f"一、高度重视，加强领导。成立了科技活动周工作专班，制定活动方案，明确责任分工。活动周期间共组织科普活动"
        f"{int(values['events_held'])}场，线下参与群众约{offline:.1f}万人次。",
        "二、突出特色，注重实效。组织科技工作者和科技志愿者深入社区、农村、学校和企业，开展科普讲座、科技咨询、"
        "科普展览和科学实验展演，并通过微信公众号、短视频平台开展线上科普。",
        "三、加强宣传，营造氛围。积极联系主流媒体和新媒体进行宣传报道，营造了热爱科学、崇尚科学的浓厚氛围。",
        "下一步，我们将认真总结经验，进一步创新活动形式，推动科普工作常态化开展。",
    )
    for text in paragraphs:
        document.add_paragraph(text)
    return _save_docx(document, when, stamp)
