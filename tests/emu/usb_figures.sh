#!/usr/bin/env bash
# Figures of the USB half of dropboot-emu (not a test; for the README and
# `make bench`): a 256 KB app (or SIZE bytes) copied as UF2, BIN and HEX onto
# the real firmware; CPU cycles per received 512-byte sector over the write
# phase, in three modes:
#   cpu:     instant bus and 1 us flash operations: the firmware's own work
#            (USB, FAT, decoding, the writer, verifying), nothing waited for;
#   instant: instant bus, datasheet flash times: adds the erase/program waits;
#   full:    full-speed bus timing as well: what a computer sees;
# and how fast the emulation runs against the wall clock.
# usage: DB_SOURCE_DIR=. DB_BUILD_DIR=build/host bash tests/emu/usb_figures.sh [SIZE]
source "$(dirname "$0")/emu_lib.inc"
lib=$src/tests/integration/drive_lib.py
size=${1:-262144}
py=$(command -v /usr/bin/python3 || command -v python3)

"$emu_bin" --firmware "$fw/dropboot.elf" --flash "$tmp/erased.bin" dump "$tmp/empty.img" || fail "dump"
"$py" "$lib" app "$tmp/app.bin" "$size" 7
"$py" "$lib" uf2 "$tmp/app.bin" "$tmp/app.uf2"
arm-none-eabi-objcopy -I binary -O ihex --change-addresses 0x08008000 "$tmp/app.bin" "$tmp/app.hex"

# stat NAME: one figure out of replay --stats
stat() {
    case $1 in
    n) sed -n 's/^replay stats: \([0-9]*\) sectors written.*/\1/p' "$tmp/out.txt" ;;
    ms) sed -n 's/.*sectors written in \([0-9.]*\) ms.*/\1/p' "$tmp/out.txt" ;;
    cps) sed -n 's/.*(\([0-9]*\) per sector).*/\1/p' "$tmp/out.txt" ;;
    virt) sed -n 's/.*run \([0-9.]*\) s virtual.*/\1/p' "$tmp/out.txt" ;;
    speed) sed -n 's/.*wall (\([0-9.]*\)x real time).*/\1/p' "$tmp/out.txt" ;;
    mcps) sed -n 's/.*time), \([0-9.]*\) M emulated.*/\1/p' "$tmp/out.txt" ;;
    esac
}

printf '%-5s %-8s %8s %11s %12s %8s %8s %10s\n' format mode sectors "write ms" "cycles/sect" "virt s" speed "Mcycles/s"
for kind in uf2 bin hex; do
    ext=$(echo $kind | tr a-z A-Z)
    cp "$tmp/empty.img" "$tmp/new.img"
    mcopy -i "$tmp/new.img" "$tmp/app.$kind" ::APP.$ext
    for mode in cpu instant full; do
        rm -f "$tmp/flash.bin"
        opts=() extra=()
        [ $mode = cpu ] && opts=(--flash-times 1:1)
        [ $mode != full ] && extra=(--instant-bus)
        "$emu_bin" --firmware "$fw/dropboot.elf" --flash "$tmp/flash.bin" "${opts[@]}" replay "$tmp/empty.img" \
            "$tmp/new.img" --order meta-last --stats "${extra[@]}" >"$tmp/out.txt" 2>&1 || fail "$kind ($mode): replay"
        grep -q "Result: DB_DONE" "$tmp/out.txt" || fail "$kind ($mode): not DB_DONE"
        printf '%-5s %-8s %8s %11s %12s %8s %7sx %10s\n' $ext $mode "$(stat n)" "$(stat ms)" "$(stat cps)" \
            "$(stat virt)" "$(stat speed)" "$(stat mcps)"
    done
done
