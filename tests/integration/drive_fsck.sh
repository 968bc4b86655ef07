#!/usr/bin/env bash
# The synthesized volume as other people's tools see it: fsck.fat finds no
# error, mtools lists and reads every file, CURRENT.UF2 reads back the app in
# flash, and the dumped images equal the known-good fixtures (any change to
# the volume shows here; regenerate on purpose with DB_REGEN_FIXTURES=1).
source "${DB_SOURCE_DIR:?}/tests/integration/drive_env.inc"
fixtures=$src/tests/fixtures/disk

check_fixture() { # image fixture-name
    local fx=$fixtures/$2.img.gz
    if [ "${DB_REGEN_FIXTURES:-0}" = 1 ]; then
        gzip -9 -n -c "$1" >"$fx"
        echo "regenerated $fx"
    fi
    zcat "$fx" | cmp - "$1" || fail "$1 differs from the fixture $fx"
}

echo "== empty device (erased flash)"
"$sim" --flash "$tmp/flash.bin" dump "$tmp/empty.img"
fsck.fat -n "$tmp/empty.img"
mdir -i "$tmp/empty.img" :: | tee "$tmp/dir.txt"
grep -q "INFO_UF2 TXT" "$tmp/dir.txt" || fail "INFO_UF2.TXT not listed"
grep -q "INDEX    HTM" "$tmp/dir.txt" || fail "INDEX.HTM not listed"
grep -q "STATUS   TXT" "$tmp/dir.txt" || fail "STATUS.TXT not listed"
grep -q "CURRENT" "$tmp/dir.txt" && fail "CURRENT.UF2 listed without an app"
grep -q "is DROPBOOT" "$tmp/dir.txt" || fail "volume label is not the board's"
mtype -i "$tmp/empty.img" ::INFO_UF2.TXT >"$tmp/info.txt"
head -1 "$tmp/info.txt" | grep -q "^UF2 Bootloader v.* dropboot" || fail "INFO_UF2.TXT first line"
grep -q $'^Family-ID: 0x00ff6919\r$' "$tmp/info.txt" || fail "INFO_UF2.TXT Family-ID (CRLF)"
grep -q $'^App-Base: 0x08008000\r$' "$tmp/info.txt" || fail "INFO_UF2.TXT App-Base"
grep -q $'^App-Max-Size: 2064384\r$' "$tmp/info.txt" || fail "INFO_UF2.TXT App-Max-Size"
grep -q $'^Serial: 000000000000000000000001\r$' "$tmp/info.txt" || fail "INFO_UF2.TXT Serial"
mtype -i "$tmp/empty.img" ::STATUS.TXT >"$tmp/status.txt"
grep -q $'^Result: DB_IDLE\r$' "$tmp/status.txt" || fail "STATUS.TXT of a fresh device"
mtype -i "$tmp/empty.img" ::INDEX.HTM | grep -q 'http-equiv="refresh"' || fail "INDEX.HTM has no redirect"
check_fixture "$tmp/empty.img" empty

echo "== serial number gives the volume ID"
"$sim" --flash "$tmp/flash.bin" --serial 42 dump "$tmp/other.img"
a=$(mdir -i "$tmp/empty.img" :: | grep Serial)
b=$(mdir -i "$tmp/other.img" :: | grep Serial)
[ "$a" != "$b" ] || fail "two serial numbers, one volume ID"

echo "== device with an app: CURRENT.UF2 reads back what is in flash"
"$py" "$lib" app "$tmp/app.bin" 1000 1
"$py" "$lib" uf2 "$tmp/app.bin" "$tmp/app.uf2"
cp "$tmp/empty.img" "$tmp/new.img"
mcopy -i "$tmp/new.img" "$tmp/app.uf2" ::APP.UF2
"$sim" --flash "$tmp/flash.bin" replay "$tmp/empty.img" "$tmp/new.img" >/dev/null
"$sim" --flash "$tmp/flash.bin" dump "$tmp/app.img"
fsck.fat -n "$tmp/app.img"
mdir -i "$tmp/app.img" :: | grep -q "CURRENT  UF2      2048" || fail "CURRENT.UF2 not listed with 4 blocks"
mcopy -i "$tmp/app.img" ::CURRENT.UF2 "$tmp/current.uf2"
"$py" - "$tmp/current.uf2" "$tmp/app.bin" <<'PY' || fail "CURRENT.UF2 is not the app"
import struct, sys
uf2 = open(sys.argv[1], "rb").read()
app = open(sys.argv[2], "rb").read()
out = bytearray(b"\xff" * 2048)
for i in range(0, len(uf2), 512):
    m0, m1, flags, addr, size, no, num, fam = struct.unpack_from("<8I", uf2, i)
    assert (m0, m1, fam, num, flags) == (0x0A324655, 0x9E5D5157, 0x00FF6919, 4, 0x2000), (i, hex(fam))
    assert struct.unpack_from("<I", uf2, i + 508)[0] == 0x0AB16F30
    out[addr - 0x08008000:addr - 0x08008000 + size] = uf2[i + 32:i + 32 + size]
assert out[:len(app)] == app and out[len(app):1024] == b"\xff" * (1024 - len(app))
PY
mtype -i "$tmp/app.img" ::STATUS.TXT | grep -q "^App: 0x08008000 1000 bytes" || fail "STATUS.TXT does not show the app"
check_fixture "$tmp/app.img" app1000
echo "drive_fsck: ok"
