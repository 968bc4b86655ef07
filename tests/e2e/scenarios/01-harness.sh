# The harness itself, before any dropboot device: QEMU's own USB stick (a FAT
# image made by mkfs.fat and mcopy) exported by the kernel's USB/IP server
# (usbip-host + Debian's usbipd) and attached with our usbip_attach. If this
# fails, the test machinery is broken, not dropboot.
if ! command -v usbipd >/dev/null; then
    skip harness "Debian's usbip tools are not in the guest (install usbip)"
    return
fi
stick_busid() {
    local p
    for p in /sys/bus/usb/devices/*/product; do
        grep -q "QEMU USB HARDDRIVE" $p 2>/dev/null && { basename $(dirname $p); return 0; }
    done
    return 1
}
ANY_DISK=1
check stick-on-xhci wait_disk 10 || return
BUSID=$(stick_busid) || { fail stick-busid "no QEMU USB HARDDRIVE in /sys/bus/usb/devices"; return; }
check bind-to-usbip-host usbip bind -b $BUSID || return
check stick-leaves-usb-storage wait_gone 10 || return
ANY_DISK=0
usbipd -D >$SCDIR/usbipd.log 2>&1
DEV=stick
DEV_MNT=/mnt/$SC-stick
DEV_SIM=""
usbip_attach --follow --wait 3 127.0.0.1 3240 $BUSID >$SCDIR/stick.attach.log 2>&1 &
DEV_ATT=$!
echo $DEV_ATT >>$SCDIR/pids
check attach wait_disk 20 || return
log "$(cat $SCDIR/stick.attach.log)"
check mount dev_mount || return
check read-mtools-file grep -q "hello from mtools" $DEV_MNT/HELLO.TXT
check copy cp $FW/big.uf2 $DEV_MNT/
check sync sync
check umount dev_umount
check remount dev_mount
check read-back cmp $DEV_MNT/big.uf2 $FW/big.uf2
check umount-again dev_umount
# Detach (the stick stays with usbip-host, so no other scenario sees it).
port=$(sed -n 's/^attached port \([0-9]*\) .*/\1/p' $SCDIR/stick.attach.log | tail -n 1)
kill $DEV_ATT
check detach sh -c "echo $port >/sys/devices/platform/vhci_hcd.0/detach"
check stick-gone wait_gone 10
for pid in $(pidof usbipd); do kill $pid; done
DEV=""
