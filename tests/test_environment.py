"""The conda route (environment.yml) and the pip route (pyproject.toml) install the same runtime packages."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> tuple[set[str], dict[str, set[str]]]:
    """The runtime requirements, and those of each extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = {name: {_name(r) for r in reqs} for name, reqs in project["optional-dependencies"].items()}
    return {_name(r) for r in project["dependencies"]}, extras


def _environment() -> set[str]:
    names = set()
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.\-]+)", line)
        if m and m.group(1) not in ("pip", "conda-forge"):
            names.add(_name(m.group(1)))
    return names - {"python"}


def test_environment_matches_pyproject():
    runtime, extras = _pyproject()
    env = _environment()
    assert runtime - env == set(), "in pyproject.toml but not in environment.yml"
    assert extras["demo"] - env == set(), "the demo extra (the tests need it) is not in environment.yml"
    assert env - runtime - extras["dev"] - extras["demo"] == set(), "in environment.yml but not in pyproject.toml"


def test_the_demo_writers_are_an_extra_that_make_installs():
    runtime, extras = _pyproject()
    assert extras["demo"] == {"xlwt", "odfpy"} and not extras["demo"] & runtime
    assert '".[dev,ocr,demo]"' in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_environment_names_python_311():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"-\s+python=3\.11", text)
