# A 1 MB app through the kernel: as UF2 (2 MB, 4096 blocks), as BIN (the
# kernel's own write order for a 1 MB file) and as Intel HEX from objcopy.
dev_start uf2
flash_cycle $FW/big.uf2 sync $FW/big.bin
dev_stop
dev_start bin
flash_cycle $FW/big.bin umount $FW/big.bin
dev_stop
dev_start hex
flash_cycle $FW/big.hex sync $FW/big.bin
