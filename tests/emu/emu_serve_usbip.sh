#!/usr/bin/env bash
# dropboot-emu serve: the real firmware behind the USB/IP server, driven by a
# user-space USB/IP client (usbip_client.py): import, enumeration through the
# emulated OTG core, a STALL as -EPIPE, Bulk-Only commands, an unlinked URB.
source "$(dirname "$0")/emu_lib.inc"

"$emu_bin" --firmware "$fw/dropboot.elf" --flash "$tmp/flash.bin" serve --usbip 127.0.0.1:0 >"$tmp/out.txt" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\),.*/\1/p' "$tmp/out.txt")
    [ -n "$port" ] && break
    kill -0 $pid 2>/dev/null || fail "serve exited before listening"
    sleep 0.1
done
[ -n "$port" ] || fail "serve did not listen"
/usr/bin/python3 "$(dirname "$0")/usbip_client.py" "$port" || fail "USB/IP client"
kill -TERM $pid
wait $pid || fail "serve exit status $?"
echo "emu_serve_usbip: ok"
