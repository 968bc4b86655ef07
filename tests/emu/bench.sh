# make bench: figures of the real firmware on dropboot-emu (virtual time).
#   boot time from power-on reset to the app's first instruction, for apps
#   of 16 KB, 256 KB, one A/B slot (992 KB) and the largest image the layout
#   holds (2016 KB over both banks), beside issue 12's 5 ms bound, with
#   where the time goes;
#   peak stack depth of the bootloader (painted stack), on the way into an
#   app and into the drive; emulation speed (virtual against wall time).
# Needs build/host (dropboot-emu, dropboot-sim, dropboot) and the firmware.
set -euo pipefail
export DB_SOURCE_DIR=${DB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
export DB_BUILD_DIR=${DB_BUILD_DIR:-$DB_SOURCE_DIR/build/host}
source "$DB_SOURCE_DIR/tests/emu/emu_lib.inc"
tool=$DB_BUILD_DIR/dropboot
# core/config.h on the L4R5 with A/B: an image of at most one slot
# (DB_SLOT_SIZE: a 1 MB bank less the 32 KB bootloader region) keeps the
# other slot for a rollback; a larger one is written over both banks
# (DB_APP_SIZE: 2 MB less the 32 KB region), the largest the layout holds.
SLOT_MAX=1015808
APP_MAX=2064384
BOOT_BOUND_MS=5 # issue 12: power-on reset to the app's first instruction, 2 MB app

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
# boot_phases: where the boot went, from the -vv log up to the jump. The
# markers are the firmware's first register access of each phase: main's
# read of RCC_CSR, the read of B1 (GPIOC IDR) that ends clock and board
# setup, the first FLASH register access after it (the trial start's record), the
# first of the hand-over (RCC AHB2RSTR, board_io_deinit).
boot_phases() {
    awk 'function t(l) { sub(/^\[ */, "", l); sub(/ ms\].*/, "", l); return l + 0 }
        /jump into the app/ { j = t($0); exit }
        /read  RCC    \+0x094/ && !m { m = t($0) }
        /read  GPIOC  \+0x010/ { b = t($0) }
        /FLASH  \+/ && b && !f { f = t($0) }
        /RCC    \+0x02c/ && !h { h = t($0) }
        END {
            if (!m || !b || !h || !j) { print "    (phases: markers not found)"; exit }
            if (!f || f > h) f = h # no record written: the first FLASH access is in the hand-over
            printf "    reset to main %.3f, clock + board %.3f, decision %.3f, trial record %.3f, hand-over %.3f ms\n",
                m, b - m, f - b, h - f, j - h
        }' "$tmp/out.txt"
}
echo "Boot time, power-on reset to the app's first instruction (virtual; bound $BOOT_BOUND_MS ms for a 2 MB app):"
for size in 16384 262144 $SLOT_MAX $APP_MAX; do
    app_of "$size"
    flash_with_app "$tmp/flash.bin" "$tmp/app.uf2"
    emu --flash "$tmp/flash.bin" -vv run --ms 3000 || fail "run with a $size-byte app"
    ms=$(ms_of "jump into the app")
    [ -n "$ms" ] || fail "no jump into the $size-byte app"
    printf "  app %7d bytes (%4d KB): %8.3f ms  (bound %d ms: %.3fx)\n" "$size" $((size / 1024)) "$ms" \
        "$BOOT_BOUND_MS" "$(awk -v a="$ms" -v b="$BOOT_BOUND_MS" 'BEGIN { print a / b }')"
    boot_phases
done
echo "  (the first start of a new image is a trial start: it writes one 32-byte record, 4 double-word programs)"
# blinky confirmed its image during that run: the next power-on writes nothing
emu --flash "$tmp/flash.bin" -vv run --ms 100 || fail "second power-on with the $APP_MAX-byte app"
ms=$(ms_of "jump into the app")
printf "  app %7d bytes, confirmed (any later power-on): %8.3f ms  (bound %d ms: %.3fx)\n" "$APP_MAX" "$ms" \
    "$BOOT_BOUND_MS" "$(awk -v a="$ms" -v b="$BOOT_BOUND_MS" 'BEGIN { print a / b }')"
boot_phases
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
