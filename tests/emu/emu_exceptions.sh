# The exception model (probe/probe_exc.c): PRIMASK holds a pended SysTick
# and CPSIE lets it in at once; the handler sees EXC_RETURN 0xFFFFFFF9;
# VTOR moved to a table in SRAM is used; a computation interrupted every
# 300 cycles gives the result it gives with interrupts off.
source "$(dirname "$0")/emu_lib.inc"

build_probe "$tmp/probe.elf" "$src/tests/emu/probe/probe_exc.c" "$src/tests/emu/probe/probe_stubs.c"
rm -f "$tmp/flash.bin"
"$emu_bin" --firmware "$tmp/probe.elf" --flash "$tmp/flash.bin" run --ms 200 >"$tmp/out.txt" 2>&1 || fail "run: exit $?"
last=$(grep "LED" "$tmp/out.txt" | tail -1 | sed 's/^\[[^]]*\] //')
[ "$last" = "LED green on , blue off, red off" ] || fail "probe says: $last (blue: masking or EXC_RETURN, red: any)"
echo "emu_exceptions: ok"
