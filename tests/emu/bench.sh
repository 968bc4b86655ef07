# make bench: figures of the real firmware on dropboot-emu (virtual time).
#   boot time from power-on reset to the app's first instruction, for apps
#   of 16 KB, 256 KB and the largest the app area holds (2016 KB);
#   peak stack depth of the bootloader (painted stack), on the way into an
#   app and into the drive; emulation speed (virtual against wall time).
# Needs build/host (dropboot-emu, dropboot-sim, dropboot) and the firmware.
set -euo pipefail
export DB_SOURCE_DIR=${DB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export DB_BUILD_DIR=${DB_BUILD_DIR:-$DB_SOURCE_DIR/build/host}
source "$DB_SOURCE_DIR/tests/emu/emu_lib.inc"
tool=$DB_BUILD_DIR/dropboot
APP_MAX=2064384 # DB_APP_SIZE: 2 MB - the 32 KB bootloader region (records inside it)

# app_of SIZE: blinky padded with random bytes to SIZE, as UF2
app_of() {
    cp "$fw/blinky.bin" "$tmp/app.bin"
    local pad=$(($1 - $(stat -c %s "$fw/blinky.bin")))
    head -c "$pad" /dev/urandom >>"$tmp/app.bin"
    "$tool" convert "$tmp/app.bin" -o "$tmp/app.uf2" --base 0x08008000 --family 0x00ff6919 >/dev/null
}

# ms_of PATTERN: virtual time (ms) of the first log line matching PATTERN
ms_of() {
    sed -n "s/^\[ *\([0-9.]*\) ms\] .*$1.*/\1/p" "$tmp/out.txt" | head -1
}

echo "dropboot-emu bench ($(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown))"
echo
echo "Boot time, power-on reset to the app's first instruction (virtual):"
for size in 16384 262144 $APP_MAX; do
    app_of "$size"
    flash_with_app "$tmp/flash.bin" "$tmp/app.uf2"
    emu --flash "$tmp/flash.bin" run --ms 3000 || fail "run with a $size-byte app"
    printf "  app %7d bytes (%4d KB): %8.3f ms\n" "$size" $((size / 1024)) "$(ms_of "jump into the app")"
done
echo
echo "Peak stack depth of the bootloader (painted stack, bytes):"
stack_of() { sed -n 's/.*stack peak \([0-9]*\) bytes.*/\1/p' "$tmp/out.txt"; }
emu --flash "$tmp/flash.bin" run --ms 100 || fail "run into the app"
echo "  power on into the app:          $(stack_of)"
rm -f "$tmp/empty.bin"
emu --flash "$tmp/empty.bin" run --ms 3000 || fail "run into the drive"
echo "  power on into the drive:        $(stack_of) ($(tail -1 "$tmp/out.txt" | sed 's/^end at \([0-9.]*\) ms.*/until the run ended at \1 ms/'))"
echo
echo "Emulation speed (virtual time / wall time):"
speed() { # LABEL VIRTUAL_MS FLASH [RUN ARGS...]
    local label=$1 ms=$2 flash=$3
    shift 3
    local t0 t1
    t0=$(date +%s.%N)
    emu --flash "$flash" run --ms "$ms" "$@" || fail "$label"
    t1=$(date +%s.%N)
    awk -v l="$label" -v v="$ms" -v a="$t0" -v b="$t1" \
        'BEGIN { printf "  %-46s %6d ms in %6.3f s: %6.1fx real time\n", l, v, b - a, v / 1000 / (b - a) }'
}
app_of 16384
flash_with_app "$tmp/flash.bin" "$tmp/app.uf2"
speed "blinky 10 s (WFI sleeps skip ahead)" 10000 "$tmp/flash.bin"
speed "reset + 500 ms window (DWT busy wait) + app" 1000 "$tmp/flash.bin" --reset-at 100

# The update section (tests/emu/bench_update.sh: figures beside the bound).
echo
bash "$DB_SOURCE_DIR/tests/emu/bench_update.sh"
