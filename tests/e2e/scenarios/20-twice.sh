# Firmware twice in a row on one board: flash an app, come back to the
# bootloader the way a user or an app asks for it (button / stay request),
# flash another one, and a third time.
dev_start first
flash_cycle $FW/small.uf2 sync $FW/small.bin || return
first=$DEV_FLASH
dev_stop
if ! stay=$(stay_option); then
    skip second-update "dropboot-sim has no option to stay in the bootloader with a valid app (--stay / --button) yet"
    return
fi
cp $first $SCDIR/second.flash
dev_start second $stay
flash_cycle $FW/second.hex eject $FW/second.bin held || return
dev_stop
cp $SCDIR/second.flash $SCDIR/third.flash
dev_start third $stay
flash_cycle $FW/small.uf2 umount $FW/small.bin held
