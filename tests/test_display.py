"""The notebooks' display style (analysis.report.display): numbers by the form's measures, Chinese problem titles,
the 单位类别 filter, wide tables split or turned, cut tables saying so, links relative to where they are shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.form import form_for
from analysis.report import display
from analysis.report.tables import issues_table, returns_table

FORM = form_for(2024)
KINDS = {"随县": "县市区", "市科协": "市直部门", "随州职业技术学院": "高校"}


def _view(frame: pd.DataFrame, caption: str = "", **kw) -> display.TableView:
    views = display.table_views(frame, caption, form=FORM, kinds=KINDS, **kw)
    assert len(views) == 1
    return views[0]


def test_numbers_follow_the_measure_in_the_header():
    frame = pd.DataFrame(
        {
            "单位": ["随县", "市科协"],
            "经费合计（万元）": [7.0, 47.4],
            "工作人员（人）": [1498.0, 19567.0],
            "线上占比（%）": [75.25, 3.0],
            "举办活动次数": [1200, np.nan],
            "增减率（%）": [12.34, -5.0],
            "增减": [3.0, -12.0],
        }
    )
    view = _view(frame)
    assert list(view.cells.columns) == [
        "单位",
        "单位类别",
        "经费合计（万元）",
        "工作人员（人）",
        "线上占比",
        "举办活动次数",
        "增减率",
        "增减",
    ]
    assert list(view.cells["经费合计（万元）"]) == ["7.00", "47.40"]
    assert list(view.cells["工作人员（人）"]) == ["1,498", "19,567"]
    assert list(view.cells["线上占比"]) == ["75.2%", "3.0%"]
    assert list(view.cells["举办活动次数"]) == ["1,200", "—"]  # not reported: a dash, never 0
    assert list(view.cells["增减率"]) == ["+12.3%", "-5.0%"]
    assert list(view.cells["增减"]) == ["+3", "-12"]
    assert view.numeric == (False, False, True, True, True, True, True, True)


def test_rows_of_different_measures_take_each_rows_measure():
    """Items as rows (a 计量单位 column, or the item named in 项目): each row its own decimals."""
    turned = pd.DataFrame(
        {"项目": ["举办活动次数", "中央财政经费投入情况"], "计量单位": ["次", "万元"], "2024年": [517.0, 6.5]}
    )
    assert list(_view(turned).cells["2024年"]) == ["517", "6.50"]
    named = pd.DataFrame(
        {"项目": ["县级财政经费投入情况（万元）", "宣传报道数量（篇）"], "更正前合计": [304077.4, 12.0]}
    )
    assert list(_view(named).cells["更正前合计"]) == ["304,077.40", "12"]
    by_caption = pd.DataFrame({"单位": ["随县"], "2024年": [85.0], "增减": [12.0]})
    assert list(_view(by_caption, "线下活动群众参与数量（人次）").cells["增减"]) == ["+12"]


def test_unknown_numbers_keep_one_number_of_decimals_per_column():
    frame = pd.DataFrame({"名称": ["甲", "乙", "丙"], "数": [7.0, 47.4, 3.0], "整数": [1.0, 2.0, 3000.0]})
    view = _view(frame)
    assert list(view.cells["数"]) == ["7.00", "47.40", "3.00"]
    assert list(view.cells["整数"]) == ["1", "2", "3,000"]


def test_a_unit_column_of_measures_is_renamed_and_not_filtered():
    frame = pd.DataFrame({"项目": ["举办活动次数"], "单位": ["次"], "2024年": ["517"]})
    view = _view(frame)
    assert list(view.cells.columns) == ["项目", "计量单位", "2024年"] and view.kind_column is None
    assert view.numeric == (False, False, True)  # numbers written already are still numbers (right, sorted)


def test_problem_codes_become_titles_and_tooltips():
    issues = pd.DataFrame(
        {
            "severity": ["warning", "error"],
            "code": ["county_media_reports_lt2", "value_unknown"],
            "source_file": ["随县/表.xlsx", "市科协/表.docx"],
            "sheet": ["Sheet1", "表格1"],
            "cell": ["C19", "C3"],
            "field": ["media_reports", "events_held"],
            "unit": ["随县", "市科协"],
            "message": ["通知要求各县、市、区宣传报道不少于 2 篇", "值为“待统计”"],
            "status": ["open", "open"],
        }
    )
    view = _view(issues_table(issues))
    assert "问题代码" not in view.cells and display.visible_codes(view) == []
    assert list(view.cells["问题"]) == ["宣传报道少于2篇", "数值不详"]
    assert list(view.tooltips["问题"]) == ["county_media_reports_lt2", "value_unknown"]
    html = display.styled(view).to_html()
    assert 'title="county_media_reports_lt2"' in html and ">宣传报道少于2篇<" in html.replace("\n", "")
    assert list(view.cells["单位类别"]) == ["县市区", "市直部门"] and view.kind_column == 3


def test_a_code_left_in_any_cell_is_written_as_its_title():
    view = _view(pd.DataFrame({"说明": ["missing_return"]}))
    assert list(view.cells["说明"]) == ["未报送统计表"]


def test_units_get_a_kind_filter():
    frame = pd.DataFrame({"单位": ["随县", "随州职业技术学院", "某名录外单位"], "活动次数": [3, 4, 5]})
    view = _view(frame)
    assert list(view.cells["单位类别"]) == ["县市区", "高校", "名录外"]
    options = display.datatable_options(view)
    assert options["searchPanes"]["columns"] == [1] and options["layout"]["top1"] == "searchPanes"
    assert options["order"] == []  # the table's own order first: sorting is the reader's choice
    assert [b["text"] for b in options["layout"]["topStart"]["buttons"]] == ["复制", "CSV", "Excel"]
    assert "searchPanes" not in display.datatable_options(_view(pd.DataFrame({"项目": ["甲"], "值": [1]})))


def test_a_wide_table_of_units_is_split_by_the_forms_groups():
    returns = pd.DataFrame(
        {"unit": ["随县", "市科协"], "unit_kind": ["county", "department"], **{k: [1, 2] for k in FORM.keys}}
    )
    returns[list(FORM.money_keys)] = 1.5
    views = display.table_views(returns_table(returns), "2024年各单位统计数据", form=FORM, kinds=KINDS)
    assert [v.caption for v in views] == [f"2024年各单位统计数据：{g}" for g in (*FORM.categories, "其他项目")]
    money = views[1]
    assert list(money.cells.columns) == [
        "单位",
        "单位类别",
        *[f"{FORM.by_key[k].short}（万元）" for k in FORM.money_keys],
    ]
    assert set(money.cells.iloc[:, 2:].to_numpy().ravel()) == {"1.50"}
    assert all(len(v.cells.columns) <= display.MAX_COLUMNS for v in views)
    assert sum(len(v.cells.columns) - 2 for v in views) == len(FORM.keys)  # every item once


def test_a_wide_short_table_is_turned_so_items_are_rows():
    years = pd.DataFrame({"年度": ["2023", "2024"], **{FORM.by_key[k].headed: [1.0, 2.0] for k in FORM.keys}})
    view = _view(years)
    assert list(view.cells.columns) == ["类别", "项目", "计量单位", "2023", "2024"]
    assert len(view.cells) == len(FORM.keys)
    first_money = FORM.keys.index(FORM.money_keys[0])
    assert list(view.cells.iloc[first_money, 3:]) == ["1.00", "2.00"] and list(view.cells.iloc[0, 3:]) == ["1", "2"]


def test_a_cut_table_says_how_many_rows_it_shows_and_where_the_rest_is():
    frame = pd.DataFrame({"单位": ["随县"] * 30, "活动次数": range(30)})
    view = _view(frame, max_rows=10, full="data/processed/2024/issues.csv")
    assert len(view.cells) == 10 and view.total_rows == 30
    assert view.note == "表中只列出前 10 行（共 30 行），完整的表见 data/processed/2024/issues.csv。"
    assert _view(frame).note == ""


def test_long_text_may_wrap_but_names_never_do():
    frame = pd.DataFrame(
        {
            "单位": ["随州市高新技术产业开发区科技创新局"],
            "说明及修改要求": ["通知要求各县、市、区宣传报道不少于 2 篇，本单位填报 1 篇"],
        }
    )
    view = _view(frame)
    assert view.wrap == (False, False, True)


def test_the_styler_escapes_text():
    html = display.styled(pd.DataFrame({"单位": ["<img src=x onerror=alert(1)>"], "值": [np.nan]})).to_html()
    assert "<img" not in html and "&lt;img" in html and "—" in html


def test_links_are_relative_to_the_notebook_and_rebased_for_the_html(tmp_path):
    report = tmp_path / "reports" / "2024"
    (report / "notebooks").mkdir(parents=True)
    target = report / "全市汇总表.docx"
    target.write_bytes(b"x")
    html = display.links_html([display.Link("全市汇总表", target)], report / "notebooks")
    assert 'href="../%E5%85%A8%E5%B8%82%E6%B1%87%E6%80%BB%E8%A1%A8.docx" download' in html
    page = f'<p>{html}</p><a href="https://example.org/x">外部</a><a href="#top">页内</a>'
    moved = display.rebase_links(page, report / "notebooks", report)
    assert 'href="%E5%85%A8%E5%B8%82%E6%B1%87%E6%80%BB%E8%A1%A8.docx"' in moved
    assert 'href="https://example.org/x"' in moved and 'href="#top"' in moved


@pytest.mark.parametrize(
    ("cells", "year", "title"),
    [
        ([{"cell_type": "markdown", "source": "# 科技活动周多年趋势\n\n说明"}], 2024, "2024年科技活动周多年趋势"),
        (
            [{"cell_type": "code", "source": "# 注释"}, {"cell_type": "markdown", "source": "文字\n# 标题"}],
            None,
            "标题",
        ),
        ([], 2023, "2023年科技活动周"),
    ],
)
def test_page_title_is_the_notebooks_title_with_the_year(cells, year, title):
    assert display.page_title(cells, year) == title


def test_the_html_check_sees_what_the_issue_reported():
    """The checker used on the executed notebooks' HTML flags "7" beside "47.40" and an English code in a cell."""
    from tests import html_tables

    html = """<table id="T_a"><thead><tr><th>经费合计（万元）</th><th>问题</th><th>场均参与</th></tr></thead><tbody>
    <tr><td class="data num">7</td><td class="data text">value_unknown</td><td class="data text">1,498</td></tr>
    <tr><td class="data num">47.40</td><td class="data text">逾期报送</td><td class="data text">1,956.70</td></tr>
    </tbody></table>"""
    table = html_tables.tables(html)[0]
    assert html_tables.style_problems(table) == [
        "经费合计（万元）（同一列）：小数位数不一 [0, 2]",
        "经费合计（万元）：万元不是两位小数",
        "场均参与：数字 1,498 未按数字对齐",
        "场均参与：数字 1,956.70 未按数字对齐",
        "场均参与（同一列）：小数位数不一 [0, 2]",
    ]
    assert html_tables.visible_codes(table) == ["value_unknown"]
