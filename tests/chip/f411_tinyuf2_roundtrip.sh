#!/usr/bin/env bash
# On the F411 build (DB_CHIP=stm32f411): a UF2 laid out the way tinyuf2's
# Black Pill files are (uf2conv's format: 256-byte payloads, family flag,
# STM32F4 0x57755a57, from 0x08010000), written here by its own small
# encoder rather than by our host tool, is taken by the simulated
# bootloader; flash at 0x08010000 then holds the image byte for byte, the
# app is started at 0x08010000, and the drive's CURRENT.UF2 is the very
# file that was dropped.
# Env: DB_SOURCE_DIR, DB_BUILD_DIR (set by ctest). Exit 77 = skipped.
set -euo pipefail
build=${DB_BUILD_DIR:?}
sim=$build/dropboot-sim
command -v mcopy >/dev/null || { echo "SKIP: no mtools"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
[ -x "$sim" ] || { echo "SKIP: $sim not built"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 96 KB app: vector table (SP at the end of the F411's 128 KB RAM, reset
# handler inside the image), the rest a fixed pseudo-random pattern; it
# fills sector 4 (64 KB) and goes on into sector 5 (128 KB).
python3 - "$work" <<'PY'
import struct, sys, random
work = sys.argv[1]
base, family, size = 0x08010000, 0x57755a57, 96 * 1024
rnd = random.Random(411)
img = bytearray(rnd.getrandbits(8) for _ in range(size))
img[0:8] = struct.pack("<II", 0x20020000, base + 0x1C1)
open(f"{work}/app.bin", "wb").write(img)
# uf2conv.py's layout: 32-byte header, 476 data bytes (256 used), end magic.
blocks = size // 256
out = bytearray()
for n in range(blocks):
    data = img[n * 256:(n + 1) * 256]
    hdr = struct.pack("<IIIIIIII", 0x0A324655, 0x9E5D5157, 0x00002000, base + n * 256, 256, n, blocks, family)
    out += hdr + data + bytes(476 - 256) + struct.pack("<I", 0x0AB16F30)
open(f"{work}/app.uf2", "wb").write(out)
PY

"$sim" --flash "$work/f.flash" dump "$work/old.img" >/dev/null
cp "$work/old.img" "$work/new.img"
mcopy -i "$work/new.img" "$work/app.uf2" ::BLACKPIL.UF2
"$sim" --flash "$work/f.flash" replay "$work/old.img" "$work/new.img" >"$work/replay.log" 2>&1 ||
    { cat "$work/replay.log"; fail "replay of the tinyuf2-format UF2"; }
got=$("$sim" --flash "$work/f.flash" status)
case "$got" in
"start app at 0x08010000 "*) ;;
*) cat "$work/replay.log"; fail "after the copy: '$got'" ;;
esac
cmp <(tail -c +$((0x10000 + 1)) "$work/f.flash" | head -c "$(stat -c %s "$work/app.bin")") "$work/app.bin" ||
    fail "flash at 0x08010000 differs from the image"
echo "ok: tinyuf2-format UF2 committed byte-exact at 0x08010000; $got"

"$sim" --flash "$work/f.flash" dump "$work/after.img" >/dev/null
mcopy -i "$work/after.img" ::CURRENT.UF2 "$work/current.uf2"
cmp "$work/current.uf2" "$work/app.uf2" || fail "CURRENT.UF2 is not the file that was dropped"
echo "ok: CURRENT.UF2 is the dropped file, byte for byte ($(stat -c %s "$work/app.uf2") bytes)"
