#!/usr/bin/env bash
# Firmware copied with mcopy into a dumped disk, replayed into the simulated
# device sector by sector in the orders computers use, ends up byte for byte
# in flash (the app area equals the app padded with 0xFF) and the boot
# decision starts it. UF2 must work in every order that brings its vector
# table within the pending buffer (PENDING_SECTORS); BIN and HEX in the orders
# real systems use (asc: Windows, metadata first; meta-last: Linux, data
# first), and in other orders either work or refuse with DB_ERR_ORDER, never
# leave a wrong app. HEX files come from arm-none-eabi-objcopy and srec_cat.
source "${DB_SOURCE_DIR:?}/tests/integration/drive_env.inc"
cases=0


# flash.bin app.bin [page]: the app area holds exactly the app, 0xFF after
# it (with "page": only to the end of its last 4 KB page; pages past the new
# image are not erased, they may hold an older app the record does not cover)
flash_has_app() {
    "$py" - "$1" "$2" "${3:-area}" "$(active_offset "$1")" <<'PY'
import sys
flash = open(sys.argv[1], "rb").read()
app = open(sys.argv[2], "rb").read()
base = int(sys.argv[4])  # the slot the app starts from (A: 0x8000, B: 0x108000)
area = flash[base:0x8000 + 0x1F8000]
if sys.argv[3] == "page":
    area = area[:(len(app) + 4095) // 4096 * 4096]
if area[:len(app)] != app:
    sys.exit("app bytes differ at offset %d" % next(i for i in range(len(app)) if area[i] != app[i]))
if area[len(app):] != b"\xff" * (len(area) - len(app)):
    sys.exit("app area not erased after the app")
PY
}

make_file() { # app.bin kind out
    case $2 in
    uf2) "$py" "$lib" uf2 "$1" "$3" ;;
    bin) cp "$1" "$3" ;;
    objcopy) arm-none-eabi-objcopy -I binary -O ihex --change-addresses $APP_BASE "$1" "$3" ;;
    srec) srec_cat "$1" -binary -offset $APP_BASE -o "$3" -intel ;;
    esac
}

ext_of() { case $1 in uf2) echo UF2 ;; bin) echo BIN ;; *) echo HEX ;; esac; }

# run_case size kind order must|may [flash-with-old-app]
run_case() {
    local size=$1 kind=$2 order=$3 mode=$4 base_flash=${5:-}
    local name="$kind $size bytes, order $order"
    "$py" "$lib" app "$tmp/app.bin" "$size" "$size"
    make_file "$tmp/app.bin" "$kind" "$tmp/fw"
    rm -f "$tmp/flash.bin"
    local old=$tmp/empty.img
    if [ -n "$base_flash" ]; then
        cp "$base_flash" "$tmp/flash.bin"
        old=$tmp/old_app.img
    fi
    cp "$old" "$tmp/new.img"
    mcopy -i "$tmp/new.img" "$tmp/fw" "::FIRMWARE.$(ext_of "$kind")"
    local rc=0
    "$sim" --flash "$tmp/flash.bin" replay "$old" "$tmp/new.img" --order "$order" >"$tmp/out.txt" || rc=$?
    cases=$((cases + 1))
    if [ $rc -eq 0 ]; then
        grep -q "Result: DB_DONE" "$tmp/out.txt" || fail "$name: exit 0 without DB_DONE"
        flash_has_app "$tmp/flash.bin" "$tmp/app.bin" ${base_flash:+page} || fail "$name: flash is not the app"
        "$sim" --flash "$tmp/flash.bin" status | grep -q "^start app at $APP_BASE" || fail "$name: would not start the app"
        echo "ok   $name"
    elif [ "$mode" = may ] && [ $rc -eq 1 ] && grep -q "Result: DB_ERR_ORDER" "$tmp/out.txt"; then
        if [ -n "$base_flash" ]; then
            # refused before the vector table came: nothing erased, the old app starts
            cmp -s "$base_flash" "$tmp/flash.bin" || fail "$name: refused, but flash changed"
            "$sim" --flash "$tmp/flash.bin" status | grep -q "^start app at $APP_BASE" || fail "$name: refused and the old app lost"
        else
            "$sim" --flash "$tmp/flash.bin" status | grep -q "^stay in bootloader" || fail "$name: refused but an app would start"
        fi
        echo "ok   $name: refused, too far out of order (DB_ERR_ORDER)"
    else
        fail "$name: replay exit $rc"
    fi
}

"$sim" --flash "$tmp/erased.bin" dump "$tmp/empty.img"
for kind in uf2 bin objcopy; do
    run_case 1024 $kind asc must
done
# UF2 in any order as long as the block with the vector table comes within
# the pending buffer (nothing is erased before it); later: a clear refusal.
for size in 1000 70001; do
    for order in asc meta-last; do
        run_case $size uf2 $order must
    done
    for order in desc random:$size; do
        run_case $size uf2 $order $([ $size -le $((PENDING_SECTORS * 256)) ] && echo must || echo may)
    done
    for kind in bin objcopy srec; do
        run_case $size $kind asc must
        run_case $size $kind meta-last must
    done
done
# Out of the orders real systems use: small files fit the pending buffer,
# bigger ones may not (then a clear refusal).
for size in 5003 70001; do
    for kind in bin srec; do
        run_case $size $kind desc may
        run_case $size $kind random:7 may
    done
done
# Whole-app-area and large, odd sizes: a few full-size cases (skipped with
# DROPBOOT_LARGE=0: dropboot-emu runs this script at about real time).
if [ "${DROPBOOT_LARGE:-1}" = 1 ]; then
run_case 2060288 uf2 asc must
run_case 2060288 uf2 random:3 may
run_case 2060288 bin asc must
run_case 2060281 bin meta-last must
run_case 2060288 objcopy meta-last must
run_case 1048573 srec asc must
run_case 1048573 objcopy random:11 may
fi

# An update over an existing whole-area app (CURRENT.UF2 on the disk, the
# host allocates after it) replaces it exactly (slot A: a single-slot app is
# not kept); over a small one (DROPBOOT_LARGE=0) it goes to slot B.
"$py" "$lib" app "$tmp/old_app.bin" $([ "${DROPBOOT_LARGE:-1}" = 1 ] && echo 2060288 || echo 70001) 99
make_file "$tmp/old_app.bin" uf2 "$tmp/old.uf2"
rm -f "$tmp/flash.bin"
cp "$tmp/empty.img" "$tmp/new.img"
mcopy -i "$tmp/new.img" "$tmp/old.uf2" ::OLD.UF2
"$sim" --flash "$tmp/flash.bin" replay "$tmp/empty.img" "$tmp/new.img" >/dev/null || fail "old app setup"
cp "$tmp/flash.bin" "$tmp/flash_old_app.bin"
"$sim" --flash "$tmp/flash.bin" dump "$tmp/old_app.img"
run_case 5003 bin asc must "$tmp/flash_old_app.bin"
run_case 5003 objcopy meta-last must "$tmp/flash_old_app.bin"
run_case 70001 uf2 random:5 may "$tmp/flash_old_app.bin"
run_case $((PENDING_SECTORS * 256 - 48)) uf2 random:5 must "$tmp/flash_old_app.bin" # every block fits the pending buffer

echo "drive_replay: ok ($cases cases)"
