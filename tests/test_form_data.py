"""The form as data: analysis/forms/<year>.csv, a year's form and the current names."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from analysis import form
from analysis.form import FORMS_DIR, FormError, form_for, form_versions, load_form

SHARED = Path("/work/shared/form-fields.csv")


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
    assert form.CURRENT.categories == (form.CAT_EVENTS, form.CAT_FUNDING, form.CAT_STAFF, form.CAT_PUBLIC,
                                       form.CAT_MEDIA)


@pytest.mark.skipif(not SHARED.is_file(), reason="the shared field list is not on this machine")
def test_form_file_agrees_with_the_shared_field_list():
    ours = [{k: r[k] for k in ("order", "key", "group", "label", "measure", "dtype")} for r in _rows(FORMS_DIR / "2023.csv")]
    assert ours == _rows(SHARED)


@pytest.mark.parametrize(("year", "version"), [(2019, "2023"), (2021, "2023"), (2023, "2023"), (2024, "2023"),
                                                (2025, "2025"), (2030, "2025"), (None, "2025")])
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
    (tmp_path / "2025.csv").write_text("\n".join(r for r in rows if ",open_universities," not in r) + "\n",
                                       encoding="utf-8")
    later = form_for(2026, tmp_path)
    assert not later.asks("open_universities") and later.asks("open_institutes") and len(later.keys) == 19


@pytest.mark.parametrize(("line", "words"), [
    ("21,Bad Key,,标签,次,int,,", "第 22 行"),
    ("21,ab12,,像地址的键,次,int,,", "第 22 行"),
    ("21,unit,,单位,次,int,,", "第 22 行"),
    ("21,money_x,,标签,万元,int,,", "dtype 应为 float"),
    ("21,events_again,,又一个标签,次,int,,举办活动次数", "同时对应"),
])
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
