# The reset button twice within 500 ms keeps the bootloader (its drive
# starts); once, the app starts again after the 500 ms window. RCC_CSR
# after a button reset holds PINRSTF alone (the bootloader cleared the
# power-on flags with RMVF).
source "$(dirname "$0")/emu_lib.inc"

flash_with_app "$tmp/app.bin" "$fw/blinky.uf2"

emu --flash "$tmp/app.bin" run --ms 2500 --reset-at 1000 || fail "one reset: exit $?"
grep -q "\[  1000.000 ms\] NRST pin reset: RCC_CSR 0x04000600" "$tmp/out.txt" || fail "one reset: reset flags"
after=$(after_last "NRST pin reset")
t=$(sed -n 's/^\[ *\([0-9.]*\) ms\] jump into the app.*/\1/p' <<<"$after")
[ -n "$t" ] || fail "one reset: the app did not start again"
awk -v t="$t" 'BEGIN { exit !(t >= 1500 && t < 1600) }' || fail "one reset: app at $t ms, not after the 500 ms window"

emu --flash "$tmp/app.bin" run --ms 2500 --reset-at 1000 --reset-at 1200 || fail "two resets: exit $?"
after=$(after_last "NRST pin reset")
grep -q "bootloader starts the USB drive" <<<"$after" || fail "two resets within 500 ms: no drive"
grep -q "stay in bootloader: double reset" <<<"$after" || fail "two resets within 500 ms: not for the double reset"
! grep -q "jump into the app" <<<"$after" || fail "two resets within 500 ms: the app started"
echo "emu_double_reset_stays: ok"
