"""随州市科技活动周开展情况统计分析 — reading, checking and reporting the week's statistics returns."""

__version__ = "0.1.0"
