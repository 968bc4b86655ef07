# Copy a UF2 onto the drive, `sync`, unmount: the device writes, verifies and
# commits, resets when the host is idle, and the app starts.
dev_start dev
flash_cycle $FW/small.uf2 sync $FW/small.bin
