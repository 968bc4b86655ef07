# After the bootloader's jump the emulator keeps running the app: blinky's
# green LED (PC7) toggles every 250 ms of virtual time, nothing else lights,
# and the whole run touches nothing the models do not know.
source "$(dirname "$0")/emu_lib.inc"

flash_with_app "$tmp/app.bin" "$fw/blinky.uf2"
emu --flash "$tmp/app.bin" run --ms 3000 || fail "run: exit $?"
grep -q "jump into the app at 0x080081" "$tmp/out.txt" || fail "no jump into the app"
grep -q "running the app" "$tmp/out.txt" || fail "not running the app at the end"
awk '/LED/ { t = substr($0, 2, index($0, " ms]") - 2) + 0
             if (/blue on|red on/) { print "other LED lit at " t; bad = 1 }
             if (n++ > 0) { d = t - last; if (d < 249.9 || d > 250.1) { print "toggle after " d " ms"; bad = 1 } }
             last = t }
     END { if (n < 11) { print "only " n " LED changes"; bad = 1 } exit bad }' "$tmp/out.txt" >"$tmp/why.txt" ||
    fail "blink rate: $(cat "$tmp/why.txt")"
echo "emu_blinky_blinks: ok"
