"""The unit registry: an index of names and aliases (longest first), long official names, no guessing between
units, and the same answers with 30,000 units."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import (
    SAMPLE,
    file_row,
    ingest_folder,
    issues_of,
    return_of,
    vertical_form,
    write_units_csv,
    write_xlsx,
)

from analysis.intake.units import Registry, RegistryError, Unit
from analysis.issues import Issue
from analysis.paths import UNITS_CSV

PROJECT = Registry.load(UNITS_CSV)


@pytest.mark.parametrize(
    "text, unit, kind",
    [
        ("曾都区", "曾都区", "name"),
        ("曾都区科经局", "曾都区", "alias"),
        ("随州市教育局（盖章）", "市教育局", "alias"),
        ("随州市高新技术产业开发区科技创新局", "随州高新区", "official"),  # 随州 written 随州市
        ("曾都区科学技术和经济信息化局", "曾都区", "official"),  # 科学技术 for 科技, 经济信息化 for 经济和信息化
        ("随州教育局", "市教育局", "official"),  # the city department without 市
        ("曾都区科经局报表", "曾都区", "contains"),  # the longest alias inside the text
        ("随县教育局", None, "none"),  # another body of the county
        ("某某中学", None, "none"),
        ("", None, "none"),
    ],
)
def test_match(text, unit, kind):
    found = PROJECT.match(text)
    assert ((found.unit.name if found.unit else None), found.kind, found.candidates) == (unit, kind, ())


@pytest.mark.parametrize(
    "text, candidates",
    [
        ("广水市卫健局", ("市卫健委", "广水市")),  # 广水市's health bureau, or the city's?
        ("曾都区随县联合活动", ("曾都区", "随县")),
    ],
)
def test_two_units_are_never_guessed(text, candidates):
    found = PROJECT.match(text)
    assert (found.unit, found.kind, found.candidates) == (None, "ambiguous", candidates)


def test_two_units_that_fold_to_one_key_are_refused_naming_both_lines(tmp_path: Path):
    path = write_units_csv(
        tmp_path / "units.csv",
        [
            ("城关镇", "other", "城关"),
            ("城关街道", "other", "城关（盖章）"),
            ("县级单位00012", "county", ""),
            ("县级单位 00012", "county", ""),
        ],
    )
    with pytest.raises(RegistryError) as raised:
        Registry.load(path)
    assert str(raised.value) == (
        f"单位名录 {path} 中有名称或别名在去掉空格、括号、“盖章”等字样后相同，程序无法区分这些单位："
        "第 2 行“城关镇”的别名“城关”与第 3 行“城关街道”的别名“城关（盖章）”都归并为“城关”；"
        "第 4 行“县级单位00012”与第 5 行“县级单位 00012”都归并为“县级单位00012”。请修改或删除其中一个名称或别名后再运行。"
    )


def test_a_unit_may_repeat_its_own_name_as_an_alias(tmp_path: Path):
    registry = Registry.load(
        write_units_csv(tmp_path / "units.csv", [("市教育局", "department", "市教育局|市教育局（盖章）")])
    )
    assert (registry.match("市教育局").unit.name, registry.match("市教育局").kind) == ("市教育局", "name")


DIGIT_NAMES = [f"县级单位{i:05d}" for i in range(3000)]  # a province numbers its reporting points


@pytest.mark.parametrize(
    "text, unit, kind",
    [
        ("县级单位00012", "县级单位00012", "name"),  # given exactly: wins before any folding
        ("县级单位01900", "县级单位01900", "name"),  # 1900 inside a longer number is not a year
        ("县级单位 02999", "县级单位02999", "name"),
        ("县级单位00012统计表v2", "县级单位00012", "name"),  # the version marker after the name's own digits
        ("2023年县级单位00345（盖章）", "县级单位00345", "name"),
        ("县级单位", None, "none"),  # the digits are the name: no unit is 县级单位 alone
        ("县级单位3000", None, "none"),
    ],
)
def test_names_ending_in_digits_are_read_exactly(text, unit, kind):
    registry = Registry([Unit(name, "county") for name in DIGIT_NAMES])
    found = registry.match(text)
    assert ((found.unit.name if found.unit else None), found.kind, found.candidates) == (unit, kind, ())


def test_forms_stamped_with_names_ending_in_digits_are_counted_for_them(tmp_path: Path):
    units = write_units_csv(tmp_path / "units.csv", [(name, "county", "") for name in DIGIT_NAMES])
    for n in (0, 1, 1900, 2999):
        write_xlsx(tmp_path / f"raw/{n:05d}号统计表.xlsx", vertical_form(SAMPLE, stamp=DIGIT_NAMES[n]))
    write_xlsx(tmp_path / "raw/县级单位00007统计表v2.xlsx", vertical_form(SAMPLE, stamp=None))
    result = ingest_folder(tmp_path / "raw", units_csv=units)
    assert sorted(zip(result.returns["source_file"], result.returns["unit"], result.returns["unit_kind"])) == [
        ("00000号统计表.xlsx", "县级单位00000", "county"),
        ("00001号统计表.xlsx", "县级单位00001", "county"),
        ("01900号统计表.xlsx", "县级单位01900", "county"),
        ("02999号统计表.xlsx", "县级单位02999", "county"),
        ("县级单位00007统计表v2.xlsx", "县级单位00007", "county"),
    ]
    assert result.issues[result.issues["code"].isin(["unit_ambiguous", "unit_unknown"])].empty


def test_a_message_names_the_first_few_candidates_and_how_many(tmp_path: Path):
    units = many_units(40)
    registry = Registry.load(write_units_csv(tmp_path / "units.csv", units))
    names = [n for n, *_ in units[:8]]
    found = registry.match("".join(names))
    assert (found.unit, found.kind, found.count, found.candidates) == (None, "ambiguous", 8, tuple(sorted(names)[:5]))
    shown = "、".join(f"“{n}”" for n in sorted(names)[:5])
    assert registry.notes("甲.xlsx", [("盖章栏", "".join(names))]) == [
        Issue(
            "warning",
            "unit_ambiguous",
            f"盖章栏写的“{''.join(names)}”可能指名录中的{shown}等 8 个，程序不作猜测。"
            "请在“地方/部门（盖章）”处填写单位全称。",
            "甲.xlsx",
        )
    ]


def test_a_unit_s_own_name_beats_the_long_form_of_another():
    registry = Registry([Unit("市教育局", "department", ("随州市教育局",)), Unit("随州教育局", "other")])
    assert (registry.match("随州教育局").unit.name, registry.match("随州教育局").kind) == ("随州教育局", "name")


def test_a_name_inside_a_longer_one_does_not_count():
    registry = Registry([Unit("随县", "county"), Unit("城关镇", "other"), Unit("随县城关镇", "other")])
    found = registry.match("随县城关镇报表")
    assert (found.unit.name, found.kind) == ("随县城关镇", "contains")  # not 随县 or 城关镇 (both inside it)
    assert registry.match("随县和城关镇").candidates == ("城关镇", "随县")


def test_aliases_are_tried_longest_first(tmp_path: Path):
    # 曾都区 alone would leave 科经局报表, which holds 局: another body, not guessed; 曾都区科经局 leaves only 报表
    write_xlsx(tmp_path / "raw/曾都区科经局报表.xlsx", vertical_form(SAMPLE, stamp=None))
    result = ingest_folder(tmp_path / "raw")
    assert (return_of(result, "曾都区科经局报表.xlsx")["unit"], file_row(result, "曾都区科经局报表.xlsx")["unit"]) == (
        "曾都区",
        "曾都区",
    )
    assert issues_of(result, "曾都区科经局报表.xlsx", "unit_unknown").empty


@pytest.mark.parametrize(
    "stamp, unit",
    [
        ("随州市高新技术产业开发区科技创新局", "随州高新区"),
        ("曾都区科学技术和经济信息化局", "曾都区"),
    ],
)
def test_long_official_name_on_the_stamp_line(tmp_path: Path, stamp, unit):
    write_xlsx(tmp_path / "raw/附件1.xlsx", vertical_form(SAMPLE, stamp=stamp))
    result = ingest_folder(tmp_path / "raw", units_csv=UNITS_CSV)
    assert (return_of(result, "附件1.xlsx")["unit"], file_row(result, "附件1.xlsx")["unit"]) == (unit, unit)
    note = issues_of(result, "附件1.xlsx", "unit_official_name")
    assert list(zip(note["severity"], note["unit"], note["message"])) == [
        ("info", unit, f"盖章栏写的“{stamp}”是名录中“{unit}”的全称，已按“{unit}”计入。")
    ]
    assert issues_of(result, "附件1.xlsx", "unit_unknown").empty


def test_a_registry_name_gets_no_note(tmp_path: Path):
    write_xlsx(tmp_path / "raw/附件1.xlsx", vertical_form(SAMPLE, stamp="随州高新技术产业开发区科技创新局"))
    result = ingest_folder(tmp_path / "raw", units_csv=UNITS_CSV)
    assert return_of(result, "附件1.xlsx")["unit"] == "随州高新区"
    assert issues_of(result, "附件1.xlsx", "unit_official_name").empty


def test_an_ambiguous_stamp_names_the_candidates(tmp_path: Path):
    write_xlsx(tmp_path / "raw/附件1.xlsx", vertical_form(SAMPLE, stamp="广水市卫健局"))
    result = ingest_folder(tmp_path / "raw", units_csv=UNITS_CSV)
    assert return_of(result, "附件1.xlsx")["unit_kind"] == "other"  # kept as written, not given to either unit
    found = issues_of(result, "附件1.xlsx", "unit_ambiguous")
    assert list(zip(found["severity"], found["message"])) == [
        (
            "warning",
            "盖章栏写的“广水市卫健局”可能指名录中的“市卫健委”、“广水市”，程序不作猜测。"
            "请在“地方/部门（盖章）”处填写单位全称。",
        )
    ]
    assert len(issues_of(result, "附件1.xlsx", "unit_unknown")) == 1


def test_an_ambiguous_file_name_does_not_matter_when_the_stamp_decides(tmp_path: Path):
    write_xlsx(tmp_path / "raw/曾都区随县.xlsx", vertical_form(SAMPLE, stamp="随县科经局"))
    result = ingest_folder(tmp_path / "raw")
    assert return_of(result, "曾都区随县.xlsx")["unit"] == "随县"
    assert issues_of(result, "曾都区随县.xlsx", "unit_ambiguous").empty


def many_units(count: int) -> list[tuple[str, str, str]]:
    """``count`` (≤ 30,000) distinct made-up place names (three characters + 县/镇/乡), each with two aliases."""
    first, second = "东西南北中上下前后左右青红白黄金银玉石山水河湖江海", "安平和兴宁康乐泰昌盛华丰源泉林峰桥庄岭川"
    names = [f"{a}{b}{c}{d}" for d in "县镇乡" for a in first for b in second for c in second]
    return [(n, "county", f"{n}科协|{n}科学技术和经济信息化局") for n in names[:count]]


def test_thirty_thousand_units_give_the_same_answers(tmp_path: Path):
    units = many_units(30_000)
    assert len({n for n, *_ in units}) == 30_000
    registry = Registry.load(write_units_csv(tmp_path / "units.csv", units))
    assert len(registry.units) == 30_000
    for name, _, _ in units[::997]:
        assert registry.match(name).unit.name == name
        assert (registry.match(f"{name}科协（盖章）").unit.name, registry.match(f"{name}科协").kind) == (name, "alias")
        assert registry.match(f"{name}科技和经信局").kind == "official"
        assert registry.match(f"2023年{name}科协统计表").unit.name == name
    a, b = units[5][0], units[6][0]
    assert registry.match(a + b).candidates == tuple(sorted((a, b)))
