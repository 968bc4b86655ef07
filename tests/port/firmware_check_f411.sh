#!/usr/bin/env bash
# The STM32F411 (WeAct Black Pill) firmware, checked with binutils:
# - dropboot builds warning-free (-Werror) within sectors 0-1 (32 KB), with
#   a 102-entry vector table at 0x08000000, the .noinit words at 0x20000000,
#   no FPU instruction (the bootloader never enables the FPU), and nothing
#   linked past 0x08008000 (sectors 2-3 are the record log's, 0x08010000 the
#   app's);
# - examples/blinky is linked at 0x08010000 (tinyuf2's app base) with its
#   reset vector pointing into itself, and its .uf2 (when the host tool
#   exists) carries the STM32F4 family 0x57755a57 at 0x08010000.
# The simulated bootloader runs the L4R5 geometry; running the F411 image
# through it waits for a sim built for the F411 (see the report / README).
# Env: DB_SOURCE_DIR, DB_BUILD_DIR (set by ctest). Exit 77 = skipped.
set -euo pipefail
src=${DB_SOURCE_DIR:?}
host=${DB_BUILD_DIR:?}
command -v arm-none-eabi-gcc >/dev/null || { echo "SKIP: no arm-none-eabi-gcc"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fw=$work/fw
limit=$((32 * 1024)) # core/config.h DB_CODE_SIZE for the F411

make -s -C "$src" -f ports/stm32f411/firmware.mk BUILD="$fw" HOST_TOOL="$host/dropboot" >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; echo "FAIL: firmware build"; exit 1; }

fail() { echo "FAIL: $*"; exit 1; }
sec() { arm-none-eabi-objdump -h "$1" | awk -v n="$2" '$2==n {print $3, $4}'; }

read -r size vma < <(sec "$fw/dropboot.elf" .isr_vector)
[ "$vma" = 08000000 ] || fail "vector table at 0x$vma, not 0x08000000"
[ $((16#$size)) -eq $((102 * 4)) ] || fail "vector table has $((16#$size / 4)) entries, not 102"
read -r size vma < <(sec "$fw/dropboot.elf" .noinit)
[ "$vma" = 20000000 ] || fail ".noinit at 0x$vma, not 0x20000000"
[ $((16#$size)) -le 64 ] || fail ".noinit is $((16#$size)) bytes, the apps' linker script reserves 64"
total=$(arm-none-eabi-size -A "$fw/dropboot.elf" | awk '$1==".isr_vector"||$1==".text"||$1==".ARM.exidx"||$1==".data"{s+=$2} END{print s}')
[ "$total" -le "$limit" ] || fail "bootloader is $total bytes, over $limit"
binsize=$(stat -c %s "$fw/dropboot.bin")
[ "$binsize" -le "$limit" ] || fail "dropboot.bin is $binsize bytes, past sector 1"
if arm-none-eabi-objdump -d "$fw/dropboot.elf" | grep -qE '\sv(ldr|str|mov|push|pop|ldm|stm|add|sub|mul|cvt|cmp|mrs|msr)'; then
    fail "FPU instruction in the bootloader (the FPU is never enabled)"
fi
echo "ok: dropboot $total bytes (limit $limit), vectors 102 at 0x08000000, .noinit at 0x20000000, no FPU code"

read -r size vma < <(sec "$fw/blinky.elf" .isr_vector)
[ "$vma" = 08010000 ] || fail "blinky vector table at 0x$vma, not 0x08010000"
[ $((16#$size)) -eq $((102 * 4)) ] || fail "blinky vector table has $((16#$size / 4)) entries"
pc=$(od -An -tx4 -j4 -N4 "$fw/blinky.bin" | tr -d ' ')
reset=$(arm-none-eabi-nm "$fw/blinky.elf" | awk '$3=="Reset_Handler" {print $1}')
[ "$((16#$pc))" -eq $((16#$reset | 1)) ] || fail "blinky reset vector 0x$pc, Reset_Handler at 0x$reset"
echo "ok: blinky at 0x08010000, reset handler 0x$pc"

if [ -f "$fw/blinky.uf2" ]; then
    # UF2 block 0: target address at byte 12, family at byte 28 (flag 0x2000 at byte 8).
    addr=$(od -An -tx4 -j12 -N4 "$fw/blinky.uf2" | tr -d ' ')
    fam=$(od -An -tx4 -j28 -N4 "$fw/blinky.uf2" | tr -d ' ')
    [ "$addr" = 08010000 ] || fail "blinky.uf2 block 0 at 0x$addr"
    [ "$fam" = 57755a57 ] || fail "blinky.uf2 family 0x$fam, not STM32F4 0x57755a57"
    echo "ok: blinky.uf2 at 0x08010000, family 0x57755a57"
else
    echo "note: no blinky.uf2 (host tool not built)"
fi
