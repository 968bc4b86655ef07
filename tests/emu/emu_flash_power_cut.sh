# The FLASH model under the port's real driver (probe/probe_flash.c): a page
# erase and two double-words programmed, a second program of the same
# double-word refused with PROGERR, data in the flash image file. A power
# cut at the first double-word program, then a cold start: cleanly the
# page reads erased; torn, the half-written double-word reads as an ECC
# double error, which reaches the driver through NMI (FLASH_ERR_ECC). With
# OPTR.DBANK = 0 (8 KB pages) the driver refuses and flash stays erased.
source "$(dirname "$0")/emu_lib.inc"

port=$src/ports/stm32l4r5
build_probe "$tmp/probe.elf" "$src/tests/emu/probe/probe_flash.c" "$port/clock.c" "$src/ports/stm32/clock_tick.c" "$port/flash.c"

# probe ARGS...: run the probe 100 ms on a fresh flash; the last LED state
probe() {
    rm -f "$tmp/flash.bin"
    "$emu_bin" "$@" --firmware "$tmp/probe.elf" --flash "$tmp/flash.bin" run --ms 100 >"$tmp/out.txt" 2>&1 ||
        fail "probe $*: exit $?"
    grep "LED" "$tmp/out.txt" | tail -1 | sed 's/^\[[^]]*\] //'
}
data=$(printf '\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xf0\x01' | od -An -tx1)

leds=$(probe)
[ "$leds" = "LED green on , blue off, red off" ] || fail "no cut: $leds"
[ "$(dd if="$tmp/flash.bin" bs=1 skip=$((0x100000)) count=16 status=none | od -An -tx1)" = "$data" ] ||
    fail "no cut: the image file does not hold the programmed bytes"

leds=$(probe --cut-at-flash-op 2)
grep -q "power cut at flash operation 2 (double-word program at 0x08100000, clean)" "$tmp/out.txt" || fail "clean: no cut"
[ "$leds" = "LED green on , blue off, red off" ] || fail "clean cut: $leds"

leds=$(probe --cut-at-flash-op 2 --torn)
grep -q "power cut at flash operation 2 (double-word program at 0x08100000, torn)" "$tmp/out.txt" || fail "torn: no cut"
[ "$leds" = "LED green on , blue on , red off" ] || fail "torn cut: no ECC error seen ($leds)"
# OPTR.DBANK = 0 (single bank, 8 KB pages): the driver must refuse to touch flash.
leds=$(probe --single-bank)
[ "$leds" = "LED green off, blue off, red on " ] || fail "single bank: the driver did not refuse ($leds)"
[ "$(dd if="$tmp/flash.bin" bs=1 skip=$((0x100000)) count=16 status=none | od -An -tx1)" = \
  "$(head -c 16 /dev/zero | tr '\0' '\377' | od -An -tx1)" ] || fail "single bank: flash changed"
echo "emu_flash_power_cut: ok"
