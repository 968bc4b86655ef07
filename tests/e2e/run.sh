#!/usr/bin/env bash
# End-to-end tests through the real Linux kernel (owner: e2e).
#
# Builds a tiny QEMU x86_64 guest from Debian packages (the kernel that
# linux-image-amd64 depends on, busybox-static), a static build of dropboot-sim
# and the host tool, the test helpers and test firmware, then boots the guest
# once (TCG): its init loads vhci-hcd, usb-storage, sd_mod and vfat, runs every
# tests/e2e/scenarios/NN-*.sh, scans the kernel log and powers off. The console
# says "PASS name" / "FAIL name: why" per check and "N passed, M failed".
#
# Everything goes to build/e2e/ (the .debs are cached in build/e2e/cache).
# Environment: E2E_TIMEOUT (seconds for the guest, default 900),
#              E2E_ONLY (a glob of scenario names to run, default all),
#              E2E_DEVICE=emu (the device is the real firmware binary in
#              dropboot-emu instead of dropboot-sim: the guest's dropboot-sim
#              is then a wrapper that runs dropboot-emu on build/<board>/dropboot.elf),
#              E2E_BOARD (nucleo_l4r5zi, the default, or weact_blackpill_f411:
#              the board the device is; its app base, UF2 family and code size
#              come from ports/<chip>/firmware.mk, the guest's programs from a
#              build for that chip, build/guest or build/guest-f411),
#              E2E_MEM (guest MB, default 256), E2E_SKIP_BUILD=1 (reuse the guest build).
set -euo pipefail

t_start=$(date +%s.%N)
src=$(cd "$(dirname "$0")/../.." && pwd)
here="$src/tests/e2e"
out="$src/build/e2e"
cache="$out/cache"
jobs=2
timeout_s=${E2E_TIMEOUT:-900}
mem=${E2E_MEM:-256}
mkdir -p "$cache"

say() { printf 'e2e: %s\n' "$*"; }
die() { printf 'e2e: error: %s\n' "$*" >&2; exit 2; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

for tool in qemu-system-x86_64 cpio gzip apt-get apt-cache dpkg gcc strings arm-none-eabi-objcopy srec_cat mkfs.fat mcopy; do
    command -v "$tool" >/dev/null || die "$tool is missing (see scripts/deps/e2e.txt; make deps)"
done

# --- 1. kernel and busybox from Debian ---------------------------------------
kernel_pkg() {
    apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1
}
kpkg=$(kernel_pkg)
if [ -z "$kpkg" ]; then
    # a fresh CI image may have no package lists yet
    say "no package lists: apt-get update"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    kpkg=$(kernel_pkg)
fi
[ -n "$kpkg" ] || die "cannot tell which kernel linux-image-amd64 depends on (apt-cache depends linux-image-amd64)"
kver=${kpkg#linux-image-}
fetch_deb() { # package -> path of the cached .deb
    local deb
    deb=$(ls "$cache/$1"_*.deb 2>/dev/null | head -n1 || true)
    if [ -z "$deb" ]; then
        say "downloading $1" >&2 # stdout is the path the caller captures
        (cd "$cache" && apt-get download "$1" >/dev/null 2>&1) || die "apt-get download $1 failed"
        deb=$(ls "$cache/$1"_*.deb | head -n1)
    fi
    printf '%s\n' "$deb"
}
kdeb=$(fetch_deb "$kpkg")
bdeb=$(fetch_deb busybox-static)
kroot="$out/kernel"
if [ ! -f "$kroot/.unpacked-$(basename "$kdeb")" ]; then
    rm -rf "$kroot" && mkdir -p "$kroot"
    dpkg -x "$kdeb" "$kroot"
    touch "$kroot/.unpacked-$(basename "$kdeb")"
fi
broot="$out/busybox"
if [ ! -f "$broot/.unpacked-$(basename "$bdeb")" ]; then
    rm -rf "$broot" && mkdir -p "$broot"
    dpkg -x "$bdeb" "$broot"
    touch "$broot/.unpacked-$(basename "$bdeb")"
fi
vmlinuz="$kroot/boot/vmlinuz-$kver"
moddir="$kroot/lib/modules/$kver"
[ -f "$vmlinuz" ] || die "no $vmlinuz in $kdeb"

# --- 2. the board, and static programs for the guest --------------------------
# The board's facts from its firmware build (ports/<chip>/firmware.mk): app
# base, UF2 family, the bootloader's code region; the chip's core config
# (DB_CHIP) for the guest's dropboot-sim/-emu; the LED blinky toggles; an
# initial SP inside the chip's RAM for the synthetic apps.
board=${E2E_BOARD:-nucleo_l4r5zi}
case $board in
nucleo_l4r5zi) port=stm32l4r5 db_chip="" guest="$src/build/guest" blinky_led=green app_sp=0x20050000 ;;
weact_blackpill_f411)
    port=stm32f411 db_chip=stm32f411 guest="$src/build/guest-f411" blinky_led=blue
    app_sp=$(sed -n 's/^#define DB_RAM_END \(0x[0-9A-Fa-f]*\)u.*/\1/p' "$src/ports/$port/config_chip.h")
    ;;
*) die "E2E_BOARD is nucleo_l4r5zi or weact_blackpill_f411, not $board" ;;
esac
mkvar() { sed -n "s/^$1 := \(.*\)$/\1/p" "$src/ports/$port/firmware.mk"; }
app_base=$(mkvar APP_BASE)
family=$(mkvar UF2_FAMILY)
boot_code=$(mkvar DB_BOOT_LIMIT)
[ -n "$app_base" ] && [ -n "$family" ] && [ -n "$boot_code" ] && [ -n "$app_sp" ] ||
    die "cannot read APP_BASE, UF2_FAMILY, DB_BOOT_LIMIT from ports/$port/firmware.mk (or the RAM end)"
app_offset=$((app_base - 0x08000000))
# A/B or one slot: the chip's config (core/config.h's default is A/B).
ab_slots=$(sed -n 's/^#define DB_AB_SLOTS \([0-9]*\).*/\1/p' "$src/ports/$port/config_chip.h" 2>/dev/null || true)
ab_slots=${ab_slots:-1}
say "board $board: app at $app_base, UF2 family $family, bootloader code region $boot_code bytes"
if [ "${E2E_SKIP_BUILD:-0}" != 1 ]; then
    say "building the static guest build (${guest#$src/})"
    cmake -S "$src" -B "$guest" -DDB_STATIC=ON -DCMAKE_BUILD_TYPE=Release -DDB_CHIP="$db_chip" >"$out/cmake.log" 2>&1 ||
        { cat "$out/cmake.log"; die "cmake configure failed"; }
    cmake --build "$guest" -j"$jobs" >>"$out/cmake.log" 2>&1 ||
        { tail -n 40 "$out/cmake.log"; die "static build failed"; }
fi
device=${E2E_DEVICE:-sim}
case $device in
sim) ;;
emu)
    [ -x "$guest/dropboot-emu" ] || die "E2E_DEVICE=emu: ${guest#$src/}/dropboot-emu missing (libunicorn-dev)"
    make -C "$src" -f ports/$port/firmware.mk BUILD=build/$board >"$out/firmware.log" 2>&1 ||
        { tail -n 20 "$out/firmware.log"; die "firmware build failed"; }
    ;;
*) die "E2E_DEVICE is sim or emu, not $device" ;;
esac
helpers="$out/helpers"
mkdir -p "$helpers"
for h in usbip_attach eject fwtool; do
    if [ ! -x "$helpers/$h" ] || [ "$here/$h.c" -nt "$helpers/$h" ]; then
        gcc -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -static -o "$helpers/$h" "$here/$h.c" ||
            die "cannot build $h"
    fi
done

# --- 3. test firmware ----------------------------------------------------------
fw="$out/fw"
rm -rf "$fw" && mkdir -p "$fw"
ft="$helpers/fwtool"
big=$((1024 * 1024))
[ "$board" = weact_blackpill_f411 ] && big=$((448 * 1024)) # its whole app area
"$ft" app $((3 * 1024 + 5)) 1 "$fw/small.bin" "$app_base" "$app_sp"    # 3 KB + 5: a partial last page, an odd size
"$ft" app $((5 * 1024 + 300)) 2 "$fw/second.bin" "$app_base" "$app_sp" # a different app for "twice in a row"
"$ft" app $big 3 "$fw/big.bin" "$app_base" "$app_sp"                   # 1 MB (F411: 448 KB)
"$ft" app $((2 * 1024)) 4 "$fw/other.bin" "$app_base" "$app_sp"        # payload of the wrong-family UF2
dropboot_tool="$guest/dropboot" # static, runs here too
if [ -x "$dropboot_tool" ] && "$dropboot_tool" convert --help >/dev/null 2>&1; then
    uf2_writer="dropboot convert"
else
    uf2_writer="tests/e2e/fwtool uf2 (dropboot convert not available yet)"
fi
make_uf2() { # in.bin family out.uf2
    if [ "$uf2_writer" = "dropboot convert" ]; then
        "$dropboot_tool" convert --family "$2" --base "$app_base" -o "$3" "$1" >/dev/null
    else
        "$ft" uf2 "$1" "$app_base" "$2" "$3"
    fi
}
make_uf2 "$fw/small.bin" "$family" "$fw/small.uf2"
make_uf2 "$fw/second.bin" "$family" "$fw/second.uf2"
make_uf2 "$fw/big.bin" "$family" "$fw/big.uf2"
make_uf2 "$fw/other.bin" 0xe48bff56 "$fw/wrongfamily.uf2"   # RP2040's family
# Whoever wrote them, the UF2s must decode (by fwtool, from the spec) to the apps.
for pair in small:$family second:$family big:$family other:0xe48bff56; do
    n=${pair%%:*}
    u=$n.uf2
    [ "$n" = other ] && u=wrongfamily.uf2
    "$ft" unuf2 "$fw/$u" "${pair#*:}" "$app_base" "$out/decoded.bin" >/dev/null &&
        cmp -s -n "$(stat -c %s "$fw/$n.bin")" "$out/decoded.bin" "$fw/$n.bin" ||
        die "$u from $uf2_writer does not decode to $n.bin"
done
rm -f "$out/decoded.bin"
# Intel HEX from two writers nobody here wrote.
arm-none-eabi-objcopy -I binary -O ihex --change-addresses "$app_base" "$fw/small.bin" "$fw/small.hex"
arm-none-eabi-objcopy -I binary -O ihex --change-addresses "$app_base" "$fw/second.bin" "$fw/second.hex"
arm-none-eabi-objcopy -I binary -O ihex --change-addresses "$app_base" "$fw/big.bin" "$fw/big.hex"
srec_cat "$fw/small.bin" -binary -offset "$app_base" -o "$fw/small-srec.hex" -intel
srec_cat "$fw/small.bin" -binary -offset 0x08000000 -o "$fw/at-bootloader.hex" -intel # aimed at the bootloader
head -c $((10 * 512)) "$fw/second.uf2" >"$fw/half.uf2"                               # 10 of its 22 blocks
printf 'Hello from the e2e test.\r\nThis is a plain text file, not firmware.\r\n' >"$fw/readme.txt"
"$ft" junk 8192 5 "$fw/junk.dat"
sed -n 's/^#define DB_VERSION "\(.*\)".*/\1/p' "$src/core/config.h" >"$fw/version"
printf '%s\n' "$uf2_writer" >"$fw/uf2-writer"

# --- 4. initramfs ---------------------------------------------------------------
root="$out/initramfs"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,mnt,modules,e2e}
cp "$broot/bin/busybox" "$root/bin/busybox"
for p in "$guest/dropboot-sim" "$guest/dropboot"; do
    [ -x "$p" ] && cp "$p" "$root/bin/"
done
[ -x "$root/bin/dropboot-sim" ] || die "${guest#$src/}/dropboot-sim missing"
# What the scenarios (lib.sh) need to know about the board.
printf 'BOARD=%s\nAPP_BASE=%s\nAPP_OFFSET=%s\nFAMILY=%s\nBOOT_CODE=%s\nBLINKY_LED=%s\nAB_SLOTS=%s\n' "$board" \
    "$(printf '0x%08x' "$app_base")" "$app_offset" "$family" "$boot_code" "$blinky_led" "$ab_slots" \
    >"$root/e2e/board.env"
if [ "$device" = emu ]; then
    # Every dropboot-sim the scenarios start is the firmware binary on the emulated chip.
    cp "$guest/dropboot-emu" "$root/bin/"
    mkdir -p "$root/e2e/emu"
    cp "$src/build/$board/dropboot.elf" "$src/build/$board/blinky.uf2" "$root/e2e/emu/"
    # What the bootloader's code region of every flash file must keep: the bootloader, 0xFF after it.
    boot_bin="$src/build/$board/dropboot.bin"
    { cat "$boot_bin"; head -c $((boot_code - $(stat -c %s "$boot_bin"))) /dev/zero | tr '\000' '\377'; } \
        >"$root/e2e/emu/boot-area.bin"
    # libunicorn reserves 1 GB for translated code (mostly never touched): the
    # guest's default overcommit heuristic refuses that in 256 MB.
    # Without --serial the chip's UID reads as dropboot-sim's default serial.
    cat >"$root/bin/dropboot-sim" <<'EOF'
#!/bin/sh
echo 1 >/proc/sys/vm/overcommit_memory
case " $* " in
*" --serial "*) exec /bin/dropboot-emu --firmware /e2e/emu/dropboot.elf "$@" ;;
*) exec /bin/dropboot-emu --firmware /e2e/emu/dropboot.elf --serial 000000000000000000000001 "$@" ;;
esac
EOF
    chmod +x "$root/bin/dropboot-sim"
fi
cp "$helpers/usbip_attach" "$helpers/eject" "$helpers/fwtool" "$root/bin/"
cp -r "$fw" "$root/e2e/fw"
cp "$here/init.sh" "$root/init"
chmod +x "$root/init"
cp "$here/lib.sh" "$root/e2e/lib.sh"
mkdir -p "$root/e2e/scenarios"
only=${E2E_ONLY:-*}
for s in "$here"/scenarios/[0-9][0-9]-*.sh; do
    [ -e "$s" ] || continue
    n=$(basename "$s" .sh)
    # shellcheck disable=SC2053
    [[ $n == $only ]] && cp "$s" "$root/e2e/scenarios/"
done

# Modules: the dependency closure of what we need, from each module's .modinfo
# (no depmod here), in an order where every module comes after its dependencies.
declare -A modpath=() seen=()
while IFS= read -r -d '' ko; do
    b=${ko##*/}
    b=${b%.ko}
    modpath[${b//-/_}]=$ko
done < <(find "$moddir/kernel" -name '*.ko' -print0)
order=()
add_mod() {
    local m=${1//-/_} d
    [ -n "${seen[$m]:-}" ] && return 0
    seen[$m]=1
    [ -n "${modpath[$m]:-}" ] || die "module $m not found in $kpkg"
    for d in $(strings -a "${modpath[$m]}" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_mod "$d"
    done
    order+=("$m")
}
# crc64_rocksoft asks for its provider at run time (a soft dependency).
# xhci and usbip-host: the harness check (01-harness.sh) exports QEMU's own USB
# stick with the kernel's USB/IP server and attaches it like our device.
for m in vhci_hcd usb_storage crc64_rocksoft_generic sd_mod vfat nls_cp437 nls_iso8859_1 nls_utf8 nls_ascii \
    xhci_pci usbip_host; do
    add_mod "$m"
done
: >"$root/modules/order"
for m in "${order[@]}"; do
    cp "${modpath[$m]}" "$root/modules/$m.ko"
    echo "$m" >>"$root/modules/order"
done

# Debian's usbip tools for the harness check, and fsck.fat (dosfstools) as an
# oracle on the drive, each with its shared libraries.
for b in usbipd usbip fsck.fat; do
    p=$(PATH=$PATH:/usr/sbin:/sbin command -v $b) || continue
    cp "$p" "$root/bin/"
    for l in $(ldd "$p" | grep -o '/[^ ]*\.so[^ ]*'); do
        mkdir -p "$root$(dirname "$l")"
        cp -L "$l" "$root$l"
    done
done
# QEMU's USB stick for the harness check: a FAT image made by dosfstools and mtools.
stick="$out/stick.img"
rm -f "$stick"
mkfs.fat -C -n STICK "$stick" 8192 >/dev/null
printf 'hello from mtools\r\n' >"$out/hello.txt"
mcopy -i "$stick" "$out/hello.txt" ::HELLO.TXT

initrd="$out/initrd.gz"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$initrd"
t_built=$(elapsed "$t_start")
say "guest: kernel $kver, ${#order[@]} modules, initrd $(du -k "$initrd" | cut -f1) KB, UF2 by $uf2_writer (prepared in ${t_built}s)"

# --- 5. boot ----------------------------------------------------------------------
console="$out/console.log"
t_boot=$(date +%s.%N)
set +e
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -m "$mem" -smp 1 \
    -display none -monitor none -nodefaults -serial stdio -no-reboot \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -device qemu-xhci -drive if=none,id=stick,file="$stick",format=raw -device usb-storage,drive=stick \
    -append "console=ttyS0 quiet loglevel=1 panic=-1 log_buf_len=1M" </dev/null 2>&1 |
    tr -d '\r' | tee "$console" | sed -u 's/^/  | /'
qrc=${PIPESTATUS[0]}
set -e
t_run=$(elapsed "$t_boot")

# --- 6. verdict --------------------------------------------------------------------
init_s=$(sed -n 's/^E2E-INIT uptime=\([0-9.]*\).*/\1/p' "$console" | head -n1)
boot_s=$(sed -n 's/^E2E-BOOTED uptime=\([0-9.]*\).*/\1/p' "$console" | head -n1)
passed=$(grep -c '^PASS ' "$console" || true)
failed=$(grep -c '^FAIL ' "$console" || true)
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$console" | tail -n1 || true)
say "guest wall time ${t_run}s (guest uptime: init started at ${init_s:-?}s, modules loaded at ${boot_s:-?}s), whole run $(elapsed "$t_start")s"
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    say "FAIL: the guest did not finish within ${timeout_s}s"
    exit 1
fi
if [ -z "$summary" ]; then
    say "FAIL: no summary line from the guest (qemu exit $qrc); console in $console"
    exit 1
fi
say "$passed PASS lines, $failed FAIL lines; guest says: $summary"
if [ "$failed" != 0 ] || ! [[ $summary =~ ^[0-9]+\ passed,\ 0\ failed ]]; then
    grep '^FAIL ' "$console" | sed 's/^/e2e: /'
    exit 1
fi
exit 0
