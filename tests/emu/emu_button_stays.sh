# B1 held at power on: the bootloader stays (its USB drive starts) even
# with a valid app; released, the same flash starts the app.
source "$(dirname "$0")/emu_lib.inc"

flash_with_app "$tmp/app.bin" "$fw/blinky.uf2"
emu --flash "$tmp/app.bin" run --ms 1000 --button || fail "run --button: exit $?"
grep -q "bootloader starts the USB drive" "$tmp/out.txt" || fail "button held: no drive"
grep -q "stay in bootloader: user button held at reset" "$tmp/out.txt" || fail "button held: stayed for another reason"
! grep -q "jump into the app" "$tmp/out.txt" || fail "button held: the app started"
emu --flash "$tmp/app.bin" run --ms 1000 || fail "run: exit $?"
grep -q "jump into the app" "$tmp/out.txt" || fail "button released: the app did not start"
echo "emu_button_stays: ok"
