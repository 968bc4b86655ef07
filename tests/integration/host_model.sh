#!/usr/bin/env bash
# The host model itself, checked against tools nobody here wrote, so that
# host_behaviour.sh's verdicts are about the device and not about the model:
# - hostfs.py's volumes (every cluster policy, growth, subfolders, a full
#   root, a file rewritten in place) are fsck.fat clean and mtools reads back
#   every file byte for byte; the policies place clusters as they say;
# - dropboot-sim replay --writeback sends, per step, every sector of each new
#   file's clusters (slack included) in chain order, then the metadata by the
#   image's own BPB (also after a FAT12 reformat), and nothing else;
# - sequences stop writing when the device resets; --no-eject waits for the
#   device's idle decision; --readback dumps what the host then reads; bad
#   arguments get the usage and exit 2.
source "${DB_SOURCE_DIR:?}/tests/integration/drive_env.inc"
itg=$src/tests/integration
hostfs() { "$py" "$itg/hostfs.py" "$@"; }
checks=0
ok() {
    echo "ok   $*"
    checks=$((checks + 1))
}

"$sim" --flash "$tmp/flash.bin" dump "$tmp/empty.img"
"$py" "$lib" app "$tmp/a.bin" 70001 11
"$py" "$lib" app "$tmp/b.bin" 20000 12
"$py" "$lib" uf2 "$tmp/b.bin" "$tmp/b.uf2"

# --- hostfs.py against fsck.fat and mtools
m=$tmp/model.img
cp "$tmp/empty.img" "$m"
hostfs junk "$m" 20
hostfs put "$m" AFTER.BIN "$tmp/a.bin"
hostfs put "$m" FIRST.BIN "$tmp/b.bin" --policy first-free
hostfs put "$m" FRAG.BIN "$tmp/a.bin" --policy fragmented
hostfs interleave "$m" X.UF2 "$tmp/b.uf2" Y.BIN "$tmp/a.bin"
hostfs mkdir "$m" SUB
hostfs put "$m" DEEP.BIN "$tmp/b.bin" --dir SUB
hostfs put "$m" AFTER.BIN "$tmp/b.bin" # rewritten in place, shorter
mapfile -t grown < <(hostfs grow "$m" GROW.BIN "$tmp/a.bin" 16384 "$tmp/grow_")
fsck.fat -n "${grown[-1]}" >"$tmp/fsck.txt" 2>&1 || { cat "$tmp/fsck.txt"; fail "hostfs volume is not fsck.fat clean"; }
g=${grown[-1]}
for pair in AFTER.BIN:b.bin FIRST.BIN:b.bin FRAG.BIN:a.bin X.UF2:b.uf2 Y.BIN:a.bin SUB/DEEP.BIN:b.bin GROW.BIN:a.bin; do
    mcopy -i "$g" "::${pair%%:*}" - | cmp -s - "$tmp/${pair#*:}" || fail "mtools reads ${pair%%:*} differently"
done
[ "$(mdir -i "$g" :: | grep -c '^JUNK')" = 20 ] || fail "20 junk files not listed"
ok "hostfs.py volume with every policy, a subfolder, 20 junk files, a rewrite and growth: fsck.fat clean, mtools reads each file"
"$py" - "$itg" "$g" "$tmp/grow_1.img" <<'PY' || fail "cluster policies"
import sys
sys.path.insert(0, sys.argv[1])
import hostfs
v = hostfs.Volume(sys.argv[2])
chain = lambda n: v.chain_of(v.first_cluster(v.find(n)))
frag = chain("FRAG.BIN")
assert all(b - a == 2 for a, b in zip(frag, frag[1:])), "fragmented: every other cluster"
x, y = chain("X.UF2"), chain("Y.BIN")
assert x[0] < y[0] < y[1] < x[1] < x[2] < y[2], "interleave: A B B A A B"
assert min(chain("FIRST.BIN")) < min(chain("FRAG.BIN")), "first-free took a lower cluster"
g1 = hostfs.Volume(sys.argv[3])
off = g1.find("GROW.BIN")
assert hostfs.struct.unpack_from("<I", g1.img, off + 28)[0] == 16384 and len(g1.chain_of(g1.first_cluster(off))) == 4
PY
ok "cluster policies: fragmented leaves gaps, interleave goes A B B A, first-free fills low, grow's first image holds 16 KB"

# --- replay --writeback: which sectors, in which order, by the image's BPB
# writeback_expected IMG_OLD IMG_NEW STEP NAME...: the log lines a page
# cache would give: each named file's whole clusters in chain order, then
# every differing metadata sector (below the data area, or a directory's
# cluster) in ascending order
writeback_expected() {
    "$py" - "$itg" "$@" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import hostfs
old = open(sys.argv[2], "rb").read()
v = hostfs.Volume(sys.argv[3])
step = sys.argv[4]
out, seen = [], set()
for path in sys.argv[5:]:
    d = 0
    if "/" in path:
        d = v.first_cluster(v.find(path.split("/")[0]))
    for c in v.chain_of(v.first_cluster(v.find(path.split("/")[-1], d))):
        for s in range(v.spc):
            lba = v.data_lba + (c - 2) * v.spc + s
            out.append(lba)
            seen.add(lba)
dirs = set()
for _, e in v.entries():
    if e[11] & hostfs.ATTR_DIR:
        for c in v.chain_of(v.first_cluster(_)):
            dirs.update(range(v.data_lba + (c - 2) * v.spc, v.data_lba + (c - 1) * v.spc))
diff = [l for l in range(len(v.img) // 512) if old[l * 512:(l + 1) * 512] != v.img[l * 512:(l + 1) * 512]]
out += [l for l in diff if l not in seen and l >= v.data_lba and l not in dirs]
out += [l for l in diff if l not in seen and (l < v.data_lba or l in dirs)]
print("\n".join("%s %d" % (step, l) for l in out))
PY
}
w1=$tmp/wb1.img
cp "$tmp/empty.img" "$w1"
hostfs put "$w1" FW.BIN "$tmp/a.bin"
hostfs mkdir "$w1" SUB
hostfs put "$w1" IN.BIN "$tmp/b.bin" --dir SUB
"$sim" --flash "$tmp/flash.bin" replay "$tmp/empty.img" "$w1" --writeback --log "$tmp/log.txt" >/dev/null || true
writeback_expected "$tmp/empty.img" "$w1" 1 FW.BIN SUB/IN.BIN >"$tmp/want.txt"
diff -q "$tmp/want.txt" "$tmp/log.txt" >/dev/null || { diff "$tmp/want.txt" "$tmp/log.txt" | head; fail "--writeback order"; }
ok "--writeback: whole clusters of each new file in chain order (slack included, $(wc -l <"$tmp/log.txt") sectors), then FAT, root and subfolder sectors"

# a FAT12 reformat with 16 KB clusters, then a file: step 2 follows the new BPB
r1=$tmp/fat12.img
cp "$tmp/empty.img" "$r1"
mkfs.fat -F 12 -s 32 -n HOSTFMT "$r1" >/dev/null
r2=$tmp/fat12b.img
cp "$r1" "$r2"
mcopy -i "$r2" "$tmp/a.bin" ::FW.BIN
rm -f "$tmp/flash.bin"
"$sim" --flash "$tmp/flash.bin" replay "$tmp/empty.img" "$r1" "$r2" --writeback --log "$tmp/log.txt" >/dev/null || true
writeback_expected "$r1" "$r2" 2 FW.BIN >"$tmp/want.txt"
grep '^2 ' "$tmp/log.txt" | diff -q "$tmp/want.txt" - >/dev/null || { grep '^2 ' "$tmp/log.txt" | diff "$tmp/want.txt" - | head; fail "--writeback on FAT12"; }
ok "--writeback after a FAT12 reformat (16 KB clusters): the file by the image's own FAT, then its metadata"

# --- sequences, pauses, --no-eject, --readback
rm -f "$tmp/flash.bin"
u1=$tmp/u1.img
cp "$tmp/empty.img" "$u1"
mcopy -i "$u1" "$tmp/b.uf2" ::B.UF2
u2=$tmp/u2.img
cp "$u1" "$u2"
mcopy -i "$u2" "$tmp/a.bin" ::LATER.BIN
rc=0
"$sim" --flash "$tmp/flash.bin" replay "$tmp/empty.img" "$u1" "$u2" --pause-ms 10 --log "$tmp/log.txt" >"$tmp/out.txt" || rc=$?
grep -q "^replay: step 1: writing" "$tmp/out.txt" && grep -q "^replay: step 2: writing" "$tmp/out.txt" || fail "sequence: steps not reported"
grep -q "^2 " "$tmp/log.txt" || fail "sequence: step 2 not written after a short pause"
ok "sequence of three images with a 10 ms pause: both steps written"
rm -f "$tmp/flash.bin"
"$sim" --flash "$tmp/flash.bin" replay "$tmp/empty.img" "$u1" "$u2" --pause-ms 10000 --log "$tmp/log.txt" >"$tmp/out.txt" || true
if grep -q "^replay: the device reset in the pause after step 1" "$tmp/out.txt"; then
    grep -q "^2 " "$tmp/log.txt" && fail "sequence: the host wrote to a device that had reset"
    ok "sequence with a 10 s pause: the device reset after step 1 and the host wrote nothing more"
else
    fail "sequence: a committed UF2 and 10 s of idle host did not end the session ($(grep -m1 '^Result' "$tmp/out.txt"))"
fi
rm -f "$tmp/flash.bin"
"$sim" --flash "$tmp/flash.bin" replay "$tmp/empty.img" "$u1" --no-eject --readback "$tmp/rb.img" >"$tmp/out.txt" || true
grep -q "^device reset: " "$tmp/out.txt" || fail "--no-eject: the device never reset ($(tail -1 "$tmp/out.txt"))"
[ "$(stat -c %s "$tmp/rb.img")" = "$(stat -c %s "$tmp/empty.img")" ] || fail "--readback: not the whole disk"
mdir -i "$tmp/rb.img" :: | grep -q "^B        UF2" || fail "--readback: the copied file's entry is not on the disk the host reads"
ok "--no-eject: the device reset by idle time alone; --readback holds the whole disk with the host's entry"
rc=0
"$sim" --flash "$tmp/flash.bin" replay "$tmp/empty.img" >"$tmp/out.txt" 2>&1 || rc=$?
[ $rc = 2 ] && grep -q "usage: replay IMG0 IMG1" "$tmp/out.txt" || fail "replay with one image: exit $rc"
rc=0
"$sim" --flash "$tmp/flash.bin" replay "$tmp/empty.img" "$u1" --pause-ms >"$tmp/out.txt" 2>&1 || rc=$?
[ $rc = 2 ] || fail "replay with an option missing its value: exit $rc"
ok "replay with one image or an option without its value: usage, exit 2"
echo "host_model: ok ($checks checks)"
