#!/usr/bin/env bash
# What macOS and Windows write besides the firmware, on disks built with
# mtools only, replayed into the simulated device: the update still commits
# exactly the image and the app starts; the OS's own files (AppleDouble ._*,
# .fseventsd, .Trashes, .Spotlight-V100, System Volume Information) never
# cause a refusal or a reset; a big copy whose pieces arrive interleaved
# (macOS' parallel 1 MB writers) commits a UF2 always and a BIN/HEX either
# exactly or with a clear DB_ERR_ORDER, never a wrong app. After every
# session the disk the device shows when it comes back is fsck.fat clean.
source "${DB_SOURCE_DIR:?}/tests/integration/drive_env.inc"
osf=$src/tests/integration/os_files.py
sessions=0

# flash_has_app flash.bin app.bin: app area = the app, then 0xFF
flash_has_app() {
    "$py" - "$1" "$2" <<'PY'
import sys
flash = open(sys.argv[1], "rb").read()
app = open(sys.argv[2], "rb").read()
area = flash[0x8000:0x8000 + 0x1F7000]
if area[:len(app)] != app:
    sys.exit("app bytes differ at offset %d" % next(i for i in range(len(app)) if area[i] != app[i]))
if area[len(app):] != b"\xff" * (len(area) - len(app)):
    sys.exit("app area not erased after the app")
PY
}

# make_fw app.bin uf2|bin|hex out: the firmware file (HEX from srec_cat)
make_fw() {
    case $2 in
    uf2) "$py" "$lib" uf2 "$1" "$3" ;;
    bin) cp "$1" "$3" ;;
    hex) srec_cat "$1" -binary -offset $APP_BASE -o "$3" -intel ;;
    esac
}

# disk_clean NAME: the disk of the device as it comes back (button held, as
# a user would to see the drive) passes fsck.fat -n; left in $tmp/back.img
disk_clean() {
    "$sim" --flash "$tmp/flash.bin" dump "$tmp/back.img"
    fsck.fat -n "$tmp/back.img" >"$tmp/fsck.txt" 2>&1 || { cat "$tmp/fsck.txt" >&2; fail "$1: fsck.fat on the disk after the session"; }
}

# commits NAME OLD NEW ORDER app.bin: the session commits exactly the app
commits() {
    local rc=0
    "$sim" --flash "$tmp/flash.bin" replay "$2" "$3" --order "$4" >"$tmp/out.txt" || rc=$?
    sessions=$((sessions + 1))
    [ $rc -eq 0 ] || fail "$1: replay exit $rc"
    grep -q $'^Result: DB_DONE\r$' "$tmp/out.txt" || fail "$1: STATUS.TXT is not DB_DONE"
    grep -q "^device reset: start app at $APP_BASE" "$tmp/out.txt" || fail "$1: the device did not reset into the app"
    flash_has_app "$tmp/flash.bin" "$5" || fail "$1: flash is not the app"
    "$sim" --flash "$tmp/flash.bin" status | grep -q "^start app at $APP_BASE" || fail "$1: status would not start the app"
    disk_clean "$1"
    echo "ok   $1: commits, app starts, disk clean"
}

# commits_or_order NAME OLD NEW ORDER app.bin: exact commit or DB_ERR_ORDER
commits_or_order() {
    local rc=0
    "$sim" --flash "$tmp/flash.bin" replay "$2" "$3" --order "$4" >"$tmp/out.txt" || rc=$?
    sessions=$((sessions + 1))
    if [ $rc -eq 0 ]; then
        flash_has_app "$tmp/flash.bin" "$5" || fail "$1: committed a wrong app"
        "$sim" --flash "$tmp/flash.bin" status | grep -q "^start app at $APP_BASE" || fail "$1: status would not start the app"
        disk_clean "$1"
        echo "ok   $1: commits, app starts, disk clean"
    elif [ $rc -eq 1 ] && grep -q $'^Result: DB_ERR_ORDER\r$' "$tmp/out.txt"; then
        grep -q "^device reset: stay in bootloader" "$tmp/out.txt" || fail "$1: refused but did not come back as the drive"
        "$sim" --flash "$tmp/flash.bin" status | grep -q "^stay in bootloader" || fail "$1: refused but an app would start"
        [ "$(grep -c $'^Result: DB_ERR_ORDER\r$' "$tmp/out.txt")" = 2 ] || fail "$1: STATUS.TXT after the reset lost DB_ERR_ORDER"
        # (dump is a cold power on: RAM, and with it the last STATUS, is gone)
        disk_clean "$1"
        echo "ok   $1: refused with DB_ERR_ORDER, no app starts, disk clean"
    else
        fail "$1: replay exit $rc (a crash, or neither DB_DONE nor DB_ERR_ORDER)"
    fi
}

"$sim" --flash "$tmp/erased.bin" dump "$tmp/empty.img"
fsck.fat -n "$tmp/empty.img" >/dev/null || fail "the empty device's disk"

# --- 1. macOS Finder. At mount macOS creates .fseventsd, .Spotlight-V100
# and a hidden .Trashes; Finder copies the file, then its ._ AppleDouble
# twin (extended attributes), and fseventsd flushes a log at eject. mcopy in
# that order gives the clusters in that order, so meta-last replays the data
# as written with the FAT and directories last, random interleaves it all.
mkdir -p "$tmp/mac"
"$py" "$osf" macos "$tmp/mac"
"$py" "$osf" appledouble "$tmp/ad"
"$py" "$lib" app "$tmp/app.bin" 70001 21
# mac_disk KIND: $tmp/mac.img with FIRMWARE.<KIND> and macOS' files
mac_disk() {
    local ext
    ext=$(echo "$1" | tr a-z A-Z)
    make_fw "$tmp/app.bin" "$1" "$tmp/fw.$1"
    cp "$tmp/empty.img" "$tmp/mac.img"
    mmd -i "$tmp/mac.img" ::.fseventsd ::.Spotlight-V100 ::.Trashes
    mattrib -i "$tmp/mac.img" +h ::.Trashes
    mcopy -i "$tmp/mac.img" "$tmp/mac/.fseventsd/fseventsd-uuid" ::.fseventsd/
    mcopy -s -i "$tmp/mac.img" "$tmp/mac/.Spotlight-V100/"* ::.Spotlight-V100/
    mcopy -i "$tmp/mac.img" "$tmp/fw.$1" "::FIRMWARE.$ext"
    mcopy -i "$tmp/mac.img" "$tmp/ad" "::._FIRMWARE.$ext"
    mcopy -i "$tmp/mac.img" "$tmp/mac/.DS_Store" ::
    mcopy -i "$tmp/mac.img" "$tmp/mac/.fseventsd/0000000000a1b2c3" ::.fseventsd/
    fsck.fat -n "$tmp/mac.img" >/dev/null || fail "macOS disk built by mtools is not clean"
}
# BIN/HEX data followed by another file's data (Finder's ._ file) before
# the directory entry: the other file's sectors must not be taken for the
# firmware's (this was refused with DB_ERR_ORDER after erasing, once).
for kind in bin hex; do
    mac_disk $kind
    rm -f "$tmp/flash.bin"
    commits "macOS Finder $(echo $kind | tr a-z A-Z) + ._ + .DS_Store + .fseventsd + .Trashes + .Spotlight-V100, meta-last" \
        "$tmp/empty.img" "$tmp/mac.img" meta-last "$tmp/app.bin"
done
# Finder's own order (data as written, metadata last); UF2 also in
# interleaved orders.
mac_disk uf2
# Random orders: exact, or refused before erasing when the block with the
# vector table is not within the pending buffer's reach (the erase rule).
for order in random:1 random:2 random:3; do
    rm -f "$tmp/flash.bin"
    commits_or_order "macOS Finder UF2 + ._ + .DS_Store + .fseventsd + .Trashes + .Spotlight-V100, $order" \
        "$tmp/empty.img" "$tmp/mac.img" "$order" "$tmp/app.bin"
done
rm -f "$tmp/flash.bin"
commits "macOS Finder UF2 + ._ + .DS_Store + .fseventsd + .Trashes + .Spotlight-V100, meta-last" \
    "$tmp/empty.img" "$tmp/mac.img" meta-last "$tmp/app.bin"

# A second session after the update: Finder writes only the ._ file (e.g.
# a tag set on FIRMWARE.UF2 later). No reset, flash untouched, app starts.
cp "$tmp/back.img" "$tmp/after.img"
cp "$tmp/after.img" "$tmp/ad.img"
mcopy -i "$tmp/ad.img" "$tmp/ad" ::._FIRMWARE.UF2
cp "$tmp/flash.bin" "$tmp/flash_before.bin"
rc=0
"$sim" --flash "$tmp/flash.bin" replay "$tmp/after.img" "$tmp/ad.img" --order meta-last >"$tmp/out.txt" || rc=$?
sessions=$((sessions + 1))
grep -q "^replay: writing [1-9]" "$tmp/out.txt" || fail "._ alone: nothing written"
grep -q "^device did not ask for a reset" "$tmp/out.txt" || fail "._ alone: the device reset"
if grep "^Result: " "$tmp/out.txt" | grep -qv $'^Result: \(DB_IDLE\|DB_DONE\|DB_ERR_NOT_FIRMWARE\)\r$'; then
    fail "._ alone: a refusal other than DB_ERR_NOT_FIRMWARE"
fi
[ $rc -le 1 ] || fail "._ alone: replay exit $rc"
cmp -s "$tmp/flash.bin" "$tmp/flash_before.bin" || fail "._ alone: flash changed"
"$sim" --flash "$tmp/flash.bin" status | grep -q "^start app at $APP_BASE" || fail "._ alone: the app would not start"
disk_clean "._ alone"
echo "ok   macOS ._FIRMWARE.UF2 alone in a second session: $(grep -m1 '^Result: ' "$tmp/out.txt" | tr -d '\r'), no reset, flash untouched, disk clean"

# --- 2. Windows. At mount Windows creates System Volume Information
# (hidden, system) with IndexerVolumeGuid and WPSettings.dat; on a copy it
# writes the FAT and the directory entry first, then the data. replay has no
# "metadata first" order: asc is that order, since on FAT16 the FATs and the
# root directory lie below the data area (the SVI directory's own cluster is
# data and comes with the other data, by address).
mkdir -p "$tmp/win"
"$py" "$osf" windows "$tmp/win"
cp "$tmp/empty.img" "$tmp/win.img"
mcopy -s -i "$tmp/win.img" "$tmp/win/System Volume Information" ::
mattrib -i "$tmp/win.img" +h +s "::System Volume Information"
"$py" "$lib" app "$tmp/app.bin" 70001 22
for kind in uf2 bin hex; do
    ext=$(echo $kind | tr a-z A-Z)
    make_fw "$tmp/app.bin" $kind "$tmp/fw.$kind"
    cp "$tmp/win.img" "$tmp/winfw.img"
    mcopy -i "$tmp/winfw.img" "$tmp/fw.$kind" "::FIRMWARE.$ext"
    rm -f "$tmp/flash.bin"
    commits "Windows $ext + System Volume Information, metadata first (asc)" \
        "$tmp/empty.img" "$tmp/winfw.img" asc "$tmp/app.bin"
done

# --- 3. macOS large copy: 1 MB pieces by parallel threads arrive
# interleaved; random orders are the worst case of that. Every format
# commits exactly or refuses with DB_ERR_ORDER before erasing anything (the
# block with the vector table must come within the pending buffer's reach).
# (Skipped with DROPBOOT_LARGE=0: dropboot-emu runs this script at about real
# time; its own 1 MB figures are in make bench.)
"$py" "$lib" app "$tmp/bigapp.bin" 1048576 23
big_kinds="uf2 bin hex"
[ "${DROPBOOT_LARGE:-1}" = 1 ] || big_kinds=""
for kind in $big_kinds; do
    ext=$(echo $kind | tr a-z A-Z)
    make_fw "$tmp/bigapp.bin" $kind "$tmp/big.$kind"
    cp "$tmp/empty.img" "$tmp/big.img"
    mcopy -i "$tmp/big.img" "$tmp/big.$kind" "::BIG.$ext"
    mcopy -i "$tmp/big.img" "$tmp/ad" "::._BIG.$ext"
    if [ $kind = uf2 ]; then
        rm -f "$tmp/flash.bin"
        commits "macOS large copy UF2 1 MB app + ._, meta-last" \
            "$tmp/empty.img" "$tmp/big.img" meta-last "$tmp/bigapp.bin"
        for seed in $([ "${DROPBOOT_LARGE:-1}" = 1 ] && echo 11 12); do
            rm -f "$tmp/flash.bin"
            commits_or_order "macOS large copy UF2 1 MB app + ._, random:$seed" \
                "$tmp/empty.img" "$tmp/big.img" random:$seed "$tmp/bigapp.bin"
        done
    else
        for seed in 16 17 18; do
            rm -f "$tmp/flash.bin"
            commits_or_order "macOS large copy $ext 1 MB + ._, random:$seed" \
                "$tmp/empty.img" "$tmp/big.img" random:$seed "$tmp/bigapp.bin"
        done
    fi
done

echo "drive_os_patterns: ok ($sessions sessions)"
