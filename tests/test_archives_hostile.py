"""The new readers are as hostile-proof as the old ones: archives, PDFs and images built to hurt.

Each hostile file yields exactly one located issue within the per-file limits, the good files around them are
read exactly, and nothing is written outside the output folder.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from archive_builders import FlaggedInfo, write_7z, write_zip
from fixtures import (
    SAMPLE,
    ingest_folder,
    issues_of,
    numbers,
    return_of,
    vertical_form,
    write_units_csv,
    write_xlsx,
)
from hostile import PNG_BYTES, write_zip_bomb

YEAR = 2023

# hostile file → (issue code, text its message must contain)
HOSTILE = {
    "炸弹.zip": ("file_limit_unzipped", "Limits.max_unzipped_bytes"),
    "压缩比.zip": ("file_limit_ratio", "Limits.max_member_ratio"),
    "成员炸弹.zip/压缩炸弹.xlsx": ("file_limit_unzipped", "Limits.max_unzipped_bytes"),
    "十万个文件.zip": ("file_limit_members", "100000"),
    "上级目录.zip": ("archive_member_skipped", "../"),
    "绝对路径.zip": ("archive_member_skipped", "绝对路径"),
    "加密.zip": ("file_encrypted", "密码"),
    "加密.7z": ("file_encrypted", "密码"),
    "损坏.7z": ("file_corrupt", "7z"),
    "损坏.pdf": ("file_corrupt", "PDF"),
    "内容流炸弹.pdf": ("file_limit_unzipped", "Limits.max_unzipped_bytes"),
    "三百页.pdf": ("sheet_unreadable", "共 300 页"),
    "照片改名.pdf": ("file_wrong_format", "JPEG"),
    "巨图.png": ("image_too_large", "400,000,000 像素"),
}
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF with a valid cross-reference table from numbered object bodies (1-based)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def stream_bomb_pdf(gigabytes: float = 1.0) -> bytes:
    """One page whose content stream inflates to ``gigabytes`` GB of zeros (about 1 MB compressed)."""
    packer = zlib.compressobj(9)
    block = bytes(4 * 1024**2)
    data = b"".join(packer.compress(block) for _ in range(int(gigabytes * 256))) + packer.flush()
    return _pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>",
            b"<</Length %d/Filter/FlateDecode>>stream\n" % len(data) + data + b"\nendstream",
        ]
    )


def many_pages_pdf(pages: int = 300) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    return _pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, pages),
            *[b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>" for _ in range(pages)],
        ]
    )


def huge_png(side: int = 20_000) -> bytes:
    """A real 1-bit PNG of ``side`` × ``side`` pixels (400 megapixels), about 50 KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])
    packer = zlib.compressobj(9)
    row = bytes(1 + side // 8)
    pixels = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    return PNG_BYTES[:8] + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def build(raw: Path, staging: Path) -> None:
    good = write_xlsx(staging / "good.xlsx", vertical_form(SAMPLE, stamp="随县")).read_bytes()
    write_zip(raw / "随县.zip", {"随县统计表.xlsx": good})
    raw.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(raw / "炸弹.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("zeros.bin", "w", force_zip64=True) as member:
            for _ in range(210):
                member.write(bytes(1024**2))
    write_zip(raw / "压缩比.zip", {"零.txt": bytes(2 * 1024**2)})
    write_zip(raw / "成员炸弹.zip", {"压缩炸弹.xlsx": write_zip_bomb(staging / "bomb.xlsx").read_bytes()})
    with zipfile.ZipFile(raw / "十万个文件.zip", "w", zipfile.ZIP_STORED) as zf:
        for i in range(100_000):
            zf.writestr(f"f{i}.txt", b"")
    write_zip(raw / "上级目录.zip", {"../../evil_up.xlsx": good})
    write_zip(raw / "绝对路径.zip", {"/tmp/evil_abs.xlsx": good})
    write_zip(raw / "加密.zip", {"统计表.xlsx": good}, info=FlaggedInfo)
    write_7z(raw / "加密.7z", {"统计表.xlsx": good}, password="secret")
    (raw / "损坏.7z").write_bytes(write_7z(staging / "ok.7z", {"统计表.xlsx": good}).read_bytes()[:60])
    (raw / "损坏.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    (raw / "内容流炸弹.pdf").write_bytes(stream_bomb_pdf())
    (raw / "三百页.pdf").write_bytes(many_pages_pdf())
    (raw / "照片改名.pdf").write_bytes(JPEG_BYTES)
    (raw / "巨图.png").write_bytes(huge_png())


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("hostile_new")
    raw, staging, out = base / "raw" / str(YEAR), base / "staging", base / "out" / str(YEAR)
    build(raw, staging)
    units = write_units_csv(base / "units.csv")
    before = set(base.rglob("*"))
    start = time.perf_counter()
    result = ingest_folder(raw, out_dir=out, workers=2, units_csv=units)
    return dict(base=base, out=out, result=result, before=before, seconds=time.perf_counter() - start)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_file_is_one_located_issue(batch, name: str) -> None:
    code, text = HOSTILE[name]
    found = issues_of(batch["result"], name)
    assert list(found["code"]) == [code], found.to_dict("records")
    assert text in found["message"].iloc[0]


def test_good_archive_member_read_beside_them(batch) -> None:
    row = return_of(batch["result"], "随县.zip/随县统计表.xlsx")
    assert numbers(row) == numbers(SAMPLE)
    assert list(batch["result"].returns["source_file"]) == ["随县.zip/随县统计表.xlsx"]


def test_nothing_written_outside_the_output_folder(batch) -> None:
    created = set(batch["base"].rglob("*")) - batch["before"]
    assert created and all(batch["out"] in p.parents or p == batch["out"] or p in batch["out"].parents for p in created)
    assert not Path("/tmp/evil_abs.xlsx").exists()
    assert not list(batch["base"].rglob("evil*"))


def test_unsafe_members_are_not_inventoried_as_files(batch) -> None:
    names = set(batch["result"].files["source_file"])
    assert not [n for n in names if "evil" in n]
