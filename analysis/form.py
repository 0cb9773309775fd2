"""The statistics form (开展情况统计表) of the notice's attachment: one source of truth.

Facts copied from ``shared/form-fields.csv`` (20 items, canonical keys), plus the
synonyms seen in real returns, the measure of each item and what kind of number
it holds.  Parser, checks, charts and exports all read this module.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Dtype = Literal["int", "float"]


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
        return self.measure == "万元"

    @property
    def display(self) -> str:
        """Label without the parenthesised hint, for headers."""
        return re.sub(r"[（(].*?[)）]", "", self.label).strip()

    @property
    def headed(self) -> str:
        """Display name with the measure, for column headers and axis labels, e.g. 举办活动次数（次）."""
        return f"{self.display}（{self.measure}）"


CAT_EVENTS = "科普活动开展次数"
CAT_FUNDING = "活动经费投入数量（单位：万元）"
CAT_STAFF = "科普工作人员参与数量"
CAT_PUBLIC = "科普活动群众参与数量"
CAT_MEDIA = "宣传报道情况"

FIELDS: tuple[Field, ...] = (
    Field(1, "events_held", CAT_EVENTS, "举办活动次数", "次", "int",
          ("举办科普活动次数", "开展活动次数", "活动次数", "举办活动场次", "开展活动场次", "举办活动数"), "举办活动"),
    Field(2, "most_tasks", CAT_EVENTS, "承接科技部活动任务个数", "个", "int",
          ("承接科技部活动任务数", "承接科技部任务个数", "承接科技部活动个数", "承接国家科技部活动任务个数",
           "科技部活动任务个数", "承接科技部任务数"), "承接科技部任务"),
    Field(3, "funding_central", CAT_FUNDING, "中央财政经费投入情况", "万元", "float",
          ("中央财政经费", "中央财政投入", "中央财政资金", "中央经费"), "中央财政"),
    Field(4, "funding_provincial", CAT_FUNDING, "省级、副省级财政经费投入情况", "万元", "float",
          ("省级副省级财政经费", "省级财政经费", "省级财政投入", "省财政经费", "省级及副省级财政经费"), "省级财政"),
    Field(5, "funding_municipal", CAT_FUNDING, "市级财政经费投入情况", "万元", "float",
          ("市级财政经费", "市级财政投入", "市财政经费", "市本级财政经费"), "市级财政"),
    Field(6, "funding_county", CAT_FUNDING, "县级财政经费投入情况", "万元", "float",
          ("县级财政经费", "县级财政投入", "县财政经费", "县市区财政经费", "区级财政经费"), "县级财政"),
    Field(7, "funding_enterprise", CAT_FUNDING, "企业赞助经费情况", "万元", "float",
          ("企业赞助经费", "企业赞助", "企业投入经费", "社会赞助经费"), "企业赞助"),
    Field(8, "funding_in_kind", CAT_FUNDING, "实物投入情况（如：捐赠图书、光盘、创新操作室等）", "万元", "float",
          ("实物投入", "实物投入折合", "实物捐赠", "捐赠实物"), "实物投入"),
    Field(9, "funding_other", CAT_FUNDING, "其他经费情况", "万元", "float",
          ("其他经费", "其它经费", "其他经费投入"), "其他经费"),
    Field(10, "staff_fulltime", CAT_STAFF, "科普专职人员数量", "人", "int",
          ("科普专职人员", "专职科普人员数量", "专职科普人员", "科普专职人员数"), "专职人员"),
    Field(11, "staff_scientists", CAT_STAFF, "科技工作者参与数量", "人", "int",
          ("科技工作者参与人数", "科技工作者数量", "参与科技工作者", "科技工作者"), "科技工作者"),
    Field(12, "staff_volunteers", CAT_STAFF, "招募科技志愿者数量", "人", "int",
          ("科技志愿者数量", "招募志愿者数量", "科技志愿者", "志愿者数量", "招募科技志愿者人数"), "科技志愿者"),
    Field(13, "staff_other", CAT_STAFF, "其他人员数量", "人", "int",
          ("其他人员", "其它人员数量", "其他工作人员数量"), "其他人员"),
    Field(14, "public_offline", CAT_PUBLIC, "线下活动群众参与数量", "人次", "int",
          ("线下参与人次", "线下群众参与数量", "线下活动参与人数", "线下参与群众", "线下活动群众参与人次",
           "线下参与数量"), "线下参与"),
    Field(15, "public_online", CAT_PUBLIC, "线上活动群众参与数量", "人次", "int",
          ("线上参与人次", "线上群众参与数量", "线上活动参与人数", "线上参与群众", "线上活动群众参与人次",
           "线上参与数量", "网络参与人次"), "线上参与"),
    Field(16, "media_outlets", CAT_MEDIA, "参与媒体数量", "家", "int",
          ("参与媒体", "参与媒体家数", "媒体数量", "参与报道媒体数量"), "参与媒体"),
    Field(17, "media_reports", CAT_MEDIA, "宣传报道数量", "篇", "int",
          ("宣传报道篇数", "报道数量", "媒体报道数量", "新闻报道数量"), "宣传报道"),
    Field(18, "open_venues", "", "活动周期间开放的科普场馆数量", "个", "int",
          ("开放的科普场馆数量", "开放科普场馆数量", "开放科普场馆", "科普场馆开放数量", "开放的科普场馆"), "开放场馆"),
    Field(19, "open_institutes", "", "活动周期间开放活动的科研机构数量", "个", "int",
          ("开放活动的科研机构数量", "开放科研机构数量", "开放的科研机构数量", "科研机构开放数量",
           "开放科研机构"), "开放科研机构"),
    Field(20, "open_universities", "", "活动周期间开放活动的大学数量", "所", "int",
          ("开放活动的大学数量", "开放大学数量", "开放的大学数量", "开放高校数量", "开放活动的高校数量",
           "大学开放数量", "开放高校"), "开放大学"),
)

FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
MONEY_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.is_money)
COUNT_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS if not f.is_money)
GOVERNMENT_FUNDING: tuple[str, ...] = ("funding_central", "funding_provincial", "funding_municipal", "funding_county")
STAFF_KEYS: tuple[str, ...] = ("staff_fulltime", "staff_scientists", "staff_volunteers", "staff_other")
PUBLIC_KEYS: tuple[str, ...] = ("public_offline", "public_online")

FORM_TITLE = "{year}年全市科技活动周开展情况统计表"
SUBTOTAL_PREFIX = "subtotal:"  # field name of a 小计/合计 the unit wrote inside a category: subtotal:<category>
STAMP_LABEL = "地方/部门（盖章）："

# Words that mark rows or columns which are not one reporting unit's own figures.
TOTAL_WORDS = ("合计", "总计", "汇总", "全市", "共计")
SUBTOTAL_WORDS = ("小计",)
# Labels of notes written under the table; their numbers are never values.
NOTE_WORDS = ("填表人", "联系人", "联系电话", "电话", "手机", "备注", "填报日期", "填表日期", "日期", "审核人",
              "负责人", "说明", "注：", "注:")

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


def _label_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for f in FIELDS:
        for text in (f.label, *f.synonyms):
            key = normalize_label(text)
            if key in index and index[key] != f.key:
                raise ValueError(f"label {text!r} is ambiguous between {index[key]} and {f.key}")
            index[key] = f.key
    return index


LABEL_INDEX: dict[str, str] = _label_index()
CATEGORY_INDEX: frozenset[str] = frozenset(
    variant for c in (CAT_EVENTS, CAT_FUNDING, CAT_STAFF, CAT_PUBLIC, CAT_MEDIA)
    for variant in (_light_fold(c), re.sub("(情况|数量)$", "", _light_fold(c))))


def match_label(text: str) -> str | None:
    """Return the field key whose label or synonym this text is, else None.

    Exact match on the folded label first; then the unique field whose folded
    label contains, or is contained in, the text (for reworded labels such as
    "其中：线下活动群众参与数量（人次）").
    """
    key = normalize_label(text)
    if not key or len(key) < 2:
        return None
    if key in LABEL_INDEX:
        return LABEL_INDEX[key]
    if len(key) > 40:
        return None
    hits = {k for label, k in LABEL_INDEX.items() if len(label) >= 4 and (label in key or key in label and len(key) >= 4)}
    return hits.pop() if len(hits) == 1 else None


def is_category(text: str) -> bool:
    """True when the text is one of the form's category headings (an item label never is)."""
    return _light_fold(text) in CATEGORY_INDEX
