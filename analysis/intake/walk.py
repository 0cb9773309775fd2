"""The folder walk: every file under a year folder in a stable order; links and odd entries become issues."""

from __future__ import annotations

import os
from pathlib import Path

from analysis.intake.readers import TABLE_EXT
from analysis.issues import Issue

# Codes of walk issues that stand for an entry that is not a readable file; each is inventoried in files.csv.
NOT_A_FILE_CODES = ("link_skipped", "not_a_file")


def walk(raw_dir: Path) -> tuple[list[Path], list[Issue]]:
    """Every file under ``raw_dir`` in a stable order; links and odd entries become issues."""
    files, issues = [], []
    raw_dir = Path(raw_dir)
    root = raw_dir.resolve()
    for dirpath, dirnames, filenames in os.walk(raw_dir, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        for name in list(dirnames):
            rel = (here / name).relative_to(raw_dir).as_posix()
            if (here / name).is_symlink():
                dirnames.remove(name)
                issues.append(Issue("warning", "link_skipped", "这是一个指向其他位置的快捷方式（链接）文件夹，未读取。"
                                                               "请把文件本身放入文件夹。", rel))
            elif Path(name).suffix.lower() in TABLE_EXT:
                issues.append(Issue("warning", "directory_named_like_file", f"“{name}”是文件夹而不是文件，"
                                                                            "已按文件夹读取其中内容。", rel))
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(raw_dir).as_posix()
            if path.is_symlink():
                target = path.resolve()
                if not target.exists() or root not in target.parents:
                    issues.append(Issue("error", "link_skipped", "这是一个快捷方式（链接），指向的文件不存在或在报送文件夹之外，"
                                                                 "未读取。请把文件本身放入文件夹。", rel))
                    continue
            if not path.is_file():
                issues.append(Issue("warning", "not_a_file", "这不是普通文件（设备、管道等），未读取。", rel))
                continue
            files.append(path)
    return files, issues
