#!/usr/bin/env python3
"""Helper of drive_os_patterns.sh (not a test itself): the small files macOS
and Windows write on a FAT drive of their own accord, with their real names,
sizes and first bytes (from public descriptions of the formats), filled with
deterministic junk where the content does not matter to dropboot.

  os_files.py appledouble OUT [SEED]  ._<name>: AppleDouble header, 4096 bytes
  os_files.py macos DIR               .fseventsd/, .Spotlight-V100/, .DS_Store under DIR
  os_files.py windows DIR             System Volume Information/ tree under DIR
"""
import gzip
import os
import random
import struct
import sys

APPLEDOUBLE_MAGIC = 0x00051607
APPLEDOUBLE_VERSION = 0x00020000
APPLEDOUBLE_SIZE = 4096  # what Finder writes for a file with a few xattrs
VOLUME_UUID = "6C3A1F2E-4B5D-4E8F-9A0B-1C2D3E4F5A6B"


def junk(rnd, n):
    return bytes(rnd.getrandbits(8) for _ in range(n))


def appledouble(path, seed=1):
    rnd = random.Random(seed)
    # magic, version, 16 filler bytes, then entries; the rest is xattr junk
    head = struct.pack(">II16sH", APPLEDOUBLE_MAGIC, APPLEDOUBLE_VERSION, b"Mac OS X        ", 2)
    head += struct.pack(">III", 9, 50, 3870)  # entry 9: Finder info + xattrs
    head += struct.pack(">III", 2, 3920, 176)  # entry 2: resource fork
    body = head + b"ATTR" + junk(rnd, APPLEDOUBLE_SIZE - len(head) - 4)
    write(path, body)


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def macos(root):
    rnd = random.Random(2)
    write(os.path.join(root, ".fseventsd", "fseventsd-uuid"), VOLUME_UUID.encode())
    # a log page: gzip of a "1SLD" header and event records
    log = b"1SLD" + struct.pack("<II", 0x12345678, 64) + junk(rnd, 300)
    write(os.path.join(root, ".fseventsd", "0000000000a1b2c3"), gzip.compress(log, mtime=0))
    sp = os.path.join(root, ".Spotlight-V100")
    write(os.path.join(sp, "VolumeConfiguration.plist"),
          b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>'
          b"<key>Stores</key><dict/></dict></plist>\n")
    store = os.path.join(sp, "Store-V2", VOLUME_UUID)
    write(os.path.join(store, "psid.db"), junk(rnd, 72))
    write(os.path.join(store, "indexState"), junk(rnd, 4))
    write(os.path.join(store, "store.db"), junk(rnd, 2000))
    # Finder's view settings: a "Bud1" buddy-allocator file
    write(os.path.join(root, ".DS_Store"), struct.pack(">I4s", 1, b"Bud1") + junk(rnd, 6136))


def windows(root):
    svi = os.path.join(root, "System Volume Information")
    # the volume's indexer GUID as UTF-16LE text with braces
    write(os.path.join(svi, "IndexerVolumeGuid"),
          "{7D3F1B2C-5A6E-4F80-9B1C-2D3E4F5A6B7C}".encode("utf-16-le"))
    write(os.path.join(svi, "WPSettings.dat"), struct.pack("<I", 12) + junk(random.Random(3), 8))


def main(argv):
    if len(argv) >= 3 and argv[1] == "appledouble":
        appledouble(argv[2], int(argv[3], 0) if len(argv) > 3 else 1)
    elif len(argv) == 3 and argv[1] == "macos":
        macos(argv[2])
    elif len(argv) == 3 and argv[1] == "windows":
        windows(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
