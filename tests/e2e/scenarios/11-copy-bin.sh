# Copy a raw BIN (a vector table for the board's app base first) and unmount: umount
# writes everything back; the device commits and the app starts.
dev_start dev
flash_cycle $FW/small.bin umount $FW/small.bin
