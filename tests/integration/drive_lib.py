#!/usr/bin/env python3
"""Test helpers for the drive tests (not a test itself): make app images and
UF2 files. The UF2 writer follows the spec (github.com/microsoft/uf2) and is
independent of core/uf2.c on purpose: it is an oracle for the decoder.

  drive_lib.py app OUT.bin SIZE [SEED [BASE]]  vector table + pseudo-random code bytes
  drive_lib.py uf2 IN.bin OUT.uf2 [--base A] [--family F] [--payload N] [--flags F]
"""
import random
import struct
import sys

APP_BASE = 0x08008000
FAMILY = 0x00FF6919


def make_app(path, size, seed=1, base=APP_BASE, sp=0x20050000):
    rnd = random.Random(seed)
    body = bytearray(rnd.getrandbits(8) for _ in range(size))
    # initial SP and a reset handler (Thumb bit) inside the image
    entry = base + min(0x200, max(8, (size // 2) & ~1))
    struct.pack_into("<II", body, 0, sp, entry | 1)
    open(path, "wb").write(bytes(body))


def make_uf2(src, dst, base=APP_BASE, family=FAMILY, payload=256, flags=0x2000):
    data = open(src, "rb").read()
    chunks = [data[i:i + payload] for i in range(0, len(data), payload)]
    out = bytearray()
    for n, chunk in enumerate(chunks):
        blk = struct.pack("<IIIIIIII", 0x0A324655, 0x9E5D5157, flags, base + n * payload,
                          len(chunk), n, len(chunks), family)
        blk += chunk + bytes(476 - len(chunk)) + struct.pack("<I", 0x0AB16F30)
        out += blk
    open(dst, "wb").write(bytes(out))


def main(argv):
    if argv[1] == "app":
        make_app(argv[2], int(argv[3], 0), int(argv[4], 0) if len(argv) > 4 else 1,
                 int(argv[5], 0) if len(argv) > 5 else APP_BASE)
    elif argv[1] == "uf2":
        opts = {"--base": APP_BASE, "--family": FAMILY, "--payload": 256, "--flags": 0x2000}
        rest = argv[4:]
        for i in range(0, len(rest), 2):
            opts[rest[i]] = int(rest[i + 1], 0)
        make_uf2(argv[2], argv[3], opts["--base"], opts["--family"], opts["--payload"], opts["--flags"])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
