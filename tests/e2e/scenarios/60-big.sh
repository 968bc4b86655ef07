# A 1 MB app (a 2 MB UF2: 4096 blocks) through the kernel.
dev_start dev
flash_cycle $FW/big.uf2 sync $FW/big.bin
