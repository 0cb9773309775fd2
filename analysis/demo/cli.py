"""``python -m analysis demo``: regenerate the synthetic demo years; without the ``demo`` extra (xlwt, odfpy), say
in Chinese how to install it."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis import paths
from analysis.demo.city import DEFAULT_SEED, DEMO_YEARS

# Modules of the ``demo`` extra (pyproject.toml) → the package that installs each.
EXTRA_MODULES = {"xlwt": "xlwt", "odf": "odfpy"}
MISSING_EXTRA = (
    "错误：生成示例数据需要可选依赖 {missing}，当前环境没有安装。请在项目文件夹中运行 "
    'pip install -e ".[demo]"（或 make setup，它会一并安装）；conda 环境运行 '
    'pip install "xlwt>=1.3" "odfpy>=1.4"。读取、核查和报告不需要它们，仓库已带有生成好的示例数据。'
)


def missing_extra() -> list[str]:
    """The packages of the ``demo`` extra that are not installed."""
    return [package for module, package in EXTRA_MODULES.items() if importlib.util.find_spec(module) is None]


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the demo; 0 when written, 1 when refused or unwritable, 2 without the ``demo`` extra."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis demo",
        description="生成示例数据（非真实统计）：2021—2024年各单位报送的统计表及核对用的真实值。",
    )
    parser.add_argument("--out", type=Path, default=paths.DEMO.raw, help="示例报表目录（默认 data/demo/raw）")
    parser.add_argument("--truth", type=Path, default=paths.DEMO_TRUTH, help="真实值目录（默认 data/demo/truth）")
    parser.add_argument("--years", type=int, nargs="+", default=list(DEMO_YEARS), help="要生成的年份")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
    args = parser.parse_args(argv)
    missing = missing_extra()
    if missing:
        print(MISSING_EXTRA.format(missing="、".join(missing)), file=sys.stderr)
        return 2
    from analysis.demo.generate import generate  # here, not above: its writers import the extra

    try:
        generate(args.out, args.truth, years=args.years, seed=args.seed)
    except (FileExistsError, ValueError) as exc:  # real returns in the way, or a year without a plan
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"错误：写入示例数据失败（{exc}），请检查目录是否存在、是否有写入权限。", file=sys.stderr)
        return 1
    print(f"已生成示例数据：{', '.join(map(str, args.years))} 年 → {args.out}；真实值 → {args.truth}")
    return 0
