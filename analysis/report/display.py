"""How the notebooks (and their HTML reports) show tables, figures and links.

One display style for every table, taken from the form's measures: 万元 with two decimals, counts as integers with
thousands separators, shares and changes with one decimal and a % sign, "—" for not reported; text left-aligned,
numbers right-aligned; Chinese problem titles (the code as a tooltip); a column 单位类别 beside every list of units;
tables too wide for a 1366 px screen turned (items as rows) or split by the form's groups.

The pure part (:func:`table_views`, :func:`styled`, :func:`interactive_html`, :func:`links_html`,
:func:`rebase_links`) turns a DataFrame and a :class:`~analysis.form.Form` into what is shown; the ``show_*``
functions put it into the notebook.  Interactive tables are DataTables rendered by itables in offline mode: the
library is embedded once per notebook by :func:`init`, so the exported HTML stays interactive without network.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis.form import NOT_ASKED, Form, form_for
from analysis.issues import CODE_TITLES, code_title
from analysis.paths import DEMO_LABEL
from analysis.report.charts import save_figure

MISSING = "—"
UNIT = "单位"
KIND = "单位类别"
MEASURE = "计量单位"
ITEM_COLUMNS = ("项目", "指标")
CODE = "问题代码"
TITLE = "问题"
OFF_ROSTER = "名录外"
MAX_COLUMNS = 10  # wider tables do not fit a 1366 px screen: turned (few rows) or split by the form's groups
TURN_ROWS = 12
MAX_ROWS = 2000  # longer tables are cut, with a note saying where the full table is
PAGE_ROWS = 25
WRAP_CHARS = 20  # text columns with longer cells may wrap (between words); shorter ones never break
NEVER_WRAP = (UNIT, KIND, "项目", "指标", TITLE, "第一名单位", "类别", MEASURE, "严重程度", "核实状态")
PERCENT = "%"
INDEX = "指数"  # an index on the 0–1 scale (赫芬达尔指数): three decimals
COUNT = "项"  # the measure of counts that are not form items (单位数, 问题数, 名次 …)
COUNT_HEADERS = ("填报单位数", "单位数", "问题数", "更正项数", "合计", "错误", "警告", "提示", "名次", "台账行")
PERCENT_WORDS = ("占比", "增减率", "同比", "份额", "报送率", "占全市")
SIGNED_WORDS = ("增减", "差额", "贡献", "同比", "变化")
_BRACKETED = re.compile(r"[（(]([^（）()]+)[)）]$")
_SNAKE = re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$")


@dataclass(frozen=True)
class TableView:
    """One table as shown: the text of every cell and what each column is."""

    caption: str
    cells: pd.DataFrame  # display text, str
    numeric: tuple[bool, ...]  # per column: right-aligned, sorted as numbers
    wrap: tuple[bool, ...]  # per column: long text that may wrap between words
    tooltips: pd.DataFrame | None = None  # same shape as ``cells``: the problem code behind each 问题, else ''
    kind_column: int | None = None  # position of 单位类别, for the filter
    note: str = ""  # says how many rows a cut table shows and where the full table is
    total_rows: int = 0


@dataclass(frozen=True)
class Number:
    """How the numbers of one column (or one row) are written."""

    decimals: int
    percent: bool = False
    signed: bool = False

    def text(self, value: object) -> str:
        if isinstance(value, str):
            return value
        if value is None or pd.isna(value):
            return MISSING
        sign = "+" if self.signed else ""
        return f"{float(value):{sign},.{self.decimals}f}" + (PERCENT if self.percent else "")


# --- measures ------------------------------------------------------------------------------------------------


def measure_decimals(form: Form) -> dict[str, int]:
    """Decimals per measure: the form's (万元 2, counts 0), the derived figures' (人次/次 …), % 1, other counts 0."""
    from analysis.report.stats import DERIVED

    decimals = {d.measure: d.decimals for d in DERIVED}
    decimals.update({f.measure: 2 if f.is_money else 0 for f in form.fields})
    decimals.update({PERCENT: 1, COUNT: 0, INDEX: 3, "秒": 0})
    return decimals


def _names(form: Form) -> dict[str, str]:
    """Every way a header names a form item or derived figure → its measure."""
    from analysis.report.stats import DERIVED

    names = {d.label: d.measure for d in DERIVED}
    for f in form.fields:
        names.update({f.label: f.measure, f.display: f.measure, f.short: f.measure, f.headed: f.measure})
    return names


def header_measure(header: str, form: Form) -> str | None:
    """The measure a header or an item's name states: ``…（万元）``, a form item, a count, a share; else None."""
    text = str(header).strip()
    decimals = measure_decimals(form)
    bracket = _BRACKETED.search(text)
    if bracket and bracket.group(1) in decimals:
        return bracket.group(1)
    names = _names(form)
    if text in names:
        return names[text]
    if text in COUNT_HEADERS:
        return COUNT
    if text.endswith(INDEX):
        return INDEX
    if any(word in text for word in PERCENT_WORDS):
        return PERCENT
    return None


def _number_style(measure: str, header: str, form: Form) -> Number:
    percent = measure == PERCENT
    signed = any(word in header for word in SIGNED_WORDS)
    return Number(measure_decimals(form)[measure], percent=percent, signed=signed)


def _is_measure_column(values: pd.Series, form: Form) -> bool:
    texts = [v for v in values if isinstance(v, str) and v]
    return bool(texts) and all(v in measure_decimals(form) for v in texts)


def _row_measures(frame: pd.DataFrame, form: Form, default: str | None) -> list[str | None]:
    """Per row, the measure of unlabelled numbers: a 计量单位 column, else the item named in 项目/指标, else the
    table's (its caption's) measure."""
    if MEASURE in frame:
        return [v if isinstance(v, str) and v in measure_decimals(form) else default for v in frame[MEASURE]]
    for column in ITEM_COLUMNS:
        if column in frame:
            return [header_measure(v, form) or default if isinstance(v, str) else default for v in frame[column]]
    return [default] * len(frame)


def _has_numbers(values: pd.Series) -> bool:
    return any(isinstance(v, (int, float)) and not isinstance(v, bool) and not pd.isna(v) for v in values) or (
        pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
    )


def _numeric_text(values: pd.Series) -> bool:
    """Text that is numbers written already (e.g. by ``stats.format_value``): "1,234.50", "+3.0%", "—", 未设此项."""
    texts = [v for v in values if isinstance(v, str)]
    numbers = [v for v in texts if v not in (MISSING, NOT_ASKED, "")]
    return (
        bool(numbers) and len(texts) == len(values) and all(re.fullmatch(r"[+-]?[\d,]+(\.\d+)?%?", v) for v in numbers)
    )


def format_numbers(frame: pd.DataFrame, form: Form, caption: str = "") -> tuple[pd.DataFrame, tuple[bool, ...]]:
    """Every cell as text in the display style; and per column whether it holds numbers.

    A column's numbers follow its header's measure; without one, each row's (:func:`_row_measures`); a column of
    numbers of no known measure is written with one number of decimals throughout (0 when all are whole, else 2).
    """
    default = header_measure(caption, form) if caption else None
    rows = _row_measures(frame, form, default)
    cells, numeric = {}, []
    for name in frame.columns:
        values = frame[name]
        if not _has_numbers(values):
            numeric.append(_numeric_text(values))
            cells[name] = [MISSING if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in values]
            continue
        numeric.append(True)
        measure = header_measure(str(name), form)
        if measure is not None:
            style = _number_style(measure, str(name), form)
            cells[name] = [style.text(v) for v in values]
        elif any(m is not None for m in rows):
            cells[name] = [
                _number_style(m, str(name), form).text(v) if m else _plain(values, str(name)).text(v)
                for v, m in zip(values, rows)
            ]
        else:
            cells[name] = [_plain(values, str(name)).text(v) for v in values]
    out = pd.DataFrame(cells, index=frame.index, columns=frame.columns).astype(object)
    return out.rename(columns=_percent_header), tuple(numeric)


def _plain(values: pd.Series, header: str) -> Number:
    """Numbers of no known measure: 0 decimals when all are whole, else 2; signed when the header is a change."""
    numbers = pd.to_numeric(pd.Series([v for v in values if not isinstance(v, str)], dtype=object), errors="coerce")
    whole = numbers.dropna().map(lambda v: float(v).is_integer()).all()
    return Number(0 if whole else 2, signed=any(word in header for word in SIGNED_WORDS))


def _percent_header(header: object) -> object:
    """``占全市（%）`` → ``占全市``: the values carry the % sign."""
    return re.sub(r"[（(]%[)）]$", "", header) if isinstance(header, str) else header


# --- the shape of a table ------------------------------------------------------------------------------------


def _items(frame: pd.DataFrame, form: Form) -> dict[str, str]:
    """Columns that are items of the form → their key."""
    by_name = {}
    for f in form.fields:
        by_name.update({f.headed: f.key, f.display: f.key, f.label: f.key, f.short: f.key})
    return {c: by_name[c] for c in frame.columns if isinstance(c, str) and c in by_name}


def shapes(frame: pd.DataFrame, form: Form, caption: str) -> list[tuple[str, pd.DataFrame]]:
    """The table, or, when wider than :data:`MAX_COLUMNS` with the form's items as columns: turned so that the
    items are rows (at most :data:`TURN_ROWS` rows, not a list of units), else split into one table per group of
    the form."""
    items = _items(frame, form)
    if len(frame.columns) <= MAX_COLUMNS or len(items) < 2:
        return [(caption, frame)]
    others = [c for c in frame.columns if c not in items]
    if len(frame) <= TURN_ROWS and others and UNIT not in frame:  # a list of units stays one unit per row
        return [(caption, _turned(frame, items, others[0], form))]
    parts = []
    groups = dict.fromkeys(form.by_key[k].category for k in items.values())
    for group in groups:
        columns = [c for c, k in items.items() if form.by_key[k].category == group]
        renamed = {c: f"{form.by_key[items[c]].short}（{form.by_key[items[c]].measure}）" for c in columns}
        parts.append((f"{caption}：{group or '其他项目'}", frame[others + columns].rename(columns=renamed)))
    return parts


def _turned(frame: pd.DataFrame, items: dict[str, str], label: str, form: Form) -> pd.DataFrame:
    fields = [form.by_key[k] for k in items.values()]
    turned = {
        "类别": [f.category or MISSING for f in fields],
        "项目": [f.display for f in fields],
        MEASURE: [f.measure for f in fields],
    }
    for i, name in enumerate(frame[label]):
        turned[str(name)] = [frame[column].iloc[i] for column in items]
    return pd.DataFrame(turned)


def with_kinds(frame: pd.DataFrame, kinds: Mapping[str, str], form: Form) -> pd.DataFrame:
    """A list of units gets a 单位类别 column (from ``kinds``: unit → 县市区 / 市直部门 / 高校 / 科研院所) right after
    单位, for the filter; a 类别 column of unit kinds is renamed 单位类别; a 单位 column of measures 计量单位."""
    from analysis.intake.units import KIND_ZH

    out = frame
    if UNIT in out and _is_measure_column(out[UNIT], form):
        return out.rename(columns={UNIT: MEASURE})
    kind_names = set(KIND_ZH.values())
    if "类别" in out and KIND not in out and set(out["类别"].dropna()) <= kind_names:
        out = out.rename(columns={"类别": KIND})
    if UNIT in out and KIND not in out and kinds:
        units = out[UNIT]
        position = list(out.columns).index(UNIT) + 1
        out = out.copy()
        out.insert(position, KIND, [kinds.get(u, OFF_ROSTER) if isinstance(u, str) and u else "" for u in units])
    return out


def without_codes(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series | None]:
    """Problem codes leave the visible cells: the 问题代码 column goes (its code becomes the 问题 cell's tooltip);
    a code met anywhere else is written as its Chinese title."""
    codes = None
    out = frame
    if CODE in out:
        codes = out[CODE].fillna("").astype(str)
        if TITLE not in out:
            out = out.assign(**{TITLE: codes.map(code_title)})
        out = out.drop(columns=CODE)
    text = [c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype)]
    if text:
        out = out.copy()
        for c in text:
            out[c] = out[c].map(lambda v: CODE_TITLES.get(v, v) if isinstance(v, str) else v)
    return out, codes


def table_views(
    frame: pd.DataFrame,
    caption: str = "",
    *,
    form: Form | None = None,
    kinds: Mapping[str, str] | None = None,
    max_rows: int = MAX_ROWS,
    full: str = "",
) -> list[TableView]:
    """What :func:`show_table` shows for ``frame``: one view, or several when the table is split by groups."""
    form = form or form_for(None)
    frame = frame.reset_index(drop=True)
    frame, codes = without_codes(frame)
    frame = with_kinds(frame, kinds or {}, form)
    views = []
    for title, part in shapes(frame, form, caption):
        total = len(part)
        note = ""
        if total > max_rows:
            part = part.head(max_rows)
            where = f"完整的表见 {full}" if full else "完整的表见处理结果文件夹中的同名数据"
            note = f"表中只列出前 {max_rows:,} 行（共 {total:,} 行），{where}。"
        cells, numeric = format_numbers(part, form, title)
        wrap = tuple(
            bool(not num and str(name) not in NEVER_WRAP and cells[name].map(len).max() > WRAP_CHARS)
            for name, num in zip(cells.columns, numeric)
        )
        tips = None
        if codes is not None and TITLE in cells:
            tips = pd.DataFrame("", index=cells.index, columns=cells.columns)
            tips[TITLE] = codes.reindex(cells.index).fillna("").to_numpy()
        kind = list(cells.columns).index(KIND) if KIND in cells else None
        views.append(TableView(title, cells, numeric, wrap, tips, kind, note, total))
    return views


def visible_codes(view: TableView) -> list[str]:
    """Cells that would show an English problem code (none should)."""
    return [v for v in view.cells.to_numpy().ravel() if isinstance(v, str) and _SNAKE.match(v)]


# --- rendering -----------------------------------------------------------------------------------------------


def styled(frame: pd.DataFrame | TableView):
    """The table as a pandas Styler: no index, every cell in the display style, text HTML-escaped, problem codes
    as tooltips (``title`` attributes), each column classed ``num`` or ``text`` (and ``wrap``)."""
    view = frame if isinstance(frame, TableView) else table_views(frame)[0]
    styler = view.cells.style.hide(axis="index").format(escape="html")
    classes = pd.DataFrame(
        [[("num" if n else "text") + (" wrap" if w else "") for n, w in zip(view.numeric, view.wrap)]]
        * len(view.cells),
        index=view.cells.index,
        columns=view.cells.columns,
    )
    styler = styler.set_td_classes(classes)
    if view.tooltips is not None:
        styler = styler.set_tooltips(view.tooltips, as_title_attribute=True)
    return styler


LANGUAGE = {
    "search": "搜索：",
    "lengthMenu": "每页 _MENU_ 行",
    "info": "第 _START_–_END_ 行，共 _TOTAL_ 行",
    "infoEmpty": "没有数据",
    "infoFiltered": "，从 _MAX_ 行中筛选",
    "zeroRecords": "没有符合条件的行",
    "emptyTable": "（无）",
    "thousands": ",",
    "decimal": ".",
    "paginate": {"first": "首页", "last": "末页", "next": "下一页", "previous": "上一页"},
    "aria": {"orderable": "点击排序", "orderableReverse": "点击倒序排序"},
    "buttons": {"copyTitle": "已复制到剪贴板", "copySuccess": {"_": "已复制 %d 行", "1": "已复制 1 行"}},
    "searchPanes": {
        "title": {"_": "已选 %d 项", "0": "未筛选"},
        "clearMessage": "清除筛选",
        "emptyPanes": "",
        "emptyMessage": "（无单位）",
        "collapseMessage": "收起",
        "showMessage": "展开",
        "loadMessage": "加载中……",
        "count": "{total}",
        "countFiltered": "{shown} / {total}",
        "collapse": {"0": "按单位类别筛选", "_": "按单位类别筛选（已选 %d 项）"},
    },
}
# Numbers are read back from their text for sorting and for the downloads (Excel gets numbers, not text).
NUMBER_RENDER = """function (data, type) {
  if (type === 'display' || type === 'filter') { return data; }
  var text = String(data).replace(/<[^>]*>/g, '').replace(/[,\\s+%]/g, '');
  var value = Number(text);
  if (text === '' || isNaN(value)) { return type === 'export' ? String(data).replace(/<[^>]*>/g, '') : -Infinity; }
  return value;
}"""
CSS = """
table.scitech-table th, table.scitech-table td { white-space: nowrap; }
table.scitech-table td.text, table.scitech-table th.text { text-align: left; }
table.scitech-table td.num, table.scitech-table th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.scitech-table td.wrap { white-space: normal; min-width: 8em; max-width: 24em; }
.dt-container .dt-layout-full:has(.dtsp-panesContainer) { justify-content: flex-start; text-align: left; }
.dt-container .dtsp-panesContainer { max-width: 18em; margin: 0 0 .5em 0 !important; }
.dt-container .dtsp-panesContainer .dtsp-title { display: none; }
.dt-container { font-size: 13px; }
"""


def datatable_options(view: TableView) -> dict:
    """DataTables options (through itables) for one view: Chinese texts, no initial re-ordering, copy / CSV /
    Excel buttons named after the caption, numbers sorted as numbers, a 单位类别 filter where units are listed."""
    from itables import JavascriptFunction

    name = re.sub(r'[\\/:*?"<>|]', "_", view.caption or "表格")
    numeric = [i for i, n in enumerate(view.numeric) if n]
    text = [i for i, n in enumerate(view.numeric) if not n]
    columns = [
        {"targets": text, "className": "text"},
        {"targets": numeric, "className": "num", "type": "num", "render": JavascriptFunction(NUMBER_RENDER)},
    ]
    buttons = [
        {"extend": "copyHtml5", "text": "复制", "exportOptions": {"orthogonal": "export"}},
        {"extend": "csvHtml5", "text": "CSV", "bom": True, "filename": name, "exportOptions": {"orthogonal": "export"}},
        {
            "extend": "excelHtml5",
            "text": "Excel",
            "filename": name,
            "title": view.caption or None,
            "exportOptions": {"orthogonal": "export"},
        },
    ]
    layout = {
        "topStart": {"buttons": buttons},
        "topEnd": "search",
        "bottomStart": "info",
        "bottomEnd": "paging" if len(view.cells) > PAGE_ROWS else None,
    }
    options = {
        "layout": layout,
        "order": [],
        "language": LANGUAGE,
        "paging": len(view.cells) > PAGE_ROWS,
        "pageLength": PAGE_ROWS,
        "lengthMenu": [10, 25, 100, -1],
        "autoWidth": False,
        "classes": "display compact cell-border scitech-table",
        "style": "width:auto;margin:0",
        "warn_on_unexpected_option_type": False,
        "text_in_header_can_be_selected": False,
        "columnDefs": [c for c in columns if c["targets"]],
        "allow_html": True,
        "showIndex": False,
    }
    if view.kind_column is not None:
        layout["top1"] = "searchPanes"
        options["searchPanes"] = {
            "columns": [view.kind_column],
            "layout": "columns-1",
            "initCollapsed": False,
            "collapse": False,
            "controls": False,
            "orderable": False,
            "threshold": 1,
            "viewTotal": True,
            "cascadePanes": False,
            "clear": True,
            "dtOpts": {"select": {"style": "multi"}, "info": False, "scrollY": "8em", "scrollCollapse": True},
        }
        options["columnDefs"].append({"targets": [view.kind_column], "searchPanes": {"show": True}})
    return options


def interactive_html(view: TableView, table_id: str | None = None) -> str:
    """The view as an interactive DataTable (HTML with its script), for a notebook where :func:`init` ran.

    The static copy shown until the script runs (and where scripts do not run) gets an id of its own: with the
    same id as the interactive table, the script would make a second, hidden DataTable under that id, and DataTables
    would then drop the visible table's settings (its sorting would stop working).
    """
    import uuid

    from itables import to_html_datatable

    table_id = table_id or f"T_{uuid.uuid4().hex[:10]}"
    html = to_html_datatable(styled(view), connected=False, table_id=table_id, **datatable_options(view))
    fallback = html.find(f'id="{table_id}_fallback"')
    if fallback < 0:
        return html
    static = re.compile(rf'(<table\b[^>]*\bid="){re.escape(table_id)}"')
    return html[:fallback] + static.sub(rf'\g<1>{table_id}_static"', html[fallback:], count=1)


# --- links ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    text: str
    target: Path


def links_html(links: list[Link], start: Path) -> str:
    """A list of links relative to ``start`` (the folder of the notebook that shows them); files are downloads
    (``download``: JupyterLab and the browser save a .docx/.xlsx instead of trying to show it)."""
    from html import escape

    items = []
    for link in links:
        relative = Path(os.path.relpath(Path(link.target).resolve(), Path(start).resolve())).as_posix()
        items.append(
            f'<li><a href="{_url(relative)}" download>{escape(link.text)}</a>（{escape(Path(link.target).name)}）</li>'
        )
    return f"<ul>{''.join(items)}</ul>"


def _url(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/.-_~")


_HREF = re.compile(r'(href|src)="(?![a-z][a-z0-9+.-]*:|#|/|data:)([^"]+)"', re.IGNORECASE)


def rebase_links(html: str, source_dir: Path, target_dir: Path) -> str:
    """Relative links written for a page in ``source_dir`` rewritten for the same page saved in ``target_dir``."""
    source_dir, target_dir = Path(source_dir).resolve(), Path(target_dir).resolve()
    if source_dir == target_dir:
        return html

    def rebase(match: re.Match) -> str:
        from urllib.parse import quote, unquote

        moved = os.path.relpath(os.path.normpath(source_dir / unquote(match.group(2))), target_dir)
        return f'{match.group(1)}="{quote(Path(moved).as_posix(), safe="/.-_~#?=&")}"'

    return _HREF.sub(rebase, html)


def page_title(nb_cells: list, year: int | None) -> str:
    """The HTML page's title: the notebook's own title (its first Markdown heading) with the year."""
    for cell in nb_cells:
        if cell.get("cell_type") == "markdown":
            for line in str(cell.get("source", "")).splitlines():
                if line.startswith("# "):
                    title = line[2:].strip()
                    return f"{year}年{title}" if year is not None and not title.startswith(str(year)) else title
    return f"{year}年科技活动周" if year is not None else "科技活动周"


# --- in the notebook -----------------------------------------------------------------------------------------


@dataclass
class _Settings:
    form: Form | None = None
    kinds: dict[str, str] = field(default_factory=dict)


_SETTINGS = _Settings()


def unit_kinds(returns: pd.DataFrame | None = None) -> dict[str, str]:
    """Unit → Chinese kind: the roster's (``data/reference/units.csv``), then the year's returns'."""
    from analysis.intake.units import KIND_ZH, Registry
    from analysis.paths import UNITS_CSV

    kinds: dict[str, str] = {}
    try:
        kinds.update({u.name: KIND_ZH.get(u.kind, u.kind) for u in Registry.load(UNITS_CSV).units})
    except (OSError, ValueError):  # a roster that cannot be read only loses the filter's names
        pass
    if returns is not None and {"unit", "unit_kind"} <= set(returns.columns):
        kinds.update(
            {u: KIND_ZH.get(k, k) for u, k in zip(returns["unit"], returns["unit_kind"]) if isinstance(u, str)}
        )
    return kinds


def init(year: int | None = None, returns: pd.DataFrame | None = None) -> None:
    """Once per notebook, before any table: embed the DataTables library (offline: the saved notebook and its HTML
    stay interactive without network), the table style, the year's form and the units' kinds."""
    from IPython.display import HTML, display
    from itables import init_notebook_mode

    init_notebook_mode(all_interactive=False, connected=False)
    display(HTML(f"<style>{CSS}</style>"))
    _SETTINGS.form = form_for(year)
    _SETTINGS.kinds = unit_kinds(returns)


def show_markdown(text: str) -> None:
    """Markdown text as a notebook output."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def demo_banner(demo: bool) -> None:
    """A visible note at the top of a notebook built from synthetic data."""
    if demo:
        show_markdown(f"> **{DEMO_LABEL}**：本报告由程序生成的合成数据制作，仅用于演示，不代表真实统计结果。")


def show_table(frame: pd.DataFrame, caption: str = "", max_rows: int = MAX_ROWS, full: str | Path = "") -> None:
    """A table in the display style, interactive (sort, search, copy / CSV / Excel), with its caption; split or
    turned when too wide; cut after ``max_rows`` rows with a note naming ``full`` (where the whole table is)."""
    from IPython.display import HTML, Markdown, display

    if frame.empty:
        if caption:
            display(Markdown(f"**{caption}**"))
        display(Markdown("（无）"))
        return
    if _SETTINGS.form is None:  # a notebook that did not call init(): the library is needed before the first table
        init()
    views = table_views(
        frame, caption, form=_SETTINGS.form, kinds=_SETTINGS.kinds, max_rows=max_rows, full=_where(full)
    )
    for view in views:
        if view.caption:
            display(Markdown(f"**{view.caption}**"))
        if view.note:
            display(Markdown(f"*{view.note}*"))
        display(HTML(interactive_html(view)))


def _where(full: str | Path) -> str:
    """Where the full table is, as the project folder names it (``data/demo/processed/2024/issues.csv``)."""
    from analysis.paths import ROOT

    path = Path(full)
    if not full or not path.is_absolute():
        return str(full)
    try:
        return path.resolve().relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def show_links(links: dict[str, Path], start: Path | None = None) -> None:
    """Links to files the notebook wrote, relative to its folder (the kernel's working directory; the report runner
    runs each notebook in the folder its executed copy is saved in)."""
    from IPython.display import HTML, display

    present = [Link(text, Path(target)) for text, target in links.items() if Path(target).exists()]
    display(HTML(links_html(present, Path(start) if start else Path.cwd())))


def show_figures(figures: dict[str, Figure], out_dir: Path, width: int = 760) -> list[Path]:
    """Save every figure once (PNG 300 dpi, SVG, PDF) and show the saved PNG (no second rendering), its file name
    as the picture's alternative text (``图01 全市经费投入来源``)."""
    from IPython.display import Image, display

    written: list[Path] = []
    for name, fig in figures.items():
        files = save_figure(fig, Path(out_dir), name)
        written.extend(files)
        png = next(p for p in files if p.suffix == ".png")
        display(Image(filename=str(png), width=width, alt=name.replace("_", " ")))
    return written
