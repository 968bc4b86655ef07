# Power cuts during a real update on the F411 machine (one slot: the new
# app is written where the old one was). An 8 KB tinyuf2-format app
# replaces blinky; the power is cut, cleanly and torn, at operations spread
# over the update, the last one being the commit record's last word. After
# the cold start the device starts the old app (cut before its sector was
# erased), the new one (only once committed), or stays in its drive: never
# an app that is neither, never a rule of the chip broken, and the
# bootloader's own sectors 0-1 are never touched.
source "$(dirname "$0")/f411_lib.inc"

flash_with_app "$tmp/base.bin" "$fw/blinky.uf2"
emu --flash "$tmp/base.bin" dump "$tmp/old.img" || fail "dump: exit $?"
tinyuf2_app "$tmp/new" 8 7
cp "$tmp/old.img" "$tmp/upd.img"
mcopy -i "$tmp/upd.img" "$tmp/new.uf2" ::NEW.UF2
head -c 32768 "$tmp/base.bin" >"$tmp/boot_sectors.bin"
app_off=$((F411_APP_BASE - 0x08000000))

cp "$tmp/base.bin" "$tmp/flash.bin"
emu --summary --flash "$tmp/flash.bin" replay "$tmp/old.img" "$tmp/upd.img" || fail "the update without a cut"
ops=$(sed -n 's/^summary: .*, \([0-9]*\) flash operations.*/\1/p' "$tmp/out.txt")
[ -n "$ops" ] && [ "$ops" -gt 10 ] || fail "no flash operation count"
emu --flash "$tmp/flash.bin" status || fail "status after the update"
grep -q "^start app at 0x08010000" "$tmp/out.txt" && flash_holds "$tmp/flash.bin" $app_off "$tmp/new.bin" ||
    fail "without a cut the new app does not start"

cuts="1 2 3 $((ops / 4)) $((ops / 2)) $((3 * ops / 4)) $((ops - 2)) $((ops - 1)) $ops"
n_new=0 n_old=0 n_stay=0 seen=""
for n in $cuts; do
    for mode in "" --torn; do
        cp "$tmp/base.bin" "$tmp/flash.bin"
        emu -v --cut-at-flash-op "$n" $mode --flash "$tmp/flash.bin" replay "$tmp/old.img" "$tmp/upd.img" || true
        grep -q "power cut at flash operation $n " "$tmp/out.txt" || fail "cut $n $mode: no cut"
        no_machine_error "cut $n $mode"
        flash_holds "$tmp/flash.bin" 0 "$tmp/boot_sectors.bin" || fail "cut $n $mode: the bootloader's sectors changed"
        emu --flash "$tmp/flash.bin" status || fail "cut $n $mode: status after the cold start: exit $?"
        if grep -q "^start app at 0x08010000" "$tmp/out.txt"; then
            if flash_holds "$tmp/flash.bin" $app_off "$tmp/new.bin"; then
                n_new=$((n_new + 1)) seen="$seen $n$mode:new"
            elif flash_holds "$tmp/flash.bin" $app_off "$fw/blinky.bin"; then
                n_old=$((n_old + 1)) seen="$seen $n$mode:old"
            else
                fail "cut $n $mode: an app starts that is neither the old nor the new one"
            fi
        elif grep -q "^stay in bootloader: " "$tmp/out.txt"; then
            n_stay=$((n_stay + 1)) seen="$seen $n$mode:drive"
        else
            fail "cut $n $mode: neither the app nor the drive"
        fi
    done
done
# One slot: the first cuts (before the app's sector is erased) keep the old
# app, the ones after the erase (the commit record's last word included)
# leave the drive; the new app only runs once the update finished (above).
[ "$n_old" -ge 1 ] && [ "$n_stay" -ge 1 ] || fail "outcomes:$seen"
echo "f411_powercut_update: ok ($ops operations, $((n_new + n_old + n_stay)) cuts: new app $n_new, old app $n_old, bootloader $n_stay;$seen)"
