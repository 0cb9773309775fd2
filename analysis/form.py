"""The statistics form (开展情况统计表) of the notice's attachment: one source of truth, kept as data.

Each form in use is a CSV under ``analysis/forms/<year>.csv`` (shipped as package data), one file per year in
which the form changed: ``order, key, group, label, measure, dtype, short, synonyms`` (synonyms ``|``-separated).
A year uses the latest file at or before it, years before the first file use the first.  Keys are stable
across years, so years join by key; a key absent from a year's form is "not asked" that year.

:func:`form_for` gives the :class:`Form` of a year.  The module-level names (``FIELDS``, ``FIELD_KEYS``,
``BY_KEY`` …) are those of the current (latest) form; :func:`match_label` knows the labels of every form.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

Dtype = Literal["int", "float"]

FORMS_DIR = Path(__file__).resolve().parent / "forms"
FORM_ID = "scitech-week-return"  # identity written into generated templates, with the form's version
UNIT_KEY = "unit"  # defined name (.xlsx) and content-control tag (.docx) of the unit cell of a generated template
UNIT_ALIAS = "报送单位"  # the unit control's title (.docx); a value control's title is its field's ``headed``
FORM_COLUMNS = ("order", "key", "group", "label", "measure", "dtype", "short", "synonyms")
REQUIRED_COLUMNS = ("order", "key", "group", "label", "measure", "dtype", "synonyms")
MONEY_MEASURE = "万元"


@dataclass(frozen=True)
class Field:
    """One item of the form."""

    order: int
    key: str
    category: str
    label: str
    measure: str
    dtype: Dtype
    synonyms: tuple[str, ...] = ()
    short: str = ""  # compact Chinese name for charts and narrow tables

    @property
    def is_money(self) -> bool:
        return self.measure == MONEY_MEASURE

    @property
    def display(self) -> str:
        """Label without the parenthesised hint, for headers."""
        return re.sub(r"[（(].*?[)）]", "", self.label).strip()

    @property
    def headed(self) -> str:
        """Display name with the measure, for column headers and axis labels, e.g. 举办活动次数（次）."""
        return f"{self.display}（{self.measure}）"


class FormError(ValueError):
    """A form file that cannot be used (its message is Chinese and names the file and row)."""


_HINT = re.compile(r"[（(][^）)]*[)）]?")
_DROP = re.compile(r"[\s:：、，,。.;；·\-—_/（）()【】\[\]\"'“”‘’《》<>]")


def _light_fold(text: str) -> str:
    s = unicodedata.normalize("NFKC", str(text))
    s = _HINT.sub("", s)
    return _DROP.sub("", s).replace("其它", "其他")


def normalize_label(text: str) -> str:
    """Fold a label to a comparable key: NFKC, no hints, spaces, punctuation or trailing 情况/数量/数."""
    s = _light_fold(text)
    for tail in ("情况", "数量", "人数", "数"):
        if s.endswith(tail) and len(s) > len(tail) + 1:
            s = s[: -len(tail)]
    return s


def _label_index(fields: tuple[Field, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in fields:
        for text in (f.label, *f.synonyms):
            key = normalize_label(text)
            if key in index and index[key] != f.key:
                raise FormError(f"表式中的标签“{text}”同时对应 {index[key]} 和 {f.key}：请修改其中一个同义词。")
            index[key] = f.key
    return index


def _categories_index(categories: tuple[str, ...]) -> frozenset[str]:
    return frozenset(
        variant for c in categories for variant in (_light_fold(c), re.sub("(情况|数量)$", "", _light_fold(c)))
    )


def _match(index: dict[str, str], text: str) -> str | None:
    key = normalize_label(text)
    if not key or len(key) < 2:
        return None
    if key in index:
        return index[key]
    if len(key) > 40:
        return None
    hits = {k for label, k in index.items() if len(label) >= 4 and (label in key or key in label and len(key) >= 4)}
    return hits.pop() if len(hits) == 1 else None


@dataclass(frozen=True, eq=False)
class Form:
    """One version of the form: its fields in order and what follows from them."""

    version: str  # the first year it applies to, as in its file name
    fields: tuple[Field, ...]

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @cached_property
    def by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    @cached_property
    def money_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields if f.is_money)

    @cached_property
    def count_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields if not f.is_money)

    @cached_property
    def categories(self) -> tuple[str, ...]:
        """The category headings in form order (items without one are left out)."""
        return tuple(dict.fromkeys(f.category for f in self.fields if f.category))

    @cached_property
    def category_spans(self) -> tuple[tuple[str, int, int], ...]:
        """``(category, first, last)`` positions (0-based, in ``fields``) of each category block, for layouts."""
        spans: list[tuple[str, int, int]] = []
        for i, f in enumerate(self.fields):
            if not f.category:
                continue
            if spans and spans[-1][0] == f.category:
                spans[-1] = (f.category, spans[-1][1], i)
            else:
                spans.append((f.category, i, i))
        return tuple(spans)

    @cached_property
    def label_index(self) -> dict[str, str]:
        return _label_index(self.fields)

    def in_group(self, category: str) -> tuple[str, ...]:
        """The keys of one category, in form order (an item added to the category joins its sums and charts)."""
        return tuple(f.key for f in self.fields if f.category == category)

    def asks(self, key: str) -> bool:
        """True when this form has the item (an item it lacks was not asked, neither 0 nor missing)."""
        return key in self.by_key

    def match_label(self, text: str) -> str | None:
        """The key of this form whose label or synonym ``text`` is (see :func:`match_label`)."""
        return _match(self.label_index, text)

    @cached_property
    def category_index(self) -> frozenset[str]:
        return _categories_index(self.categories)

    def is_category(self, text: str) -> bool:
        """True when the text is one of this form's category headings."""
        return _light_fold(text) in self.category_index


def _cell(row: dict[str, str | None], column: str) -> str:
    return (row.get(column) or "").strip()


def _usable_key(key: str) -> bool:
    """A key that can also be an Excel defined name and a Word control tag of the template."""
    return (
        bool(re.fullmatch(r"[a-z][a-z0-9_]*", key)) and not re.fullmatch(r"[a-z]{1,3}\d+|[rc]", key) and key != UNIT_KEY
    )


def load_form(path: Path) -> Form:
    """Read one form file (UTF-8, with or without BOM); :class:`FormError` says what is wrong and where."""
    path = Path(path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    columns = set(rows[0]) if rows else set()
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise FormError(f"表式文件 {path.name} 缺少“{'”“'.join(missing)}”列（应有 {', '.join(FORM_COLUMNS)}）。")
    fields = []
    for line, row in enumerate(rows, start=2):
        order, key, dtype = _cell(row, "order"), _cell(row, "key"), _cell(row, "dtype")
        if not order.isdigit() or not _usable_key(key) or dtype not in ("int", "float"):
            raise FormError(
                f"表式文件 {path.name} 第 {line} 行有误：order 应为正整数，key 应为小写英文标识"
                f"（如 events_held，不能像单元格地址 ab12，也不能是 {UNIT_KEY}），dtype 应为 int 或 float。"
            )
        measure = _cell(row, "measure")
        if (measure == MONEY_MEASURE) != (dtype == "float"):
            raise FormError(
                f"表式文件 {path.name} 第 {line} 行（{key}）：计量单位为万元的项目 dtype 应为 float，其余为 int。"
            )
        synonyms = tuple(s.strip() for s in _cell(row, "synonyms").split("|") if s.strip())
        fields.append(
            Field(
                int(order),
                key,
                _cell(row, "group"),
                _cell(row, "label"),
                measure,
                dtype,  # type: ignore[arg-type]
                synonyms,
                _cell(row, "short") or _cell(row, "label"),
            )
        )
    fields.sort(key=lambda f: f.order)
    if len({f.key for f in fields}) != len(fields) or not fields:
        raise FormError(f"表式文件 {path.name} 没有项目或有重复的 key。")
    form = Form(path.stem, tuple(fields))
    form.label_index  # noqa: B018 - ambiguous synonyms are refused when the file is read
    return form


def form_versions(forms_dir: Path | None = None) -> tuple[int, ...]:
    """The years in which the form changed (file names ``<year>.csv`` in ``forms_dir``, default
    :data:`FORMS_DIR`), oldest first."""
    folder = Path(forms_dir or FORMS_DIR)
    return _versions(folder, _changed(folder))


def _changed(folder: Path) -> int | None:
    """When a file was last added to or removed from ``folder`` (what keys the caches below)."""
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return None


@lru_cache(maxsize=32)
def _versions(folder: Path, changed: int | None) -> tuple[int, ...]:
    return tuple(sorted(int(p.stem) for p in folder.glob("*.csv") if p.stem.isdigit() and len(p.stem) == 4))


@lru_cache(maxsize=32)
def _cached_form(path: Path) -> Form:
    return load_form(path)


def form_for(year: int | None, forms_dir: Path | None = None) -> Form:
    """The form of ``year``: the latest file at or before it; the first for earlier years; the latest for None."""
    folder = forms_dir or FORMS_DIR  # called once per file read: no Path is made when the answer is known
    return _form_for(year, folder, _changed(folder))


@lru_cache(maxsize=256)
def _form_for(year: int | None, folder: Path | str, changed: int | None) -> Form:
    versions = _versions(Path(folder), changed)
    if not versions:
        raise FormError(f"表式文件夹 {folder} 中没有 <年度>.csv 表式文件。")
    chosen = versions[-1] if year is None else max((v for v in versions if v <= year), default=versions[0])
    return _cached_form(Path(folder) / f"{chosen}.csv")


CURRENT: Form = form_for(None)

CAT_EVENTS = "科普活动开展次数"
CAT_FUNDING = "活动经费投入数量（单位：万元）"
CAT_STAFF = "科普工作人员参与数量"
CAT_PUBLIC = "科普活动群众参与数量"
CAT_MEDIA = "宣传报道情况"

FIELDS: tuple[Field, ...] = CURRENT.fields
FIELD_KEYS: tuple[str, ...] = CURRENT.keys
BY_KEY: dict[str, Field] = CURRENT.by_key
MONEY_KEYS: tuple[str, ...] = CURRENT.money_keys
COUNT_KEYS: tuple[str, ...] = CURRENT.count_keys
GOVERNMENT_FUNDING: tuple[str, ...] = ("funding_central", "funding_provincial", "funding_municipal", "funding_county")
STAFF_KEYS: tuple[str, ...] = CURRENT.in_group(CAT_STAFF)
PUBLIC_KEYS: tuple[str, ...] = CURRENT.in_group(CAT_PUBLIC)

FORM_TITLE = "{year}年全市科技活动周开展情况统计表"
SUBTOTAL_PREFIX = "subtotal:"  # field name of a 小计/合计 the unit wrote inside a category: subtotal:<category>
STAMP_LABEL = "地方/部门（盖章）："
NOT_ASKED = "未设此项"  # shown for an item a year's form did not have (neither 0 nor 未填报)

# Words that mark rows or columns which are not one reporting unit's own figures.
TOTAL_WORDS = ("合计", "总计", "汇总", "全市", "共计")
SUBTOTAL_WORDS = ("小计",)
# Labels of notes written under the table; their numbers are never values.
NOTE_WORDS = (
    "填表人",
    "联系人",
    "联系电话",
    "电话",
    "手机",
    "备注",
    "填报日期",
    "填表日期",
    "日期",
    "审核人",
    "负责人",
    "说明",
    "注：",
    "注:",
)


def _all_forms() -> tuple[Form, ...]:
    return tuple(form_for(v) for v in form_versions())


# Labels and categories of every form in the package (keys are stable, so a label means one key in every year).
LABEL_INDEX: dict[str, str] = _label_index(tuple({f.key: f for form in _all_forms() for f in form.fields}.values()))
ALL_KEYS: frozenset[str] = frozenset(LABEL_INDEX.values())  # the items of every form in the package
CATEGORY_INDEX: frozenset[str] = _categories_index(tuple(c for form in _all_forms() for c in form.categories))


def match_label(text: str) -> str | None:
    """Return the field key whose label or synonym this text is, else None.

    Exact match on the folded label first; then the unique field whose folded
    label contains, or is contained in, the text (for reworded labels such as
    "其中：线下活动群众参与数量（人次）").
    """
    return _match(LABEL_INDEX, text)


def is_category(text: str) -> bool:
    """True when the text is one of the form's category headings (an item label never is)."""
    return _light_fold(text) in CATEGORY_INDEX
