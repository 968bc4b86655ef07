#!/usr/bin/env bash
# The simulated device, start to finish: a fresh board shows up as a drive,
# takes a UF2, then a HEX (as Linux writes it: data first), refuses a file for
# another chip and keeps the app it has. Everything runs on this PC: the
# bootloader's own core over a model of the STM32L4R5's flash.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${DB_BUILD_DIR:-$top/build/host}
sim=$build/dropboot-sim
tool=$build/dropboot
work=$top/build/demo
export MTOOLS_SKIP_CHECK=1
rm -rf "$work"
mkdir -p "$work"
cd "$work"
say() { printf '\n== %s\n' "$*"; }
run() { # show the command as a user would type it, then run it
    local shown="$*"
    shown=${shown//$sim/dropboot-sim}
    printf '$ %s\n' "$shown"
    "$@"
}

say "A tiny app for 0x08008000: vector table (SP, reset handler) and a loop"
# initial SP 0x20050000, reset handler 0x08008009 (Thumb), then code: nop; b .
printf '\x00\x00\x05\x20\x09\x80\x00\x08\x00\xbf\xfe\xe7' >app.bin
head -c 1000 /dev/zero | tr '\0' '\377' >>app.bin # some room, like a real image
ls -l app.bin | awk '{print $5 " bytes: app.bin"}'
run arm-none-eabi-objcopy -I binary -O ihex --change-addresses 0x08008000 app.bin app.hex
run srec_cat app.bin -binary -offset 0x08008000 -o app_srec.hex -intel
if [ -x "$tool" ] && "$tool" convert app.bin -o app.uf2 --base 0x08008000 >/dev/null 2>&1; then
    echo "\$ dropboot convert app.bin -o app.uf2 --base 0x08008000"
else
    run python3 "$top/tests/integration/drive_lib.py" uf2 app.bin app.uf2 # an independent UF2 writer
fi

say "A fresh board: no app yet, so the bootloader stays and shows its drive"
run "$sim" --flash flash.bin status
run "$sim" --flash flash.bin dump disk.img
run mdir -i disk.img ::
run mtype -i disk.img ::INFO_UF2.TXT

say "Drop app.uf2 on the drive (mcopy), the device takes the writes, then the eject"
cp disk.img after.img
run mcopy -i after.img app.uf2 ::APP.UF2
run "$sim" --flash flash.bin replay disk.img after.img --order asc
run "$sim" --flash flash.bin status

say "Update again with Intel HEX, written the Linux way (data first, FAT and directory last)"
run "$sim" --flash flash.bin dump disk.img # the user holds the button: the drive shows CURRENT.UF2
mdir -i disk.img :: | grep CURRENT
cp disk.img after.img
run mcopy -i after.img app_srec.hex ::APP.HEX
run "$sim" --flash flash.bin replay disk.img after.img --order meta-last

say "A UF2 made for another chip (RP2040's family) is refused; the app stays"
python3 "$top/tests/integration/drive_lib.py" uf2 app.bin rp2040.uf2 --family 0xe48bff56
run "$sim" --flash flash.bin dump disk.img
cp disk.img after.img
run mcopy -i after.img rp2040.uf2 ::RP2040.UF2
run "$sim" --flash flash.bin replay disk.img after.img || echo "(replay exit $?: refused, as it should be)"
echo "after the next power-on:"
run "$sim" --flash flash.bin status
say "demo done (files in build/demo)"
