"""Run inside a worker process by the tests: which of some modules that process has loaded.

This file imports nothing of its own, so asking does not load anything."""

import sys


def loaded(names: list[str]) -> list[str]:
    return sorted(name for name in names if name in sys.modules)
