# Cold start: with no app the real bootloader stays and starts its USB drive;
# with a valid app (blinky, installed by dropboot-sim) it jumps into it.
# Either way `dropboot-emu status` prints what `dropboot-sim status` prints.
source "$(dirname "$0")/emu_lib.inc"

rm -f "$tmp/empty.bin"
emu --flash "$tmp/empty.bin" status || fail "status on an empty flash: exit $?"
want=$("$sim" --flash "$tmp/empty.bin" status)
[ "$(cat "$tmp/out.txt")" = "$want" ] || fail "empty flash: emu says '$(cat "$tmp/out.txt")', sim says '$want'"
grep -q "^stay in bootloader: no valid boot record" "$tmp/out.txt" || fail "empty flash: not staying"

flash_with_app "$tmp/app.bin" "$fw/blinky.uf2"
# the sim's status only looks; the real binary counts its trial start, so ask the sim first
want=$("$sim" --flash "$tmp/app.bin" status)
emu --flash "$tmp/app.bin" status || fail "status with an app: exit $?"
[ "$(cat "$tmp/out.txt")" = "$want" ] || fail "with an app: emu says '$(cat "$tmp/out.txt")', sim says '$want'"
grep -q "^start app at 0x08008000" "$tmp/out.txt" || fail "with an app: not started"
echo "emu_boot_status: ok"
