"""Regenerate the eight Word 97 returns of this folder: ``python tests/data/legacy_doc/make_docs.py``.

Each is a vertical-template form written by python-docx (``tests/fixtures.py``), stamped with one unit of the
tests' registry and numbers of its own, then saved by LibreOffice as .odt and from that with the "MS Word 97"
filter (soffice on the PATH; saved from .docx directly, the table becomes one paragraph).  ``RETURNS`` is what the tests expect to read back.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from fixtures import SAMPLE, TEST_UNITS, vertical_form, write_docx  # noqa: E402 - tests/ put on the path above


def _values(n: int) -> dict[str, float]:
    """The sample's numbers, with the first count item and the first money item made unique per return."""
    return {**SAMPLE, "events_held": 20 + n, "funding_county": 8.25 + n}


RETURNS = {f"{unit}统计表.doc": (unit, _values(n)) for n, (unit, _, _) in enumerate(TEST_UNITS[:8])}


def main() -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n, (name, (unit, values)) in enumerate(RETURNS.items()):
            write_docx(work / f"form{n}.docx", vertical_form(values, stamp=unit))
            for source, target in ((f"form{n}.docx", "odt"), (f"form{n}.odt", "doc:MS Word 97")):
                subprocess.run(
                    [
                        soffice,
                        f"-env:UserInstallation={(work / 'profile').as_uri()}",
                        "--headless",
                        "--convert-to",
                        target,
                        "--outdir",
                        str(work),
                        str(work / source),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
            shutil.copyfile(work / f"form{n}.doc", HERE / name)


if __name__ == "__main__":
    main()
