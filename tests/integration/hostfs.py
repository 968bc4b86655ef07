#!/usr/bin/env python3
"""A host's FAT writer for host_behaviour.sh (not a test itself).

Builds the disk images a computer would leave on the drive, independently of
dropboot's C code: it reads the BPB the image carries (the device's own dump,
or a volume the host reformatted), and places files with a chosen cluster
policy, something mtools cannot express. dropboot-sim replay then writes the
differences between successive images in a host's order.

  hostfs.py info IMG
  hostfs.py put IMG NAME FILE [--policy P] [--dir SUB] [--data-only] [--bytes N]
        NAME in 8.3 (no LFN); P: after-last (contiguous after the last used
        cluster, the default), first-free, fragmented (every other free
        cluster). --data-only: the file's clusters only, no FAT or directory
        (a raw write, or data the page cache sent before the metadata).
        --bytes N: only the first N bytes of FILE (a file still growing);
        the entry's size is N.
  hostfs.py interleave IMG NAME1 FILE1 NAME2 FILE2
        two files whose clusters alternate A B B A A B ... (two copies at once)
  hostfs.py grow IMG NAME FILE STEP OUTPREFIX
        OUTPREFIX1.img, 2, ...: the file growing STEP bytes per sync, each
        image with the data so far and the FAT and entry of that size;
        prints the image paths
  hostfs.py junk IMG COUNT [SIZE]
        COUNT small files JUNK0001.TXT ... in the root
  hostfs.py mkdir IMG NAME
  hostfs.py raw IMG FILE
        FILE's bytes into the data area from the first cluster after the
        last used one, with no file at all (dd to the raw device)
"""
import random
import struct
import sys

SECTOR = 512
DIRENT = 32
ATTR_DIR = 0x10
ATTR_ARCHIVE = 0x20
ATTR_LFN = 0x0F
ATTR_VOLUME = 0x08
FAT_DATE = (2026 - 1980) << 9 | 11 << 5 | 28  # fixed, so images are reproducible
FAT_TIME = 10 << 11


class Volume:
    """A FAT12/16/32 image in memory, read by its own BPB."""

    def __init__(self, path):
        self.path = path
        self.img = bytearray(open(path, "rb").read())
        b = self.img
        if b[510:512] != b"\x55\xaa" or struct.unpack_from("<H", b, 11)[0] != SECTOR:
            raise SystemExit("%s: no FAT boot sector with 512-byte sectors" % path)
        self.spc = b[13]
        self.reserved = struct.unpack_from("<H", b, 14)[0]
        self.nfats = b[16]
        root_entries = struct.unpack_from("<H", b, 17)[0]
        total = struct.unpack_from("<H", b, 19)[0] or struct.unpack_from("<I", b, 32)[0]
        self.fatsz = struct.unpack_from("<H", b, 22)[0] or struct.unpack_from("<I", b, 36)[0]
        self.root_lba = self.reserved + self.nfats * self.fatsz
        self.root_sectors = (root_entries * DIRENT + SECTOR - 1) // SECTOR
        self.data_lba = self.root_lba + self.root_sectors
        self.clusters = (total - self.data_lba) // self.spc
        self.bits = 12 if self.clusters < 4085 else 16 if self.clusters < 65525 else 32
        self.root_cluster = struct.unpack_from("<I", b, 44)[0] if self.bits == 32 else 0
        self.cluster_bytes = self.spc * SECTOR

    def save(self, path=None):
        open(path or self.path, "wb").write(bytes(self.img))

    # --- FAT
    def fat_get(self, n):
        base = self.reserved * SECTOR
        if self.bits == 12:
            v = struct.unpack_from("<H", self.img, base + n + n // 2)[0]
            return v >> 4 if n & 1 else v & 0xFFF
        if self.bits == 16:
            return struct.unpack_from("<H", self.img, base + 2 * n)[0]
        return struct.unpack_from("<I", self.img, base + 4 * n)[0] & 0x0FFFFFFF

    def fat_set(self, n, val):
        for k in range(self.nfats):
            base = (self.reserved + k * self.fatsz) * SECTOR
            if self.bits == 12:
                at = base + n + n // 2
                v = struct.unpack_from("<H", self.img, at)[0]
                v = (v & 0x000F) | (val << 4) if n & 1 else (v & 0xF000) | (val & 0xFFF)
                struct.pack_into("<H", self.img, at, v & 0xFFFF)
            elif self.bits == 16:
                struct.pack_into("<H", self.img, base + 2 * n, val)
            else:
                struct.pack_into("<I", self.img, base + 4 * n, val)

    def end_mark(self):
        return {12: 0xFFF, 16: 0xFFFF, 32: 0x0FFFFFFF}[self.bits]

    def free(self):
        return [c for c in range(2, self.clusters + 2) if self.fat_get(c) == 0]

    def last_used(self):
        used = [c for c in range(2, self.clusters + 2) if self.fat_get(c) != 0]
        return max(used) if used else 1

    def allocate(self, count, policy="after-last"):
        free = self.free()
        if policy == "first-free":
            pick = free[:count]
        elif policy == "after-last":
            last = self.last_used()
            pick = [c for c in free if c > last][:count]
        elif policy == "fragmented":
            last = self.last_used()
            pick = [c for c in free if c > last][::2][:count]
        else:
            raise SystemExit("unknown policy %s" % policy)
        if len(pick) < count:
            raise SystemExit("volume full")
        return pick

    def link(self, chain):
        for a, b in zip(chain, chain[1:]):
            self.fat_set(a, b)
        if chain:
            self.fat_set(chain[-1], self.end_mark())

    def cluster_off(self, c):
        return (self.data_lba + (c - 2) * self.spc) * SECTOR

    def put_data(self, chain, data):
        """Whole clusters: the data, then zeros to the cluster's end (the
        page cache zeroes a page beyond the end of the file)."""
        for i, c in enumerate(chain):
            piece = data[i * self.cluster_bytes:(i + 1) * self.cluster_bytes]
            off = self.cluster_off(c)
            self.img[off:off + self.cluster_bytes] = piece + bytes(self.cluster_bytes - len(piece))

    def chain_of(self, first):
        out = []
        c = first
        while 2 <= c < self.clusters + 2 and len(out) < self.clusters:
            out.append(c)
            c = self.fat_get(c)
        return out

    # --- directories
    def dir_slots(self, dir_cluster):
        """Byte offsets of every entry slot of a directory (0: the root)."""
        if dir_cluster == 0 and self.bits != 32:
            start = self.root_lba * SECTOR
            return [start + i for i in range(0, self.root_sectors * SECTOR, DIRENT)]
        first = dir_cluster or self.root_cluster
        return [self.cluster_off(c) + i for c in self.chain_of(first) for i in range(0, self.cluster_bytes, DIRENT)]

    def entries(self, dir_cluster=0):
        for off in self.dir_slots(dir_cluster):
            d = self.img[off:off + DIRENT]
            if d[0] == 0:
                return
            if d[0] == 0xE5 or d[11] == ATTR_LFN or d[11] & ATTR_VOLUME:
                continue
            yield off, d

    def find(self, name, dir_cluster=0):
        raw = short_name(name)
        for off, d in self.entries(dir_cluster):
            if bytes(d[:11]) == raw:
                return off
        return None

    def first_cluster(self, off):
        lo = struct.unpack_from("<H", self.img, off + 26)[0]
        hi = struct.unpack_from("<H", self.img, off + 20)[0] if self.bits == 32 else 0
        return hi << 16 | lo

    def set_entry(self, off, name, attr, first, size):
        struct.pack_into("<11sBBBHHHHHHHI", self.img, off, short_name(name), attr, 0, 0, FAT_TIME, FAT_DATE,
                         FAT_DATE, (first >> 16) if self.bits == 32 else 0, FAT_TIME, FAT_DATE, first & 0xFFFF,
                         size)

    def new_entry(self, dir_cluster=0):
        for off in self.dir_slots(dir_cluster):
            if self.img[off] in (0, 0xE5):
                return off
        raise SystemExit("directory full")

    def resolve_dir(self, sub):
        if not sub:
            return 0
        off = self.find(sub)
        if off is None:
            raise SystemExit("no directory %s" % sub)
        return self.first_cluster(off)

    def mkdir(self, name, parent=0):
        (c,) = self.allocate(1)
        self.link([c])
        off = self.cluster_off(c)
        self.img[off:off + self.cluster_bytes] = bytes(self.cluster_bytes)
        self.set_entry(off, ".", ATTR_DIR, c, 0)
        self.set_entry(off + DIRENT, "..", ATTR_DIR, parent, 0)
        self.set_entry(self.new_entry(parent), name, ATTR_DIR, c, 0)
        return c

    def write_file(self, name, data, chain, dir_cluster=0, size=None, meta=True):
        self.put_data(chain, data)
        if not meta:
            return
        self.link(chain)
        off = self.find(name, dir_cluster)
        if off is None:
            off = self.new_entry(dir_cluster)
        self.set_entry(off, name, ATTR_ARCHIVE, chain[0] if chain else 0, len(data) if size is None else size)


def short_name(name):
    """An 8.3 name as the 11 bytes of an entry ("." and ".." as they are)."""
    if name in (".", ".."):
        return name.encode().ljust(11)
    base, _, ext = name.upper().rpartition(".") if "." in name.lstrip(".") else (name.upper(), "", "")
    if len(base) > 8 or len(ext) > 3 or not base:
        raise SystemExit("%s is not an 8.3 name (no LFN here)" % name)
    return base.encode().ljust(8) + ext.encode().ljust(3)


def clusters_for(v, n):
    return max(1, (n + v.cluster_bytes - 1) // v.cluster_bytes)


def cmd_put(argv):
    img, name, src = argv[:3]
    opts = {"--policy": "after-last", "--dir": "", "--bytes": None}
    flags = set()
    rest = argv[3:]
    i = 0
    while i < len(rest):
        if rest[i] in ("--data-only",):
            flags.add(rest[i])
            i += 1
        else:
            opts[rest[i]] = rest[i + 1]
            i += 2
    v = Volume(img)
    data = open(src, "rb").read()
    if opts["--bytes"] is not None:
        data = data[:int(opts["--bytes"], 0)]
    d = v.resolve_dir(opts["--dir"])
    old = v.find(name, d)
    if old is not None and v.first_cluster(old) >= 2:
        # an existing file rewritten in place keeps its clusters (and grows after them)
        chain = v.chain_of(v.first_cluster(old))
        need = clusters_for(v, len(data))
        if need > len(chain):
            for c in chain:
                v.fat_set(c, v.end_mark())  # so allocate() sees them as used
            chain += v.allocate(need - len(chain), opts["--policy"])
        for c in chain[need:]:
            v.fat_set(c, 0)  # the tail a shorter file no longer needs
        chain = chain[:need]
    else:
        chain = v.allocate(clusters_for(v, len(data)), opts["--policy"])
    v.write_file(name, data, chain, d, meta="--data-only" not in flags)
    v.save()


def cmd_interleave(argv):
    img, n1, f1, n2, f2 = argv
    v = Volume(img)
    d1, d2 = open(f1, "rb").read(), open(f2, "rb").read()
    k1, k2 = clusters_for(v, len(d1)), clusters_for(v, len(d2))
    pick = v.allocate(k1 + k2)
    c1, c2 = [], []
    # A B B A A B B A ...: each file leads every other pair, so a device
    # that keeps the first copy of each block number would mix the two
    for n, c in enumerate(pick):
        first = (n % 4) in (0, 3)
        if len(c2) == k2 or (first and len(c1) < k1):
            c1.append(c)
        else:
            c2.append(c)
    v.write_file(n1, d1, c1)
    v.write_file(n2, d2, c2)
    v.save()


def cmd_grow(argv):
    img, name, src, step, prefix = argv
    data = open(src, "rb").read()
    step = int(step, 0)
    v = Volume(img)
    chain = v.allocate(clusters_for(v, len(data)))
    sizes = list(range(step, len(data), step)) + [len(data)]
    for k, size in enumerate(sizes, 1):
        part = chain[:clusters_for(v, size)]
        v.write_file(name, data[:size], part)
        out = "%s%d.img" % (prefix, k)
        v.save(out)
        print(out)


def cmd_junk(argv):
    v = Volume(argv[0])
    count = int(argv[1], 0)
    size = int(argv[2], 0) if len(argv) > 2 else 100
    rnd = random.Random(count)
    for k in range(1, count + 1):
        text = ("junk file %d\r\n" % k).encode() + bytes(rnd.choice(b"abcdefgh \r\n") for _ in range(size))
        text = text[:size]
        v.write_file("JUNK%04d.TXT" % k, text, v.allocate(clusters_for(v, len(text))))
    v.save()


def cmd_raw(argv):
    v = Volume(argv[0])
    data = open(argv[1], "rb").read()
    chain = v.allocate(clusters_for(v, len(data)))
    v.put_data(chain, data)
    v.save()


def cmd_mkdir(argv):
    v = Volume(argv[0])
    v.mkdir(argv[1])
    v.save()


def cmd_info(argv):
    v = Volume(argv[0])
    print("FAT%d clusters %d of %d bytes, data at sector %d, root at %d (%d sectors), last used cluster %d"
          % (v.bits, v.clusters, v.cluster_bytes, v.data_lba, v.root_lba, v.root_sectors, v.last_used()))


def main(argv):
    cmds = {"put": cmd_put, "interleave": cmd_interleave, "grow": cmd_grow, "junk": cmd_junk,
            "raw": cmd_raw, "info": cmd_info, "mkdir": cmd_mkdir}
    if len(argv) < 3 or argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[argv[1]](argv[2:])


if __name__ == "__main__":
    main(sys.argv)
