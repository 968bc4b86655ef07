#!/usr/bin/env python3
"""Odd but real firmware files for host_behaviour.sh (not a test itself).

Each is what a user may drop on the drive: spec-valid files written by other
tools than ours, or files that must be refused. Written from the UF2 spec and
the Intel HEX format, independently of core/.

  fw_forge.py uf2 IN OUT [--payload N] [--shuffle SEED] [--base A]
      UF2 of IN (payload N bytes, default 256; blocks in a shuffled order)
  fw_forge.py uf2-repeat IN OUT      block 1 sent again at the end, other data
  fw_forge.py uf2-blockno-past IN OUT  last block's blockNo == numBlocks
  fw_forge.py hex IN OUT [--split OFF] [--high-first] [--start-first] [--rec N]
      Intel HEX of IN at 0x08008000: --split: two abutting sections at OFF,
      --high-first: the high one listed first; --start-first: a 05 record
      (start address = the reset handler) before everything else; --rec: N
      data bytes per record (default 16)
  fw_forge.py vectors IN OUT --sp V | --pc-past-end
      IN with the initial SP set to V, or its reset handler past its end
  fw_forge.py tar IN OUT NAME        a tar archive holding IN as NAME
  fw_forge.py zip IN OUT NAME        a zip archive holding IN as NAME
"""
import io
import random
import struct
import sys
import tarfile
import zipfile

APP_BASE = 0x08008000
FAMILY = 0x00FF6919
UF2_MAGIC0, UF2_MAGIC1, UF2_MAGIC_END = 0x0A324655, 0x9E5D5157, 0x0AB16F30
UF2_FLAG_FAMILY = 0x2000


def uf2_blocks(data, payload=256, base=APP_BASE):
    chunks = [data[i:i + payload] for i in range(0, len(data), payload)]
    return [[base + n * payload, chunk, n, len(chunks)] for n, chunk in enumerate(chunks)]


def uf2_pack(blocks):
    out = bytearray()
    for addr, chunk, no, num in blocks:
        out += struct.pack("<8I", UF2_MAGIC0, UF2_MAGIC1, UF2_FLAG_FAMILY, addr, len(chunk), no, num, FAMILY)
        out += chunk + bytes(476 - len(chunk)) + struct.pack("<I", UF2_MAGIC_END)
    return bytes(out)


def hex_record(kind, addr, data):
    body = bytes([len(data), (addr >> 8) & 0xFF, addr & 0xFF, kind]) + data
    return ":%s%02X\r\n" % (body.hex().upper(), (-sum(body)) & 0xFF)


def hex_section(data, addr, rec):
    out = []
    upper = None
    i = 0
    while i < len(data):
        a = addr + i
        if a >> 16 != upper:
            upper = a >> 16
            out.append(hex_record(4, 0, struct.pack(">H", upper)))
        n = min(rec, len(data) - i, 0x10000 - (a & 0xFFFF))  # a record never crosses 64 KB
        out.append(hex_record(0, a & 0xFFFF, data[i:i + n]))
        i += n
    return out


def make_hex(data, split=None, high_first=False, start_first=False, rec=16):
    parts = [(data, APP_BASE)] if split is None else [(data[:split], APP_BASE), (data[split:], APP_BASE + split)]
    if high_first:
        parts.reverse()
    lines = []
    if start_first:
        lines.append(hex_record(5, 0, struct.pack(">I", struct.unpack_from("<I", data, 4)[0])))
    for d, a in parts:
        lines += hex_section(d, a, rec)
    lines.append(hex_record(1, 0, b""))
    return "".join(lines).encode()


def opts_of(rest):
    opts = {}
    i = 0
    while i < len(rest):
        if i + 1 < len(rest) and not rest[i + 1].startswith("--"):
            opts[rest[i]] = rest[i + 1]
            i += 2
        else:
            opts[rest[i]] = True
            i += 1
    return opts


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    cmd, src, dst = argv[1:4]
    data = open(src, "rb").read()
    o = opts_of(argv[4:])
    if cmd == "uf2":
        blocks = uf2_blocks(data, int(o.get("--payload", "256"), 0), int(o.get("--base", hex(APP_BASE)), 0))
        if "--shuffle" in o:
            random.Random(int(o["--shuffle"], 0)).shuffle(blocks)
        out = uf2_pack(blocks)
    elif cmd == "uf2-repeat":
        blocks = uf2_blocks(data)
        addr, chunk, no, num = blocks[1]
        blocks.append([addr, bytes(b ^ 0x5A for b in chunk), no, num])
        out = uf2_pack(blocks)
    elif cmd == "uf2-blockno-past":
        blocks = uf2_blocks(data)
        blocks[-1][2] = blocks[-1][3]
        out = uf2_pack(blocks)
    elif cmd == "hex":
        out = make_hex(data, int(o["--split"], 0) if "--split" in o else None, "--high-first" in o,
                       "--start-first" in o, int(o.get("--rec", "16"), 0))
    elif cmd == "vectors":
        b = bytearray(data)
        if "--sp" in o:
            struct.pack_into("<I", b, 0, int(o["--sp"], 0))
        else:
            struct.pack_into("<I", b, 4, (APP_BASE + len(b) + 0x100) | 1)
        out = bytes(b)
    elif cmd in ("tar", "zip"):
        buf = io.BytesIO()
        if cmd == "tar":
            with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
                info = tarfile.TarInfo(argv[4])
                info.size, info.mtime = len(data), 0
                t.addfile(info, io.BytesIO(data))
        else:
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr(zipfile.ZipInfo(argv[4], (2026, 1, 1, 0, 0, 0)), data)
        out = buf.getvalue()
    else:
        sys.exit(__doc__)
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main(sys.argv)
