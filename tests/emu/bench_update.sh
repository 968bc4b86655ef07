# The update section of make bench (tests/emu/bench.sh runs it; it also runs
# alone): a 1 MB app through the drive, as UF2 and as BIN, on dropboot-emu,
# each figure beside its physical bound and the ratio.
#
# The interval measured: from the host's first SCSI WRITE of the new disk
# contents (the file, its FAT and directory) to the device leaving the bus
# for its reset, i.e. after the commit (boot record written and read back).
# Power-on to the new app's start would add enumeration and the boot-time
# integrity check of the next boot, which are not update time (bench.sh's
# boot section has those). The bound covers the same interval: nothing can
# be committed before the last byte has crossed the bus and been programmed.
#
# The bound: the larger of
#   USB  the file's bytes at full speed's best bulk rate, 19 packets of 64 B
#        per 1 ms frame (USB 2.0 5.8.4: 1216 B/ms of payload); a UF2 carries
#        256 data bytes per 512-byte block, so 1 MB of app is 2 MB of UF2;
#   flash the erase + program time of the image with the fastest way the
#        chip allows for where the image lands, at the datasheet's typical
#        times (docs/hw/stm32l4r5.md "Flash timing"): see flash_bound_ms.
# Needs build/host (dropboot-emu, dropboot) and the firmware.
set -euo pipefail
export DB_SOURCE_DIR=${DB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export DB_BUILD_DIR=${DB_BUILD_DIR:-$DB_SOURCE_DIR/build/host}
source "$DB_SOURCE_DIR/tests/emu/emu_lib.inc"
tool=$DB_BUILD_DIR/dropboot
APP_SIZE=1048576
APP_BASE=0x08008000 # DB_APP_BASE: slot A, bank 1 offset 32 KB
SLOT_BYTES=1015808  # DB_SLOT_SIZE: a bank less the bootloader region (992 KB)
USB_BYTES_PER_MS=1216

# Datasheet typical times (STM32L4R5 datasheet, flash memory characteristics), µs.
T_PAGE_ERASE_US=22020 # tERASE, one 4 KB page
T_BANK_ERASE_US=22130 # tME, one bank (or both)
T_DW_US=81.7          # tprog, one 64-bit double-word, standard programming
T_ROW_FAST_US=3800    # tprog_row, one row of 64 double-words (512 B), fast programming

# flash_bound_ms BYTES: the image from DB_APP_BASE runs through slot A (bank 1,
# which holds the bootloader, so only page erase and standard programming:
# RM0432 3.3.7 allows fast programming only in a bank mass-erased before)
# and on into bank 2 (bank erase once, then fast programming by rows).
flash_bound_ms() {
    awk -v n="$1" -v slot="$SLOT_BYTES" -v pe="$T_PAGE_ERASE_US" -v be="$T_BANK_ERASE_US" \
        -v dw="$T_DW_US" -v row="$T_ROW_FAST_US" 'BEGIN {
        a = n < slot ? n : slot; b = n - a
        ms = (int((a + 4095) / 4096) * pe + a / 8 * dw) / 1000
        if (b > 0) ms += (be + int((b + 511) / 512) * row) / 1000
        printf "%.1f", ms }'
}

app_of() {
    cp "$fw/blinky.bin" "$tmp/app.bin"
    local pad=$(($1 - $(stat -c %s "$fw/blinky.bin")))
    head -c "$pad" /dev/urandom >>"$tmp/app.bin"
    "$tool" convert "$tmp/app.bin" -o "$tmp/app.uf2" --base "$APP_BASE" --family 0x00ff6919 >/dev/null
}

echo "Update of a 1 MB app through the drive (replay, virtual time; first SCSI WRITE to the device's reset after the commit):"
rm -f "$tmp/flash.bin"
if ! "$emu_bin" --firmware "$fw/dropboot.elf" --flash "$tmp/flash.bin" dump "$tmp/empty.img" >/dev/null 2>&1; then
    echo "  (replay not available in this build: the USB half is missing)"
    exit 0
fi
# update SIZE FLASH_BOUND_MS START_FLASH: each format's figure; START_FLASH
# (a flash image) is what the device holds before, "" for erased flash.
update() {
    local size=$1 flash_ms=$2 start=$3 kind file
    for kind in ${BENCH_KINDS:-uf2 bin}; do
    app_of "$size"
    if [ -n "$start" ]; then cp "$start" "$tmp/flash.bin"; else rm -f "$tmp/flash.bin"; fi
    "$emu_bin" --firmware "$fw/dropboot.elf" --flash "$tmp/flash.bin" dump "$tmp/old.img" >/dev/null 2>&1 ||
        fail "dump of the drive"
    cp "$tmp/old.img" "$tmp/new.img"
    if [ "$kind" = uf2 ]; then file=$tmp/app.uf2; else file=$tmp/app.bin; fi
    mcopy -i "$tmp/new.img" "$file" "::APP.$(tr a-z A-Z <<<"$kind")"
    "$emu_bin" --summary --firmware "$fw/dropboot.elf" --flash "$tmp/flash.bin" replay "$tmp/old.img" "$tmp/new.img" \
        --stats >"$tmp/out.txt" 2>&1 || fail "replay of the $size-byte $kind"
    grep -q "Result: DB_DONE" "$tmp/out.txt" || fail "the $size-byte $kind was not committed"
    measured=$(sed -n 's/^replay stats: first write to the device.s reset \([0-9.]*\) ms.*/\1/p' "$tmp/out.txt")
    busy=$(sed -n 's/^summary: .*(\([0-9.]*\) ms busy).*/\1/p' "$tmp/out.txt")
    total=$(sed -n 's/^summary: \([0-9.]*\) ms virtual.*/\1/p' "$tmp/out.txt")
    usb_ms=$(awk -v n="$(stat -c %s "$file")" -v r=$USB_BYTES_PER_MS 'BEGIN { printf "%.1f", n / r }')
    awk -v k="$(tr a-z A-Z <<<"$kind")" -v m="$measured" -v u="$usb_ms" -v f="$flash_ms" -v b="$busy" -v t="$total" 'BEGIN {
        bound = u > f ? u : f
        printf "  %s: %9.1f ms; bound %9.1f ms (USB %.1f ms, flash %.1f ms): %.2fx; flash busy %.1f ms, power on to the new app %.1f ms\n",
            k, m, bound, u, f, m / bound, b, t }'
    grep "^replay stats" "$tmp/out.txt" | sed 's/^/    /' || true
    done
}
update $APP_SIZE "$(flash_bound_ms $APP_SIZE)" ""

# Into slot B (bank 2: one bank erase, fast-programmed rows) with an app in
# slot A: the largest image a slot takes.
echo
echo "Update of the largest slot image ($SLOT_BYTES bytes) into slot B, an app in slot A (same interval):"
cp "$fw/blinky.uf2" "$tmp/blinky.uf2"
"$emu_bin" --firmware "$fw/dropboot.elf" --flash "$tmp/base.bin" dump "$tmp/empty.img" >/dev/null 2>&1 || fail "dump"
flash_with_app "$tmp/base.bin" "$tmp/blinky.uf2"
update $SLOT_BYTES "$(awk -v n=$SLOT_BYTES -v be="$T_BANK_ERASE_US" -v row="$T_ROW_FAST_US" \
    'BEGIN { printf "%.1f", (be + int((n + 511) / 512) * row) / 1000 }')" "$tmp/base.bin"

# tinyuf2 (github.com/adafruit/tinyuf2, ports/stm32l4/board_flash.c) on the
# same chip by its write pattern, in the same time model: each 256-byte UF2
# payload is programmed as it arrives, 32 standard double-word programs, its
# 4 KB page erased at the first payload for it; the work runs inside the
# SCSI WRITE callback (tinyusb MSC, a 4 KB buffer), so the bus waits while
# the flash works and nothing overlaps. Its own CPU time is not counted: the
# figure is a lower bound for tinyuf2. UF2 only (it takes no BIN).
echo
awk -v n=$APP_SIZE -v r=$USB_BYTES_PER_MS -v pe="$T_PAGE_ERASE_US" -v dw="$T_DW_US" -v f="$(flash_bound_ms $APP_SIZE)" 'BEGIN {
    usb = 2 * n / r; erase = int((n + 4095) / 4096) * pe / 1000; prog = n / 8 * dw / 1000
    t = usb + erase + prog; bound = usb > f ? usb : f
    printf "tinyuf2 by its write pattern (model, its CPU time not counted), 1 MB UF2: %.1f ms (USB %.1f + page erases %.1f + double-words %.1f, in series): %.2fx of the bound %.1f ms\n",
        t, usb, erase, prog, t / bound, bound }'
