"""The form as data: analysis/forms/<year>.csv, a year's form and the current names."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from analysis import form
from analysis.form import FORMS_DIR, FormError, form_for, form_versions, load_form


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_current_form_is_the_2023_file_with_the_twenty_items():
    assert form_versions() == (2023,)
    assert form.CURRENT.version == "2023"
    assert len(form.FIELDS) == 20 and form.FIELD_KEYS[0] == "events_held" and form.FIELD_KEYS[-1] == "open_universities"
    assert len(form.MONEY_KEYS) == 7 and len(form.COUNT_KEYS) == 13
    assert form.BY_KEY["funding_in_kind"].label == "实物投入情况（如：捐赠图书、光盘、创新操作室等）"
    assert form.STAFF_KEYS == ("staff_fulltime", "staff_scientists", "staff_volunteers", "staff_other")
    assert form.PUBLIC_KEYS == ("public_offline", "public_online")
    assert form.CURRENT.categories == (
        form.CAT_EVENTS,
        form.CAT_FUNDING,
        form.CAT_STAFF,
        form.CAT_PUBLIC,
        form.CAT_MEDIA,
    )


# The attachment's twenty items, copied by hand from the notice (the shared field list), as literal expected data.
EXPECTED_ITEMS = (
    (1, "events_held", "科普活动开展次数", "举办活动次数", "次", "int"),
    (2, "most_tasks", "科普活动开展次数", "承接科技部活动任务个数", "个", "int"),
    (3, "funding_central", "活动经费投入数量（单位：万元）", "中央财政经费投入情况", "万元", "float"),
    (4, "funding_provincial", "活动经费投入数量（单位：万元）", "省级、副省级财政经费投入情况", "万元", "float"),
    (5, "funding_municipal", "活动经费投入数量（单位：万元）", "市级财政经费投入情况", "万元", "float"),
    (6, "funding_county", "活动经费投入数量（单位：万元）", "县级财政经费投入情况", "万元", "float"),
    (7, "funding_enterprise", "活动经费投入数量（单位：万元）", "企业赞助经费情况", "万元", "float"),
    (
        8,
        "funding_in_kind",
        "活动经费投入数量（单位：万元）",
        "实物投入情况（如：捐赠图书、光盘、创新操作室等）",
        "万元",
        "float",
    ),
    (9, "funding_other", "活动经费投入数量（单位：万元）", "其他经费情况", "万元", "float"),
    (10, "staff_fulltime", "科普工作人员参与数量", "科普专职人员数量", "人", "int"),
    (11, "staff_scientists", "科普工作人员参与数量", "科技工作者参与数量", "人", "int"),
    (12, "staff_volunteers", "科普工作人员参与数量", "招募科技志愿者数量", "人", "int"),
    (13, "staff_other", "科普工作人员参与数量", "其他人员数量", "人", "int"),
    (14, "public_offline", "科普活动群众参与数量", "线下活动群众参与数量", "人次", "int"),
    (15, "public_online", "科普活动群众参与数量", "线上活动群众参与数量", "人次", "int"),
    (16, "media_outlets", "宣传报道情况", "参与媒体数量", "家", "int"),
    (17, "media_reports", "宣传报道情况", "宣传报道数量", "篇", "int"),
    (18, "open_venues", "", "活动周期间开放的科普场馆数量", "个", "int"),
    (19, "open_institutes", "", "活动周期间开放活动的科研机构数量", "个", "int"),
    (20, "open_universities", "", "活动周期间开放活动的大学数量", "所", "int"),
)


def test_the_form_file_holds_the_attachments_twenty_items():
    ours = [
        (int(r["order"]), r["key"], r["group"], r["label"], r["measure"], r["dtype"])
        for r in _rows(FORMS_DIR / "2023.csv")
    ]
    assert ours == list(EXPECTED_ITEMS)
    assert [(f.order, f.key, f.category, f.label, f.measure) for f in form_for(2023).fields] == [
        (order, key, group, label, measure) for order, key, group, label, measure, _ in EXPECTED_ITEMS
    ]


@pytest.mark.parametrize(
    ("year", "version"),
    [(2019, "2023"), (2021, "2023"), (2023, "2023"), (2024, "2023"), (2025, "2025"), (2030, "2025"), (None, "2025")],
)
def test_a_year_uses_the_latest_file_at_or_before_it(tmp_path, year, version):
    shutil.copy(FORMS_DIR / "2023.csv", tmp_path / "2023.csv")
    shutil.copy(FORMS_DIR / "2023.csv", tmp_path / "2025.csv")
    assert form_for(year, tmp_path).version == version


def _with_extra(tmp_path: Path) -> Path:
    text = (FORMS_DIR / "2023.csv").read_text(encoding="utf-8")
    text += "21,science_lectures,科普活动开展次数,举办科普讲座次数,次,int,科普讲座,科普讲座次数|讲座场次\n"
    path = tmp_path / "2025.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_added_field_is_asked_and_matched_only_in_its_form(tmp_path):
    new = load_form(_with_extra(tmp_path))
    assert new.keys[-1] == "science_lectures" and len(new.keys) == 21
    assert new.asks("science_lectures") and not form.CURRENT.asks("science_lectures")
    assert new.match_label("讲座场次") == "science_lectures"
    assert form.CURRENT.match_label("讲座场次") is None
    assert new.count_keys[-1] == "science_lectures"
    assert new.in_group(form.CAT_EVENTS) == ("events_held", "most_tasks", "science_lectures")


def test_removed_field_is_not_asked(tmp_path):
    rows = (FORMS_DIR / "2023.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "2025.csv").write_text(
        "\n".join(r for r in rows if ",open_universities," not in r) + "\n", encoding="utf-8"
    )
    later = form_for(2026, tmp_path)
    assert not later.asks("open_universities") and later.asks("open_institutes") and len(later.keys) == 19


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("21,Bad Key,,标签,次,int,,", "第 22 行"),
        ("21,ab12,,像地址的键,次,int,,", "第 22 行"),
        ("21,unit,,单位,次,int,,", "第 22 行"),
        ("21,money_x,,标签,万元,int,,", "dtype 应为 float"),
        ("21,events_again,,又一个标签,次,int,,举办活动次数", "同时对应"),
    ],
)
def test_a_broken_form_file_is_refused_in_chinese(tmp_path, line, words):
    path = tmp_path / "2025.csv"
    path.write_text((FORMS_DIR / "2023.csv").read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(FormError, match=words):
        load_form(path)


def test_a_form_file_without_a_column_is_refused(tmp_path):
    path = tmp_path / "2025.csv"
    path.write_text("order,key,label\n1,events_held,举办活动次数\n", encoding="utf-8")
    with pytest.raises(FormError, match="缺少"):
        load_form(path)
