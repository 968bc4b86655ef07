# The FLASH model's fast programming, bank erase and read-while-write stall
# (probe/probe_fast.c, raw register writes from RM0432 3.3.6-3.3.8 and
# 3.7.5): PGSERR without a bank erase first, a whole row programmed after
# MER2, MISERR for a late double-word, PGAERR off a row boundary, and the
# CPU held while it fetches from the bank being erased, not from the other.
source "$(dirname "$0")/emu_lib.inc"

port=$src/ports/stm32l4r5
build_probe "$tmp/probe.elf" "$src/tests/emu/probe/probe_fast.c" "$src/tests/emu/probe/probe_stubs.c" "$port/clock.c" \
    "$src/ports/stm32/clock_tick.c"
rm -f "$tmp/flash.bin"
"$emu_bin" --firmware "$tmp/probe.elf" --flash "$tmp/flash.bin" run --ms 300 >"$tmp/out.txt" 2>&1 || fail "run: exit $?"
last=$(grep "LED" "$tmp/out.txt" | tail -1 | sed 's/^\[[^]]*\] //')
step=$(grep -c "red on" "$tmp/out.txt" || true)
[ "$last" = "LED green on , blue off, red off" ] || fail "probe failed at step $((step - 1)): $last"
echo "emu_flash_fast: ok"
