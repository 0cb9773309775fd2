"""Command line: ``python -m analysis {ingest,review,report,template,demo,kernel,...}``."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from analysis import catalog, paths


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="随州市科技活动周开展情况统计分析")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="读取、核查一年的报送统计表，输出 returns/values/issues/files 四张表")
    ingest.add_argument("raw_dir", type=Path, help="该年报送文件所在文件夹，如 data/raw/2023")
    ingest.add_argument("--out", type=Path, required=True, help="输出文件夹，如 data/processed/2023")
    ingest.add_argument("--year", type=int, default=None, help="年度（默认取文件夹名）")
    ingest.add_argument("--workers", type=int, default=None, help="并行进程数（默认按CPU核数）")
    ingest.add_argument("--no-checks", action="store_true", help="只读取，不做数据核查")
    ingest.add_argument(
        "--units",
        type=Path,
        default=paths.UNITS_CSV,
        help="单位名录 CSV（name,kind,aliases,since,until；默认 data/reference/units.csv）",
    )
    ingest.add_argument(
        "--weeks",
        type=Path,
        default=None,
        help="活动周日期 CSV（year,start,end,deadline；默认 data/reference/weeks.csv）",
    )
    ingest.add_argument(
        "--review",
        type=Path,
        default=None,
        help="核实台账（默认：raw 文件夹上两级的 review/<年度>.xlsx，如 data/review/2025.xlsx）",
    )

    review = sub.add_parser(
        "review", help="根据处理结果生成或更新核实台账（每个待核实问题一行，不改动已填写的处理结果）"
    )
    review.add_argument("--year", type=int, required=True, help="年度")
    review.add_argument("--processed", type=Path, default=None, help="处理结果文件夹（默认 data/processed/<年度>）")
    review.add_argument("--ledger", type=Path, default=None, help="核实台账（默认 data/review/<年度>.xlsx）")

    report = sub.add_parser("report", help="用 papermill 运行分析笔记本，生成图表、汇总表和报告")
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--year", type=int, action="append", help="年度，可重复")
    which.add_argument("--all", action="store_true", help="每个年度（按年份先后）")
    report.add_argument(
        "--demo",
        action="store_true",
        help="使用自带的示例数据（data/demo）；默认：data/raw 下有真实年度时用真实年度，否则用示例数据",
    )
    report.add_argument("--raw", type=Path, default=None, help="报送文件夹的上级目录（默认 data/raw）")
    report.add_argument("--processed", type=Path, default=None, help="处理结果的上级目录（默认 data/processed）")
    report.add_argument("--reports", type=Path, default=None, help="报告的上级目录（默认 reports）")
    report.add_argument(
        "--force", action="store_true", help="全部重新生成（默认只重新生成输入有变化的年度及依赖它们的后续年度）"
    )

    template = sub.add_parser("template", help="按当年表式和单位名录生成可填写的统计表模板（.xlsx 和 .docx）")
    template.add_argument("--year", type=int, required=True, help="年度，如 2025")
    template.add_argument("--out", type=Path, default=None, help="输出文件夹（默认 reports/<年度>/模板）")
    template.add_argument(
        "--units", type=Path, default=paths.UNITS_CSV, help="单位名录（默认 data/reference/units.csv）"
    )

    demo = sub.add_parser("demo", help="重新生成示例数据（合成的随州市 2021–2024 年报表）")
    demo.add_argument("--out", type=Path, default=paths.DEMO.raw, help="示例报表目录（默认 data/demo/raw）")
    demo.add_argument("--truth", type=Path, default=paths.DEMO_TRUTH, help="真实值目录（默认 data/demo/truth）")
    demo.add_argument("--years", type=int, nargs="+", default=None, help="年度（默认 2021–2024）")

    sub.add_parser("kernel", help="为本项目环境注册 Jupyter 内核（make 会自动执行）")
    return parser


def _report_workspace(args: argparse.Namespace) -> paths.Workspace | None:
    """The workspace ``report`` runs on: the demo with ``--demo``, a custom one when folders are given, else None
    (the default: real years when there are any)."""
    base = paths.DEMO if args.demo else paths.REAL
    if not (args.demo or args.raw or args.processed or args.reports):
        return None
    return paths.Workspace(
        base.name, args.raw or base.raw, args.processed or base.processed, base.review, args.reports or base.reports
    )


def _review(args: argparse.Namespace) -> int:
    from analysis.review.ledger_file import LedgerUnusable, update_ledger

    workspace, year = paths.workspace_of(args.year)
    processed = args.processed or workspace.processed / str(year)
    ledger = args.ledger or workspace.review / catalog.ledger(year)
    if not catalog.is_processed(processed):
        print(
            f"错误：{year}年尚未处理（{processed}）：请先运行 python -m analysis ingest 或 make report。",
            file=sys.stderr,
        )
        return 2
    try:
        path, new, total = update_ledger(processed, ledger)
    except LedgerUnusable as exc:
        print(f"错误：{exc}（台账未改动）", file=sys.stderr)
        return 2
    print(
        f"核实台账：{path}（新增 {new} 行，共 {total} 行）。填写“处理”“更正值”“依据”“核实人”“核实日期”后重新运行即可。"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:  # the form files are read here: a broken one (edited by hand) is a clear error, not a traceback
        import analysis.form  # noqa: F401
    except ValueError as exc:  # analysis.form.FormError, which names the file and row
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if args.command == "ingest":
        from analysis.intake.units import RegistryError
        from analysis.pipeline import process_year

        if not args.raw_dir.is_dir():
            print(f"错误：报送文件夹不存在：{args.raw_dir}", file=sys.stderr)
            return 2
        year = args.year or paths.year_of(args.raw_dir)
        if year is None:
            print(
                f"错误：无法从文件夹名“{args.raw_dir.name}”得知年度，请用 --year 指定，如 --year 2025。",
                file=sys.stderr,
            )
            return 2
        if args.weeks is not None and not args.weeks.is_file():
            print(f"错误：找不到活动周日期文件 {args.weeks}（列：year,start,end,deadline）。", file=sys.stderr)
            return 2
        gc.freeze()  # the modules loaded so far live as long as the batch: collections need not scan them
        try:
            outcome = process_year(
                args.raw_dir,
                args.out,
                year=year,
                workers=args.workers,
                progress=sys.stderr.isatty(),
                checks_on=not args.no_checks,
                review=args.review,
                units_csv=args.units,
                weeks_csv=args.weeks or paths.WEEKS_CSV,
            )
        except RegistryError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        print(outcome.recap())
        return 0
    if args.command == "review":
        return _review(args)
    if args.command == "report":
        from analysis.report.runner import run_reports

        years = None if args.all else args.year
        return run_reports(years, _report_workspace(args), force=args.force)
    if args.command == "template":
        from analysis.form import FormError
        from analysis.intake.units import RegistryError

        out = args.out or paths.REPORTS / str(args.year) / catalog.TEMPLATES_FOLDER
        try:
            from analysis.template import write_templates

            written = write_templates(args.year, out, units_csv=args.units)
        except (FormError, RegistryError) as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        print(f"已生成{args.year}年统计表模板：\n  {written.xlsx}\n  {written.docx}")
        return 0
    if args.command == "demo":
        from analysis.demo.cli import main as demo_main

        return demo_main(
            ["--out", str(args.out), "--truth", str(args.truth)]
            + (["--years", *map(str, args.years)] if args.years else [])
        )
    if args.command == "kernel":
        from analysis.report.runner import ensure_kernel

        print(f"已注册 Jupyter 内核：{ensure_kernel()}")
        return 0
    return 2
