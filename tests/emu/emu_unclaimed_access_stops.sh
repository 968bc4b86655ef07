# An access no model claims is an error, never a silent zero: the machine
# stops at it, exits 1, and names the address, the virtual time, the PC
# and the function (from the ELF's symbols). The fault that would follow
# is never reached.
source "$(dirname "$0")/emu_lib.inc"

build_probe "$tmp/probe.elf" "$src/tests/emu/probe/probe_fault.c" "$src/tests/emu/probe/probe_stubs.c"
rm -f "$tmp/flash.bin"
rc=0
"$emu_bin" --firmware "$tmp/probe.elf" --flash "$tmp/flash.bin" run --ms 100 >"$tmp/out.txt" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "exit $rc, not 1"
grep -q "unclaimed read (4 bytes) of 0x40007c00" "$tmp/out.txt" || fail "the unclaimed read is not reported"
grep -q "unclaimed read (4 bytes) of 0x40007c00, in the block at 0x[0-9a-f]* (probe_read_unmodelled+" "$tmp/out.txt" ||
    fail "the report does not name probe_read_unmodelled"
grep -q "main+" "$tmp/out.txt" || fail "the backtrace does not reach main"
grep -q "1 error(s)" "$tmp/out.txt" || fail "not exactly one error listed at exit"
! grep -q "0x60000000" "$tmp/out.txt" || fail "the machine ran on past the first error"
# An undefined instruction (UsageFault, escalated to HardFault on the chip)
# stops the machine the same way, with the place named.
build_probe "$tmp/udf.elf" -DPROBE_UDF "$src/tests/emu/probe/probe_fault.c" "$src/tests/emu/probe/probe_stubs.c"
rc=0
"$emu_bin" --firmware "$tmp/udf.elf" --flash "$tmp/flash.bin" run --ms 100 >"$tmp/out.txt" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "udf: exit $rc, not 1"
grep -q "(HardFault)" "$tmp/out.txt" || fail "udf: no HardFault reported"
grep -q "pc 0x[0-9a-f]* probe_read_unmodelled+" "$tmp/out.txt" || fail "udf: the PC is not in probe_read_unmodelled"
grep -q "lr 0x[0-9a-f]* main+" "$tmp/out.txt" || fail "udf: LR does not point into main"
! grep -q "unclaimed" "$tmp/out.txt" || fail "udf: ran past the undefined instruction"
echo "emu_unclaimed_access_stops: ok"
