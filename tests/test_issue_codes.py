"""Every issue code the package can emit has a Chinese title in the one catalogue (analysis.issues.CODE_TITLES)."""

import re
from pathlib import Path

from analysis.issues import CODE_TITLES

PACKAGE = Path(__file__).resolve().parent.parent / "analysis"
PATTERNS = (
    re.compile(r'Refused\(\s*"([a-z0-9_]+)"'),
    re.compile(r'"(?:error|warning|info)",\s*"([a-z0-9_]+)"'),
    re.compile(r'_bad\(\s*"([a-z0-9_]+)"'),  # analysis.intake.values
)
SEVERITIES = {"error", "warning", "info"}


def emitted_codes() -> set[str]:
    codes = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in PATTERNS:
            codes |= set(pattern.findall(text))
    return codes - SEVERITIES


def test_codes_are_found_at_all():
    assert {"file_encrypted", "value_approx", "value_unknown", "missing_return", "no_form_found"} <= emitted_codes()


def test_every_emitted_code_has_a_chinese_title():
    missing = sorted(emitted_codes() - set(CODE_TITLES))
    assert missing == []
    assert all(re.search(r"[\u4e00-\u9fff]", title) for title in CODE_TITLES.values())
