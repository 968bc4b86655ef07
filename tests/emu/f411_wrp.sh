# Write protection of the bootloader's sectors on the F411 machine: the
# first run programs nWRP = 0 for sectors 0 and 1 (kept beside the flash
# image, FLASH.bin.optbytes, as the chip keeps option bytes), later power-ons
# leave them alone, and the FLASH model then refuses to erase or program
# those sectors (WRPERR) while other sectors still erase and program as
# RM0383 says (probe/probe_flash_f4.c: blue LED lit = as the RM says).
source "$(dirname "$0")/f411_lib.inc"

rm -f "$tmp/flash.bin" "$tmp/flash.bin.optbytes"
emu -v --flash "$tmp/flash.bin" run --ms 400 || fail "first run: exit $?"
no_machine_error "first run"
grep -q "option bytes programmed: OPTCR 0x[0-9a-f]* (nWRP 0xffc)" "$tmp/out.txt" ||
    fail "the first run did not protect sectors 0-1"
grep -q "^OPTCR 0x0ffcaaec$" "$tmp/flash.bin.optbytes" || fail "option bytes file: $(cat "$tmp/flash.bin.optbytes")"
emu -v --flash "$tmp/flash.bin" run --ms 400 || fail "second run: exit $?"
! grep -q "option bytes programmed" "$tmp/out.txt" || fail "the second run programmed the option bytes again"

build_probe "$tmp/probe.elf" "$src/tests/emu/probe/probe_flash_f4.c"
cp "$tmp/flash.bin" "$tmp/p.bin"
cp "$tmp/flash.bin.optbytes" "$tmp/p.bin.optbytes"
"$emu_bin" -v --firmware "$tmp/probe.elf" --flash "$tmp/p.bin" run --ms 3000 >"$tmp/out.txt" 2>&1 || fail "probe: exit $?"
no_machine_error probe
grep -q "LED blue on" "$tmp/out.txt" || fail "protected chip: the FLASH model did not answer as RM0383 says"
# The same probe on a chip without the option bytes: sector 1 erases, so it must not pass.
cp "$tmp/flash.bin" "$tmp/q.bin"
"$emu_bin" -v --firmware "$tmp/probe.elf" --flash "$tmp/q.bin" run --ms 3000 >"$tmp/out.txt" 2>&1 ||
    fail "unprotected probe: exit $?"
! grep -q "LED blue on" "$tmp/out.txt" || fail "the probe passes on an unprotected chip: it cannot fail"
echo "f411_wrp: ok"
