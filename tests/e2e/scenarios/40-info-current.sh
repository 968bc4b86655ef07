# The drive's files read back through the kernel's vfat: INFO_UF2.TXT on an
# empty board, and CURRENT.UF2 (the app in flash, as UF2) once an app is
# committed and the bootloader was asked to stay.
info_lines() {
    tr -d '\r' <$DEV_MNT/INFO_UF2.TXT >$SCDIR/info.txt
    cat $SCDIR/info.txt
    head -n 1 $SCDIR/info.txt | grep -qx "UF2 Bootloader v$VERSION dropboot" &&
        grep -qx 'Family-ID: 0x00ff6919' $SCDIR/info.txt &&
        grep -qx 'App-Base: 0x08008000' $SCDIR/info.txt &&
        grep -qx 'App-Max-Size: 2064384' $SCDIR/info.txt && grep -qx 'Slot-Size: 1015808' $SCDIR/info.txt &&
        grep -q '^Model: ' $SCDIR/info.txt && grep -q '^Board-ID: ' $SCDIR/info.txt && grep -q '^Serial: ' $SCDIR/info.txt
}
crlf_lines() { # every line of $1 ends in CR LF
    [ "$(grep -c . $1)" = "$(grep -c "$(printf '\r')\$" $1)" ]
}
listed() { # the root directory lists every name given
    ls $DEV_MNT >$SCDIR/ls.txt
    cat $SCDIR/ls.txt
    for n in "$@"; do grep -qx "$n" $SCDIR/ls.txt || { echo "no $n"; return 1; }; done
}
not_listed() { ! ls $DEV_MNT | grep -qx "$1"; }
fsck_clean() { # dosfstools' verdict on the volume as the kernel's block device reads it
    command -v fsck.fat >/dev/null || { echo "no fsck.fat in the guest"; return 1; }
    fsck.fat -n $DEV_VOL
}

sysfs_is() { # FILE VALUE: a sysfs attribute, spaces trimmed
    local v
    v=$(sed 's/ *$//' $1)
    echo "$1 = '$v'"
    [ "$v" = "$2" ]
}
usb_dev() { # the current device's USB device directory, from its disk
    readlink -f /sys/block/$DEV_DISK | sed -E 's|^(.*/usb[0-9]+/[0-9]+-[0-9]+)/.*|\1|'
}

dev_start empty
attach_and_mount || return
# What the kernel made of the descriptors and INQUIRY (what a desktop shows).
u=$(usb_dev)
check usb-vid-pid sh -c "grep -qx 1209 $u/idVendor && grep -qx db01 $u/idProduct"
check usb-strings sh -c "grep -qx dropboot $u/manufacturer && grep -qx 'dropboot STM32L4R5' $u/product && grep -qx 000000000000000000000001 $u/serial"
check usb-full-speed sysfs_is $u/speed 12
check usb-mass-storage-bot sh -c "grep -qx 08 $u/*:1.0/bInterfaceClass && grep -qx 06 $u/*:1.0/bInterfaceSubClass && grep -qx 50 $u/*:1.0/bInterfaceProtocol"
check scsi-vendor sysfs_is /sys/block/$DEV_DISK/device/vendor dropboot
check scsi-model sysfs_is /sys/block/$DEV_DISK/device/model "STM32L4R5 drive"
check scsi-removable sysfs_is /sys/block/$DEV_DISK/removable 1
check sector-size-512 sysfs_is /sys/block/$DEV_DISK/queue/logical_block_size 512
check list-files listed INFO_UF2.TXT INDEX.HTM STATUS.TXT
check info-uf2-contract info_lines
check info-uf2-crlf crlf_lines $DEV_MNT/INFO_UF2.TXT
check no-current-uf2-without-app not_listed CURRENT.UF2
check status-first-line grep -q "^dropboot $VERSION " $DEV_MNT/STATUS.TXT
check umount dev_umount
check fsck-fat-clean fsck_clean
check read-whole-disk dd if=/dev/$DEV_DISK of=/dev/null bs=64k
check no-reset-after-reading-all wait_stays 1
dev_stop

fixture=$(fixture_committed) || { fail committed-app "could not make a flash with a committed app"; return; }
if ! stay=$(stay_option); then
    skip current-uf2 "dropboot-sim has no option to stay in the bootloader with a valid app (--stay / --button) yet: a committed app starts and there is no drive"
    return
fi
cp $fixture $SCDIR/stay.flash
dev_start stay $stay
attach_and_mount || return
check list-current-uf2 listed INFO_UF2.TXT CURRENT.UF2
check current-uf2-size [ "$(wc -c <$DEV_MNT/CURRENT.UF2)" = $(( ($(wc -c <$FW/small.bin) + 255) / 256 * 512 )) ]
check current-uf2-decodes fwtool unuf2 $DEV_MNT/CURRENT.UF2 $FAMILY 0x08008000 $SCDIR/current.bin
check current-uf2-is-the-app cmp -n $(wc -c <$FW/small.bin) $SCDIR/current.bin $FW/small.bin
check umount dev_umount
check fsck-fat-clean-with-app fsck_clean
check no-reset-after-reading wait_stays 2
check flash-unchanged cmp $DEV_FLASH $fixture
