# A UF2 for another chip family is refused: nothing is flashed, the device
# resets and comes back as the drive, and STATUS.TXT says why.
status_says() {
    tr -d '\r' <$DEV_MNT/STATUS.TXT >$SCDIR/status.txt
    cat $SCDIR/status.txt
    head -n 1 $SCDIR/status.txt | grep -q "^dropboot $VERSION " && grep -qx "$1" $SCDIR/status.txt
}
refuse_cycle() { # on the current device: copy the wrong-family UF2, expect the drive back
    attach_and_mount || return 1
    check copy-wrong-family cp $FW/wrongfamily.uf2 $DEV_MNT/ || return 1
    check sync sync
    check umount dev_umount
    check reset wait_gone 15 || return 1
    check drive-returns wait_disk 20 || return 1
    check remount dev_mount || return 1
    check status-txt-says-family status_says "Result: DB_ERR_UF2_FAMILY"
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
check boot-decision-start-app sim_says "start app at 0x08008000"
