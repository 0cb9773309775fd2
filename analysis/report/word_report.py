"""The year's Word report, ``reports/<year>/<year>年科技活动周统计分析报告.docx``, rendered from the bureau's template.

Nine sections of generated prose (:mod:`analysis.report.prose`), the week's figures at text width with captions
图1, 图2 … and tables with 表1 … (Word ``SEQ`` fields whose cached result is the number, so Word renumbers them
after edits), a sources note and an appendix listing the units' own summaries.  The template
(:data:`analysis.report.word_template.TEMPLATE_DOCX`) is rendered with docxtpl; a tag the template lacks or does
not know raises :class:`TemplateError` naming it in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from markupsafe import Markup

from analysis import catalog, chinese
from analysis.form import NOT_ASKED, form_for
from analysis.intake.records import NARRATIVE
from analysis.issues import SEVERITY_ZH, code_title, is_open
from analysis.outputs import save_document, write_atomic
from analysis.paths import DEMO_LABEL
from analysis.report import prose, stats
from analysis.report.digest import unit_overview, week_figures
from analysis.report.model import Comparison, Week
from analysis.report.word_template import (
    STYLE_CAPTION,
    STYLE_TABLE,
    TAGS,
    TEMPLATE_DOCX,
    TEXT_WIDTH_MM,
    FontChoice,
    set_run_fonts,
)

FIGURE_LABEL, TABLE_LABEL = "图", "表"
APPENDIX_HEADING = "附件　各单位工作总结"

# Where each of the week's figures (by its name in digest.week_figures) goes.
FIGURE_SECTIONS: dict[str, str] = {
    "图07_主要指标同比变化": "overview",
    "图02_各单位举办活动次数": "activities",
    "图01_全市经费投入来源": "funding",
    "图04_各单位经费投入构成": "funding",
    "图05_各单位科普工作人员构成": "staff",
    "图03_各单位线上线下参与人次": "public",
    "图06_各单位宣传报道数量": "media",
}


class TemplateError(ValueError):
    """The report template cannot be used; the message (Chinese) names the tag."""


@dataclass(frozen=True)
class Block:
    """One piece of a section: a paragraph, a captioned table or a captioned figure (template attributes)."""

    text: str = ""
    table_caption: Markup | None = None
    table: Markup | None = None
    image: object = None  # docxtpl.InlineImage
    caption: Markup | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Numbering:
    """Running numbers of figures and tables, in document order."""

    figures: int = 0
    tables: int = 0

    def next_figure(self) -> int:
        self.figures += 1
        return self.figures

    def next_table(self) -> int:
        self.tables += 1
        return self.tables


def _style_font(doc: DocxDocument, style: str) -> FontChoice:
    """The East Asian font the template gives ``style`` (so restyling the template restyles generated runs)."""
    for candidate in doc.styles[style], doc.styles["Normal"]:
        rpr = candidate.element.rPr
        fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return FontChoice(fonts.get(qn("w:eastAsia")), "")
    return FontChoice("仿宋", "")


def _run_xml(text: str, font: FontChoice) -> str:
    """One ``w:r`` of ``text`` (escaped) with its East Asian font named."""
    return (
        f'<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="{escape(font.name)}"/>'
        f'</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    )


def caption_xml(label: str, number: int, text: str, font: FontChoice) -> Markup:
    """Runs of a caption "图3　text": the number is a ``SEQ <label> \\* ARABIC`` field with ``number`` cached."""
    field_run = _run_xml(str(number), font).replace("<w:rPr>", "<w:rPr><w:noProof/>", 1)
    return Markup(
        f'{_run_xml(label, font)}<w:fldSimple w:instr=" SEQ {label} \\* ARABIC ">{field_run}</w:fldSimple>'
        f"{_run_xml('　' + text, font)}"
    )


def column_widths(rows: list[list[str]], narrowest: int = 4, widest: int = 24) -> list[Mm]:
    """Column widths filling the text width, in proportion to each column's longest text (clipped)."""
    lengths = [min(max(narrowest, *(len(row[c]) for row in rows)), widest) for c in range(len(rows[0]))]
    return [Mm(TEXT_WIDTH_MM * n / sum(lengths)) for n in lengths]


def table_xml(frame: pd.DataFrame, font: FontChoice, table_style_id: str) -> Markup:
    """A bordered table of ``frame`` (header row repeated on every page), cells in the template's table style."""
    scratch = Document()
    table = scratch.add_table(rows=len(frame) + 1, cols=len(frame.columns))
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        tbl_pr.remove(child)
    w = nsdecls("w")
    for xml in (
        f'<w:tblW {w} w:w="5000" w:type="pct"/>',
        f'<w:jc {w} w:val="center"/>',
        f"<w:tblBorders {w}>{borders}</w:tblBorders>",
        f'<w:tblLayout {w} w:type="fixed"/>',
    ):
        tbl_pr.append(parse_xml(xml))
    rows = [
        list(map(str, frame.columns)),
        *[["" if pd.isna(v) else str(v) for v in row] for row in frame.itertuples(index=False)],
    ]
    widths = column_widths(rows)
    for c, width in enumerate(widths):
        table.columns[c].width = width
    for r, values in enumerate(rows):
        cells = table.rows[r].cells
        for c, text in enumerate(values):
            cells[c].width = widths[c]
            paragraph = cells[c].paragraphs[0]
            paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:pStyle {nsdecls("w")} w:val="{table_style_id}"/>'))
            run = paragraph.add_run(text)
            run.font.bold = r == 0
            set_run_fonts(run._element.get_or_add_rPr(), font)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
    return Markup(table._tbl.xml)


# --- the tables ---------------------------------------------------------------------------------------------


def city_table(week: Week, comparison: Comparison | None) -> pd.DataFrame:
    """表: the items of the year's form with this year's city total and, when compared, the comparison year's (未设此项
    where that year's form did not have the item) and the change."""
    form = form_for(week.year)
    earlier = form_for(comparison.year) if comparison is not None else form
    rows = []
    for key in form.keys:
        row = {"项目": form.by_key[key].headed, f"{week.year}年": stats.format_value(week.totals[key], key)}
        if comparison is not None:
            asked = earlier.asks(key)
            row[f"{comparison.year}年"] = stats.format_value(comparison.totals.get(key), key) if asked else NOT_ASKED
            text = chinese.change(comparison.change_pct.get(key), week.year, comparison.year) if asked else ""
            row["变化"] = text.replace("同比", "").replace(f"较{comparison.year}年", "") or "—"
        rows.append(row)
    return pd.DataFrame(rows)


def units_table(week: Week) -> pd.DataFrame:
    """表: each unit's main figures, by activities held (numbers as text, "—" when not reported)."""
    table = unit_overview(week)
    return (
        table.astype(object)
        .where(table.notna(), "—")
        .map(lambda v: chinese.number(round(v, 1)) if isinstance(v, float) else str(v))
    )


def quality_table(issues: pd.DataFrame) -> pd.DataFrame:
    """表: problems found by kind and severity, with how many are still open."""
    columns = ["问题", "严重程度", "条数", "待核实"]
    serious = issues[issues["severity"].isin(("error", "warning"))]
    if serious.empty:
        return pd.DataFrame(columns=columns)
    opened = is_open(serious)
    grouped = serious.assign(_open=opened).groupby(["code", "severity"], sort=False)
    table = pd.DataFrame(
        [
            {
                "问题": code_title(code),
                "严重程度": SEVERITY_ZH.get(sev, sev),
                "条数": len(g),
                "待核实": int(g["_open"].sum()),
            }
            for (code, sev), g in grouped
        ],
        columns=columns,
    )
    return table.sort_values(["条数", "问题"], ascending=[False, True], kind="stable").reset_index(drop=True)


def narratives_table(files: pd.DataFrame, quotes: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """附表: each unit's summary file, the figures it quotes and whether they agree with the unit's table."""
    columns = ["单位", "总结文件", "总结中提到的数字", "与统计表核对"]
    narratives = files[files["kind"] == NARRATIVE]
    if narratives.empty:
        return pd.DataFrame(columns=columns)
    mismatched = set(issues.loc[issues["code"] == "summary_mismatch", "source_file"])
    rows = []
    for r in narratives.sort_values(["unit", "source_file"], na_position="last").itertuples():
        own = quotes[quotes["source_file"] == r.source_file] if not quotes.empty else quotes
        quoted = "；".join(own["quote"]) if not own.empty else "—"
        verdict = "有出入，见数据问题" if r.source_file in mismatched else ("一致" if not own.empty else "—")
        rows.append(
            {
                "单位": r.unit if isinstance(r.unit, str) and r.unit else "（未识别）",
                "总结文件": Path(r.source_file).name,
                "总结中提到的数字": quoted,
                "与统计表核对": verdict,
            }
        )
    return pd.DataFrame(rows, columns=columns)


# --- the document -------------------------------------------------------------------------------------------


@dataclass
class Builder:
    """Makes blocks against one template: captions numbered in document order, fonts from the template."""

    template: object  # docxtpl.DocxTemplate
    numbering: Numbering = field(default_factory=Numbering)

    def _font(self, style: str) -> FontChoice:
        return _style_font(self.template.docx, style)

    def texts(self, paragraphs: Iterable[str]) -> list[Block]:
        return [Block(text=p) for p in paragraphs if p]

    def table(self, title: str, frame: pd.DataFrame) -> list[Block]:
        if frame.empty:
            return []
        style_id = self.template.docx.styles[STYLE_TABLE].style_id
        caption = caption_xml(TABLE_LABEL, self.numbering.next_table(), title, self._font(STYLE_CAPTION))
        return [Block(table_caption=caption, table=table_xml(frame, self._font(STYLE_TABLE), style_id))]

    def figure(self, title: str, png: Path) -> Block:
        from docxtpl import InlineImage

        caption = caption_xml(FIGURE_LABEL, self.numbering.next_figure(), title, self._font(STYLE_CAPTION))
        return Block(image=InlineImage(self.template, str(png), width=Mm(TEXT_WIDTH_MM)), caption=caption)


SECTION_HEADINGS: tuple[tuple[str, str], ...] = (
    ("overview", "一、总体情况"),
    ("activities", "二、活动开展"),
    ("funding", "三、经费投入"),
    ("staff", "四、人员参与"),
    ("public", "五、群众参与"),
    ("media", "六、宣传报道"),
    ("venues", "七、场馆开放"),
    ("units", "八、各单位情况"),
    ("quality", "九、数据质量与核实"),
)


def _prose(week: Week, comparison: Comparison | None) -> dict[str, list[str]]:
    sections: dict[str, Callable[[Week, Comparison | None], list[str]]] = {
        "overview": prose.overview,
        "activities": prose.activities,
        "funding": prose.funding,
        "staff": prose.staff,
        "public": prose.public,
        "media": prose.media,
        "venues": prose.venues,
        "units": prose.units,
    }
    texts = {key: make(week, comparison) for key, make in sections.items()}
    texts["quality"] = prose.quality(week)
    return texts


def _empty_section(key: str) -> str:
    return "本年各单位均未填报本部分的项目。" if key != "units" else "本年没有单位报送统计表。"


def build_context(template, week: Week, comparison: Comparison | None, figures: dict[str, Path]) -> dict[str, object]:
    """Everything the template's tags need (see :data:`analysis.report.word_template.TAGS`)."""
    builder = Builder(template)
    texts = _prose(week, comparison)
    sections = []
    for key, heading in SECTION_HEADINGS:
        blocks = builder.texts(texts[key]) or [Block(text=_empty_section(key))]
        if key == "overview":
            blocks += builder.table(f"{week.year}年全市科技活动周主要指标", city_table(week, comparison))
        if key == "units":
            blocks += builder.table("各单位主要指标（按举办活动次数排序）", units_table(week))
        if key == "quality":
            blocks += builder.table("数据问题分类统计", quality_table(week.issues))
        for name, png in figures.items():
            if FIGURE_SECTIONS.get(name) == key:
                blocks.append(builder.figure(name.split("_", 1)[-1], png))
        sections.append(Section(heading, blocks))
    appendix_table = narratives_table(week.files, week.quotes, week.issues)
    appendix = None
    if not appendix_table.empty:
        appendix = Section(
            APPENDIX_HEADING,
            builder.texts(
                [
                    "下表列出各单位随统计表报送的工作总结；总结中提到统计表项目的数字时，与该单位统计表中的数值作了核对，"
                    "出入较大的列入数据问题（提示）。"
                ]
            )
            + builder.table("各单位工作总结及其中数字的核对", appendix_table),
        )
    return {
        "title": f"{week.year}年随州市科技活动周统计分析报告",
        "demo_mark": DEMO_LABEL if week.demo else "",
        "draft_mark": week.draft_mark,
        "sections": sections,
        "sources": prose.sources(week, comparison),
        "appendix": appendix,
    }


def check_template(template, context: dict[str, object], path: Path) -> None:
    """Raise :class:`TemplateError` when the template uses a tag the report does not provide, or lacks one."""
    from jinja2 import TemplateSyntaxError

    try:
        unknown = template.get_undeclared_template_variables(context=context)
        used = template.get_undeclared_template_variables()
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"报告模板 {path} 的标签写法有误（第 {exc.lineno} 处附近：{exc.message}）："
            "请检查花括号是否成对、标签是否写在同一段文字中。"
        ) from exc
    if unknown:
        names = "、".join(f"{{{{ {n} }}}}" for n in sorted(unknown))
        raise TemplateError(
            f"报告模板 {path} 中有程序不认识的标签 {names}（可能拼写有误）。可用的标签：{'、'.join(TAGS)}。"
        )
    missing = [t for t in TAGS if t not in used]
    if missing:
        names = "、".join(f"{{{{ {n} }}}}" for n in missing)
        raise TemplateError(f"报告模板 {path} 缺少标签 {names}，报告会缺少相应内容：请参照项目自带的模板补上。")


def render(template_path: Path, context_of: Callable[[object], dict[str, object]]) -> DocxDocument:
    """Load the template, build the context against it, check the tags and render; return the document."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment, StrictUndefined, UndefinedError
    from jinja2 import TemplateError as JinjaError

    template_path = Path(template_path)
    if not template_path.is_file():
        raise TemplateError(f"找不到报告模板 {template_path}：请恢复项目自带的 data/reference/report_template.docx。")
    template = DocxTemplate(str(template_path))
    template.init_docx()
    context = context_of(template)
    check_template(template, context, template_path)
    try:
        template.render(context, jinja_env=Environment(undefined=StrictUndefined, autoescape=True))
    except UndefinedError as exc:
        raise TemplateError(
            f"报告模板 {template_path} 中的标签引用了不存在的内容（{exc.message}），可能拼写有误。"
        ) from exc
    except JinjaError as exc:
        raise TemplateError(f"报告模板 {template_path} 无法填写（{exc}）：请检查标签。") from exc
    return template.docx


def figure_pngs(week: Week, report_dir: Path, written: Iterable[Path] | None = None) -> dict[str, Path]:
    """The week's figures as PNG by name: from ``written`` (what the notebook saved) or saved now."""
    from analysis.report.charts import save_figure

    if written is None:
        written = [
            p
            for name, fig in week_figures(week).items()
            for p in save_figure(fig, Path(report_dir) / catalog.FIGURES_FOLDER, name)
        ]
    return {p.stem: p for p in map(Path, written) if p.suffix == ".png"}


def write_week_report(
    week: Week,
    report_dir: Path,
    *,
    figures: Iterable[Path] | None = None,
    comparison: Comparison | None = None,
    template: Path = TEMPLATE_DOCX,
) -> Path:
    """Render and write ``<report_dir>/<year>年科技活动周统计分析报告.docx``; return its path.

    ``comparison`` defaults to the week's own (:attr:`Week.comparison`: the processed returns of the comparison
    year or, for real data without one, the past city totals 历年上报数).
    """
    comparison = comparison if comparison is not None else week.comparison
    pngs = figure_pngs(week, report_dir, figures)
    doc = render(template, lambda tpl: build_context(tpl, week, comparison, pngs))
    target = Path(report_dir) / catalog.word_report(week.year)
    return write_atomic(target, lambda p: save_document(doc, p))
