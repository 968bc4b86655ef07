#!/usr/bin/env bash
# The STM32L4R5 firmware, checked with binutils and the simulated bootloader:
# - dropboot builds warning-free (-Werror) under the 32 KB bootloader region,
#   with a 111-entry vector table at 0x08000000, the .noinit words at
#   0x20000000, and no FPU instruction (the bootloader never enables the FPU);
# - examples/blinky is linked at 0x08008000 with its table 512-byte aligned,
#   and the simulated bootloader takes it as .uf2, .bin and .hex and would
#   start it with the stack pointer and reset handler objdump reads from it.
# Env: DB_SOURCE_DIR, DB_BUILD_DIR (set by ctest). Exit 77 = skipped.
set -euo pipefail
src=${DB_SOURCE_DIR:?}
host=${DB_BUILD_DIR:?}
command -v arm-none-eabi-gcc >/dev/null || { echo "SKIP: no arm-none-eabi-gcc"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fw=$work/fw

make -s -C "$src" -f ports/stm32l4r5/firmware.mk BUILD="$fw" HOST_TOOL="$host/dropboot" >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; echo "FAIL: firmware build"; exit 1; }

fail() { echo "FAIL: $*"; exit 1; }
sec() { arm-none-eabi-objdump -h "$1" | awk -v n="$2" '$2==n {print $3, $4}'; }

read -r size vma < <(sec "$fw/dropboot.elf" .isr_vector)
[ "$vma" = 08000000 ] || fail "vector table at 0x$vma, not 0x08000000"
[ $((16#$size)) -eq $((111 * 4)) ] || fail "vector table has $((16#$size / 4)) entries, not 111"
read -r size vma < <(sec "$fw/dropboot.elf" .noinit)
[ "$vma" = 20000000 ] || fail ".noinit at 0x$vma, not 0x20000000"
[ $((16#$size)) -le 64 ] || fail ".noinit is $((16#$size)) bytes, the apps' linker script reserves 64"
total=$(arm-none-eabi-size -A "$fw/dropboot.elf" | awk '$1==".isr_vector"||$1==".text"||$1==".ARM.exidx"||$1==".data"{s+=$2} END{print s}')
[ "$total" -le 32768 ] || fail "bootloader is $total bytes, over 32768"
binsize=$(stat -c %s "$fw/dropboot.bin")
[ "$binsize" -le 32768 ] || fail "dropboot.bin is $binsize bytes"
if arm-none-eabi-objdump -d "$fw/dropboot.elf" | grep -qE '\sv(ldr|str|mov|push|pop|ldm|stm|add|sub|mul|cvt|cmp|mrs|msr)'; then
    fail "FPU instruction in the bootloader (the FPU is never enabled)"
fi
echo "ok: dropboot $total bytes, vectors 111 at 0x08000000, .noinit at 0x20000000, no FPU code"

# blinky: where the bootloader must jump, straight from the image.
read -r size vma < <(sec "$fw/blinky.elf" .isr_vector)
[ "$vma" = 08008000 ] || fail "blinky vector table at 0x$vma"
sp=$(od -An -tx4 -N4 "$fw/blinky.bin" | tr -d ' ')
pc=$(od -An -tx4 -j4 -N4 "$fw/blinky.bin" | tr -d ' ')
reset=$(arm-none-eabi-nm "$fw/blinky.elf" | awk '$3=="Reset_Handler" {print $1}')
[ "$((16#$pc))" -eq $((16#$reset | 1)) ] || fail "blinky reset vector 0x$pc, Reset_Handler at 0x$reset"
expect="start app at 0x08008000 (slot A at 0x08008000, trial start 2 of 3, initial SP 0x$sp, reset handler 0x$pc)"

sim=$host/dropboot-sim
[ -x "$sim" ] || { echo "SKIP: $sim not built"; exit 77; }
"$sim" --flash "$work/blank.flash" dump "$work/empty.img" >/dev/null
for ext in uf2 bin hex; do
    f=$fw/blinky.$ext
    if [ ! -f "$f" ]; then
        echo "note: no blinky.$ext (host tool cannot convert yet)"
        continue
    fi
    cp "$work/empty.img" "$work/new.img"
    mcopy -i "$work/new.img" "$f" "::BLINKY.$(echo $ext | tr a-z A-Z)"
    rm -f "$work/f.flash"
    "$sim" --flash "$work/f.flash" dump "$work/old.img" >/dev/null
    "$sim" --flash "$work/f.flash" replay "$work/old.img" "$work/new.img" >"$work/replay.log" 2>&1 ||
        { cat "$work/replay.log"; fail "replay of blinky.$ext"; }
    got=$("$sim" --flash "$work/f.flash" status)
    [ "$got" = "$expect" ] || { cat "$work/replay.log"; fail "blinky.$ext: '$got', expected '$expect'"; }
    cmp -n "$(stat -c %s "$fw/blinky.bin")" <(tail -c +32769 "$work/f.flash") "$fw/blinky.bin" ||
        fail "blinky.$ext: flash at 0x08008000 differs from blinky.bin"
    echo "ok: blinky.$ext committed; $got"
done
