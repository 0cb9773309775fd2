"""A minimal Compound File Binary writer ([MS-CFB] version 3) and Outlook .msg files made with it ([MS-OXMSG]).

olefile only reads, and extract-msg (which writes) is GPL-3.0: the tests build their .msg files here, from the
documented structures, so that the reader is tested on real compound files independent of its own code.
Streams under 4096 bytes live in the mini stream, as the specification requires.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class Node:
    """A storage (``children``) or a stream (``data``)."""

    name: str
    data: bytes | None = None
    children: list[Node] = field(default_factory=list)


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\x00" * (-len(data) % size)


def write_cfb(root_children: list[Node]) -> bytes:
    """The bytes of a compound file holding the given tree."""
    entries: list[tuple[Node, int]] = []  # (node, type) in directory order; root first

    def add(node: Node, kind: int) -> int:
        entries.append((node, kind))
        return len(entries) - 1

    root = Node("Root Entry", None, root_children)
    links: dict[int, dict[str, int]] = {}

    def build(node: Node, kind: int) -> int:
        index = add(node, kind)
        links[index] = {"left": NOSTREAM, "right": NOSTREAM, "child": NOSTREAM}
        kids = sorted(node.children, key=lambda n: (len(n.name), n.name.upper()))
        ids = [build(k, 1 if k.data is None else 2) for k in kids]
        for a, b in zip(ids, ids[1:]):
            links[a]["right"] = b
        if ids:
            links[index]["child"] = ids[0]
        return index

    build(root, 5)
    mini = b""
    mini_fat: list[int] = []
    big: list[tuple[int, bytes]] = []
    starts: dict[int, int] = {}
    for index, (node, kind) in enumerate(entries):
        if kind != 2:
            continue
        if len(node.data) < CUTOFF:
            if not node.data:
                starts[index] = END
                continue
            first = len(mini) // MINI
            count = -(-len(node.data) // MINI)
            mini_fat += [first + i + 1 for i in range(count - 1)] + [END]
            mini += _pad(node.data, MINI)
            starts[index] = first
        else:
            big.append((index, node.data))
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        if not data:
            return END
        first = len(sectors)
        chunks = [data[i : i + SECTOR] for i in range(0, len(data), SECTOR)]
        for i, chunk in enumerate(chunks):
            sectors.append(_pad(chunk, SECTOR))
            fat.append(first + i + 1 if i < len(chunks) - 1 else END)
        return first

    for index, data in big:
        starts[index] = place(data)
    mini_start = place(mini)
    minifat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat) if mini_fat else b""
    minifat_start = place(_pad(minifat_bytes, SECTOR) if minifat_bytes else b"")
    directory = b""
    for index, (node, kind) in enumerate(entries):
        name = node.name.encode("utf-16-le") + b"\x00\x00"
        start = mini_start if kind == 5 else starts.get(index, 0) if kind == 2 else 0
        size = len(mini) if kind == 5 else len(node.data) if kind == 2 else 0
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name),
            kind,
            1,
            links[index]["left"],
            links[index]["right"],
            links[index]["child"],
            b"\x00" * 16,
            0,
            0,
            0,
            start if size or kind == 5 else END,
            size,
        )
    dir_start = place(_pad(directory, SECTOR))
    n_fat = 1
    while (len(sectors) + n_fat) > n_fat * (SECTOR // 4):
        n_fat += 1
    fat_start = len(sectors)
    fat += [FATSECT] * n_fat
    fat += [FREE] * (n_fat * (SECTOR // 4) - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    difat = [fat_start + i for i in range(n_fat)] + [FREE] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\x00" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,
        n_fat,
        dir_start,
        0,
        CUTOFF,
        minifat_start if mini_fat else END,
        -(-len(minifat_bytes) // SECTOR),
        END,
        0,
    )
    header += struct.pack("<109I", *difat)
    return header + b"".join(sectors) + fat_bytes


# --- Outlook .msg ----------------------------------------------------------------------------------------------
def _string(prop: int, text: str) -> Node:
    return Node(f"__substg1.0_{prop:04X}001F", text.encode("utf-16-le"))


def _properties(header: bytes, values: list[tuple[int, int, int]]) -> Node:
    """``__properties_version1.0``: (property id, type, 8-byte value) entries after the header."""
    body = b"".join(struct.pack("<IIQ", (prop << 16) | kind, 6, value) for prop, kind, value in values)
    return Node("__properties_version1.0", header + body)


def filetime(when: datetime) -> int:
    return int((when - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)


def msg_nodes(
    sender: str,
    address: str,
    subject: str,
    sent: datetime | None,
    attachments: list[tuple[str, bytes]],
    embedded: list[list[Node]] = (),
    header: int = 32,
    hidden: tuple[str, ...] = (),
) -> list[Node]:
    """The storages and streams of a message (``header``: 32 for a .msg file, 24 for an embedded message)."""
    count = len(attachments) + len(embedded)
    head = b"\x00" * 8 + struct.pack("<IIII", 0, count, 0, count) + (b"\x00" * 8 if header == 32 else b"")
    props = [(0x0039, 0x0040, filetime(sent))] if sent else []
    nodes = [_properties(head, props), _string(0x0037, subject), _string(0x0C1A, sender), _string(0x0C1F, address)]
    if header == 32:
        nodes.append(
            Node(
                "__nameid_version1.0",
                None,
                [
                    Node("__substg1.0_00020102", b""),
                    Node("__substg1.0_00030102", b""),
                    Node("__substg1.0_00040102", b""),
                ],
            )
        )
    for n, (name, data) in enumerate(attachments):
        values = [(0x3705, 0x0003, 1), (0x0E21, 0x0003, n)] + ([(0x7FFE, 0x000B, 1)] if name in hidden else [])
        nodes.append(
            Node(
                f"__attach_version1.0_#{n:08X}",
                None,
                [_properties(b"\x00" * 8, values), _string(0x3707, name), Node("__substg1.0_37010102", data)],
            )
        )
    for m, inner in enumerate(embedded, start=len(attachments)):
        nodes.append(
            Node(
                f"__attach_version1.0_#{m:08X}",
                None,
                [
                    _properties(b"\x00" * 8, [(0x3705, 0x0003, 5), (0x0E21, 0x0003, m)]),
                    Node("__substg1.0_3701000D", None, inner),
                ],
            )
        )
    return nodes


def write_msg(
    sender: str,
    address: str,
    subject: str,
    sent: datetime | None,
    attachments: list[tuple[str, bytes]],
    embedded: list[list[Node]] = (),
    hidden: tuple[str, ...] = (),
) -> bytes:
    return write_cfb(msg_nodes(sender, address, subject, sent, attachments, embedded, hidden=hidden))
