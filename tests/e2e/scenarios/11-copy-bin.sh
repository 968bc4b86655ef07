# Copy a raw BIN (a vector table for 0x08008000 first) and unmount: umount
# writes everything back; the device commits and the app starts.
dev_start dev
flash_cycle $FW/small.bin umount $FW/small.bin
