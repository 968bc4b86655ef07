#!/usr/bin/env bash
# Every refusal, through the drive as a computer writes it (mcopy + replay):
# the STATUS.TXT line says why, the device resets and comes back as the drive
# with the same STATUS, and where the refusal comes before the first erase
# the old app is untouched and still starts at the next power on. With A/B
# the same holds for refusals seen after the first erase: that erase was of
# the other slot.
source "${DB_SOURCE_DIR:?}/tests/integration/drive_env.inc"

# The old app: 70001 bytes, committed from a UF2.
"$py" "$lib" app "$tmp/good.bin" 70001 5
"$py" "$lib" uf2 "$tmp/good.bin" "$tmp/good.uf2"
"$sim" --flash "$tmp/erased.bin" dump "$tmp/empty.img"
cp "$tmp/empty.img" "$tmp/new.img"
mcopy -i "$tmp/new.img" "$tmp/good.uf2" ::GOOD.UF2
"$sim" --flash "$tmp/good_flash.bin" replay "$tmp/empty.img" "$tmp/new.img" >/dev/null || fail "old app setup"
"$sim" --flash "$tmp/good_flash.bin" dump "$tmp/good.img"

old_app_intact() {
    cmp -s <(dd if="$tmp/flash.bin" bs=4096 skip=8 count=18 status=none | head -c 70001) "$tmp/good.bin" &&
        "$sim" --flash "$tmp/flash.bin" status | grep -q "^start app at $APP_BASE"
}

# refuse FILE NAME CODE before|after [order]
refuse() {
    local file=$1 name=$2 code=$3 when=$4 order=${5:-asc}
    cp "$tmp/good_flash.bin" "$tmp/flash.bin"
    cp "$tmp/good.img" "$tmp/new.img"
    mcopy -i "$tmp/new.img" "$file" "::$name"
    local rc=0
    "$sim" --flash "$tmp/flash.bin" replay "$tmp/good.img" "$tmp/new.img" --order "$order" >"$tmp/out.txt" || rc=$?
    [ $rc -eq 1 ] || fail "$name ($code): replay exit $rc"
    grep -q "^Result: $code" "$tmp/out.txt" || fail "$name: expected $code"
    grep -q "^File: $name" "$tmp/out.txt" || fail "$name: STATUS.TXT does not name the file"
    if [ "$code" = DB_ERR_NOT_FIRMWARE ]; then
        grep -q "device did not ask for a reset" "$tmp/out.txt" || fail "$name: a plain file made the device reset"
    else
        grep -q "^device reset: stay in bootloader" "$tmp/out.txt" || fail "$name: did not come back as the drive"
        [ "$(grep -c "^Result: $code" "$tmp/out.txt")" = 2 ] || fail "$name: STATUS.TXT after the reset lost the reason"
    fi
    # A/B: refused before or after the first erase (of the other slot), the old app is intact and starts
    old_app_intact || fail "$name ($code): old app damaged by a refusal ($when the first erase)"
    echo "ok   $name ($order): $code $when the first erase, old app intact and starts"
}

# damage_hex_checksum IN OUT N: record N (1-based) gets a wrong checksum
damage_hex_checksum() {
    "$py" - "$@" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
n = int(sys.argv[3]) - 1
rec = lines[n]
lines[n] = rec[:-2] + "%02X" % ((int(rec[-2:], 16) + 1) & 0xFF)
open(sys.argv[2], "w").write("\n".join(lines))
PY
}

# wrong family (and a multi-family file with our blocks too works)
"$py" "$lib" app "$tmp/a.bin" 3000 7
"$py" "$lib" uf2 "$tmp/a.bin" "$tmp/other.uf2" --family 0xe48bff56
refuse "$tmp/other.uf2" OTHER.UF2 DB_ERR_UF2_FAMILY before
refuse "$tmp/other.uf2" OTHER.UF2 DB_ERR_UF2_FAMILY before meta-last
# in random order: our blocks (a 1000-byte app: 4) fit the pending buffer
"$py" "$lib" app "$tmp/m.bin" 1000 7
"$py" "$lib" uf2 "$tmp/m.bin" "$tmp/ours.uf2"
"$py" "$lib" uf2 "$tmp/m.bin" "$tmp/other_m.uf2" --family 0xe48bff56
cat "$tmp/other_m.uf2" "$tmp/ours.uf2" "$tmp/other_m.uf2" >"$tmp/multi.uf2"
cp "$tmp/good_flash.bin" "$tmp/flash.bin"
cp "$tmp/good.img" "$tmp/new.img"
mcopy -i "$tmp/new.img" "$tmp/multi.uf2" ::MULTI.UF2
"$sim" --flash "$tmp/flash.bin" replay "$tmp/good.img" "$tmp/new.img" --order random:4 >"$tmp/out.txt" || fail "multi-family UF2"
cmp -s <(dd if="$tmp/flash.bin" bs=1 skip="$(active_offset "$tmp/flash.bin")" count=1000 status=none) "$tmp/m.bin" ||
    fail "multi-family: wrong app"
echo "ok   MULTI.UF2: a multi-family file flashes our family's blocks"

# outside the app area
"$py" "$lib" uf2 "$tmp/a.bin" "$tmp/far.uf2" --base 0x08300000
refuse "$tmp/far.uf2" FAR.UF2 DB_ERR_ADDR_RANGE before
srec_cat "$tmp/a.bin" -binary -offset 0x10000000 -o "$tmp/far.hex" -intel
refuse "$tmp/far.hex" FAR.HEX DB_ERR_ADDR_RANGE before

# aimed at the bootloader
"$py" "$lib" uf2 "$tmp/a.bin" "$tmp/boot.uf2" --base 0x08000000
refuse "$tmp/boot.uf2" BOOT.UF2 DB_ERR_ADDR_BOOT before
arm-none-eabi-objcopy -I binary -O ihex --change-addresses 0x08000000 "$tmp/a.bin" "$tmp/boot.hex"
refuse "$tmp/boot.hex" BOOT.HEX DB_ERR_ADDR_BOOT before meta-last
"$py" "$lib" app "$tmp/boot.bin" 3000 7 0x08000000
refuse "$tmp/boot.bin" BOOT.BIN DB_ERR_ADDR_BOOT before
refuse "$tmp/boot.bin" BOOT.BIN DB_ERR_ADDR_BOOT before meta-last

# bad HEX checksum: in the first data record (nothing erased yet), and deep
# inside a bigger file (pages were erased by then)
arm-none-eabi-objcopy -I binary -O ihex --change-addresses $APP_BASE "$tmp/a.bin" "$tmp/a.hex"
damage_hex_checksum "$tmp/a.hex" "$tmp/bad1.hex" 2
refuse "$tmp/bad1.hex" BAD1.HEX DB_ERR_HEX_CHECKSUM before
"$py" "$lib" app "$tmp/b.bin" 20000 8
arm-none-eabi-objcopy -I binary -O ihex --change-addresses $APP_BASE "$tmp/b.bin" "$tmp/b.hex"
damage_hex_checksum "$tmp/b.hex" "$tmp/bad2.hex" 1000
refuse "$tmp/bad2.hex" BAD2.HEX DB_ERR_HEX_CHECKSUM after

# not firmware: a text file is ignored (no reset), the old app stays
printf 'just some notes\r\nnot a firmware image\r\n' >"$tmp/notes.txt"
refuse "$tmp/notes.txt" NOTES.TXT DB_ERR_NOT_FIRMWARE before
refuse "$tmp/notes.txt" NOTES.TXT DB_ERR_NOT_FIRMWARE before meta-last

# larger than the app area
"$py" "$lib" app "$tmp/huge.bin" $((APP_MAX + 4096)) 9
"$py" "$lib" uf2 "$tmp/huge.bin" "$tmp/huge.uf2"
refuse "$tmp/huge.uf2" HUGE.UF2 DB_ERR_TOO_LARGE before
refuse "$tmp/huge.uf2" HUGE.UF2 DB_ERR_TOO_LARGE before desc
refuse "$tmp/huge.bin" HUGE.BIN DB_ERR_TOO_LARGE before
refuse "$tmp/huge.bin" HUGE.BIN DB_ERR_SLOT_FULL after meta-last # data first: no size until it outgrew slot B
arm-none-eabi-objcopy -I binary -O ihex --change-addresses $APP_BASE "$tmp/huge.bin" "$tmp/huge.hex"
refuse "$tmp/huge.hex" HUGE.HEX DB_ERR_SLOT_FULL after # HEX gives no size up front

# a UF2 whose first blocks are good and whose last block is not: the blocks
# before it were flashed (the old app is gone), the refusal leaves no app
"$py" - "$tmp/ours.uf2" "$tmp/lastbad.uf2" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<I", d, len(d) - 512 + 12, 0x08300000)   # last block's target address
open(sys.argv[2], "wb").write(d)
PY
refuse "$tmp/lastbad.uf2" LASTBAD.UF2 DB_ERR_ADDR_RANGE after
# the same file with the bad block arriving first: refused before any erase
refuse "$tmp/lastbad.uf2" LASTBAD.UF2 DB_ERR_ADDR_RANGE before desc

# a damaged UF2 block (payload size beyond the block)
"$py" - "$tmp/ours.uf2" "$tmp/damaged.uf2" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<I", d, 16, 600)   # first block's payload size
open(sys.argv[2], "wb").write(d)
PY
refuse "$tmp/damaged.uf2" DAMAGED.UF2 DB_ERR_UF2_BLOCK before
echo "drive_refusals: ok"
