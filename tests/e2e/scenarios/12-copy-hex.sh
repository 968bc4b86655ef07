# Intel HEX from two writers nobody here wrote. objcopy's file ends the way a
# desktop's "eject" does (sync, umount, START STOP UNIT: reset at once);
# srec_cat's with sync and umount.
dev_start objcopy
flash_cycle $FW/small.hex eject $FW/small.bin
dev_stop
dev_start srec
flash_cycle $FW/small-srec.hex sync $FW/small.bin
