# A/B on the real binary: an update goes to slot B and starts with the banks
# swapped; an app that confirms (blinky) is kept; one that never confirms
# (blinky-noconfirm) is started three times on trial, then the bootloader
# goes back to slot A, and STATUS.TXT says the image was rolled back.
source "$(dirname "$0")/emu_lib.inc"

# update FLASH APP.uf2: copy APP onto the drive of the device in FLASH (dropboot-sim)
update() {
    "$sim" --flash "$1" dump "$tmp/old.img" >/dev/null
    cp "$tmp/old.img" "$tmp/new.img"
    mcopy -i "$tmp/new.img" "$2" ::NEW.UF2
    "$sim" --flash "$1" replay "$tmp/old.img" "$tmp/new.img" >/dev/null || fail "dropboot-sim could not install $2"
}

flash_with_app "$tmp/f.bin" "$fw/blinky.uf2"
emu --flash "$tmp/f.bin" run --ms 1500 || fail "run: exit $?"
grep -q "running the app" "$tmp/out.txt" || fail "blinky in slot A is not running"
"$sim" --flash "$tmp/f.bin" status | grep -q "^start app at 0x08008000 (slot A at 0x08008000, confirmed" ||
    fail "blinky did not confirm slot A: $("$sim" --flash "$tmp/f.bin" status)"

# blinky again: it goes to slot B, starts swapped and confirms itself
cp "$tmp/f.bin" "$tmp/g.bin"
update "$tmp/g.bin" "$fw/blinky.uf2"
emu --flash "$tmp/g.bin" run --ms 1500 || fail "run B: exit $?"
grep -q "flash banks swapped" "$tmp/out.txt" || fail "slot B started without the bank swap"
grep -q "running the app" "$tmp/out.txt" || fail "blinky in slot B is not running"
"$sim" --flash "$tmp/g.bin" status | grep -q "(slot B at 0x08108000, banks swapped, confirmed" ||
    fail "slot B not confirmed: $("$sim" --flash "$tmp/g.bin" status)"

# an app that never confirms: three trial starts (the one right after the
# update, in dropboot-sim, then power on and a reset here), then slot A again
update "$tmp/f.bin" "$fw/blinky-noconfirm.uf2"
"$sim" --flash "$tmp/f.bin" status | grep -q "(slot B at 0x08108000, banks swapped, trial start 2 of 3" ||
    fail "after the update: $("$sim" --flash "$tmp/f.bin" status)"
# `dropboot-emu status` asks the real binary without spending a start (the
# flash is put back); `status --boot` is a real start and counts.
cp "$tmp/f.bin" "$tmp/q.bin"
for i in 1 2 3 4; do emu --flash "$tmp/q.bin" status >/dev/null || fail "status $i: exit $?"; done
cmp -s "$tmp/f.bin" "$tmp/q.bin" || fail "dropboot-emu status changed the flash file"
emu --flash "$tmp/q.bin" status --boot >/dev/null || fail "status --boot: exit $?"
"$sim" --flash "$tmp/q.bin" status | grep -q "trial start 3 of 3" ||
    fail "status --boot did not count a trial start: $("$sim" --flash "$tmp/q.bin" status)"
emu --flash "$tmp/f.bin" run --ms 4500 --reset-at 1000 --reset-at 2000 --reset-at 3000 || fail "run trial: exit $?"
[ "$(grep -c "flash banks swapped" "$tmp/out.txt")" = 2 ] || fail "expected two swapped (trial) starts here"
grep -q "running the app" "$tmp/out.txt" || fail "no app running after the rollback"
line=$("$sim" --flash "$tmp/f.bin" status)
case $line in
"start app at 0x08008000 (slot A at 0x08008000, confirmed"*) ;;
*) fail "after three unconfirmed starts: $line" ;;
esac
"$sim" --flash "$tmp/f.bin" dump "$tmp/back.img" >/dev/null
mtype -i "$tmp/back.img" ::STATUS.TXT | tr -d '\r' >"$tmp/status.txt"
grep -q "^Slot B: rolled back, .* (the app never confirmed it)" "$tmp/status.txt" ||
    fail "STATUS.TXT does not say slot B was rolled back: $(cat "$tmp/status.txt")"
grep -q "^Slot A: active, " "$tmp/status.txt" || fail "STATUS.TXT: slot A not active"
echo "emu_ab_trial: ok (slot B swapped and confirmed by blinky; blinky-noconfirm rolled back after 3 trial starts)"
