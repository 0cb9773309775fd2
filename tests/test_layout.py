"""The layout along the data flow: one-way imports, the demo apart from real years, one comparison year."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from analysis import paths
from analysis.report import runner

PACKAGE = Path(paths.__file__).resolve().parent
# room → the rooms it must never import
FORBIDDEN = {
    "intake": ("analysis.review", "analysis.report", "analysis.pipeline", "analysis.cli", "analysis.demo"),
    "review": ("analysis.report", "analysis.pipeline", "analysis.cli", "analysis.demo"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_imports_run_one_way(room):
    offenders = {
        f"{p.name}: {m}"
        for p in (PACKAGE / room).glob("*.py")
        for m in imported_modules(p)
        if m.startswith(FORBIDDEN[room])
    }
    assert offenders == set()


def test_shared_ground_imports_no_room():
    for name in ("form.py", "issues.py", "outputs.py", "paths.py"):
        assert not {
            m
            for m in imported_modules(PACKAGE / name)
            if m.startswith(("analysis.intake", "analysis.review", "analysis.report"))
        }, name


def test_no_module_opens_relative_imports():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level], path


def test_only_the_demo_imports_its_extra():
    """xlwt and odfpy come with the ``demo`` extra (pyproject.toml): no module outside the demo's writers needs them."""
    extra = ("xlwt", "odf")
    users = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if any(m == e or m.startswith(e + ".") for m in imported_modules(p) for e in extra)
    }
    assert users and all(u.startswith("demo/writers/") for u in users), users


@pytest.mark.parametrize(
    "year, years, demo, expected",
    [
        (2025, {2021: True, 2023: False, 2024: True}, False, 2023),  # the latest earlier real year, not year − 1
        (2025, {2021: True, 2023: False, 2024: True}, True, 2024),
        (2023, {2023: False, 2024: False}, False, None),  # nothing earlier
        (2022, {}, False, None),
        (2024, {2021: False, 2022: False, 2023: True}, False, 2022),  # never a year of the other kind
    ],
)
def test_comparison_year(year, years, demo, expected):
    assert paths.comparison_year(year, years, demo) == expected


def test_the_demo_lives_apart_from_real_years():
    assert paths.DEMO.raw == paths.ROOT / "data" / "demo" / "raw"
    assert paths.DEMO.reports == paths.ROOT / "reports" / "demo"
    assert paths.DEMO.years() == [2021, 2022, 2023, 2024]
    assert all(paths.is_demo(d) for d in paths.year_dirs(paths.DEMO.raw))
    assert not any(paths.is_demo(d) for d in paths.year_dirs(paths.REAL.raw))


def _workspace(base: Path, name: str) -> paths.Workspace:
    return paths.Workspace(name, base / "raw", base / "processed", base / "review", base / "reports")


def test_default_workspace_is_real_once_a_real_year_exists(tmp_path, monkeypatch):
    real, demo = _workspace(tmp_path / "real", "真实"), _workspace(tmp_path / "demo", "示例")
    (demo.raw / "2024").mkdir(parents=True)
    monkeypatch.setattr(paths, "REAL", real)
    monkeypatch.setattr(paths, "DEMO", demo)
    assert paths.default_workspace() is demo
    assert paths.workspace_of(None) == (demo, 2024)
    assert paths.workspace_of(2024) == (demo, 2024)
    assert paths.workspace_of(2030) == (real, 2030)  # a year nobody has: where a real one would go
    (real.raw / "2025").mkdir(parents=True)
    assert paths.default_workspace() is real
    assert paths.workspace_of(None) == (real, 2025)
    (real.raw / "2024").mkdir()
    assert paths.workspace_of(2024) == (real, 2024)  # a real year wins over the demo's year of the same number


def test_plan_years_uses_the_one_comparison_year(tmp_path):
    ws = _workspace(tmp_path, "测试")
    for year in (2021, 2023, 2025):
        (ws.raw / str(year)).mkdir(parents=True)
    (ws.raw / "2021" / paths.DEMO_MARKER).write_text("示例", encoding="utf-8")
    plans = runner.plan_years(None, ws)
    assert [(p.year, p.compare_year) for p in plans] == [(2021, None), (2023, None), (2025, 2023)]
    assert plans[2].report_dir == ws.reports / "2025" and plans[2].processed_dir == ws.processed / "2025"


def test_real_returns_are_git_ignored_and_the_demo_is_not():
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=paths.ROOT).returncode == 0

    if subprocess.run(["git", "rev-parse"], cwd=paths.ROOT, capture_output=True).returncode != 0:
        pytest.skip("not a git checkout")
    assert ignored("data/raw/2025/随县/统计表.xlsx")
    assert ignored("data/processed/2025/returns.csv") and ignored("data/demo/processed/2024/returns.csv")
    assert ignored("reports/2025/summary.xlsx") and ignored("reports/demo/2024/summary.xlsx")
    assert not ignored("data/raw/README.md")
    assert not ignored("data/demo/raw/2024/received.csv")


def test_tests_read_only_the_demo():
    tests = Path(__file__).resolve().parent
    for path in tests.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("paths.RAW", "paths.PROCESSED", "paths.REPORTS", "paths.REAL"):
            assert name not in text or path.name == Path(__file__).name, (path.name, name)
