# The Black Pill's bootloader (DB_CHIP=stm32f411) on dropboot-emu's F411
# machine: an empty chip comes up as the drive (after programming nWRP for
# its own sectors once), a valid app at 0x08010000 is started, blinky
# blinks the blue LED on PC13 (lit when low) every 250 ms at the 16 MHz the
# bootloader leaves, and nothing touches a register the models do not know.
source "$(dirname "$0")/f411_lib.inc"

"$emu_bin" --chip stm32f411 --flash "$tmp/x.bin" status >/dev/null 2>&1 || fail "--chip stm32f411 refused"
! "$emu_bin" --chip stm32l4r5 --flash "$tmp/x.bin" status >/dev/null 2>&1 || fail "--chip stm32l4r5 accepted"

rm -f "$tmp/empty.bin"
emu -v --flash "$tmp/empty.bin" run --ms 600 || fail "empty: exit $?"
no_machine_error empty
grep -q "bootloader starts the USB drive" "$tmp/out.txt" || fail "empty chip: no drive"
grep -q "stay in bootloader: no valid boot record" "$tmp/out.txt" || fail "empty chip: not the no-record reason"
[ "$(stat -c %s "$tmp/empty.bin")" = $((512 * 1024)) ] || fail "the flash image is not 512 KB"
# RM0383 3.4.1: 3 wait states before the clock goes to 96 MHz (25 MHz HSE,
# M 25, N 192, P 2), APB1 halved to 48 MHz; the machine counts time at that clock.
grep -q "FLASH_ACR.LATENCY 3 wait states" "$tmp/out.txt" || fail "no 3 wait states"
grep -q "system clock PLL: HCLK 96000000 Hz, APB1 48000000 Hz" "$tmp/out.txt" || fail "not 96 MHz from the PLL"
[ "$(grep -n "LATENCY 3" "$tmp/out.txt" | cut -d: -f1)" -lt "$(grep -n "HCLK 96000000" "$tmp/out.txt" | cut -d: -f1)" ] ||
    fail "the clock went up before the wait states"
drive_ms=$(sed -n 's/^\[ *\([0-9.]*\) ms\] bootloader starts the USB drive.*/\1/p' "$tmp/out.txt")

flash_with_app "$tmp/app.bin" "$fw/blinky.uf2"
emu -v --flash "$tmp/app.bin" run --ms 3000 || fail "blinky: exit $?"
no_machine_error blinky
grep -q "jump into the app at 0x0801" "$tmp/out.txt" || fail "no jump into the app at 0x0801xxxx"
grep -q "running the app" "$tmp/out.txt" || fail "not running the app at the end"
after_last "jump into the app" >"$tmp/app_log.txt"
awk '/LED/ { t = substr($0, 2, index($0, " ms]") - 2) + 0
             if (n++ > 0) { d = t - last; if (d < 249.9 || d > 250.1) { print "toggle after " d " ms"; bad = 1 } }
             last = t }
     END { if (n < 9) { print "only " n " LED changes"; bad = 1 } exit bad }' "$tmp/app_log.txt" >"$tmp/why.txt" ||
    fail "blink rate: $(cat "$tmp/why.txt")"
grep -q "LED blue on" "$tmp/app_log.txt" || fail "the blue LED never lit"
echo "f411_boot: ok (drive up at $drive_ms ms of virtual time on an empty chip; blinky toggles PC13 every 250 ms)"
