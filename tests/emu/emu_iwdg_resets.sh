# The IWDG model under the port's watchdog driver (probe/probe_iwdg.c):
# started and never refreshed, it resets the chip when its counter runs
# out, (RLR + 1) * 256 / 32 kHz = 20.008 s later, with IWDGRSTF and
# PINRSTF added to RCC_CSR; the firmware sees the flag after the reset.
source "$(dirname "$0")/emu_lib.inc"

build_probe "$tmp/probe.elf" "$src/tests/emu/probe/probe_iwdg.c" "$src/tests/emu/probe/probe_stubs.c" "$src/ports/stm32/watchdog.c"
rm -f "$tmp/flash.bin"
"$emu_bin" --firmware "$tmp/probe.elf" --flash "$tmp/flash.bin" run --ms 25000 >"$tmp/out.txt" 2>&1 || fail "run: exit $?"
line=$(grep "independent watchdog reset" "$tmp/out.txt") || fail "no watchdog reset"
t=$(sed 's/^\[ *\([0-9.]*\) ms\].*/\1/' <<<"$line")
awk -v t="$t" 'BEGIN { exit !(t >= 20008 && t < 20010) }' || fail "watchdog reset at $t ms, not 20008"
# The probe never clears the flags (RMVF), so the power-on BORRSTF is still there.
grep -q "RCC_CSR 0x2c000600" <<<"$line" || fail "reset flags: $line"
[ "$(grep -c "independent watchdog reset" "$tmp/out.txt")" = 1 ] || fail "more than one watchdog reset"
grep -q "LED green on" "$tmp/out.txt" || fail "the probe did not see IWDGRSTF"
echo "emu_iwdg_resets: ok"
