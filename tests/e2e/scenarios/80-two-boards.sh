# Two boards on one computer (two serial numbers) are two drives, updated at
# the same time, each with its own app.
SIM_OPTIONS="--serial 0000000000000000000000A1"
dev_start a
SIM_OPTIONS="--serial 0000000000000000000000B2"
dev_start b
SIM_OPTIONS=""
dev_use a
check a-attach wait_disk 20 || return
check a-mount dev_mount || return
dev_use b
check b-attach wait_disk 20 || return
check b-mount dev_mount || return
disk_b=$DEV_DISK
dev_use a
check two-disks [ "$DEV_DISK" != "$disk_b" ]
check two-serials sh -c "cat /sys/bus/usb/devices/*/serial | grep -c -e '0000000000000000000000A1' -e '0000000000000000000000B2' | grep -qx 2"
check a-serial-in-info grep -q "^Serial: 0000000000000000000000A1" $DEV_MNT/INFO_UF2.TXT
dev_use b
check b-serial-in-info grep -q "^Serial: 0000000000000000000000B2" $DEV_MNT/INFO_UF2.TXT
dev_use a
cp $FW/small.uf2 $DEV_MNT/ &
copy_a=$!
dev_use b
check b-copy cp $FW/second.uf2 $DEV_MNT/
check a-copy wait $copy_a
check sync sync
check b-umount dev_umount
dev_use a
check a-umount dev_umount
check a-reset wait_gone 15
check a-app-started wait_app_started 15
check a-flash-holds-app flash_has_app $FW/small.bin
dev_stop
dev_use b
check b-reset wait_gone 15
check b-app-started wait_app_started 15
check b-flash-holds-app flash_has_app $FW/second.bin
