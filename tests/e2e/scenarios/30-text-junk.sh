# A text file and a junk file are not firmware: nothing is flashed, the
# device does not reset, and the drive still takes a firmware afterwards.
dev_start dev
attach_and_mount || return
check copy-text cp $FW/readme.txt $DEV_MNT/
check sync-text sync
check no-reset-after-text wait_stays 3
check copy-junk cp $FW/junk.dat $DEV_MNT/
check sync-junk sync
check no-reset-after-junk wait_stays 3
check info-still-readable grep -q "^UF2 Bootloader" $DEV_MNT/INFO_UF2.TXT
check nothing-flashed flash_app_erased 65536
check umount dev_umount
check no-reset-after-umount wait_stays 2
check remount dev_mount
check copy-firmware-after cp $FW/small.uf2 $DEV_MNT/
check sync sync
check umount-after-firmware dev_umount
check reset wait_gone 15 || return
check app-started wait_app_started 15 || return
check flash-holds-app flash_has_app $FW/small.bin
