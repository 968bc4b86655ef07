# `cp` then `sync`, and the user never unmounts: the device resets under the
# mounted volume (as every drag-and-drop bootloader does). The firmware is in;
# the kernel's only complaint comes at the later umount, which can no longer
# clear the FAT "dirty" flag on the vanished disk. Those lines, and only
# those, are expected here and left out of the final kernel-log scan.
only_dirty_flag_complaints() {
    cat $1
    ! grep -v -e 'attempt to access beyond end of device' -e 'rw=0, sector=0, nr_sectors = 1 limit=0' \
        -e 'FAT-fs (sd[a-z]*): unable to read boot sector to mark fs as dirty' $1
}
dev_start dev
attach_and_mount || return
check copy cp $FW/small.uf2 $DEV_MNT/
check sync sync
check reset-while-mounted wait_gone 15 || return
check app-started wait_app_started 15
check flash-holds-app flash_has_app $FW/small.bin
before=$(dmesg | wc -l)
check umount-vanished-volume dev_umount
dmesg | tail -n +$((before + 1)) >$SCDIR/umount-klog.txt
check umount-klog-only-dirty-flag only_dirty_flag_complaints $SCDIR/umount-klog.txt
cat $SCDIR/umount-klog.txt >>/tmp/e2e/klog-expected
