# A UF2 for another chip family is refused: nothing is flashed, the device
# resets and comes back as the drive, and STATUS.TXT says why. The same with
# an old app in flash (kept), a HEX aimed at the bootloader region (refused,
# the region untouched, the old app kept), and half a UF2 (never started).
status_says() {
    tr -d '\r' <$DEV_MNT/STATUS.TXT >$SCDIR/status.txt
    cat $SCDIR/status.txt
    head -n 1 $SCDIR/status.txt | grep -q "^dropboot $VERSION " && grep -qx "$1" $SCDIR/status.txt
}
refuse_cycle() { # [FILE RESULT]: on the current device, copy FILE (default the
    # wrong-family UF2), expect the drive back and STATUS.TXT to say RESULT
    local file=${1:-$FW/wrongfamily.uf2} want=${2:-DB_ERR_UF2_FAMILY}
    attach_and_mount || return 1
    check copy-$(basename $file) cp $file $DEV_MNT/ || return 1
    check sync sync
    check umount dev_umount
    check reset wait_gone 15 || return 1
    check drive-returns wait_disk 20 || return 1
    check remount dev_mount || return 1
    check status-txt-says-$want status_says "Result: $want"
    check umount-after-status dev_umount
}

dev_start empty
refuse_cycle || return
check nothing-flashed flash_app_erased 65536
check boot-region-untouched flash_boot_region_erased
check boot-decision-stay sim_says "stay in bootloader"
dev_stop

if ! stay=$(stay_option); then
    skip refused-keeps-app "dropboot-sim has no option to stay in the bootloader with a valid app (--stay / --button) yet"
    return
fi
fixture=$(fixture_committed) || { fail committed-app "could not make a flash with a committed app"; return; }
cp $fixture $SCDIR/withapp.flash
dev_start withapp $stay
refuse_cycle || return
dev_stop
check old-app-kept cmp $SCDIR/withapp.flash $fixture
check boot-decision-start-app sim_says "start app at $APP_BASE"
dev_stop

cp $fixture $SCDIR/atboot.flash
dev_start atboot $stay
refuse_cycle $FW/at-bootloader.hex DB_ERR_ADDR_BOOT || return
dev_stop
check atboot-boot-region-untouched flash_boot_region_erased
check atboot-old-app-kept cmp $SCDIR/atboot.flash $fixture

# Half a UF2: the copy ends with blocks missing. The device may wait for the
# rest or give up; either way the half image never starts, the bootloader
# region is untouched, and copying the whole file afterwards works.
cp $fixture $SCDIR/half.flash
dev_start half $stay
attach_and_mount || return
check copy-half-uf2 cp $FW/half.uf2 $DEV_MNT/
check sync-half sync
check umount-half dev_umount
sleep 3
if grep -q " $DEV_DISK\$" /proc/partitions; then
    log "after half a UF2 the drive waits for the rest"
else
    log "after half a UF2 the device reset"
    check half-drive-returns wait_disk 20 || return
fi
check half-remount dev_mount || return
log "STATUS.TXT after half a UF2: $(tr '\r\n' '  ' <$DEV_MNT/STATUS.TXT)"
check half-then-whole-copy cp $FW/second.uf2 $DEV_MNT/
check half-then-whole-sync sync
check half-then-whole-umount dev_umount
check half-then-whole-reset wait_gone 15 || return
check half-then-whole-app-started app_started_or_drive 15 || return
dev_stop
check half-then-whole-flash flash_has_app $FW/second.bin
check half-boot-region-untouched flash_boot_region_erased

# Half a UF2, then the board is unplugged: the half image never starts; with
# A/B it went to the other slot, so the old app (slot A) starts; with one
# slot (the F411) the old app was given up for it: the bootloader stays.
cp $fixture $SCDIR/halfcut.flash
dev_start halfcut $stay
attach_and_mount || return
check halfcut-copy cp $FW/half.uf2 $DEV_MNT/
check halfcut-sync sync
check halfcut-umount dev_umount
dev_stop
check halfcut-boot-region-untouched flash_boot_region_erased
if [ "$AB_SLOTS" = 1 ]; then
    check halfcut-never-starts sim_says "start app at $APP_BASE (slot A at $APP_BASE"
    check halfcut-old-app-kept flash_has_app $FW/small.bin
else
    check halfcut-never-starts sim_says "stay in bootloader"
fi
