"""The folder walk: every file under a year folder in a stable order; links and odd entries become issues.

File names are shown as people read them: a name that is not valid UTF-8 (what unzipping a Chinese-Windows zip
on Linux leaves) is decoded as GB18030 when that works, otherwise kept with ``\\x..`` escapes, with an info row
saying so — never a crash of the batch, and every output stays valid UTF-8.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis.intake.readers.formats import TABLE_EXT
from analysis.intake.source import shown_path
from analysis.issues import Issue

# Codes of walk issues that stand for an entry that is not a readable file; each is inventoried in files.csv.
NOT_A_FILE_CODES = ("link_skipped", "not_a_file")


@dataclass(frozen=True)
class WalkedFile:
    """A regular file the walk found: where it is on disk and its name in the outputs (decoded, ``/``-separated)."""

    path: Path
    source_file: str


def walk(raw_dir: Path) -> tuple[list[WalkedFile], list[Issue]]:
    """Every file under ``raw_dir`` in a stable order; links, odd entries and undecodable names become issues."""
    files, issues = [], []
    raw_dir = Path(raw_dir)
    root = raw_dir.resolve()
    for dirpath, dirnames, filenames in os.walk(raw_dir, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        for name in list(dirnames):
            rel = shown_path((here / name).relative_to(raw_dir).as_posix()).text
            if (here / name).is_symlink():
                dirnames.remove(name)
                issues.append(
                    Issue(
                        "warning",
                        "link_skipped",
                        "这是一个指向其他位置的快捷方式（链接）文件夹，未读取。请把文件本身放入文件夹。",
                        rel,
                    )
                )
            elif Path(name).suffix.lower() in TABLE_EXT:
                issues.append(
                    Issue(
                        "warning",
                        "directory_named_like_file",
                        f"“{Path(rel).name}”是文件夹而不是文件，已按文件夹读取其中内容。",
                        rel,
                    )
                )
        for name in sorted(filenames):
            path = here / name
            rel = _shown(path, raw_dir, issues)
            if path.is_symlink():
                target = path.resolve()
                if not target.exists() or root not in target.parents:
                    issues.append(
                        Issue(
                            "error",
                            "link_skipped",
                            "这是一个快捷方式（链接），指向的文件不存在或在报送文件夹之外，"
                            "未读取。请把文件本身放入文件夹。",
                            rel,
                        )
                    )
                    continue
            if not path.is_file():
                issues.append(Issue("warning", "not_a_file", "这不是普通文件（设备、管道等），未读取。", rel))
                continue
            files.append(WalkedFile(path, rel))
    return files, issues


def _shown(path: Path, raw_dir: Path, issues: list[Issue]) -> str:
    """The entry's name for the outputs; an info row when its own name (not a parent's) is not UTF-8."""
    decoded = shown_path(path.relative_to(raw_dir).as_posix())
    own = shown_path(path.name)
    if own.encoding == "gb18030":
        issues.append(
            Issue(
                "info",
                "file_name_not_utf8",
                f"文件名不是 UTF-8 编码（多见于在中文 Windows 上打包、在其他系统上"
                f"解压的文件），已按 GBK/GB18030 解读为“{own.text}”。",
                decoded.text,
            )
        )
    elif own.encoding == "escaped":
        issues.append(
            Issue(
                "warning",
                "file_name_not_utf8",
                f"文件名含有无法识别的字符编码，已用 \\x.. 形式显示为“{own.text}”。如名称有误请重命名后重新报送。",
                decoded.text,
            )
        )
    return decoded.text
