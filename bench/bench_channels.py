"""Speed of the channels (issue 20): ms per mail attachment (.eml, .mbox, Outlook .msg) and per online-form export row.

Files are made with the tests' builders (``tests/mail_builders.py`` with Python's email and mailbox modules,
``tests/cfb_writer.py`` for .msg, ``tests/export_builders.py`` for a 问卷星 export) and read through
``analysis.intake.read_file.process_file`` in this process (no worker pool: the reader's own cost), each the best of
``--repeat`` runs after one warm-up.  It also checks how many returns came back with all 20 values exact.  It prints,
it never asserts.  Run: ``make bench`` or ``.venv/bin/python bench/bench_channels.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import cfb_writer  # noqa: E402
import export_builders  # noqa: E402
import fixtures  # noqa: E402
import mail_builders  # noqa: E402

from analysis.form import FIELD_KEYS  # noqa: E402
from analysis.intake.assemble import all_members  # noqa: E402
from analysis.intake.read_file import process_file  # noqa: E402
from analysis.intake.safety import Limits  # noqa: E402

LIMITS = Limits(seconds_per_file=600, seconds_per_archive=3600)
ATTACHMENTS = 20  # per mail
MESSAGES = 10  # in the mbox
ROWS = (100, 2_000)  # export rows


def _best_ms(path: Path, repeat: int):
    process_file(path, path.name, 2023, LIMITS)  # warm-up: imports
    best, outcome = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = process_file(path, path.name, 2023, LIMITS)
        best = min(best, (time.perf_counter() - start) * 1000)
    return best, outcome


def _exact(outcome) -> str:
    forms = [m for m in all_members(outcome) if m.kind == "form"]
    good = sum(
        1
        for m in forms
        if {p.key: p.value for p in m.parsed if p.key in fixtures.SAMPLE}
        == {k: float(v) for k, v in fixtures.SAMPLE.items()}
    )
    return f"{good}/{len(forms)} 份 20 项全部读对"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    when = datetime(2023, 6, 4, 9, tzinfo=mail_builders.CHINA)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        xlsx = fixtures.write_vertical_xlsx(folder / "x.xlsx", fixtures.SAMPLE, stamp="随县").read_bytes()
        files = [(f"统计表{i}.xlsx", xlsx, mail_builders.XLSX) for i in range(ATTACHMENTS)]
        one = mail_builders.mail("随县科经局 <a@example.cn>", "统计表", when, files)
        answers = [fixtures.SAMPLE[k] for k in FIELD_KEYS]
        cases: list[tuple[str, Path, int]] = [
            (
                f".eml（{ATTACHMENTS} 个 .xlsx 附件，按每个附件计）",
                mail_builders.write_eml(folder / "a.eml", one),
                ATTACHMENTS,
            ),
            (
                f".mbox（{MESSAGES} 封 × {ATTACHMENTS} 个附件，按每个附件计）",
                mail_builders.write_mbox(folder / "a.mbox", [one] * MESSAGES),
                MESSAGES * ATTACHMENTS,
            ),
            (
                f".msg（{ATTACHMENTS} 个附件，按每个附件计）",
                fixtures.write_bytes(
                    folder / "a.msg",
                    cfb_writer.write_msg("随县科经局", "a@example.cn", "统计表", when, [(n, d) for n, d, _ in files]),
                ),
                ATTACHMENTS,
            ),
        ]
        for rows in ROWS:
            sheet = fixtures.Sheet(
                "Sheet1",
                export_builders.wjx_rows([(f"2023/6/{1 + i % 9} 10:00:00", f"单位{i}", answers) for i in range(rows)]),
            )
            cases.append(
                (
                    f"问卷星导出 .xlsx（{rows} 行，按每行计）",
                    fixtures.write_xlsx(folder / f"wjx{rows}.xlsx", sheet),
                    rows,
                )
            )
        print(f"邮件与在线表单导出耗时（本进程，{args.repeat} 次取最快，首次加载不计）：")
        for label, path, count in cases:
            ms, outcome = _best_ms(path, args.repeat)
            print(f"  {label}: {ms / count:,.2f} ms/个（共 {ms:,.0f} ms），{_exact(outcome)}")


if __name__ == "__main__":
    main()
