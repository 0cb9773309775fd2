"""Open a year's HTML reports in a real browser (Chromium through Playwright) and check what an analyst sees.

For every ``*.html`` of a report folder: the tables are DataTables (initialised, offline), sorting a column of
numbers orders it, the 单位类别 filter keeps only the chosen kind, no table is wider than the page at 1366 px,
every link to a file resolves, the page has no script error; a screenshot of each page is saved.

    python tests/browser_check.py reports/demo/2024 [--shots 文件夹]

Uses Debian's ``chromium`` (``apt-get install chromium``) or the browser named by ``$CHROMIUM``; Playwright's own
browser builds are never downloaded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

WIDTH, HEIGHT = 1366, 768
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str | None:
    """The Chromium to drive: ``$CHROMIUM``, else the first of :data:`CANDIDATES` on the PATH."""
    named = os.environ.get("CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


@dataclass
class PageCheck:
    page: str
    tables: int = 0  # initialised DataTables (the 单位类别 filter's own small tables not counted)
    static_tables: int = 0  # tables in the page before any script
    sorted_ascending: bool | None = None  # None: no table with a column of numbers to sort
    filtered: bool | None = None  # None: no 单位类别 filter on the page
    too_wide: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    screenshot: Path | None = None

    @property
    def ok(self) -> bool:
        return (
            self.tables == self.static_tables > 0
            and self.sorted_ascending is not False
            and self.filtered is not False
            and not self.too_wide
            and not self.broken_links
            and not self.errors
        )


VISIBLE = "table.scitech-table.dataTable"  # itables also initialises a hidden copy of each table: not counted
COUNT_JS = f"Array.from(document.querySelectorAll('{VISIBLE}')).filter(t => t.offsetParent !== null).length"
WAIT = "new Promise(resolve => setTimeout(resolve, 500))"
# The first visible column of at least three numbers not in ascending order: its header clicked once; its numbers
# as then shown.
SORT_JS = """async () => {
  const number = s => { s = s.replace(/[,+%\\s]/g, ''); return (s === '' || isNaN(Number(s))) ? null : Number(s); };
  const tables = Array.from(document.querySelectorAll('table.scitech-table.dataTable')).filter(x => x.offsetParent);
  for (const table of tables) {
    const heads = Array.from(table.querySelectorAll('thead th'));
    const rows = Array.from(table.querySelectorAll('tbody tr'));
    const numbers = k => rows.map(tr => number(tr.children[k].textContent)).filter(v => v !== null);
    const unsorted = v => v.some((x, i) => i > 0 && v[i - 1] > x);
    const j = heads.findIndex((th, k) => th.classList.contains('num') && numbers(k).length >= 3
      && unsorted(numbers(k)));
    if (j < 0) continue;
    heads[j].click();
    await WAIT;
    table.scrollIntoView();
    return Array.from(table.querySelectorAll('tbody tr')).map(tr => number(tr.children[j].textContent))
      .filter(v => v !== null);
  }
  return null;
}""".replace("WAIT", WAIT)
# The first visible 单位类别 filter: its first kind chosen; the kinds the filtered table then shows; chosen again
# (the page as it was).
FILTER_JS = """async () => {
  const pane = Array.from(document.querySelectorAll('.dtsp-searchPane')).find(p => p.offsetParent);
  if (!pane) return null;
  const outer = pane.closest('.dtsp-panesContainer').closest('.dt-container');
  const table = outer.querySelector('table.scitech-table');
  const j = Array.from(table.querySelectorAll('thead th')).findIndex(th => th.textContent.trim() === '单位类别');
  const kinds = ['县市区', '市直部门', '高校', '科研院所'];
  const option = Array.from(pane.querySelectorAll('tbody tr td'))
    .find(td => td.querySelector('.dtsp-name') && kinds.includes(td.querySelector('.dtsp-name').textContent.trim()));
  if (!option) return ['', []];
  const kind = option.querySelector('.dtsp-name').textContent.trim();
  option.click();
  await WAIT;
  const shown = Array.from(table.querySelectorAll('tbody tr')).map(tr => tr.children[j].textContent.trim());
  option.click();
  await WAIT;
  return [kind, shown];
}""".replace("WAIT", WAIT)
WIDTH_JS = """() => Array.from(document.querySelectorAll('table.scitech-table.dataTable')).filter(t => t.offsetParent)
    .filter(t => { const box = t.closest('.dt-container');
                   return t.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                     || box.scrollWidth > box.clientWidth + 1; })
    .map(t => Array.from(t.querySelectorAll('thead th')).map(th => th.textContent.trim()).join('|').slice(0, 60))"""


def check_page(page, html: Path, shots: Path) -> PageCheck:
    """One exported notebook, in an open Playwright page."""
    import lxml.html

    result = PageCheck(html.name)
    page.on("pageerror", lambda error: result.errors.append(str(error)))
    doc = lxml.html.parse(str(html)).getroot()
    result.static_tables = len(doc.xpath("//table[not(@hidden)][.//td[contains(@class, 'data')]]"))
    page.goto(html.resolve().as_uri())
    page.wait_for_function(f"{COUNT_JS} >= {result.static_tables}", timeout=60_000)
    result.tables = page.evaluate(COUNT_JS)
    result.too_wide = page.evaluate(WIDTH_JS)
    chosen = page.evaluate(FILTER_JS)
    if chosen is not None:
        kind, shown = chosen
        result.filtered = bool(shown) and set(shown) == {kind}
    values = page.evaluate(SORT_JS)
    if values is not None:
        result.sorted_ascending = len(values) >= 3 and values == sorted(values)
    shots.mkdir(parents=True, exist_ok=True)
    result.screenshot = shots / f"{html.stem}.png"
    page.screenshot(path=str(result.screenshot))  # the sorted table in view
    page.screenshot(path=str(shots / f"{html.stem}_整页.png"), full_page=True)
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a[download]')).map(a => a.href)")
    for href in hrefs:
        target = Path(unquote(urlparse(href).path))
        result.links.append(target.name)
        if urlparse(href).scheme != "file" or not target.is_file():
            result.broken_links.append(href)
    return result


def check_report(report_dir: Path, shots: Path, executable: str) -> list[PageCheck]:
    """Every HTML page of a report folder, at 1366 × 768."""
    from playwright.sync_api import sync_playwright

    checks = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            for html in sorted(Path(report_dir).glob("*.html")):
                page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
                checks.append(check_page(page, html, shots))
                page.close()
        finally:
            browser.close()
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="在浏览器中检查一个年度的 HTML 报告")
    parser.add_argument("report_dir", type=Path, help="报告文件夹，如 reports/demo/2024")
    parser.add_argument("--shots", type=Path, default=None, help="截图文件夹（默认 <报告文件夹>/截图）")
    args = parser.parse_args(argv)
    executable = chromium()
    if executable is None:
        print(
            "没有找到 Chromium：请安装（Debian/Ubuntu：apt-get install chromium）或用环境变量 CHROMIUM 指定。",
            file=sys.stderr,
        )
        return 2
    checks = check_report(args.report_dir, args.shots or args.report_dir / "截图", executable)
    for c in checks:
        print(
            f"{'通过' if c.ok else '未通过'}  {c.page}：交互表格 {c.tables}/{c.static_tables}，排序 {c.sorted_ascending}，"
            f"单位类别筛选 {c.filtered}，过宽 {c.too_wide or '无'}，链接 {len(c.links)} 个（失效 {c.broken_links or '无'}），"
            f"脚本错误 {c.errors or '无'}，截图 {c.screenshot}"
        )
    return 0 if checks and all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
