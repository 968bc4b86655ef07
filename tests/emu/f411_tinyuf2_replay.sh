# Issue 11's "done" case on the real F411 binary: a UF2 in tinyuf2's Black
# Pill format (f411_lib.inc), copied onto the emulated Black Pill's drive
# over USB, is committed byte for byte at 0x08010000, the app starts there,
# and the drive's CURRENT.UF2 afterwards is the very file that was dropped.
source "$(dirname "$0")/f411_lib.inc"

tinyuf2_app "$tmp/app" 96 411
rm -f "$tmp/flash.bin"
emu --flash "$tmp/flash.bin" dump "$tmp/old.img" || fail "dump: exit $?"
cp "$tmp/old.img" "$tmp/new.img"
mcopy -i "$tmp/new.img" "$tmp/app.uf2" ::BLACKPIL.UF2
emu --summary --flash "$tmp/flash.bin" replay "$tmp/old.img" "$tmp/new.img" || fail "replay: exit $?"
no_machine_error replay
grep -q "^Result: DB_DONE" "$tmp/out.txt" || fail "STATUS.TXT does not say done"
grep -q "^device reset: start app at 0x08010000 " "$tmp/out.txt" || fail "the app does not start after the update"
flash_holds "$tmp/flash.bin" $((F411_APP_BASE - 0x08000000)) "$tmp/app.bin" || fail "flash at 0x08010000 differs from the image"
figures=$(grep "^summary:" "$tmp/out.txt" | head -1)
emu --flash "$tmp/flash.bin" dump "$tmp/after.img" || fail "dump after: exit $?"
mcopy -i "$tmp/after.img" ::CURRENT.UF2 "$tmp/current.uf2" || fail "no CURRENT.UF2"
cmp -s "$tmp/current.uf2" "$tmp/app.uf2" || fail "CURRENT.UF2 is not the file that was dropped"
echo "f411_tinyuf2_replay: ok (96 KB tinyuf2-format UF2 committed byte-exact; CURRENT.UF2 identical; $figures)"
