# Power cuts during a real update of the real binary (needs the USB half's
# replay; skipped, exit 77, without it). An 8 KB app replaces blinky; the
# power is cut, cleanly and torn, at operations spread over the whole update
# (the first ones, the app, the boot record at the end), and after the cold
# start the device must start the old app (A/B: the update went to the other
# slot), the new one only once committed: never run a damaged
# app, never break a rule of the chip, never disagree with its own boot logic.
source "$(dirname "$0")/emu_lib.inc"

tool=$DB_BUILD_DIR/dropboot
# slot_offset: where the app the last status started lies in the flash file
slot_offset() {
    local addr
    addr=$(sed -n 's/^start app at .* at \(0x[0-9a-f]*\)[,)].*/\1/p' "$tmp/out.txt")
    echo $((addr - 0x08000000))
}
flash_with_app "$tmp/base.bin" "$fw/blinky.uf2"
if ! emu --flash "$tmp/base.bin" dump "$tmp/old.img"; then
    echo "emu_powercut_update: skipped (no replay: the USB half is not in this build)"
    exit 77
fi
cp "$fw/blinky.bin" "$tmp/new.bin"
head -c $((8192 - $(stat -c %s "$fw/blinky.bin"))) /dev/urandom >>"$tmp/new.bin"
"$tool" convert "$tmp/new.bin" -o "$tmp/new.uf2" --base 0x08008000 --family 0x00ff6919 >/dev/null
cp "$tmp/old.img" "$tmp/upd.img"
mcopy -i "$tmp/upd.img" "$tmp/new.uf2" ::NEW.UF2

cp "$tmp/base.bin" "$tmp/flash.bin"
emu --summary --flash "$tmp/flash.bin" replay "$tmp/old.img" "$tmp/upd.img" || fail "the update without a cut"
ops=$(sed -n 's/^summary: .*, \([0-9]*\) flash operations.*/\1/p' "$tmp/out.txt")
[ -n "$ops" ] && [ "$ops" -gt 10 ] || fail "no flash operation count"

cuts="1 2 3 $((ops / 3)) $((2 * ops / 3)) $((ops - 2)) $((ops - 1)) $ops"
n_new=0 n_old=0 n_stay=0
for n in $cuts; do
    for mode in "" --torn; do
        cp "$tmp/base.bin" "$tmp/flash.bin"
        emu -v --cut-at-flash-op "$n" $mode --flash "$tmp/flash.bin" replay "$tmp/old.img" "$tmp/upd.img" || true
        grep -q "power cut at flash operation $n " "$tmp/out.txt" || fail "cut $n $mode: no cut"
        ! grep -q "error(s):\|MISMATCH" "$tmp/out.txt" || fail "cut $n $mode: the emulator reported an error"
        emu --flash "$tmp/flash.bin" status || fail "cut $n $mode: status after the cold start: exit $?"
        if grep -q "^start app at" "$tmp/out.txt"; then
            at=$(slot_offset)
            if cmp -s -n "$(stat -c %s "$tmp/new.bin")" "$tmp/new.bin" <(tail -c +$((at + 1)) "$tmp/flash.bin"); then
                n_new=$((n_new + 1))
            elif cmp -s -n "$(stat -c %s "$fw/blinky.bin")" "$fw/blinky.bin" <(tail -c +$((at + 1)) "$tmp/flash.bin"); then
                n_old=$((n_old + 1))
            else
                fail "cut $n $mode: an app starts that is neither the old nor the new one"
            fi
        elif grep -q "^stay in bootloader: " "$tmp/out.txt"; then
            n_stay=$((n_stay + 1))
        else
            fail "cut $n $mode: neither the app nor the drive"
        fi
    done
done
# A/B: the update goes to the other slot and its record comes after the
# image, so a cut before the record leaves the old app, one after it (the
# reset's trial start) the new one; never the bootloader, never half an app.
[ "$n_stay" = 0 ] && [ "$n_old" -ge 1 ] ||
    fail "outcomes: new app $n_new, old app $n_old, bootloader $n_stay"
# Without a cut the same update ends with the new app.
cp "$tmp/base.bin" "$tmp/flash.bin"
emu --flash "$tmp/flash.bin" replay "$tmp/old.img" "$tmp/upd.img" || fail "the update without a cut (again)"
emu --flash "$tmp/flash.bin" status || fail "status after the update"
grep -q "^start app at" "$tmp/out.txt" &&
    cmp -s -n "$(stat -c %s "$tmp/new.bin")" "$tmp/new.bin" <(tail -c +$(($(slot_offset) + 1)) "$tmp/flash.bin") ||
    fail "without a cut the new app does not start"
echo "emu_powercut_update: ok ($ops operations, $((n_new + n_old + n_stay)) cuts: new app $n_new, old app $n_old, bootloader $n_stay)"
