# An app asks for the bootloader through dropboot_app.h: blinky does it when
# B1 is held for 3 s (magic word at 0x20000000, then SYSRESETREQ). The
# bootloader, started by that software reset, finds the request and
# stays and starts its drive.
source "$(dirname "$0")/emu_lib.inc"

flash_with_app "$tmp/app.bin" "$fw/blinky.uf2"
# Pressed at 100 ms: blinky resets at about 3100 ms. The bootloader reads
# the button ~0.3 ms after the reset, while it is still held: the app's
# request names the reason all the same (core/boot.c checks it first).
emu --flash "$tmp/app.bin" run --ms 4000 --button-at 100:3105 || fail "run: exit $?"
grep -q "software reset (SYSRESETREQ): RCC_CSR 0x14" "$tmp/out.txt" || fail "no software reset with SFTRSTF|PINRSTF"
after=$(after_last "software reset")
grep -q "bootloader starts the USB drive" <<<"$after" || fail "the bootloader did not stay after the app's request"
grep -q "stay in bootloader: the app asked to stay in the bootloader" <<<"$after" || fail "stayed, but not for the request"
! grep -q "jump into the app" <<<"$after" || fail "the app started again"
echo "emu_app_request_stays: ok"
